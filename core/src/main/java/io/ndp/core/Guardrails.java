package io.ndp.core;

import java.util.Locale;

/**
 * Bounds on what a selection policy may do, applied by the executor after the policy ranked the
 * candidates (and after an operator's {@link Pins}), each visible in the decision record:
 *
 * <ul>
 *   <li><b>Minimum-confidence floor</b> ({@code minConfidence}): a candidate whose confidence (its
 *       posterior mean in the domain) is below the floor is tried only after every candidate at or
 *       above it (verdict {@code BELOW_FLOOR}) — unless it is probed, which happens in a fraction
 *       {@code probeRate} of the selections it takes part in (verdict {@code PROBED}; it then keeps
 *       its rank), so that a pattern that recovered can show it.
 *   <li><b>Exploration floor</b> ({@code explorationRate}): in that fraction of the selections with
 *       more than one candidate, one candidate at or above the floor, drawn uniformly, is moved
 *       first (verdict {@code EXPLORED}): every allowed pattern keeps being tried now and then,
 *       whatever the policy believes.
 * </ul>
 *
 * A pinned pattern is first whatever the floors say. Draws are per-thread random, or seeded with
 * the executor's seed ({@link PatternExecutor.Builder#seed}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param minConfidence the floor, in [0, 1); 0 turns it off
 * @param probeRate the fraction of selections in which a candidate below the floor is probed, in
 *     [0, 1]
 * @param explorationRate the fraction of selections that explore, in [0, 1]
 * @since 0.2.0
 */
public record Guardrails(double minConfidence, double probeRate, double explorationRate) {

  /** No floor, no forced exploration: the policy's order stands. The default. */
  public static final Guardrails NONE = new Guardrails(0, 0, 0);

  /** Checks the ranges, naming the offending value. */
  public Guardrails {
    check("minConfidence", minConfidence, minConfidence >= 0 && minConfidence < 1);
    check("probeRate", probeRate, probeRate >= 0 && probeRate <= 1);
    check("explorationRate", explorationRate, explorationRate >= 0 && explorationRate <= 1);
  }

  /**
   * A minimum-confidence floor with a probe rate, and no exploration floor.
   *
   * @param minConfidence the floor, in [0, 1)
   * @param probeRate the probe rate, in [0, 1]
   * @return the guardrails
   */
  public static Guardrails floor(double minConfidence, double probeRate) {
    return new Guardrails(minConfidence, probeRate, 0);
  }

  /**
   * These guardrails with an exploration floor.
   *
   * @param rate the fraction of selections that explore, in [0, 1]
   * @return new guardrails
   */
  public Guardrails withExplorationRate(double rate) {
    return new Guardrails(minConfidence, probeRate, rate);
  }

  /** Whether these guardrails can change a policy's order at all. */
  boolean active() {
    return minConfidence > 0 || explorationRate > 0;
  }

  private static void check(String name, double value, boolean ok) {
    if (!ok) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "%s must be in %s but was %s",
              name,
              name.equals("minConfidence") ? "[0, 1)" : "[0, 1]",
              value));
    }
  }
}
