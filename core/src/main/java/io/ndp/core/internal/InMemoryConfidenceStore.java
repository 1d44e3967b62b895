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
import java.util.concurrent.atomic.AtomicLong;
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
 *
 * <p><b>Forgetting.</b> Built with a half-life {@code h} (in outcomes), the store also keeps, per
 * pattern and domain, the evidence still believed: each outcome weighs {@code 2^(-k/h)} once {@code
 * k} more outcomes were recorded in its domain (whichever pattern they were for), so a pattern that
 * is not chosen forgets too and is explored again. The domain's outcome count is the clock. The
 * weights are kept exactly and independently of the order in which concurrent outcomes arrive: each
 * counter holds its decayed sums and the clock tick they are valid at, and an outcome from an
 * earlier tick is added with its own weight instead of decaying the sums back. Without a half-life
 * (the default) the effective evidence is the counts.
 */
public final class InMemoryConfidenceStore implements ConfidenceStore {

  static final int SMALL = 16;

  // The half-life in outcomes of the domain, or infinity: never forget.
  private final double halfLife;
  // Domain to its clock: how many outcomes were recorded in it. Only when forgetting; never reset
  // (one entry per domain ever seen).
  private final ConcurrentHashMap<String, AtomicLong> clocks = new ConcurrentHashMap<>();

  /** A store that never forgets: the effective evidence is the counts. */
  public InMemoryConfidenceStore() {
    this(Double.POSITIVE_INFINITY);
  }

  /**
   * A store whose evidence halves every {@code halfLife} outcomes of the domain.
   *
   * @param halfLife at least 1, or {@link Double#POSITIVE_INFINITY} to never forget
   * @throws IllegalArgumentException naming the value when it is below 1 or not a number
   */
  public InMemoryConfidenceStore(double halfLife) {
    if (!(halfLife >= 1)) {
      throw new IllegalArgumentException(
          "half-life must be at least 1 outcome (or infinite) but was " + halfLife);
    }
    this.halfLife = halfLife;
  }

  /** Returns the half-life in outcomes of the domain; infinite when it never forgets. */
  public double halfLife() {
    return halfLife;
  }

  private boolean forgets() {
    return halfLife != Double.POSITIVE_INFINITY;
  }

  private long now(String domain) {
    AtomicLong clock = clocks.get(domain);
    return clock == null ? 0 : clock.get();
  }

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
    if (counts instanceof Decaying d) {
      d.weigh(success, clocks.computeIfAbsent(domain, k -> new AtomicLong()).incrementAndGet());
    }
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
          Counts c = forgets() ? new Decaying(domain, halfLife) : new Counts(domain);
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
    return counts == null ? ConfidenceStats.EMPTY : counts.snapshot(now(domain));
  }

  @Override
  public ConfidenceStats stats(String patternName) {
    Object table = byPattern.get(patternName);
    if (table == null) {
      return ConfidenceStats.EMPTY;
    }
    ConfidenceStats[] sum = {ConfidenceStats.EMPTY};
    forEach(table, c -> sum[0] = sum[0].plus(c.snapshot(now(c.domain))));
    return sum[0];
  }

  @Override
  public Map<String, ConfidenceStats> statsByDomain(String patternName) {
    Object table = byPattern.get(patternName);
    Map<String, ConfidenceStats> out = new TreeMap<>();
    if (table != null) {
      forEach(table, c -> out.put(c.domain, c.snapshot(now(c.domain))));
    }
    return out;
  }

  @Override
  public void reset(String patternName) {
    byPattern.remove(patternName);
  }

  @Override
  public void resetAll() {
    // The domain clocks stay: they only ever advance, so an outcome recorded while this runs gets
    // a tick of the clock every later outcome continues (a cleared clock would restart below it).
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

  /**
   * The counts of one pattern in one domain: 32 bytes instead of two LongAdders and a holder (56
   * with the decayed sums of {@link Decaying}).
   */
  private static class Counts {
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

    /** The stats at clock tick {@code now} of the domain. */
    ConfidenceStats snapshot(long now) {
      return new ConfidenceStats(successes, failures);
    }
  }

  /**
   * Counts that also keep the decayed evidence: the sums of the weights as of clock tick {@code
   * tick}. Updated under its own monitor (one pattern in one domain: no global lock).
   */
  private static final class Decaying extends Counts {
    private final double halfLife;
    private double weightedSuccesses;
    private double weightedFailures;
    private long tick;

    Decaying(String domain, double halfLife) {
      super(domain);
      this.halfLife = halfLife;
    }

    /** Adds an outcome recorded at clock tick {@code at}, exactly whatever the order. */
    synchronized void weigh(boolean success, long at) {
      if (at >= tick) {
        double keep = Math.pow(2, -(at - tick) / halfLife);
        weightedSuccesses *= keep;
        weightedFailures *= keep;
        tick = at;
        if (success) {
          weightedSuccesses += 1;
        } else {
          weightedFailures += 1;
        }
      } else {
        // Came in after a later outcome: added with the weight it has at the current tick.
        double weight = Math.pow(2, -(tick - at) / halfLife);
        if (success) {
          weightedSuccesses += weight;
        } else {
          weightedFailures += weight;
        }
      }
    }

    @Override
    ConfidenceStats snapshot(long now) {
      long s = successes();
      long f = failures();
      double ws;
      double wf;
      synchronized (this) {
        double keep = now > tick ? Math.pow(2, -(now - tick) / halfLife) : 1.0;
        ws = weightedSuccesses * keep;
        wf = weightedFailures * keep;
      }
      // The counts were read first: a concurrent outcome may be in the weights but not yet in the
      // counts, so the weights are bounded by them.
      return new ConfidenceStats(Math.max(s, 0), Math.max(f, 0), Math.min(ws, s), Math.min(wf, f));
    }
  }
}
