package io.ndp.console;

import io.ndp.api.event.BreakerStateChangedEvent;
import io.ndp.api.event.ConfidenceThresholdCrossedEvent;
import io.ndp.api.event.ExecutionFinishedEvent;
import io.ndp.api.event.NdpListener;
import io.ndp.api.event.PluginFailedEvent;
import io.ndp.api.event.PluginLoadedEvent;
import io.ndp.api.event.PluginStoppedEvent;
import io.ndp.api.event.ResourceAcquiredEvent;
import io.ndp.api.event.ResourceConflictEvent;
import io.ndp.api.event.ResourceReleasedEvent;
import io.ndp.api.event.StatisticsResetEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listener behind a console: keeps the most recent executions in a bounded ring and passes
 * every event the console shows to the open {@code /api/events} streams.
 *
 * <p>Register it with the runtime ({@code Ndp.builder().listener(feed)}) and hand it to {@link
 * NdpConsole.Builder#feed}. It is called from many executor threads: recording is one atomic
 * increment and one array write; streams are fed through bounded queues and never block the caller.
 *
 * <p>Thread-safe.
 *
 * @since 0.1.0
 */
public final class ConsoleFeed implements NdpListener {

  private static final Logger LOG = LoggerFactory.getLogger(ConsoleFeed.class);

  /** One recorded execution: its place in the feed, when it finished, and what the runtime said. */
  record Recorded(long sequence, Instant finishedAt, ExecutionFinishedEvent event) {}

  private final int capacity;
  private final AtomicReferenceArray<@Nullable Recorded> ring;
  private final AtomicLong written = new AtomicLong();
  private final CopyOnWriteArrayList<EventClient> clients = new CopyOnWriteArrayList<>();
  private final Map<String, String> pluginVersions = new ConcurrentHashMap<>();
  private final LongAdder dropped = new LongAdder();
  private volatile @Nullable EventFormat format;

  ConsoleFeed(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "recentDecisions must be at least 1 but was %d", capacity));
    }
    this.capacity = capacity;
    this.ring = new AtomicReferenceArray<>(capacity);
  }

  /** {@return how many recent executions this feed keeps} */
  public int capacity() {
    return capacity;
  }

  /** {@return how many executions this feed has heard of since it was created} */
  public long executionsSeen() {
    return written.get();
  }

  /** {@return how many stream events were dropped because a client's queue was full} */
  public long droppedEvents() {
    return dropped.sum();
  }

  /** Turns events into SSE text; set once by the console that serves this feed. */
  interface EventFormat {
    String format(String type, Object event);
  }

  /**
   * Serves one console: refuses a second while the first runs (closing one would end the other's
   * streams); {@code null} detaches.
   */
  synchronized void attach(@Nullable EventFormat eventFormat) {
    if (eventFormat != null && this.format != null) {
      throw new IllegalStateException(
          "this feed already serves a running console; give each console a feed of its own");
    }
    this.format = eventFormat;
  }

  LongAdder droppedCounter() {
    return dropped;
  }

  void addClient(EventClient client) {
    clients.add(client);
  }

  void removeClient(EventClient client) {
    clients.remove(client);
  }

  int clientCount() {
    return clients.size();
  }

  List<EventClient> clients() {
    return List.copyOf(clients);
  }

  Optional<String> pluginVersion(String pluginId) {
    return Optional.ofNullable(pluginVersions.get(pluginId));
  }

  /** The recorded executions, newest first. */
  List<Recorded> recent() {
    long end = written.get();
    List<Recorded> out = new ArrayList<>(capacity);
    for (long s = end - 1; s >= 0 && s >= end - capacity; s--) {
      Recorded r = ring.get((int) (s % capacity));
      // A slot already overwritten by a newer execution (or not yet written) is skipped.
      if (r != null && r.sequence() == s) {
        out.add(r);
      }
    }
    return out;
  }

  @Override
  public void onExecutionFinished(ExecutionFinishedEvent event) {
    long s = written.getAndIncrement();
    Recorded r = new Recorded(s, Instant.now(), event);
    int slot = (int) (s % capacity);
    Recorded current;
    do {
      current = ring.get(slot);
      // A writer that lagged a whole lap behind must not overwrite the newer record.
      if (current != null && current.sequence() > s) {
        break;
      }
    } while (!ring.compareAndSet(slot, current, r));
    publish("execution-finished", r);
  }

  @Override
  public void onBreakerStateChanged(BreakerStateChangedEvent event) {
    publish("breaker-changed", event);
  }

  @Override
  public void onResourceAcquired(ResourceAcquiredEvent event) {
    publish("resource-acquired", event);
  }

  @Override
  public void onResourceReleased(ResourceReleasedEvent event) {
    publish("resource-released", event);
  }

  @Override
  public void onResourceConflict(ResourceConflictEvent event) {
    publish("resource-conflict", event);
  }

  @Override
  public void onPluginLoaded(PluginLoadedEvent event) {
    if (event.version() != null) {
      pluginVersions.put(event.pluginId(), event.version());
    }
    publish("plugin-loaded", event);
  }

  @Override
  public void onPluginFailed(PluginFailedEvent event) {
    if (event.version() != null) {
      pluginVersions.put(event.pluginId(), event.version());
    }
    publish("plugin-failed", event);
  }

  @Override
  public void onPluginStopped(PluginStoppedEvent event) {
    publish("plugin-stopped", event);
  }

  @Override
  public void onStatisticsReset(StatisticsResetEvent event) {
    publish("statistics-reset", event);
  }

  @Override
  public void onConfidenceThresholdCrossed(ConfidenceThresholdCrossedEvent event) {
    publish("confidence-crossed", event);
  }

  /** Sends one event to every open stream; formats it only when someone listens. */
  void publish(String type, Object event) {
    EventFormat f = format;
    if (f == null || clients.isEmpty()) {
      return;
    }
    String text;
    try {
      text = f.format(type, event);
    } catch (RuntimeException e) {
      LOG.warn("console: could not format a {} event; streams skip it", type, e);
      return;
    }
    for (EventClient c : clients) {
      c.offer(text);
    }
  }
}
