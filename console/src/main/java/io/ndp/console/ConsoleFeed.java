package io.ndp.console;

import io.ndp.api.Attempt;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
 * increment, one array write and one entry per attempt in its pattern × domain cell; stream events
 * are queued for the console's own thread (bounded, dropped and counted when full), which formats
 * and writes them, so an open page never blocks or slows the caller.
 *
 * <p>Thread-safe.
 *
 * @since 0.1.0
 */
public final class ConsoleFeed implements NdpListener {

  private static final Logger LOG = LoggerFactory.getLogger(ConsoleFeed.class);

  /** One recorded execution: its place in the feed, when it finished, and what the runtime said. */
  record Recorded(long sequence, Instant finishedAt, ExecutionFinishedEvent event) {}

  /** How many pattern × domain cells a feed follows; outcomes of further cells are not kept. */
  static final int MAX_CELLS = 4096;

  /** Events waiting for the dispatcher before new ones are dropped. */
  static final int OUTBOX = 4096;

  /** How many recent outcomes a cell keeps. */
  static final int CELL_OUTCOMES = 20;

  /** How many confidence points a cell keeps for its chart. */
  static final int CELL_POINTS = 120;

  /** One outcome of a pattern in a domain, as an attempt reported it. */
  record Outcome(Instant at, String kind, String status, double durationMillis) {}

  /** One point of a cell's confidence over time. */
  record Point(Instant at, double confidence, long successes, long failures) {}

  /**
   * What the console follows of one pattern × domain cell: its last outcomes (written on the
   * executing thread) and its confidence over time (sampled by the console while the cell changes).
   */
  static final class CellTrack {
    private final Deque<Outcome> outcomes = new ArrayDeque<>(CELL_OUTCOMES);
    private final Deque<Point> points = new ArrayDeque<>(CELL_POINTS);
    private volatile boolean dirty = true;

    synchronized void add(Outcome o) {
      if (outcomes.size() == CELL_OUTCOMES) {
        outcomes.removeFirst();
      }
      outcomes.addLast(o);
      dirty = true;
    }

    void touch() {
      dirty = true;
    }

    /** Clears the changed mark; true when the cell changed since the last call. */
    boolean takeDirty() {
      if (!dirty) {
        return false;
      }
      dirty = false;
      return true;
    }

    synchronized void addPoint(Point p) {
      if (points.size() == CELL_POINTS) {
        points.removeFirst();
      }
      points.addLast(p);
    }

    /** The last outcomes, oldest first. */
    synchronized List<Outcome> outcomes() {
      return List.copyOf(outcomes);
    }

    /** The sampled points, oldest first. */
    synchronized List<Point> points() {
      return List.copyOf(points);
    }
  }

  private final int capacity;
  private final AtomicReferenceArray<@Nullable Recorded> ring;
  private final AtomicLong written = new AtomicLong();
  private final CopyOnWriteArrayList<EventClient> clients = new CopyOnWriteArrayList<>();
  private final Map<String, String> pluginVersions = new ConcurrentHashMap<>();
  private final LongAdder dropped = new LongAdder();
  private final Map<String, Map<String, CellTrack>> cells = new ConcurrentHashMap<>();
  private final AtomicLong cellCount = new AtomicLong();
  private final LongAdder untracked = new LongAdder();
  private final Map<String, LongAdder> conflicts = new ConcurrentHashMap<>();
  private volatile @Nullable Dispatcher dispatcher;

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

  /**
   * {@return how many attempts' outcomes were not kept because {@value #MAX_CELLS} pattern × domain
   * cells were already followed}
   */
  public long untrackedOutcomes() {
    return untracked.sum();
  }

  /** The cell of {@code pattern} in {@code domain}, if this feed follows it. */
  Optional<CellTrack> cell(String pattern, String domain) {
    Map<String, CellTrack> byDomain = cells.get(pattern);
    return Optional.ofNullable(byDomain == null ? null : byDomain.get(domain));
  }

  /** Every followed cell, pattern to domain to track (live views). */
  Map<String, Map<String, CellTrack>> cells() {
    return cells;
  }

  /** How many conflicts each resource has seen (a request that named it and did not fit). */
  Map<String, Long> conflicts() {
    Map<String, Long> out = new java.util.TreeMap<>();
    conflicts.forEach((name, n) -> out.put(name, n.sum()));
    return out;
  }

  /** The cell's track, created while fewer than {@value #MAX_CELLS} are followed. */
  private @Nullable CellTrack track(String pattern, String domain) {
    Map<String, CellTrack> byDomain = cells.get(pattern);
    CellTrack t = byDomain == null ? null : byDomain.get(domain);
    if (t != null) {
      return t;
    }
    if (cellCount.get() >= MAX_CELLS) {
      return null;
    }
    Map<String, CellTrack> d = cells.computeIfAbsent(pattern, k -> new ConcurrentHashMap<>());
    return d.computeIfAbsent(
        domain,
        k -> {
          // Over by at most the racing threads' count, never without bound.
          cellCount.incrementAndGet();
          return new CellTrack();
        });
  }

