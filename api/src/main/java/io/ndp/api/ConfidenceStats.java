package io.ndp.api;

import java.util.Locale;

/**
 * Recorded outcomes of a pattern (in one domain or over all) and the confidence derived from them.
 *
 * <p>The score is the mean of a Beta(1, 1) prior updated by the outcomes, {@code (successes + 1) /
 * (successes + failures + 2)}: {@value #NEUTRAL_PRIOR} for an unseen pattern, approaching the
 * observed success rate as outcomes accumulate.
 *
 * <p>Immutable and thread-safe.
 *
 * @param successes recorded successes, non-negative
 * @param failures recorded failures, non-negative
 * @since 0.1.0
 */
public record ConfidenceStats(long successes, long failures) {

  /** The score of a pattern with no recorded outcome. */
  public static final double NEUTRAL_PRIOR = 0.5;

  /** Stats with nothing recorded. */
  public static final ConfidenceStats EMPTY = new ConfidenceStats(0, 0);

  /** Checks that counts are non-negative. */
  public ConfidenceStats {
    if (successes < 0 || failures < 0) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "counts must be non-negative but were successes=%d failures=%d",
              successes,
              failures));
    }
  }

  /** Returns successes plus failures. */
  public long total() {
    return successes + failures;
  }

  /** Returns the posterior mean success rate; {@value #NEUTRAL_PRIOR} when nothing is recorded. */
  public double score() {
    return (successes + 1.0) / (total() + 2.0);
  }

  /** Returns the band of {@link #score()}. */
  public ConfidenceLevel level() {
    return ConfidenceLevel.of(score());
  }

  /**
   * Adds two stats.
   *
   * @param other the stats to add
   * @return the sum
   */
  public ConfidenceStats plus(ConfidenceStats other) {
    return new ConfidenceStats(successes + other.successes, failures + other.failures);
  }
}
