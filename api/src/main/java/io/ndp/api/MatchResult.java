package io.ndp.api;

import java.util.Locale;

/**
 * Whether and how well a pattern matches a context: a score in {@code [0, 1]} and, when the score
 * is zero, the reason the pattern cannot serve the context.
 *
 * <p>Immutable and thread-safe.
 *
 * @param score 0 for no match, up to 1 for a perfect match
 * @param reason why the pattern does not match (empty when it matches)
 * @since 0.1.0
 */
public record MatchResult(double score, String reason) {

  /**
   * Validates the score range and that a non-match has a reason.
   *
   * @param score in {@code [0, 1]}: 0 for no match, up to 1 for a perfect match
   * @param reason why the pattern does not match, non-blank when the score is 0; empty (or any
   *     text) for a match; not null
   * @throws IllegalArgumentException when the score is outside {@code [0, 1]} (NaN included), the
   *     reason is null, or a non-match has a blank reason
   */
  public MatchResult {
    if (!(score >= 0.0 && score <= 1.0)) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "match score must be within [0, 1] but was %s", score));
    }
    if (reason == null) {
      throw new IllegalArgumentException("match reason must not be null");
    }
    if (score == 0.0 && reason.isBlank()) {
      throw new IllegalArgumentException("a non-match must say why");
    }
  }

  /**
   * A match of the given quality.
   *
   * @param score in {@code (0, 1]}
   * @return the match
   */
  public static MatchResult matches(double score) {
    if (score <= 0.0) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "a match needs a score above 0 but was %s", score));
    }
    return new MatchResult(score, "");
  }

  /**
   * The built-in kinds' score for a pattern offering everything the context requires: {@code 0.5 +
   * 0.5 × required / offered}, so that a pattern made for the job ranks above one that merely
   * contains it.
   *
   * @param required how many items the context requires (all of them offered)
   * @param offered how many items the pattern offers, at least {@code required} and at least 1
   * @return the match
   */
  public static MatchResult coverage(int required, int offered) {
    if (offered < 1 || required < 0 || required > offered) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "coverage needs 0 <= required <= offered and offered >= 1 but got %d of %d",
              required,
              offered));
    }
    return matches(0.5 + 0.5 * required / offered);
  }

  /** {@return a perfect match: score 1, no reason} */
  public static MatchResult perfect() {
    return new MatchResult(1.0, "");
  }

  /**
   * No match.
   *
   * @param reason why, naming what is missing
   * @return the non-match
   */
  public static MatchResult noMatch(String reason) {
    return new MatchResult(0.0, reason);
  }

  /** {@return whether the pattern can serve the context at all, i.e. the score is above 0} */
  public boolean isMatch() {
    return score > 0.0;
  }
}
