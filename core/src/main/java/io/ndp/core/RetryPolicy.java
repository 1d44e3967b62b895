package io.ndp.core;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.ndp.api.Attempt;
import io.ndp.api.OutcomeStatus;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * When and how the executor tries a pattern again after a failure: exponential backoff with jitter,
 * a predicate that says which failures are worth another try, and a budget of retries per call that
 * the deadline bounds too.
 *
 * <p>The n-th retry of a pattern waits {@code initialBackoff × multiplier^(n-1)}, spread at random
 * by ±{@code jitter} of itself (plus up to one millisecond), then capped at {@code maxBackoff}
 * (Resilience4j's {@code IntervalFunction.ofExponentialRandomBackoff}, millisecond resolution). A
 * retry is made only when all hold: the failed attempt is {@linkplain Builder#retryOn retryable};
 * the pattern has had fewer than {@code maxRetries} retries in this execution; the execution's
 * {@code budget} of retries (over all its patterns; a nested execution has its own) is not spent;
 * the backoff ends before the call's deadline; the thread is not interrupted. Otherwise the
 * executor moves on to the next candidate, as without retries.
 *
 * <p><b>How retries count.</b> Every try is an attempt in the result ({@link Attempt.Kind#RETRY})
 * and its outcome is recorded as any attempt's: a failure that was retried counts against the
 * pattern, the retry's success for it (so a pattern that often needs a retry ranks below one that
 * does not); a retry that times out does not count, as it did not have the whole budget.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.2.0
 */
public final class RetryPolicy {
  private static final RetryPolicy NONE = new RetryPolicy(new Builder().maxRetries(0));

  /** The default predicate: {@link OutcomeStatus#FAILED} and {@link OutcomeStatus#CONFLICT}. */
  public static final Predicate<Attempt> FAILED_OR_CONFLICT =
      a -> a.status() == OutcomeStatus.FAILED || a.status() == OutcomeStatus.CONFLICT;

  private final int maxRetries;
  private final Duration initialBackoff;
  private final double multiplier;
  private final Duration maxBackoff;
  private final double jitter;
  private final int budget;
  private final Predicate<Attempt> retryOn;
  // Null when it never retries (so that none() holds no mutable state).
  private final @Nullable Retry retry;

  private RetryPolicy(Builder b) {
    this.maxRetries = b.maxRetries;
    this.initialBackoff = b.initialBackoff;
    this.multiplier = b.multiplier;
    this.maxBackoff = b.maxBackoff;
    this.jitter = b.jitter;
    this.budget = b.budget;
    this.retryOn = b.retryOn;
    this.retry =
        maxRetries == 0 || budget == 0
            ? null
            : Retry.of(
                "ndp",
                RetryConfig.<Attempt>custom()
                    .maxAttempts(maxRetries + 1)
                    .intervalFunction(
                        IntervalFunction.ofExponentialRandomBackoff(
                            initialBackoff.toMillis(), multiplier, jitter, maxBackoff.toMillis()))
                    .retryOnResult(a -> a != null && !a.isSuccess() && retryOn.test(a))
                    .failAfterMaxAttempts(false)
                    .build());
  }

  /** {@return the policy that never retries: the executor's default} */
  public static RetryPolicy none() {
    return NONE;
  }

  /** {@return a builder; its defaults: 2 retries, 50 ms doubling up to 2 s, jitter 0.5} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return the most retries of one pattern in one execution; 0: never retries} */
  public int maxRetries() {
    return maxRetries;
  }

  /** {@return the wait before the first retry, before jitter} */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /** {@return the factor between two successive waits} */
  public double multiplier() {
    return multiplier;
  }

  /** {@return the longest wait} */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /** {@return the spread of a wait at random, as a fraction of it, in {@code [0, 1)}} */
  public double jitter() {
    return jitter;
  }

  /** {@return the most retries of one execution, over all its patterns} */
  public int budget() {
    return budget;
  }

  /** Whether this policy ever retries. */
  boolean enabled() {
    return maxRetries > 0 && budget > 0;
  }

  /** Whether a failed attempt may be retried (before counting and backoff). */
  boolean retryable(Attempt failed) {
    return !failed.isSuccess() && retryOn.test(failed);
  }

  /**
   * A new sequence of tries of one pattern: answers the backoff before each retry, in milliseconds,
   * or -1 when the pattern has had its retries. Only when {@link #enabled()}.
   */
  Retry.AsyncContext<Attempt> sequence() {
    return Objects.requireNonNull(retry, "a policy that never retries has no sequence")
        .asyncContext();
  }

  @Override
  public String toString() {
    return enabled()
        ? String.format(
            Locale.ROOT,
            "RetryPolicy[maxRetries=%d, backoff=%d ms x%s up to %d ms, jitter=%s, budget=%d]",
            maxRetries,
            initialBackoff.toMillis(),
            multiplier,
            maxBackoff.toMillis(),
            jitter,
            budget)
        : "RetryPolicy[none]";
  }

  /** Builds a {@link RetryPolicy}; every setter checks its value and names it when refused. */
  public static final class Builder {
    private int maxRetries = 2;
    private Duration initialBackoff = Duration.ofMillis(50);
    private double multiplier = 2;
    private Duration maxBackoff = Duration.ofSeconds(2);
    private double jitter = 0.5;
    private int budget = 10;
    private Predicate<Attempt> retryOn = FAILED_OR_CONFLICT;

    private Builder() {}

    /**
     * Sets the most retries of one pattern in one execution (default 2).
     *
     * @param maxRetries 0 (never) to 100
     * @return this builder
     * @throws IllegalArgumentException naming the value when outside {@code [0, 100]}
     */
    public Builder maxRetries(int maxRetries) {
      if (maxRetries < 0 || maxRetries > 100) {
        throw new IllegalArgumentException(
            "maxRetries must be within [0, 100] but was " + maxRetries);
      }
      this.maxRetries = maxRetries;
      return this;
    }

    /**
     * Sets the wait before the first retry (default 50 ms).
     *
     * @param backoff at least 1 ms, at most 1 hour
     * @return this builder
     * @throws IllegalArgumentException naming the value when null or outside that range
     */
    public Builder initialBackoff(Duration backoff) {
      this.initialBackoff = checkDuration(backoff, "initialBackoff");
      return this;
    }

    /**
     * Sets the factor between two successive waits (default 2).
     *
     * @param multiplier at least 1, at most 100
     * @return this builder
     * @throws IllegalArgumentException naming the value when outside {@code [1, 100]} or not a
     *     number
     */
    public Builder multiplier(double multiplier) {
      if (!(multiplier >= 1 && multiplier <= 100)) {
        throw new IllegalArgumentException(
            "multiplier must be within [1, 100] but was " + multiplier);
      }
      this.multiplier = multiplier;
      return this;
    }

    /**
     * Sets the longest wait (default 2 s).
     *
     * @param backoff at least 1 ms, at most 1 hour
     * @return this builder
     * @throws IllegalArgumentException naming the value when null or outside that range
     */
    public Builder maxBackoff(Duration backoff) {
      this.maxBackoff = checkDuration(backoff, "maxBackoff");
      return this;
    }

    /**
     * Sets the spread of each wait at random, as a fraction of it (default 0.5: a wait of 100 ms
     * becomes 50 to 151 ms); 0 for none.
     *
     * @param jitter within {@code [0, 1)}
     * @return this builder
     * @throws IllegalArgumentException naming the value when outside {@code [0, 1)}
     */
    public Builder jitter(double jitter) {
      if (!(jitter >= 0 && jitter < 1)) {
        throw new IllegalArgumentException("jitter must be within [0, 1) but was " + jitter);
      }
      this.jitter = jitter;
      return this;
    }

    /**
     * Sets the most retries of one execution over all its patterns (default 10); a nested execution
     * has a budget of its own.
     *
     * @param budget 0 (never) to 1,000
     * @return this builder
     * @throws IllegalArgumentException naming the value when outside {@code [0, 1000]}
     */
    public Builder budget(int budget) {
      if (budget < 0 || budget > 1000) {
        throw new IllegalArgumentException("budget must be within [0, 1000] but was " + budget);
      }
      this.budget = budget;
      return this;
    }

    /**
     * Sets which failed attempts are worth another try (default {@link #FAILED_OR_CONFLICT}); e.g.
     * {@code a -> a.error() instanceof java.io.IOException}. Successes are never retried. It runs
     * on the executing thread; one that throws is logged (at most once a second) and the attempt is
     * not retried: the execution goes on as without retries.
     *
     * @param retryOn the predicate
     * @return this builder
     * @throws IllegalArgumentException when it is null
     */
    public Builder retryOn(Predicate<Attempt> retryOn) {
      if (retryOn == null) {
        throw new IllegalArgumentException("retryOn must not be null");
      }
      this.retryOn = retryOn;
      return this;
    }

    /**
     * Builds the policy.
     *
     * @return the policy
     * @throws IllegalArgumentException when the initial backoff is longer than the longest
     */
    public RetryPolicy build() {
      if (initialBackoff.compareTo(maxBackoff) > 0) {
        throw new IllegalArgumentException(
            "initialBackoff "
                + initialBackoff.toMillis()
                + " ms must not be longer than maxBackoff "
                + maxBackoff.toMillis()
                + " ms");
      }
      return new RetryPolicy(this);
    }

    private static Duration checkDuration(Duration d, String name) {
      if (d == null
          || d.compareTo(Duration.ofMillis(1)) < 0
          || d.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException(
            name + " must be within [1 ms, 1 h] but was " + (d == null ? "null" : d));
      }
      return d;
    }
  }
}
