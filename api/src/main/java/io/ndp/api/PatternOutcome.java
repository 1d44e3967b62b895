package io.ndp.api;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What one pattern returns from {@link Pattern#execute(PatternContext, ExecutionScope)}.
 *
 * <p>Immutable if the output is; thread-safe to publish.
 *
 * @param status how the execution ended
 * @param output the result of the work on success (may be {@code null}), or partial output
 * @param message a human-readable summary; on failure it names the step, task or domain that failed
 * @param cause the failure, if any
 * @since 0.1.0
 */
public record PatternOutcome(
    OutcomeStatus status, @Nullable Object output, String message, @Nullable Throwable cause) {

  /**
   * Checks that status and message are present.
   *
   * @param status how the execution ended; not null
   * @param output the result of the work, or partial output, or {@code null} for none
   * @param message a human-readable summary; not null
   * @param cause the exception behind a failure, or {@code null}
   * @throws NullPointerException when the status or the message is null
   */
  public PatternOutcome {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(message, "message");
  }

  /**
   * A successful outcome.
   *
   * @param output the result of the work
   * @param message a summary
   * @return the outcome
   */
  public static PatternOutcome success(@Nullable Object output, String message) {
    return new PatternOutcome(OutcomeStatus.SUCCESS, output, message, null);
  }

  /**
   * A failed outcome.
   *
   * @param message what failed and why
   * @param cause the failure, if any
   * @return the outcome
   */
  public static PatternOutcome failure(String message, @Nullable Throwable cause) {
    return new PatternOutcome(OutcomeStatus.FAILED, null, message, cause);
  }

  /**
   * An outcome other than success.
   *
   * @param status the status
   * @param message what happened
   * @param cause the failure, if any
   * @return the outcome
   */
  public static PatternOutcome of(OutcomeStatus status, String message, @Nullable Throwable cause) {
    return new PatternOutcome(status, null, message, cause);
  }

  /** {@return whether the status is {@link OutcomeStatus#SUCCESS}} */
  public boolean isSuccess() {
    return status.isSuccess();
  }
}
