package io.ndp.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The answer to one {@code executeBestPattern} call: whether it succeeded, a message, the pattern
 * that produced the output, the output, every attempt in order, why patterns were rejected, and the
 * total duration.
 *
 * <p>Immutable if the output is; thread-safe to publish.
 *
 * @param success whether some attempt succeeded
 * @param message what happened; on failure it says why each candidate failed or was rejected
 * @param chosenPattern the name of the pattern whose output this is, or {@code null} on failure
 * @param output the successful attempt's output, or {@code null}
 * @param attempts every pattern tried, in order
 * @param rejections patterns asked that serve the agent type but did not match, with the reason
 *     (selection asks only the patterns whose offers cover the context, and every pattern of the
 *     agent type when none of those matches)
 * @param totalDuration from the call to its return
 * @param decision why the candidates ran in the order they did ({@link Decision#NONE} when no
 *     selection was made, e.g. a pattern run directly)
 * @since 0.1.0
 */
public record PatternResult(
    boolean success,
    String message,
    @Nullable String chosenPattern,
    @Nullable Object output,
    List<Attempt> attempts,
    Map<String, String> rejections,
    Duration totalDuration,
    Decision decision) {

  /**
   * Copies the collections.
   *
   * @param success whether some attempt succeeded
   * @param message what happened; not null
   * @param chosenPattern the name of the pattern whose output this is, or {@code null} on failure
   * @param output the successful attempt's output, or {@code null}
   * @param attempts every pattern tried, in order; copied, no null element
   * @param rejections pattern name to the reason it did not match; copied, no null key or value
   * @param totalDuration from the call to its return; not null
   * @param decision why the candidates ran in the order they did, {@link Decision#NONE} when no
   *     selection was made; not null
   * @throws NullPointerException when a required component, or an element of a collection, is null
   */
  public PatternResult {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(attempts, "attempts");
    for (int i = 0; i < attempts.size(); i++) {
      Objects.requireNonNull(attempts.get(i), "attempts[" + i + "]");
    }
    attempts = List.copyOf(attempts);
    Objects.requireNonNull(rejections, "rejections");
    rejections.forEach(
        (pattern, reason) -> {
          Objects.requireNonNull(pattern, "a pattern name in rejections");
          Objects.requireNonNull(reason, () -> "the reason in rejections of " + pattern);
        });
    rejections = Map.copyOf(rejections);
    Objects.requireNonNull(totalDuration, "totalDuration");
    Objects.requireNonNull(decision, "decision");
  }

  /**
   * A result without a decision record ({@link Decision#NONE}), as before decision records existed.
   *
   * @param success whether some attempt succeeded
   * @param message what happened
   * @param chosenPattern the pattern whose output this is, or {@code null}
   * @param output the output, or {@code null}
   * @param attempts every pattern tried, in order
   * @param rejections patterns that did not match, with the reason
   * @param totalDuration from the call to its return
   */
  public PatternResult(
      boolean success,
      String message,
      @Nullable String chosenPattern,
      @Nullable Object output,
      List<Attempt> attempts,
      Map<String, String> rejections,
      Duration totalDuration) {
    this(
        success,
        message,
        chosenPattern,
        output,
        attempts,
        rejections,
        totalDuration,
        Decision.NONE);
  }

  /** {@return the name of the pattern whose output this is, or empty when no attempt succeeded} */
  public Optional<String> findChosenPattern() {
    return Optional.ofNullable(chosenPattern);
  }

  /**
   * Returns the output cast to {@code type}.
   *
   * @param type the expected type
   * @param <T> the expected type
   * @return the output, or empty when there is none
   * @throws ClassCastException when the output is of another type
   * @throws IllegalArgumentException when {@code type} is null
   */
  public <T> Optional<T> outputAs(Class<T> type) {
    if (type == null) {
      throw new IllegalArgumentException("the expected output type must not be null");
    }
    return Optional.ofNullable(output).map(type::cast);
  }

  /**
   * Returns how many times the execution fell back: the moves from one pattern to another, whether
   * to the next-ranked candidate or to a configured fallback pattern (the README's "falling back"
   * means both), including moves to or from a pattern skipped because its circuit breaker was open:
   * the attempts whose pattern differs from the one before. Retries of the same pattern are not
   * fall-backs ({@link #retries()} counts them), nor is a retry skipped because the pattern's
   * breaker opened meanwhile. {@link #configuredFallbacksTried()} counts the configured fallbacks
   * alone. Each fall-back is one {@link io.ndp.api.event.FallbackEvent}.
   *
   * @return the attempts whose pattern differs from the previous attempt's; 0 when the first
   *     pattern served (or none was tried)
   * @since 0.2.0 (before, it counted configured fallbacks only)
   */
  public long fallbacksTried() {
    long moves = 0;
    for (int i = 1; i < attempts.size(); i++) {
      if (!attempts.get(i).patternName().equals(attempts.get(i - 1).patternName())) {
        moves++;
      }
    }
    return moves;
  }

  /**
   * Returns how many attempts were retries of a pattern after a retryable failure ({@link
   * Attempt.Kind#RETRY}).
   *
   * @return the retries among the attempts
   * @since 0.2.0
   */
  public long retries() {
    return attempts.stream().filter(a -> a.kind() == Attempt.Kind.RETRY).count();
  }

  /**
   * Returns how many times the execution fell back to a configured fallback pattern ({@code
   * fallbackPatterns}): the part of {@link #fallbacksTried()} whose destination is a configured
   * fallback, one per {@link io.ndp.api.event.FallbackEvent} with {@code toConfiguredFallback}.
   * Retries of a fallback are not counted again ({@link #retries()} counts them).
   *
   * @return the attempts whose {@link Attempt#fallback()} is true and whose pattern differs from
   *     the previous attempt's; at most {@link #fallbacksTried()}
   * @since 0.2.0
   */
  public long configuredFallbacksTried() {
    long moves = 0;
    for (int i = 1; i < attempts.size(); i++) {
      Attempt a = attempts.get(i);
      if (a.fallback() && !a.patternName().equals(attempts.get(i - 1).patternName())) {
        moves++;
      }
    }
    return moves;
  }
}
