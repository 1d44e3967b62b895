package io.ndp.api.event;

import io.ndp.api.Attempt;
import io.ndp.api.PatternContext;
import java.util.Objects;

/**
 * One pattern's try ended: {@code attempt} is the object that is in the result's attempts, with its
 * outcome ({@link Attempt#status()}, message, error) and its {@link Attempt#duration() duration}.
 * Sent after the outcome was recorded in the statistics.
 *
 * <p>Immutable and thread-safe.
 *
 * @param context what the execution serves
 * @param attempt the try, as in the result
 * @param attemptIndex its index in the result's attempts, from 0
 * @since 0.2.0
 */
public record AttemptFinishedEvent(PatternContext context, Attempt attempt, int attemptIndex)
    implements NdpEvent {

  /**
   * Checks the components.
   *
   * @param context what the execution serves; not null
   * @param attempt the try; not null
   * @param attemptIndex its index among the attempts; not negative
   * @throws NullPointerException when the context or the attempt is null
   * @throws IllegalArgumentException when the index is negative
   */
  public AttemptFinishedEvent {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(attempt, "attempt");
    if (attemptIndex < 0) {
      throw new IllegalArgumentException(
          "attemptIndex must not be negative but was " + attemptIndex);
    }
  }
}
