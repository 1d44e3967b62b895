package io.ndp.api.event;

import io.ndp.api.PatternContext;
import java.util.Objects;

/**
 * An execution began: the executor is about to select a pattern for {@code context} (or, for a
 * pattern run directly, to run it). Followed, on the same thread, by its attempts and one {@link
 * ExecutionFinishedEvent}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param context what the host asked for
 * @param depth 0 for a host's call, 1 and more for an execution a pattern nests (e.g.
 *     meta-orchestration delegating a domain)
 * @since 0.2.0
 */
public record ExecutionStartedEvent(PatternContext context, int depth) implements NdpEvent {

  /**
   * Checks the components.
   *
   * @param context what the host asked for; not null
   * @param depth the nesting depth; not negative
   * @throws NullPointerException when the context is null
   * @throws IllegalArgumentException when the depth is negative
   */
  public ExecutionStartedEvent {
    Objects.requireNonNull(context, "context");
    if (depth < 0) {
      throw new IllegalArgumentException("depth must not be negative but was " + depth);
    }
  }
}
