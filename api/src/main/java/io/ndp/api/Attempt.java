package io.ndp.api;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One try of one pattern during an execution, as reported in {@link PatternResult#attempts()}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param patternName the pattern tried
 * @param fallback whether the pattern was tried as a configured fallback
 * @param status how the try ended
 * @param message the pattern's summary of what happened
 * @param error the failure, if any
 * @param duration how long the try took
 * @since 0.1.0
 */
public record Attempt(
    String patternName,
    boolean fallback,
    OutcomeStatus status,
    String message,
    @Nullable Throwable error,
    Duration duration) {

  /** Checks that the required components are present. */
  public Attempt {
    Objects.requireNonNull(patternName, "patternName");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(duration, "duration");
  }

  /** Returns whether this try succeeded. */
  public boolean isSuccess() {
    return status.isSuccess();
  }
}
