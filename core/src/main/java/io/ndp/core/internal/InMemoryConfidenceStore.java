package io.ndp.core.internal;

import io.ndp.api.ConfidenceStats;
import io.ndp.api.ConfidenceStore;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Confidence counts in memory: per pattern, per domain, two {@link LongAdder}s. Thread-safe; no
 * increment is lost under contention. Forgets everything when the process ends.
 */
public final class InMemoryConfidenceStore implements ConfidenceStore {

  private final ConcurrentMap<String, ConcurrentMap<String, Counts>> byPattern =
      new ConcurrentHashMap<>();

  @Override
  public void recordOutcome(String patternName, String domain, boolean success) {
    Counts counts =
        byPattern
            .computeIfAbsent(patternName, k -> new ConcurrentHashMap<>())
            .computeIfAbsent(domain, k -> new Counts());
    (success ? counts.successes : counts.failures).increment();
  }

  @Override
  public ConfidenceStats stats(String patternName, String domain) {
    Map<String, Counts> domains = byPattern.get(patternName);
    Counts counts = domains == null ? null : domains.get(domain);
    return counts == null ? ConfidenceStats.EMPTY : counts.snapshot();
  }

  @Override
  public ConfidenceStats stats(String patternName) {
    Map<String, Counts> domains = byPattern.get(patternName);
    if (domains == null) {
      return ConfidenceStats.EMPTY;
    }
    long s = 0;
    long f = 0;
    for (Counts c : domains.values()) {
      s += c.successes.sum();
      f += c.failures.sum();
    }
    return new ConfidenceStats(s, f);
  }

  @Override
  public Map<String, ConfidenceStats> statsByDomain(String patternName) {
    Map<String, Counts> domains = byPattern.get(patternName);
    Map<String, ConfidenceStats> out = new TreeMap<>();
    if (domains != null) {
      domains.forEach((domain, counts) -> out.put(domain, counts.snapshot()));
    }
    return out;
  }

  @Override
  public void reset(String patternName) {
    byPattern.remove(patternName);
  }

  @Override
  public void resetAll() {
    byPattern.clear();
  }

  private static final class Counts {
    final LongAdder successes = new LongAdder();
    final LongAdder failures = new LongAdder();

    ConfidenceStats snapshot() {
      return new ConfidenceStats(successes.sum(), failures.sum());
    }
  }
}
