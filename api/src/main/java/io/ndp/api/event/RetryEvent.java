package io.ndp.api.event;

import io.ndp.api.Attempt;
import io.ndp.api.PatternContext;
import java.time.Duration;
import java.util.Objects;

/**
 * The executor tries the same pattern again after a retryable failure. Sent once the retry is made:
 * after the backoff, once the pattern's circuit breaker let it through, just before the retry's
 * {@link AttemptStartedEvent}. So every retry event has its attempt of kind {@link
 * Attempt.Kind#RETRY} (a retry the deadline or an open breaker stopped during the backoff sends
 * none).
 *
 * <p>Immutable and thread-safe.
 *
 * @param context what the execution serves
 * @param patternName the pattern tried again
 * @param retry which retry of the pattern in this execution this is, from 1
 * @param backoff how long the executor waits before the retry
 * @param failed the attempt that failed, as in the result
 * @since 0.2.0
 */
public record RetryEvent(
    PatternContext context, String patternName, int retry, Duration backoff, Attempt failed)
    implements NdpEvent {

  /**
   * Checks the components.
   *
   * @param context what the execution serves; not null
   * @param patternName the pattern tried again; not null
   * @param retry which retry this is; at least 1
   * @param backoff the wait before it; not null, not negative
   * @param failed the attempt that failed; not null
   * @throws NullPointerException when a component is null
   * @throws IllegalArgumentException when {@code retry} is below 1 or the backoff is negative
   */
  public RetryEvent {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(patternName, "patternName");
    Objects.requireNonNull(backoff, "backoff");
    Objects.requireNonNull(failed, "failed");
    if (retry < 1) {
      throw new IllegalArgumentException("retry must be at least 1 but was " + retry);
    }
    if (backoff.isNegative()) {
      throw new IllegalArgumentException("backoff must not be negative but was " + backoff);
    }
  }
}
