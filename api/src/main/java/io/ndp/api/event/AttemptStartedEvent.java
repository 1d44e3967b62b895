package io.ndp.api.event;

import io.ndp.api.PatternContext;
import java.util.Objects;

/**
 * The executor is about to try one pattern. Every attempt in a result has one such event and one
 * {@link AttemptFinishedEvent} with the same index, including a configured fallback refused before
 * it ran (not registered, not matching), whose finished event follows at once.
 *
 * <p>Immutable and thread-safe.
 *
 * @param context what the execution serves
 * @param patternName the pattern about to be tried
 * @param attemptIndex its index in the result's {@link io.ndp.api.PatternResult#attempts()
 *     attempts}, from 0
 * @param fallback {@code true} when it is one of the executor's configured fallbacks, {@code false}
 *     for a ranked candidate
 * @since 0.2.0
 */
public record AttemptStartedEvent(
    PatternContext context, String patternName, int attemptIndex, boolean fallback)
    implements NdpEvent {

  /**
   * Checks the components.
   *
   * @param context what the execution serves; not null
   * @param patternName the pattern about to be tried; not null
   * @param attemptIndex its index among the attempts; not negative
   * @param fallback whether it is a configured fallback
   * @throws NullPointerException when the context or the name is null
   * @throws IllegalArgumentException when the index is negative
   */
  public AttemptStartedEvent {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(patternName, "patternName");
    if (attemptIndex < 0) {
      throw new IllegalArgumentException(
          "attemptIndex must not be negative but was " + attemptIndex);
    }
  }
}
