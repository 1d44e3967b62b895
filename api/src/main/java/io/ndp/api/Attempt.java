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
 * @since 0.1.0
 */
public record Attempt(
    String patternName,
    boolean fallback,
    OutcomeStatus status,
    String message,
    @Nullable Throwable error,
    Duration duration) {

  /**
   * Checks that the required components are present.
   *
   * @param patternName the name of the pattern tried; not null
   * @param fallback whether it was tried as a configured fallback
   * @param status how the try ended; not null
   * @param message the pattern's or the executor's summary; not null
   * @param error the exception behind a failure, or {@code null}
   * @param duration how long the try took; not null
   * @throws NullPointerException when a required component is null
   */
  public Attempt {
    Objects.requireNonNull(patternName, "patternName");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(duration, "duration");
  }

  /** {@return whether this try succeeded, i.e. {@code status().isSuccess()}} */
  public boolean isSuccess() {
    return status.isSuccess();
  }
}
