package io.ndp.api;

import java.util.Map;

/**
 * Storage SPI for learned confidence: outcomes counted per pattern and per domain.
 *
 * <p>Implementations must be thread-safe and must never lose an increment under concurrent {@link
 * #recordOutcome} calls. Durable implementations keep the counts across restarts.
 *
 * <p><b>Forgetting</b> (the runtime's in-memory store does it by default, half-life {@code h} = 100
 * outcomes of the domain): besides the counts, the effective evidence of {@link ConfidenceStats}
 * weighs an outcome {@code 2^(-k/h)} once {@code k} more outcomes were recorded in its domain. A
 * store keeps that exactly, in a form a database row holds, with per domain a clock {@code N_d}
 * (outcomes recorded in it, never reset) and per pattern and domain five numbers: the counts {@code
 * s, f}, the decayed sums {@code S, F} and the clock tick {@code t} they are valid at. An outcome
 * that got tick {@code a} of the clock updates them as: if {@code a >= t}, {@code S, F *=
 * 2^(-(a-t)/h)}, {@code t = a}, then add 1 to {@code S} or {@code F}; else add {@code 2^(-(t-a)/h)}
 * (so concurrent outcomes arriving out of order weigh exactly what they would in order). A read at
 * the domain's clock {@code N} returns {@code S, F} times {@code 2^(-(N-t)/h)}. Stores that do not
 * forget return the counts as the effective evidence.
 *
 * @since 0.1.0
 */
public interface ConfidenceStore {

  /**
   * Records one outcome.
   *
   * @param patternName the pattern that ran
   * @param domain the context's domain
   * @param success whether it succeeded
   */
  void recordOutcome(String patternName, String domain, boolean success);

  /**
   * Returns the counts of a pattern in a domain.
   *
   * @param patternName the pattern
   * @param domain the domain
   * @return the counts, {@link ConfidenceStats#EMPTY} when none
   */
  ConfidenceStats stats(String patternName, String domain);

  /**
   * Returns the counts of a pattern summed over all domains.
   *
   * @param patternName the pattern
   * @return the counts, {@link ConfidenceStats#EMPTY} when none
   */
  ConfidenceStats stats(String patternName);

  /**
   * Returns a snapshot of the counts of a pattern per domain.
   *
   * @param patternName the pattern
   * @return domain to counts; empty when none
   */
  Map<String, ConfidenceStats> statsByDomain(String patternName);

  /**
   * Whether the pattern has outcomes in some domain other than {@code domain}. Selection asks it,
   * on every call, of each candidate with little evidence in the context's domain (to borrow from
   * the others); the default reads {@link #statsByDomain}, a store that can answer more cheaply
   * should.
   *
   * @param patternName the pattern
   * @param domain the domain to leave out
   * @return whether any other domain recorded an outcome of it
   * @since 0.2.0
   */
  default boolean hasOutcomesOutside(String patternName, String domain) {
    for (Map.Entry<String, ConfidenceStats> e : statsByDomain(patternName).entrySet()) {
      if (!e.getKey().equals(domain) && e.getValue().total() > 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * Forgets everything recorded for a pattern, e.g. after its behaviour changed.
   *
   * @param patternName the pattern
   */
  void reset(String patternName);

  /**
   * Forgets everything recorded in one domain, for every pattern (e.g. after the domain's traffic
   * changed). The domain's clock of forgetting is kept. The default throws: a store written before
   * this method says so rather than forgetting the wrong thing.
   *
   * @param domain the domain
   * @throws UnsupportedOperationException when the store cannot
   * @since 0.2.0
   */
  default void resetDomain(String domain) {
    throw new UnsupportedOperationException(
        getClass().getName() + " cannot forget one domain (resetDomain)");
  }

  /** Forgets everything recorded. */
  void resetAll();

  /**
   * Whether reading this store costs no more than a cache lookup, as in memory: the runtime then
   * reads it directly instead of keeping a cache of snapshots in front of it (which every recorded
   * outcome would invalidate). The default, false, suits a store behind I/O.
   *
   * @return whether reads are as cheap as a cache's
   * @since 0.2.0
   */
  default boolean readsAreCheap() {
    return false;
  }
}
