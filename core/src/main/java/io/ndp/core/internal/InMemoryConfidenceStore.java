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
 * small copy-on-write array of counters (a hash map once there are more than {@value
 * Domains#SMALL}), each counter one object holding its domain and two {@code long}s. A counter is
 * never replaced once created, so growing the array loses no concurrent increment.
 */
public final class InMemoryConfidenceStore implements ConfidenceStore {

  private final ConcurrentMap<String, Domains> byPattern = new ConcurrentHashMap<>();

  @Override
  public void recordOutcome(String patternName, String domain, boolean success) {
    Domains domains = byPattern.get(patternName);
    if (domains == null) {
      domains = byPattern.computeIfAbsent(patternName, k -> new Domains());
    }
    domains.getOrAdd(domain).add(success);
  }

  @Override
  public ConfidenceStats stats(String patternName, String domain) {
    Domains domains = byPattern.get(patternName);
    Counts counts = domains == null ? null : domains.get(domain);
    return counts == null ? ConfidenceStats.EMPTY : counts.snapshot();
  }

  @Override
  public ConfidenceStats stats(String patternName) {
    Domains domains = byPattern.get(patternName);
    if (domains == null) {
      return ConfidenceStats.EMPTY;
    }
    long[] sum = new long[2];
    domains.forEach(
        c -> {
          sum[0] += c.successes();
          sum[1] += c.failures();
        });
    return new ConfidenceStats(sum[0], sum[1]);
  }

  @Override
  public Map<String, ConfidenceStats> statsByDomain(String patternName) {
    Domains domains = byPattern.get(patternName);
    Map<String, ConfidenceStats> out = new TreeMap<>();
    if (domains != null) {
      domains.forEach(c -> out.put(c.domain, c.snapshot()));
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

  /**
   * The counters of one pattern by domain: an array scanned linearly while small, a concurrent map
   * beyond. Reads take no lock; adding a domain is serialized on this object.
   */
  private static final class Domains {
    static final int SMALL = 16;
    private static final Counts[] NONE = new Counts[0];

    // A Counts[] (copy-on-write, at most SMALL long) or a ConcurrentHashMap<String, Counts>.
    private volatile Object table = NONE;

    @Nullable Counts get(String domain) {
      Object t = table;
      if (t instanceof Counts[] small) {
        for (Counts c : small) {
          if (c.domain.equals(domain)) {
            return c;
          }
        }
        return null;
      }
      return large(t).get(domain);
    }

    Counts getOrAdd(String domain) {
      Counts c = get(domain);
      if (c != null) {
        return c;
      }
      synchronized (this) {
        c = get(domain);
        if (c != null) {
          return c;
        }
        c = new Counts(domain);
        Object t = table;
        if (t instanceof Counts[] small) {
          if (small.length < SMALL) {
            Counts[] grown = Arrays.copyOf(small, small.length + 1);
            grown[small.length] = c;
            table = grown;
          } else {
            ConcurrentHashMap<String, Counts> map = new ConcurrentHashMap<>(small.length * 2);
            for (Counts x : small) {
              map.put(x.domain, x);
            }
            map.put(domain, c);
            table = map;
          }
        } else {
          large(t).put(domain, c);
        }
        return c;
      }
    }

    void forEach(Consumer<Counts> action) {
      Object t = table;
      if (t instanceof Counts[] small) {
        for (Counts c : small) {
          action.accept(c);
        }
      } else {
        large(t).values().forEach(action);
      }
    }

    @SuppressWarnings("unchecked")
    private static ConcurrentHashMap<String, Counts> large(Object t) {
      return (ConcurrentHashMap<String, Counts>) t;
    }
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
