package io.ndp.api;

import java.util.Locale;

/**
 * Coarse bands of a confidence score (see {@link ConfidenceStats#score()}):
 *
 * <ul>
 *   <li>{@link #LOW}: score below {@value #MEDIUM_THRESHOLD};
 *   <li>{@link #MEDIUM}: from {@value #MEDIUM_THRESHOLD} up to (excluding) {@value #HIGH_THRESHOLD}
 *       — an unseen pattern sits here, at the neutral prior 0.5;
 *   <li>{@link #HIGH}: {@value #HIGH_THRESHOLD} and above — e.g. four successes and no failure (5/6
 *       ≈ 0.83).
 * </ul>
 *
 * @since 0.1.0
 */
public enum ConfidenceLevel {
  /** Score below {@value #MEDIUM_THRESHOLD}: the pattern fails more than it succeeds. */
  LOW,
  /** Score in [{@value #MEDIUM_THRESHOLD}, {@value #HIGH_THRESHOLD}). */
  MEDIUM,
  /** Score of {@value #HIGH_THRESHOLD} or more. */
  HIGH;

  /** Lowest score that is {@link #MEDIUM}. */
  public static final double MEDIUM_THRESHOLD = 0.5;

  /** Lowest score that is {@link #HIGH}. */
  public static final double HIGH_THRESHOLD = 0.8;

  /**
   * Returns the band of a score.
   *
   * @param score in {@code [0, 1]}
   * @return its level
   */
  public static ConfidenceLevel of(double score) {
    if (!(score >= 0.0 && score <= 1.0)) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "confidence score must be within [0, 1] but was %s", score));
    }
    if (score >= HIGH_THRESHOLD) {
      return HIGH;
    }
    return score >= MEDIUM_THRESHOLD ? MEDIUM : LOW;
  }
}
