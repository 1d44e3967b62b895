package io.ndp.api.event;

import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import java.util.Objects;

/**
 * An execution ended: {@code result} is the very object returned to the caller, with its attempts
 * and its {@linkplain PatternResult#decision() decision record} (why the candidates ran in that
 * order).
 *
 * <p>Immutable and thread-safe.
 *
 * @param context what the host asked for
 * @param result what the execution returned
 * @param depth 0 for a host's call, 1 and more for a nested execution
 * @since 0.2.0
 */
public record ExecutionFinishedEvent(PatternContext context, PatternResult result, int depth)
    implements NdpEvent {

  /**
   * Checks the components.
   *
   * @param context what the host asked for; not null
   * @param result what the execution returned; not null
   * @param depth the nesting depth; not negative
   * @throws NullPointerException when the context or the result is null
   * @throws IllegalArgumentException when the depth is negative
   */
  public ExecutionFinishedEvent {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(result, "result");
    if (depth < 0) {
      throw new IllegalArgumentException("depth must not be negative but was " + depth);
    }
  }
}
