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
 * @since 0.1.0
 */
public record PatternResult(
    boolean success,
    String message,
    @Nullable String chosenPattern,
    @Nullable Object output,
    List<Attempt> attempts,
    Map<String, String> rejections,
    Duration totalDuration) {

  /** Copies the collections. */
  public PatternResult {
    Objects.requireNonNull(message, "message");
    attempts = List.copyOf(attempts);
    rejections = Map.copyOf(rejections);
    Objects.requireNonNull(totalDuration, "totalDuration");
  }

  /** Returns the chosen pattern's name, if some attempt succeeded. */
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
   */
  public <T> Optional<T> outputAs(Class<T> type) {
    return Optional.ofNullable(output).map(type::cast);
  }

  /** Returns the number of fallbacks tried. */
  public long fallbacksTried() {
    return attempts.stream().filter(Attempt::fallback).count();
  }
}
