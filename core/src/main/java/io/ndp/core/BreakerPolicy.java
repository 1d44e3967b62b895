package io.ndp.core;

import java.time.Duration;
import java.util.Locale;

/**
 * When a pattern is cut off in a domain: a circuit breaker per pattern × domain (Resilience4j's
 * {@code CircuitBreaker}) counts the outcomes of the pattern's last {@code window} calls there;
 * once at least {@code minimumCalls} were counted and the share of failures reaches {@code
 * failureRateThreshold} percent, it opens: the executor skips the pattern in that domain (an
 * attempt of kind {@link io.ndp.api.Attempt.Kind#SKIPPED}) and moves to the next candidate. After
 * {@code coolDown} it turns half-open: the next {@code probes} calls run as probes ({@link
 * io.ndp.api.Attempt.Kind#PROBE}); if their failure rate stays below the threshold it closes,
 * otherwise it opens for another cool-down.
 *
 * <p><b>What counts</b> is what confidence counts: a success for the pattern, FAILED against it,
 * TIMED_OUT against it only when the attempt had the whole budget (the first of the execution);
 * CONFLICT, CANCELLED and REJECTED are not counted (the call's permission is given back). A success
 * slower than the executor's latency budget is a success here: the dependency answered.
 *
 * <p>Breakers belong to the registry, like confidence: every executor over it shares them. At most
 * {@code maxBreakers} are kept (the least recently used pairs are dropped first, and a dropped one
 * starts again closed). {@link #none()} (the default) never cuts a pattern off.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.2.0
 */
public final class BreakerPolicy {
  private static final BreakerPolicy NONE = new BreakerPolicy(new Builder(), false);

  private final boolean enabled;
  private final float failureRateThreshold;
  private final int window;
  private final int minimumCalls;
  private final Duration coolDown;
  private final int probes;
  private final int maxBreakers;

  private BreakerPolicy(Builder b, boolean enabled) {
    this.enabled = enabled;
    this.failureRateThreshold = b.failureRateThreshold;
    this.window = b.window;
    this.minimumCalls = b.minimumCalls;
    this.coolDown = b.coolDown;
    this.probes = b.probes;
    this.maxBreakers = b.maxBreakers;
  }

  /** {@return the policy that never cuts a pattern off: the default} */
  public static BreakerPolicy none() {
    return NONE;
  }

  /**
   * {@return a builder; its defaults: 50% of the last 20 calls, at least 10 counted, 30 s
   * cool-down, 3 probes, 10,000 breakers}
   */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return whether breakers are on} */
  public boolean enabled() {
    return enabled;
  }

  /** {@return the failure rate, in percent, at which a breaker opens} */
  public float failureRateThreshold() {
    return failureRateThreshold;
  }

  /** {@return how many of the last calls the failure rate is taken over} */
  public int window() {
    return window;
  }

  /** {@return how many calls must be counted before a breaker may open} */
  public int minimumCalls() {
    return minimumCalls;
  }

  /** {@return how long an open breaker skips its pattern before probing} */
  public Duration coolDown() {
    return coolDown;
  }

  /** {@return how many probes a half-open breaker lets through} */
  public int probes() {
    return probes;
  }

  /** {@return the most breakers kept} */
  public int maxBreakers() {
    return maxBreakers;
  }

  @Override
  public String toString() {
    return enabled
        ? String.format(
            Locale.ROOT,
            "BreakerPolicy[%.1f%% of the last %d calls (at least %d), cool-down %d ms, %d probes]",
            failureRateThreshold,
            window,
            minimumCalls,
            coolDown.toMillis(),
            probes)
        : "BreakerPolicy[none]";
  }

  /** Builds a {@link BreakerPolicy}; every setter checks its value and names it when refused. */
  public static final class Builder {
    private float failureRateThreshold = 50;
    private int window = 20;
    private int minimumCalls = 10;
    private Duration coolDown = Duration.ofSeconds(30);
    private int probes = 3;
    private int maxBreakers = 10_000;

    private Builder() {}

    /**
     * Sets the failure rate at which a breaker opens (default 50).
     *
     * @param percent within {@code (0, 100]}
     * @return this builder
     * @throws IllegalArgumentException naming the value when outside {@code (0, 100]}
     */
    public Builder failureRateThreshold(float percent) {
      if (!(percent > 0 && percent <= 100)) {
        throw new IllegalArgumentException(
            "failureRateThreshold must be within (0, 100] percent but was " + percent);
      }
      this.failureRateThreshold = percent;
      return this;
    }

    /**
     * Sets how many of the last calls the rate is taken over (default 20).
     *
     * @param calls 1 to 10,000
     * @return this builder
     * @throws IllegalArgumentException naming the value when outside {@code [1, 10000]}
     */
    public Builder window(int calls) {
      if (calls < 1 || calls > 10_000) {
        throw new IllegalArgumentException("window must be within [1, 10000] but was " + calls);
      }
      this.window = calls;
      return this;
    }

    /**
     * Sets how many calls must be counted before a breaker may open (default 10).
     *
     * @param calls 1 to 10,000
     * @return this builder
     * @throws IllegalArgumentException naming the value when outside {@code [1, 10000]}
     */
    public Builder minimumCalls(int calls) {
      if (calls < 1 || calls > 10_000) {
        throw new IllegalArgumentException(
            "minimumCalls must be within [1, 10000] but was " + calls);
      }
      this.minimumCalls = calls;
      return this;
    }

    /**
     * Sets how long an open breaker skips its pattern (default 30 s).
     *
     * @param coolDown at least 1 ms, at most 1 day
     * @return this builder
     * @throws IllegalArgumentException naming the value when null or outside that range
     */
    public Builder coolDown(Duration coolDown) {
      if (coolDown == null
          || coolDown.compareTo(Duration.ofMillis(1)) < 0
          || coolDown.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException(
            "coolDown must be within [1 ms, 1 day] but was " + coolDown);
      }
      this.coolDown = coolDown;
      return this;
    }

    /**
     * Sets how many probes a half-open breaker lets through (default 3).
     *
     * @param probes 1 to 1,000
     * @return this builder
     * @throws IllegalArgumentException naming the value when outside {@code [1, 1000]}
     */
    public Builder probes(int probes) {
      if (probes < 1 || probes > 1000) {
        throw new IllegalArgumentException("probes must be within [1, 1000] but was " + probes);
      }
      this.probes = probes;
      return this;
    }

    /**
     * Sets the most breakers kept (default 10,000): one per pattern × domain used.
     *
     * @param max 1 to 10,000,000
     * @return this builder
     * @throws IllegalArgumentException naming the value when outside {@code [1, 10000000]}
     */
    public Builder maxBreakers(int max) {
      if (max < 1 || max > 10_000_000) {
        throw new IllegalArgumentException(
            "maxBreakers must be within [1, 10000000] but was " + max);
      }
      this.maxBreakers = max;
      return this;
    }

    /**
     * Builds the policy.
     *
     * @return the policy
     * @throws IllegalArgumentException when {@code minimumCalls} is larger than the window
     */
    public BreakerPolicy build() {
      if (minimumCalls > window) {
        throw new IllegalArgumentException(
            "minimumCalls " + minimumCalls + " must not be larger than the window " + window);
      }
      return new BreakerPolicy(this, true);
    }
  }
}