  /** Turns events into SSE text; set once by the console that serves this feed. */
  interface EventFormat {
    String format(String type, Object event);
  }

  /**
   * Serves one console: refuses a second while the first runs (closing one would end the other's
   * streams); {@code null} detaches. Attaching starts the thread that formats and writes stream
   * events; detaching stops it.
   */
  synchronized void attach(@Nullable EventFormat eventFormat) {
    Dispatcher running = dispatcher;
    if (eventFormat != null && running != null) {
      throw new IllegalStateException(
          "this feed already serves a running console; give each console a feed of its own");
    }
    if (eventFormat == null) {
      dispatcher = null;
      if (running != null) {
        running.stop();
      }
      return;
    }
    Dispatcher d = new Dispatcher(eventFormat);
    dispatcher = d;
    d.thread.start();
  }

  /**
   * Detaches the console that attached {@code eventFormat}, stopping its dispatcher; does nothing
   * when another console (or none) is attached now.
   */
  synchronized void detach(EventFormat eventFormat) {
    Dispatcher running = dispatcher;
    if (running != null && running.format == eventFormat) {
      dispatcher = null;
      running.stop();
    }
  }

  /** One event waiting for the dispatcher. */
  private record Pending(String type, Object event) {}

  /**
   * Formats queued events and hands them to the streams, on its own thread: an executing thread
   * only queues (or drops, when {@value #OUTBOX} events already wait), so an open page never makes
   * it format JSON or write to a socket.
   */
  private final class Dispatcher implements Runnable {
    private final EventFormat format;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>(OUTBOX);
    private final Thread thread;
    private volatile boolean stopped;

    Dispatcher(EventFormat format) {
      this.format = format;
      this.thread = new Thread(this, "ndp-console-events");
      thread.setDaemon(true);
    }

    @Override
    public void run() {
      List<Pending> batch = new ArrayList<>();
      while (!stopped) {
        try {
          batch.add(queue.take());
        } catch (InterruptedException e) {
          return; // stopped
        }
        queue.drainTo(batch, OUTBOX);
        for (Pending p : batch) {
          send(p);
        }
        batch.clear();
      }
    }

    private void send(Pending p) {
      String text;
      try {
        text = format.format(p.type(), p.event());
      } catch (OutOfMemoryError | InternalError e) {
        throw e; // the JVM's own failure is not the console's to absorb
      } catch (Throwable e) { // a StackOverflowError in a toString: skip the event, not the stream
        LOG.warn("console: could not format a {} event; streams skip it", p.type(), e);
        return;
      }
      for (EventClient c : clients) {
        try {
          c.offer(text);
        } catch (RuntimeException e) {
          LOG.debug("console: a stream refused an event", e);
        }
      }
    }

    void stop() {
      stopped = true;
      thread.interrupt();
      try {
        thread.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
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
    String domain = event.context().domain();
    Instant now = r.finishedAt();
    for (Attempt a : event.result().attempts()) {
      if (a.kind() == Attempt.Kind.SKIPPED) {
        continue;
      }
      CellTrack t = track(a.patternName(), domain);
      if (t == null) {
        untracked.increment();
        continue;
      }
      t.add(
          new Outcome(
              now, a.kind().toString(), a.status().toString(), a.duration().toNanos() / 1e6));
    }
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
    for (String name : event.units().keySet()) {
      conflicts.computeIfAbsent(name, k -> new LongAdder()).increment();
    }
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
    // A reset moves confidence without an outcome: the sampler must look again.
    String resetPattern = event.pattern();
    String resetDomain = event.domain();
    cells.forEach(
        (pattern, byDomain) -> {
          if (resetPattern == null || resetPattern.equals(pattern)) {
            byDomain.forEach(
                (domain, t) -> {
                  if (resetDomain == null || resetDomain.equals(domain)) {
                    t.touch();
                  }
                });
          }
        });
    publish("statistics-reset", event);
  }

  @Override
  public void onConfidenceThresholdCrossed(ConfidenceThresholdCrossedEvent event) {
    publish("confidence-crossed", event);
  }

  /**
   * Queues one event for every open stream; costs the caller nothing more than a check when no
   * stream is open, and one bounded, non-blocking queue insert when one is.
   */
  void publish(String type, Object event) {
    Dispatcher d = dispatcher;
    if (d == null || clients.isEmpty()) {
      return;
    }
    if (!d.queue.offer(new Pending(type, event))) {
      dropped.increment();
    }
  }

  /** {@return whether the thread that writes stream events runs (for tests)} */
  boolean dispatching() {
    Dispatcher d = dispatcher;
    return d != null && d.thread.isAlive();
  }
}
