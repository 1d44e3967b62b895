package io.ndp.api;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One try of one pattern during an execution, as reported in {@link PatternResult#attempts()}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param patternName the name of the pattern tried
 * @param fallback {@code true} when the pattern was tried as one of the executor's configured
 *     fallbacks, {@code false} when it was a ranked candidate (the first or a later one)
 * @param status how the try ended
 * @param message the pattern's summary of what happened, or why the executor refused or stopped it;
 *     never null, may be empty
 * @param error the exception behind a failure, or {@code null} when there was none (always for a
 *     success)
 * @param duration how long the try took, on the executor's ticker; {@link Duration#ZERO} for a
 *     candidate refused before it ran
 * @param kind what kind of try it was: a pattern's first run in the execution, a retry of it, a
 *     circuit breaker's probe, or a skip because its breaker was open (since 0.2.0)
 * @since 0.1.0
 */
public record Attempt(
    String patternName,
    boolean fallback,
    OutcomeStatus status,
    String message,
    @Nullable Throwable error,
    Duration duration,
    Attempt.Kind kind) {

  /**
   * What kind of try an attempt was.
   *
   * @since 0.2.0
   */
  public enum Kind {
    /** The pattern's first try in this execution (as a ranked candidate or a fallback). */
    RUN,
    /** The same pattern tried again after a retryable failure, after a backoff. */
    RETRY,
    /**
     * A trial call while the pattern's circuit breaker in the domain is half-open: its outcome
     * closes the breaker again or opens it for another cool-down. (A retry made while the breaker
     * is half-open probes too, but is a {@link #RETRY}.)
     */
    PROBE,
    /**
     * Not run: the pattern's circuit breaker in the context's domain is open. The status is {@link
     * OutcomeStatus#REJECTED}, the duration zero, and nothing is recorded.
     */
    SKIPPED
  }

  /**
   * Checks that the required components are present.
   *
   * @param patternName the name of the pattern tried; not null
   * @param fallback whether it was tried as a configured fallback
   * @param status how the try ended; not null
   * @param message the pattern's or the executor's summary; not null
   * @param error the exception behind a failure, or {@code null}
   * @param duration how long the try took; not null
   * @param kind what kind of try it was; not null
   * @throws NullPointerException when a required component is null
   */
  public Attempt {
    Objects.requireNonNull(patternName, "patternName");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(kind, "kind");
  }

  /**
   * A pattern's first try in an execution ({@link Kind#RUN}).
   *
   * @param patternName the name of the pattern tried; not null
   * @param fallback whether it was tried as a configured fallback
   * @param status how the try ended; not null
   * @param message the pattern's or the executor's summary; not null
   * @param error the exception behind a failure, or {@code null}
   * @param duration how long the try took; not null
   * @throws NullPointerException when a required component is null
   */
  public Attempt(
      String patternName,
      boolean fallback,
      OutcomeStatus status,
      String message,
      @Nullable Throwable error,
      Duration duration) {
    this(patternName, fallback, status, message, error, duration, Kind.RUN);
  }

  /** {@return whether this try succeeded, i.e. {@code status().isSuccess()}} */
  public boolean isSuccess() {
    return status.isSuccess();
  }
}
