package io.ndp.api.event;

import io.ndp.api.BreakerState;
import java.util.Objects;

/**
 * A pattern's circuit breaker in one domain changed state: it opened (the pattern is skipped there
 * for a cool-down), turned half-open (probes decide), or closed again. Sent on the thread whose
 * call caused the change, after the call's outcome was recorded, with no lock held.
 *
 * <p>Immutable and thread-safe.
 *
 * @param patternName the pattern
 * @param domain the domain the breaker guards the pattern in
 * @param from the state before
 * @param to the state after
 * @param reason why, e.g. the failure rate and its threshold
 * @since 0.2.0
 */
public record BreakerStateChangedEvent(
    String patternName, String domain, BreakerState from, BreakerState to, String reason)
    implements NdpEvent {

  /**
   * Checks the components.
   *
   * @param patternName the pattern; not null
   * @param domain the domain; not null
   * @param from the state before; not null
   * @param to the state after; not null
   * @param reason why; not null
   * @throws NullPointerException when a component is null
   */
  public BreakerStateChangedEvent {
    Objects.requireNonNull(patternName, "patternName");
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(reason, "reason");
  }
}
