package io.ndp.api;

import java.util.Locale;

/**
 * Recorded outcomes of a pattern (in one domain or over all) and the confidence derived from them.
 *
 * <p>Two views of the same outcomes. {@link #successes()} and {@link #failures()} count every
 * outcome ever recorded (they never forget: reports and the guide's counts). {@link
 * #effectiveSuccesses()} and {@link #effectiveFailures()} are the evidence the runtime still
 * believes: with statistics that forget, each outcome's weight halves every half-life (see {@code
 * PatternRegistry.Builder.halfLife}), so that old evidence gives way to new; without forgetting
 * they equal the counts.
 *
 * <p>The score is the mean of a Beta(alpha, beta) prior updated by the effective evidence, {@code
 * (effectiveSuccesses + alpha) / (effectiveSuccesses + effectiveFailures + alpha + beta)}: the
 * prior's mean for an unseen pattern, approaching the recent success rate as outcomes accumulate.
 * {@link #score(Prior)} takes the pattern's prior ({@link Pattern#prior()}, what {@link
 * Pattern#confidenceScore(String)} uses); {@link #score()} is the score under {@link
 * Prior#NEUTRAL}, Beta(1, 1): {@code (effectiveSuccesses + 1) / (effectiveSuccesses +
 * effectiveFailures + 2)}, {@value #NEUTRAL_PRIOR} for an unseen pattern.
 *
 * <p>Immutable and thread-safe.
 *
 * @param successes recorded successes, non-negative
 * @param failures recorded failures, non-negative
 * @param effectiveSuccesses the successes' remaining weight, in {@code [0, successes]}
 * @param effectiveFailures the failures' remaining weight, in {@code [0, failures]}
 * @since 0.1.0
 */
public record ConfidenceStats(
    long successes, long failures, double effectiveSuccesses, double effectiveFailures) {

  /** The score of a pattern with no recorded outcome. */
  public static final double NEUTRAL_PRIOR = 0.5;

  /** Stats with nothing recorded. */
  public static final ConfidenceStats EMPTY = new ConfidenceStats(0, 0);

  // Rounding of the weights may overshoot a count by a hair; more than this is a store's bug.
  private static final double SLACK = 1e-6;

  /**
   * Checks that counts are non-negative and each weight lies between 0 and its count (a weight that
   * exceeds its count by rounding only, at most 1e-6, is clamped to it).
   *
   * @param successes recorded successes, non-negative
   * @param failures recorded failures, non-negative
   * @param effectiveSuccesses the successes' remaining weight, in {@code [0, successes]}
   * @param effectiveFailures the failures' remaining weight, in {@code [0, failures]}
   * @throws IllegalArgumentException when a count is negative or a weight out of its range (NaN
   *     included)
   */
  public ConfidenceStats {
    if (successes < 0 || failures < 0) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "counts must be non-negative but were successes=%d failures=%d",
              successes,
              failures));
    }
    if (successes > Long.MAX_VALUE - failures) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "counts must add up to at most %d outcomes but were successes=%d failures=%d",
              Long.MAX_VALUE,
              successes,
              failures));
    }
    if (!(effectiveSuccesses >= 0 && effectiveSuccesses <= successes + SLACK)
        || !(effectiveFailures >= 0 && effectiveFailures <= failures + SLACK)) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "effective evidence must lie between 0 and the counts but was %s of %d successes and"
                  + " %s of %d failures",
              effectiveSuccesses,
              successes,
              effectiveFailures,
              failures));
    }
    effectiveSuccesses = Math.min(effectiveSuccesses, successes);
    effectiveFailures = Math.min(effectiveFailures, failures);
  }

  /**
   * Stats that forget nothing: the effective evidence is the counts.
   *
   * @param successes recorded successes, non-negative
   * @param failures recorded failures, non-negative
   */
  public ConfidenceStats(long successes, long failures) {
    this(successes, failures, successes, failures);
  }

  /** {@return every outcome ever recorded: successes plus failures, non-negative} */
  public long total() {
    return successes + failures;
  }

  /**
   * {@return the weight of the evidence still believed, effective successes plus failures: between
   * 0 and {@link #total()}, equal to it when nothing is forgotten}
   */
  public double effectiveSampleSize() {
    return effectiveSuccesses + effectiveFailures;
  }

  /**
   * {@return the posterior mean success rate from the effective evidence under the neutral prior
   * Beta(1, 1), in {@code (0, 1)}: {@value #NEUTRAL_PRIOR} when nothing is recorded or all of it is
   * forgotten; {@code score(Prior.NEUTRAL)}}
   */
  public double score() {
    return (effectiveSuccesses + 1.0) / (effectiveSampleSize() + 2.0);
  }

  /**
   * Returns the posterior mean success rate from the effective evidence under {@code prior}: {@code
   * (effectiveSuccesses + alpha) / (effectiveSampleSize + alpha + beta)}, in {@code (0, 1)}; the
   * prior's {@link Prior#mean() mean} when nothing is recorded or all of it is forgotten.
   *
   * @param prior what was believed before any outcome, e.g. the pattern's {@link Pattern#prior()}
   * @return the score
   * @throws IllegalArgumentException when {@code prior} is null
   * @since 0.2.0
   */
  public double score(Prior prior) {
    if (prior == null) {
      throw new IllegalArgumentException("prior must not be null (Prior.NEUTRAL is Beta(1, 1))");
    }
    return (effectiveSuccesses + prior.alpha())
        / (effectiveSampleSize() + prior.alpha() + prior.beta());
  }

  /**
   * {@return the band ({@code LOW}, {@code MEDIUM}, {@code HIGH}) that {@link #score()} falls in}
   */
  public ConfidenceLevel level() {
    return ConfidenceLevel.of(score());
  }

  /**
   * Returns the band ({@code LOW}, {@code MEDIUM}, {@code HIGH}) that {@link #score(Prior)} falls
   * in.
   *
   * @param prior what was believed before any outcome, e.g. the pattern's {@link Pattern#prior()}
   * @return the band
   * @throws IllegalArgumentException when {@code prior} is null
   * @since 0.2.0
   */
  public ConfidenceLevel level(Prior prior) {
    return ConfidenceLevel.of(score(prior));
  }

  /**
   * Adds two stats.
   *
   * @param other the stats to add
   * @return the sum
   * @throws IllegalArgumentException when {@code other} is null
   */
  public ConfidenceStats plus(ConfidenceStats other) {
    if (other == null) {
      throw new IllegalArgumentException("the stats to add must not be null");
    }
    if (successes > Long.MAX_VALUE - other.successes
        || failures > Long.MAX_VALUE - other.failures) {
      throw new IllegalArgumentException(
          "the sum of " + this + " and " + other + " has more outcomes than a long counts");
    }
    return new ConfidenceStats(
        successes + other.successes,
        failures + other.failures,
        effectiveSuccesses + other.effectiveSuccesses,
        effectiveFailures + other.effectiveFailures);
  }
}
