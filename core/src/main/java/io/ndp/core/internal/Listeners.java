package io.ndp.core.internal;

import io.ndp.api.ResourcePool;
import io.ndp.api.event.AttemptFinishedEvent;
import io.ndp.api.event.AttemptStartedEvent;
import io.ndp.api.event.BreakerStateChangedEvent;
import io.ndp.api.event.ConfidenceThresholdCrossedEvent;
import io.ndp.api.event.ExecutionFinishedEvent;
import io.ndp.api.event.ExecutionStartedEvent;
import io.ndp.api.event.FallbackEvent;
import io.ndp.api.event.NdpEvent;
import io.ndp.api.event.NdpListener;
import io.ndp.api.event.PluginFailedEvent;
import io.ndp.api.event.PluginLoadedEvent;
import io.ndp.api.event.PluginStoppedEvent;
import io.ndp.api.event.ResourceAcquiredEvent;
import io.ndp.api.event.ResourceConflictEvent;
import io.ndp.api.event.ResourceReleasedEvent;
import io.ndp.api.event.RetryEvent;
import io.ndp.api.event.StatisticsResetEvent;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of one source of events (an executor, a registry, the facade), called in the order
 * they were registered, each call isolated: a listener that throws is logged (at most once a
 * second, with the number of failures not logged since) and the next one is still called.
 *
 * <p>Callers check {@link #active()} before they create an event, so that a source without
 * listeners allocates nothing. Nothing here locks: callers must hold none of theirs either.
 *
 * <p>Thread-safe (the list is immutable).
 */
public final class Listeners {

  private static final Logger log = LoggerFactory.getLogger(Listeners.class);
  private static final long WARN_EVERY_NANOS = 1_000_000_000L;

  // Non-capturing method references: one instance each, nothing allocated per call.
  private static final BiConsumer<NdpListener, ExecutionStartedEvent> EXECUTION_STARTED =
      NdpListener::onExecutionStarted;
  private static final BiConsumer<NdpListener, ExecutionFinishedEvent> EXECUTION_FINISHED =
      NdpListener::onExecutionFinished;
  private static final BiConsumer<NdpListener, AttemptStartedEvent> ATTEMPT_STARTED =
      NdpListener::onAttemptStarted;
  private static final BiConsumer<NdpListener, AttemptFinishedEvent> ATTEMPT_FINISHED =
      NdpListener::onAttemptFinished;
  private static final BiConsumer<NdpListener, FallbackEvent> FALLBACK = NdpListener::onFallback;
  private static final BiConsumer<NdpListener, StatisticsResetEvent> STATISTICS_RESET =
      NdpListener::onStatisticsReset;
  private static final BiConsumer<NdpListener, ConfidenceThresholdCrossedEvent> CROSSED =
      NdpListener::onConfidenceThresholdCrossed;
  private static final BiConsumer<NdpListener, PluginLoadedEvent> PLUGIN_LOADED =
      NdpListener::onPluginLoaded;
  private static final BiConsumer<NdpListener, PluginFailedEvent> PLUGIN_FAILED =
      NdpListener::onPluginFailed;
  private static final BiConsumer<NdpListener, PluginStoppedEvent> PLUGIN_STOPPED =
      NdpListener::onPluginStopped;

  private static final BiConsumer<NdpListener, RetryEvent> RETRY = NdpListener::onRetry;
  private static final BiConsumer<NdpListener, BreakerStateChangedEvent> BREAKER =
      NdpListener::onBreakerStateChanged;
  private static final BiConsumer<NdpListener, ResourceAcquiredEvent> ACQUIRED =
      NdpListener::onResourceAcquired;
  private static final BiConsumer<NdpListener, ResourceReleasedEvent> RELEASED =
      NdpListener::onResourceReleased;
  private static final BiConsumer<NdpListener, ResourceConflictEvent> CONFLICT =
      NdpListener::onResourceConflict;

  // Replaced, never changed in place, when a listener is added after the start.
  private volatile NdpListener[] listeners;
  private final String source;
  private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - 2 * WARN_EVERY_NANOS);
  private final LongAdder failuresNotLogged = new LongAdder();

  private Listeners(Collection<NdpListener> listeners, String source) {
    this.listeners = listeners.toArray(new NdpListener[0]);
    this.source = source;
  }

  /**
   * The listeners of one source.
   *
   * @param listeners in the order they are called; none gives an inactive instance
   * @param source what reports to them, for the log (e.g. {@code executor})
   * @return the listeners
   */
  public static Listeners of(Collection<NdpListener> listeners, String source) {
    // A new instance even when empty: a shared one would be static state with a mutable counter.
    return new Listeners(List.copyOf(listeners), source);
  }

  /**
   * Checks a listener given to a builder.
   *
   * @throws IllegalArgumentException when it is null
   */
  public static NdpListener checkListener(NdpListener listener) {
    if (listener == null) {
      throw new IllegalArgumentException("listener must not be null");
    }
    return listener;
  }

  /**
   * Checks a confidence threshold given to a builder.
   *
   * @throws IllegalArgumentException naming the value when it is outside {@code (0, 1]}
   */
  public static double checkAlert(double threshold) {
    if (!(threshold > 0 && threshold <= 1)) {
      throw new IllegalArgumentException(
          String.format(
              java.util.Locale.ROOT,
              "confidenceAlert must be within (0, 1] but was %s",
              threshold));
    }
    return threshold;
  }

  /** Whether any listener is registered; when not, no event needs to be created. */
  public boolean active() {
    return listeners.length > 0;
  }

  /**
   * Adds a listener, called after those already there, for every event sent from now on.
   *
   * @param listener the listener, checked by {@link #checkListener}
   */
  public synchronized void add(NdpListener listener) {
    NdpListener[] now = listeners;
    NdpListener[] more = java.util.Arrays.copyOf(now, now.length + 1);
    more[now.length] = checkListener(listener);
    listeners = more;
  }

  /**
   * Whether a listener is registered here (compared by identity).
   *
   * @param listener the listener
   * @return whether it is
   */
  public boolean contains(NdpListener listener) {
    for (NdpListener l : listeners) {
      if (l == listener) {
        return true;
      }
    }
    return false;
  }

  /**
   * Removes a listener (compared by identity); it hears nothing sent after this returns, but for an
   * event whose dispatch had already begun.
   *
   * @param listener the listener
   * @return whether it was there
   */
  public synchronized boolean remove(NdpListener listener) {
    NdpListener[] now = listeners;
    for (int i = 0; i < now.length; i++) {
      if (now[i] == listener) {
        NdpListener[] fewer = new NdpListener[now.length - 1];
        System.arraycopy(now, 0, fewer, 0, i);
        System.arraycopy(now, i + 1, fewer, i, now.length - i - 1);
        listeners = fewer;
        return true;
      }
    }
    return false;
  }

  /** Calls every listener's {@code onExecutionStarted}. */
  public void executionStarted(ExecutionStartedEvent e) {
    dispatch(e, EXECUTION_STARTED);
  }

  /** Calls every listener's {@code onExecutionFinished}. */
  public void executionFinished(ExecutionFinishedEvent e) {
    dispatch(e, EXECUTION_FINISHED);
  }

  /** Calls every listener's {@code onAttemptStarted}. */
  public void attemptStarted(AttemptStartedEvent e) {
    dispatch(e, ATTEMPT_STARTED);
  }

  /** Calls every listener's {@code onAttemptFinished}. */
  public void attemptFinished(AttemptFinishedEvent e) {
    dispatch(e, ATTEMPT_FINISHED);
  }

  /** Calls every listener's {@code onFallback}. */
  public void fallback(FallbackEvent e) {
    dispatch(e, FALLBACK);
  }

  /** Calls every listener's {@code onStatisticsReset}. */
  public void statisticsReset(StatisticsResetEvent e) {
    dispatch(e, STATISTICS_RESET);
  }

  /** Calls every listener's {@code onConfidenceThresholdCrossed}, for each event in order. */
  public void confidenceCrossed(List<ConfidenceThresholdCrossedEvent> events) {
    for (ConfidenceThresholdCrossedEvent e : events) {
      dispatch(e, CROSSED);
    }
  }

  /** Calls every listener's {@code onRetry}. */
  public void retry(RetryEvent e) {
    dispatch(e, RETRY);
  }

  /** Calls every listener's {@code onBreakerStateChanged}. */
  public void breakerStateChanged(BreakerStateChangedEvent e) {
    dispatch(e, BREAKER);
  }

  /**
   * An observer of a resource pool that turns its grants, releases and conflicts into events for
   * these listeners.
   */
  public ResourcePool.Observer resourceObserver() {
    return new ResourcePool.Observer() {
      @Override
      public void acquired(
          String owner,
          Map<String, Integer> units,
          Map<String, Integer> inUse,
          Map<String, Integer> capacity,
          Duration waited) {
        dispatch(new ResourceAcquiredEvent(owner, units, inUse, capacity, waited), ACQUIRED);
      }

      @Override
      public void released(
          String owner,
          Map<String, Integer> units,
          Map<String, Integer> inUse,
          Map<String, Integer> capacity) {
        dispatch(new ResourceReleasedEvent(owner, units, inUse, capacity, Duration.ZERO), RELEASED);
      }

      @Override
      public void conflict(
          String owner,
          Map<String, Integer> units,
          Map<String, Integer> inUse,
          Map<String, Integer> capacity,
          Duration waited) {
        dispatch(new ResourceConflictEvent(owner, units, inUse, capacity, waited), CONFLICT);
      }

      @Override
      public String toString() {
        return "the " + source + "'s listeners";
      }
    };
  }

  /** Calls the listener method of a plugin event's kind. */
  public void plugin(NdpEvent e) {
    if (e instanceof PluginLoadedEvent loaded) {
      dispatch(loaded, PLUGIN_LOADED);
    } else if (e instanceof PluginFailedEvent failed) {
      dispatch(failed, PLUGIN_FAILED);
    } else if (e instanceof PluginStoppedEvent stopped) {
      dispatch(stopped, PLUGIN_STOPPED);
    } else {
      throw new IllegalArgumentException("not a plugin event: " + e);
    }
  }

  private <E extends NdpEvent> void dispatch(E event, BiConsumer<NdpListener, E> call) {
    for (NdpListener l : listeners) { // one read of the array: an addition meanwhile waits
      try {
        call.accept(l, event);
      } catch (Throwable t) { // checked ones too: a sneaky throw, another JVM language
        if (t instanceof OutOfMemoryError || t instanceof InternalError) {
          throw (Error) t; // the JVM's own failure is not a listener's to absorb
        }
        // A StackOverflowError is the listener's own recursion: its stack has unwound by now.
        failed(l, event, t);
      }
    }
  }

  private void failed(NdpListener l, NdpEvent event, Throwable t) {
    long now = System.nanoTime();
    long last = lastWarning.get();
    if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
      long quiet = failuresNotLogged.sumThenReset();
      log.warn(
          "listener {} of the {} threw on {} and was skipped ({} more listener failures since the"
              + " last warning)",
          l.getClass().getName(),
          source,
          event.getClass().getSimpleName(),
          quiet,
          t);
    } else {
      failuresNotLogged.increment();
    }
  }
}
