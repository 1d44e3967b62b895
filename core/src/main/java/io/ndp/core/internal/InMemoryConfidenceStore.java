package io.ndp.core.internal;

import io.ndp.api.ConfidenceStats;
import io.ndp.api.ConfidenceStore;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Confidence counts in memory: per pattern, per domain, two counters. Thread-safe; no increment is
 * lost under contention (each counter is incremented with one atomic add). Forgets everything when
 * the process ends.
 *
 * <p>Compact, since a runtime holds one entry per pattern and domain: a pattern's domains are a
 * small copy-on-write array of counters (a hash map once there are more than {@value #SMALL}), kept
 * directly as the value of the map by pattern, each counter one object holding its domain and two
 * {@code long}s. A counter is never replaced once created, so growing the array loses no concurrent
 * increment; a domain is added under the map's lock of that pattern.
 */
public final class InMemoryConfidenceStore implements ConfidenceStore {

  static final int SMALL = 16;

  // Pattern to its counters: a Counts[] (at most SMALL long) or a ConcurrentHashMap<String,
  // Counts>.
  private final ConcurrentMap<String, Object> byPattern = new ConcurrentHashMap<>();

  @Override
  public void recordOutcome(String patternName, String domain, boolean success) {
    Object table = byPattern.get(patternName);
    Counts counts = table == null ? null : find(table, domain);
    if (counts == null) {
      counts = add(patternName, domain);
    }
    counts.add(success);
  }

  /** The counter of a domain, created when missing, under the map's lock of the pattern. */
  private Counts add(String patternName, String domain) {
    Counts[] added = new Counts[1];
    byPattern.compute(
        patternName,
        (k, table) -> {
          Counts existing = table == null ? null : find(table, domain);
          if (existing != null) {
            added[0] = existing;
            return table;
          }
          Counts c = new Counts(domain);
          added[0] = c;
          if (table == null) {
            return new Counts[] {c};
          }
          if (table instanceof Counts[] small) {
            if (small.length < SMALL) {
              Counts[] grown = Arrays.copyOf(small, small.length + 1);
              grown[small.length] = c;
              return grown;
            }
            ConcurrentHashMap<String, Counts> map = new ConcurrentHashMap<>(small.length * 2);
            for (Counts x : small) {
              map.put(x.domain, x);
            }
            map.put(domain, c);
            return map;
          }
          large(table).put(domain, c);
          return table;
        });
    return added[0];
  }

  /** True: a read is a map lookup, no cache in front of it would be cheaper. */
  @Override
  public boolean readsAreCheap() {
    return true;
  }

  @Override
  public ConfidenceStats stats(String patternName, String domain) {
    Object table = byPattern.get(patternName);
    Counts counts = table == null ? null : find(table, domain);
    return counts == null ? ConfidenceStats.EMPTY : counts.snapshot();
  }

  @Override
  public ConfidenceStats stats(String patternName) {
    Object table = byPattern.get(patternName);
    if (table == null) {
      return ConfidenceStats.EMPTY;
    }
    long[] sum = new long[2];
    forEach(
        table,
        c -> {
          sum[0] += c.successes();
          sum[1] += c.failures();
        });
    return new ConfidenceStats(sum[0], sum[1]);
  }

  @Override
  public Map<String, ConfidenceStats> statsByDomain(String patternName) {
    Object table = byPattern.get(patternName);
    Map<String, ConfidenceStats> out = new TreeMap<>();
    if (table != null) {
      forEach(table, c -> out.put(c.domain, c.snapshot()));
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

  private static @Nullable Counts find(Object table, String domain) {
    if (table instanceof Counts[] small) {
      for (Counts c : small) {
        if (c.domain.equals(domain)) {
          return c;
        }
      }
      return null;
    }
    return large(table).get(domain);
  }

  private static void forEach(Object table, Consumer<Counts> action) {
    if (table instanceof Counts[] small) {
      for (Counts c : small) {
        action.accept(c);
      }
    } else {
      large(table).values().forEach(action);
    }
  }

  @SuppressWarnings("unchecked")
  private static ConcurrentHashMap<String, Counts> large(Object table) {
    return (ConcurrentHashMap<String, Counts>) table;
  }

  /** The counts of one pattern in one domain: 32 bytes instead of two LongAdders and a holder. */
  private static final class Counts {
    private static final VarHandle SUCCESSES;
    private static final VarHandle FAILURES;

    static {
      try {
        MethodHandles.Lookup l = MethodHandles.lookup();
        SUCCESSES = l.findVarHandle(Counts.class, "successes", long.class);
        FAILURES = l.findVarHandle(Counts.class, "failures", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final String domain;
    // Written only through the VarHandles (atomic adds); read as volatile.
    private volatile long successes;
    private volatile long failures;

    Counts(String domain) {
      this.domain = domain;
    }

    void add(boolean success) {
      (success ? SUCCESSES : FAILURES).getAndAdd(this, 1L);
    }

    long successes() {
      return successes;
    }

    long failures() {
      return failures;
    }

    ConfidenceStats snapshot() {
      return new ConfidenceStats(successes, failures);
    }
  }
}
