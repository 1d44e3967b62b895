package io.ndp.api;

/**
 * What a registered pattern reads from the runtime that owns it: the confidence statistics the
 * runtime keeps for it and the resource pool its work acquires from.
 *
 * <p>A runtime hands itself to a pattern through {@link Pattern#attach} when the pattern is
 * registered, and takes itself back with {@link Pattern#detach} when it is withdrawn. The pattern
 * keeps no copy of anything it reads here, so what it reports is always the owner's figures.
 *
 * <p>Implementations are thread-safe.
 *
 * @since 0.2.0
 */
public interface PatternRuntime {

  /**
   * Returns what the runtime recorded for a pattern over all domains.
   *
   * @param patternName the pattern
   * @return the counts, {@link ConfidenceStats#EMPTY} when none
   */
  ConfidenceStats statistics(String patternName);

  /**
   * Returns what the runtime recorded for a pattern in one domain.
   *
   * @param patternName the pattern
   * @param domain the domain
   * @return the counts, {@link ConfidenceStats#EMPTY} when none
   */
  ConfidenceStats statistics(String patternName, String domain);

  /**
   * {@return the runtime's resource pool, which patterns that hold resources acquire from; the same
   * pool for every pattern of the runtime}
   */
  ResourcePool resourcePool();
}
