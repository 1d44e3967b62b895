package io.ndp.api.event;

import io.ndp.api.PatternContext;
import java.util.Objects;

/**
 * An attempt did not succeed and the executor moves on to another pattern: the next ranked
 * candidate, or a configured fallback. Sent between the failed attempt's {@link
 * AttemptFinishedEvent} and the next one's {@link AttemptStartedEvent}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param context what the execution serves
 * @param fromPattern the pattern whose attempt did not succeed
 * @param toPattern the pattern tried next
 * @param toConfiguredFallback {@code true} when the next one is a configured fallback, {@code
 *     false} when it is the next ranked candidate
 * @param reason why the previous attempt did not succeed: its status and message
 * @since 0.2.0
 */
public record FallbackEvent(
    PatternContext context,
    String fromPattern,
    String toPattern,
    boolean toConfiguredFallback,
    String reason)
    implements NdpEvent {

  /**
   * Checks the components.
   *
   * @param context what the execution serves; not null
   * @param fromPattern the pattern that did not succeed; not null
   * @param toPattern the pattern tried next; not null
   * @param toConfiguredFallback whether the next one is a configured fallback
   * @param reason why the previous attempt did not succeed; not null
   * @throws NullPointerException when a component is null
   */
  public FallbackEvent {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(fromPattern, "fromPattern");
    Objects.requireNonNull(toPattern, "toPattern");
    Objects.requireNonNull(reason, "reason");
  }
}
