package io.ndp.api;

/**
 * How one execution of a pattern ended.
 *
 * @since 0.1.0
 */
public enum OutcomeStatus {
  /** The pattern did its work; the output is valid. */
  SUCCESS,
  /** A delegate or the pattern itself failed. */
  FAILED,
  /** Resources the pattern needed were not free within the deadline. */
  CONFLICT,
  /** The deadline passed before the work finished. */
  TIMED_OUT,
  /** The work was cancelled or the thread interrupted. */
  CANCELLED,
  /** The pattern was not run: it does not match the context or a delegate is missing. */
  REJECTED;

  /** {@return whether this status is {@link #SUCCESS}; every other status is a failure} */
  public boolean isSuccess() {
    return this == SUCCESS;
  }
}
