package io.ndp.api;

import java.util.Map;

/**
 * Storage SPI for learned confidence: outcomes counted per pattern and per domain.
 *
 * <p>Implementations must be thread-safe and must never lose an increment under concurrent {@link
 * #recordOutcome} calls. Durable implementations keep the counts across restarts.
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
   * Forgets everything recorded for a pattern, e.g. after its behaviour changed.
   *
   * @param patternName the pattern
   */
  void reset(String patternName);

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
