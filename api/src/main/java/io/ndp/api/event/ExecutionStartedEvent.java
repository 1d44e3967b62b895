package io.ndp.api.event;

import io.ndp.api.PatternContext;
import java.util.Objects;

/**
 * An execution began: the executor selected the candidates for {@code context} and is about to try
 * them (or, for a pattern run directly, to run it). Followed, on the same thread, by its attempts
 * and exactly one {@link ExecutionFinishedEvent}. A host's call that is refused before (an agent
 * type no pattern serves: {@code UnknownAgentTypeException}) is reported neither started nor
 * finished.
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
