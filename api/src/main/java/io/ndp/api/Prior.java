package io.ndp.api;

import java.util.Map;

/**
 * What a pattern is believed to do before any outcome is recorded in a domain: a Beta({@code
 * alpha}, {@code beta}) distribution over its success rate, worth {@code alpha + beta} outcomes of
 * evidence. Selection starts every domain from it, adds what the pattern borrowed from its other
 * domains (shrunk toward it), then its own outcomes; the more outcomes a domain records, the less
 * the prior weighs.
 *
 * <p>{@link #NEUTRAL}, Beta(1, 1) (every rate equally likely, a mean of 0.5, worth two outcomes),
 * is the default. A host declares another in the definition's parameters, under the key {@value
 * #KEY}:
 *
 * <pre>{@code
 * new PatternDefinition("sequential", "strict_ingest", "checks everything",
 *     Map.of("steps", List.of("validate", "store"),
 *            "prior", Map.of("alpha", 9, "beta", 1)));   // believed to succeed 90% of the time
 * }</pre>
 *
 * The built-in kinds keep it through their factories ({@code create(definition)} gives a pattern
 * with the same prior, whose {@code definition()} declares it again). A plugin declares one for its
 * kind by overriding {@link Pattern#prior()}, or by passing it to {@link
 * AbstractPattern#AbstractPattern(String, String, Prior)}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param alpha the prior's weight of successes, positive
 * @param beta the prior's weight of failures, positive; {@code alpha + beta} at most {@link
 *     #MAX_WEIGHT}
 * @since 0.2.0
 */
public record Prior(double alpha, double beta) {

  /** The parameter key of a definition that declares its prior. */
  public static final String KEY = "prior";

  /**
   * The most evidence a prior may be worth, {@code alpha + beta}: a million outcomes. More would
   * never yield to what the pattern does (and the sum of two huge weights overflows).
   */
  public static final double MAX_WEIGHT = 1_000_000;

  /** Beta(1, 1): every success rate equally likely; the default. */
  public static final Prior NEUTRAL = new Prior(1, 1);

  /**
   * Checks that both weights are positive and worth at most {@link #MAX_WEIGHT} together.
   *
   * @param alpha the prior's weight of successes, in pseudo-outcomes; positive and finite
   * @param beta the prior's weight of failures, in pseudo-outcomes; positive and finite
   * @throws IllegalArgumentException when a weight is not positive (NaN included) or {@code alpha +
   *     beta} exceeds {@link #MAX_WEIGHT}
   */
  public Prior {
    if (!(alpha > 0 && beta > 0) || !(alpha + beta <= MAX_WEIGHT)) {
      throw new IllegalArgumentException(
          "a prior needs positive alpha and beta worth at most "
              + (long) MAX_WEIGHT
              + " outcomes together but was alpha="
              + alpha
              + ", beta="
              + beta);
    }
  }

  /**
   * Returns the prior {@code pattern} declares ({@link Pattern#prior()}), or {@link #NEUTRAL} when
   * its {@code prior()} breaks its contract: returns null or throws (a {@link LinkageError} too).
   * Selection, confidence scores, levels and threshold events all read a pattern's prior through
   * this, so that a broken plugin is judged the same way everywhere and never makes a read throw.
   *
   * @param pattern the pattern
   * @return its prior, never null
   * @throws IllegalArgumentException when {@code pattern} is null
   * @since 0.2.0
   */
  public static Prior declaredBy(Pattern pattern) {
    if (pattern == null) {
      throw new IllegalArgumentException("the pattern whose prior is read must not be null");
    }
    try {
      Prior prior = pattern.prior();
      return prior != null ? prior : NEUTRAL;
    } catch (RuntimeException | LinkageError e) {
      return NEUTRAL; // a plugin's class that cannot load is its fault, not the reader's
    }
  }

  /**
   * {@return the success rate this prior expects, its mean {@code alpha / (alpha + beta)}, in
   * {@code (0, 1)}: 0.5 for {@link #NEUTRAL}}
   */
  public double mean() {
    return alpha / (alpha + beta);
  }

  /**
   * Returns this prior as a definition stores it under {@value #KEY}: {@code {alpha=…, beta=…}}.
   *
   * @return the parameter value
   */
  public Map<String, Object> toParameter() {
    return Map.of("alpha", alpha, "beta", beta);
  }

  /**
   * Reads the prior a definition declares under {@value #KEY}, or {@link #NEUTRAL} when it declares
   * none.
   *
   * @param definition the definition
   * @return its prior
   * @throws IllegalArgumentException naming the pattern and the value when {@value #KEY} is not a
   *     map of two positive numbers {@code alpha} and {@code beta} and nothing else, or when the
   *     definition is null
   */
  public static Prior of(PatternDefinition definition) {
    if (definition == null) {
      throw new IllegalArgumentException("the definition to read a prior from must not be null");
    }
    Object value = definition.parameters().get(KEY);
    return value == null ? NEUTRAL : parse(definition.name(), value);
  }

  /** Parses a declared prior; called when a definition is built, so a bad one is never stored. */
  static Prior parse(String pattern, Object value) {
    if (value instanceof Map<?, ?> map
        && map.size() == 2
        && map.get("alpha") instanceof Number a
        && map.get("beta") instanceof Number b) {
      try {
        return new Prior(a.doubleValue(), b.doubleValue());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "pattern '" + pattern + "' declares an invalid prior " + value + ": " + e.getMessage(),
            e);
      }
    }
    throw new IllegalArgumentException(
        "pattern '"
            + pattern
            + "' declares prior "
            + value
            + "; expected a map of exactly two positive numbers, e.g. {alpha=9, beta=1}");
  }
}
