package io.ndp.api;

/**
 * The state of a pattern's circuit breaker in one domain.
 *
 * @since 0.2.0
 */
public enum BreakerState {
  /** Calls run; their outcomes are counted towards the failure rate. */
  CLOSED,
  /**
   * The failure rate passed its threshold: the pattern is skipped in the domain until the cool-down
   * ends.
   */
  OPEN,
  /** The cool-down ended: a few trial calls (probes) decide whether it closes or opens again. */
  HALF_OPEN
}
