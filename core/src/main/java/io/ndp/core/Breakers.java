package io.ndp.core;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.ndp.api.BreakerState;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.event.BreakerStateChangedEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The registry's circuit breakers, one per pattern × domain (see {@link BreakerPolicy}), on the
 * registry's ticker. State changes are queued as Resilience4j reports them (possibly under its own
 * locks) and delivered to listeners by {@link #deliver}, called by the executor once a call's
 * outcome was counted, one thread at a time and in order.
 */
final class Breakers {
  private final BreakerPolicy policy;
  private final @Nullable CircuitBreakerConfig config;
  private final @Nullable Cache<Key, Breaker> breakers;
  private final Ticker ticker;
  // Set once a listener hears breaker changes (at the start, or added later).
  private volatile boolean listening;
  private final ConcurrentLinkedQueue<BreakerStateChangedEvent> pending =
      new ConcurrentLinkedQueue<>();
  private final AtomicBoolean delivering = new AtomicBoolean();

  private record Key(String pattern, String domain) {}

  Breakers(BreakerPolicy policy, Ticker ticker, boolean listening) {
    this.policy = policy;
    this.listening = listening;
    this.ticker = ticker;
    if (!policy.enabled()) {
      this.config = null;
      this.breakers = null;
      return;
    }
    this.config =
        CircuitBreakerConfig.custom()
            .failureRateThreshold(policy.failureRateThreshold())
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(policy.window())
            .minimumNumberOfCalls(policy.minimumCalls())
            .waitDurationInOpenState(policy.coolDown())
            .permittedNumberOfCallsInHalfOpenState(policy.probes())
            // A slow success is a success here (the latency budget is confidence's business):
            // no slow-call rate, whatever Resilience4j's default (calls over 60 s).
            .slowCallDurationThreshold(Duration.ofDays(3650))
            .slowCallRateThreshold(100)
            // Probes decide; a half-open breaker whose probes never return stays half-open.
            .automaticTransitionFromOpenToHalfOpenEnabled(false)
            .clock(new TickerClock(ticker))
            .currentTimestampFunction(c -> ticker.read(), TimeUnit.NANOSECONDS)
            .writableStackTraceEnabled(false)
            .build();
    this.breakers = Caffeine.newBuilder().maximumSize(policy.maxBreakers()).build();
  }

  boolean enabled() {
    return breakers != null;
  }

  /** From now on, state changes are queued for the listeners. */
  void listen() {
    listening = true;
  }

  BreakerPolicy policy() {
    return policy;
  }

  /**
   * One pattern's breaker in one domain, with what Resilience4j does not keep: how many times its
   * state changed (a call let through in one state is neither counted nor given back in another),
   * and when it last opened (to tell an open breaker whose cool-down has ended). Every call into it
   * holds its monitor: Resilience4j changes state without a lock and reports each change after it,
   * so two threads could otherwise report two changes in the reverse order; with the monitor held,
   * the changes are queued in the order they happened.
   */
  static final class Breaker {
    final CircuitBreaker cb;
    // Guarded by this.
    private long generation;
    private long openedAtNanos;

    Breaker(CircuitBreaker cb) {
      this.cb = cb;
    }
  }

  /** A permission to call, from the state the breaker was in when it was given. */
  record Permit(Breaker breaker, long generation, boolean probe) {}

  /** The breaker of a pattern in a domain, created closed when there is none. Only when enabled. */
  Breaker of(String pattern, String domain) {
    return breakers.get(new Key(pattern, domain), this::create);
  }

  private Breaker create(Key k) {
    CircuitBreaker cb = CircuitBreaker.of(k.pattern() + "@" + k.domain(), config);
    Breaker b = new Breaker(cb);
    // Called on the thread that changed the state, which holds b's monitor (see Breaker).
    cb.getEventPublisher()
        .onStateTransition(
            e -> {
              BreakerState from = map(e.getStateTransition().getFromState());
              BreakerState to = map(e.getStateTransition().getToState());
              b.generation++;
              if (to == BreakerState.OPEN) {
                b.openedAtNanos = ticker.read();
              }
              if (listening && from != to) {
                pending.add(
                    new BreakerStateChangedEvent(
                        k.pattern(), k.domain(), from, to, reason(cb, to)));
              }
            });
    return b;
  }

  /**
   * The state of a pattern's breaker in a domain; CLOSED when it has none. An open breaker whose
   * cool-down has ended is HALF_OPEN: the next call probes it (Resilience4j turns it on that call).
   */
  BreakerState state(String pattern, String domain) {
    if (breakers == null) {
      return BreakerState.CLOSED;
    }
    Breaker b = breakers.getIfPresent(new Key(pattern, domain));
    if (b == null) {
      return BreakerState.CLOSED;
    }
    synchronized (b) {
      BreakerState s = map(b.cb.getState());
      if (s == BreakerState.OPEN
          && b.cb.getState() == CircuitBreaker.State.OPEN
          && ticker.read() - b.openedAtNanos > policy.coolDown().toNanos()) {
        return BreakerState.HALF_OPEN;
      }
      return s;
    }
  }

  /** Drops the breakers of a pattern (unregistered: a new one of that name starts closed). */
  void forget(String pattern) {
    forget(k -> k.pattern().equals(pattern), null);
  }

  /**
   * Closes the breakers that statistics reset forgets: of a pattern, of a domain, or all (both
   * null). Each one that was not closed reports its change to CLOSED.
   */
  void reset(@Nullable String pattern, @Nullable String domain) {
    forget(
        k ->
            (pattern == null || k.pattern().equals(pattern))
                && (domain == null || k.domain().equals(domain)),
        "statistics reset");
  }

  private void forget(java.util.function.Predicate<Key> which, @Nullable String reason) {
    if (breakers == null) {
      return;
    }
    for (Key k : List.copyOf(breakers.asMap().keySet())) {
      if (!which.test(k)) {
        continue;
      }
      Breaker b = breakers.asMap().remove(k);
      if (b != null && reason != null && listening) {
        synchronized (b) {
          BreakerState was = map(b.cb.getState());
          if (was != BreakerState.CLOSED) {
            pending.add(
                new BreakerStateChangedEvent(
                    k.pattern(), k.domain(), was, BreakerState.CLOSED, reason));
          }
        }
      }
    }
  }

  /** Asks the breaker for a permission to call; null when the pattern is to be skipped. */
  static @Nullable Permit acquire(Breaker b) {
    synchronized (b) {
      if (!b.cb.tryAcquirePermission()) {
        return null;
      }
      return new Permit(b, b.generation, b.cb.getState() == CircuitBreaker.State.HALF_OPEN);
    }
  }

  /** Gives a permission back without counting the call. */
  static void release(Permit p) {
    Breaker b = p.breaker();
    synchronized (b) {
      if (b.generation == p.generation()) {
        b.cb.releasePermission();
      } // else: it was given by a state that is gone; the new state owes it nothing
    }
  }

  /**
   * Counts a call's outcome, as {@link BreakerPolicy} says what counts; gives the permission back
   * otherwise. A call let through before the breaker's last change of state is neither counted nor
   * given back: its state is gone (e.g. a call from before the breaker opened must not take or give
   * back a probe's place).
   */
  static void record(
      Permit p, OutcomeStatus status, boolean hadWholeBudget, long nanos, String why) {
    Breaker b = p.breaker();
    synchronized (b) {
      if (b.generation != p.generation()) {
        return;
      }
      CircuitBreaker cb = b.cb;
      switch (status) {
        case SUCCESS -> cb.onSuccess(nanos, TimeUnit.NANOSECONDS);
        case FAILED -> cb.onError(nanos, TimeUnit.NANOSECONDS, new Failure(why));
        case TIMED_OUT -> {
          if (hadWholeBudget) {
            cb.onError(nanos, TimeUnit.NANOSECONDS, new Failure(why));
          } else {
            cb.releasePermission();
          }
        }
        default -> cb.releasePermission();
      }
    }
  }

  /** Delivers the state changes queued so far, in order, one thread at a time. */
  void deliver(Consumer<BreakerStateChangedEvent> to) {
    while (!pending.isEmpty() && delivering.compareAndSet(false, true)) {
      try {
        for (BreakerStateChangedEvent e = pending.poll(); e != null; e = pending.poll()) {
          to.accept(e);
        }
      } finally {
        delivering.set(false);
      }
    }
  }

  /** Why a skipped call was skipped, for its attempt's message. */
  String skipped(String pattern, String domain, Breaker b) {
    synchronized (b) {
      return describeSkip(pattern, domain, b.cb);
    }
  }

  private String describeSkip(String pattern, String domain, CircuitBreaker cb) {
    CircuitBreaker.Metrics m = cb.getMetrics();
    return String.format(
        Locale.ROOT,
        "circuit breaker of '%s' in domain '%s' is %s (failure rate %.1f%% of the last %d calls,"
            + " threshold %.1f%%); skipped%s",
        pattern,
        domain,
        map(cb.getState()),
        Math.max(0, m.getFailureRate()),
        m.getNumberOfBufferedCalls(),
        policy.failureRateThreshold(),
        cb.getState() == CircuitBreaker.State.OPEN
            ? ", probed again after a cool-down of " + policy.coolDown().toMillis() + " ms"
            : " (its probes are all out)");
  }

  private String reason(CircuitBreaker cb, BreakerState to) {
    CircuitBreaker.Metrics m = cb.getMetrics();
    return switch (to) {
      case OPEN ->
          String.format(
              Locale.ROOT,
              "failure rate %.1f%% of the last %d calls reached the threshold %.1f%%; skipped for %d"
                  + " ms",
              Math.max(0, m.getFailureRate()),
              m.getNumberOfBufferedCalls(),
              policy.failureRateThreshold(),
              policy.coolDown().toMillis());
      case HALF_OPEN ->
          String.format(
              Locale.ROOT,
              "cool-down of %d ms ended; %d probe(s) decide",
              policy.coolDown().toMillis(),
              policy.probes());
      case CLOSED ->
          String.format(
              Locale.ROOT,
              "probes succeeded: failure rate %.1f%% below the threshold %.1f%%",
              Math.max(0, m.getFailureRate()),
              policy.failureRateThreshold());
    };
  }

  static BreakerState map(CircuitBreaker.State s) {
    return switch (s) {
      case OPEN, FORCED_OPEN -> BreakerState.OPEN;
      case HALF_OPEN -> BreakerState.HALF_OPEN;
      default -> BreakerState.CLOSED;
    };
  }

  /** A counted failure: the attempt's status and message, without a stack trace. */
  static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Failure(String message) {
      super(message, null, false, false);
    }
  }

  /** Resilience4j's open-state wait reads a clock: this one follows the registry's ticker. */
  private static final class TickerClock extends Clock {
    private final Ticker ticker;

    TickerClock(Ticker ticker) {
      this.ticker = ticker;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      long n = ticker.read();
      return Instant.ofEpochSecond(
          Math.floorDiv(n, 1_000_000_000L), Math.floorMod(n, 1_000_000_000L));
    }
  }
}
