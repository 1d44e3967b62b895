package io.ndp.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * What the executor hands a pattern for one execution: the host's delegates, the {@link Executor}
 * for concurrent work, the deadline, the nesting depth, and a way to delegate a nested context to
 * the best pattern for it.
 *
 * <p>Thread-safe: a pattern may use its scope from the tasks it starts.
 *
 * @since 0.1.0
 */
public interface ExecutionScope {

  /** {@return the host's delegates, the live directory: registrations made now are seen} */
  DelegateDirectory delegates();

  /**
   * {@return the executor on which a pattern runs its concurrent work (tasks, nested executions);
   * the one the host gave the runtime, or the runtime's own}
   */
  Executor executor();

  /**
   * The deadline of this execution as a wall-clock instant, for display. The executor keeps
   * deadlines on a monotonic clock: use {@link #timeLeft()}, {@link #remaining(Duration)} and
   * {@link #expired()} to act on them (a change of the wall clock moves nothing).
   *
   * @return the deadline, or empty when the execution has none: neither its context nor an
   *     enclosing execution's set a timeout, and the executor has no default timeout
   */
  Optional<Instant> deadline();

  /**
   * Returns the time left until the deadline (zero once it passed), or empty when there is none.
   * The executor's implementation reads a monotonic clock.
   *
   * @return the time left
   */
  default Optional<Duration> timeLeft() {
    return deadline()
        .map(d -> Duration.between(Instant.now(), d))
        .map(d -> d.isNegative() ? Duration.ZERO : d);
  }

  /**
   * Returns the time left until the deadline, or {@code fallback} when there is none.
   *
   * @param fallback the wait to use without a deadline
   * @return the time left (zero when the deadline passed)
   */
  default Duration remaining(Duration fallback) {
    return timeLeft().orElse(fallback);
  }

  /**
   * {@return whether this execution has a deadline and it has passed; {@code false} without a
   * deadline}
   */
  default boolean expired() {
    return timeLeft().map(Duration::isZero).orElse(false);
  }

  /**
   * Says whether some registered pattern serves {@code agentType}, so that a pattern can check,
   * before it runs anything, that the nested contexts it will delegate can be served.
   *
   * @param agentType the agent type of a nested context
   * @return whether {@link #executeBestPattern} has any candidate for it (true when unknown)
   */
  default boolean serves(String agentType) {
    return true;
  }

  /**
   * {@return how deeply this execution is nested: 0 for a host's call, one more for each {@link
   * #executeBestPattern} it goes through}
   */
  int depth();

  /**
   * Executes a nested context with the best pattern for it, one level deeper. Confidence is learned
   * for the nested context's domain.
   *
   * @param nested the nested context
   * @return the nested result; a failed one when the depth limit is reached
   */
  PatternResult executeBestPattern(PatternContext nested);
}
