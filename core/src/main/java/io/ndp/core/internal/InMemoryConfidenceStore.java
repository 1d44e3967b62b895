package io.ndp.core.internal;

import io.ndp.api.ConfidenceStats;
import io.ndp.api.ConfidenceStore;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * Confidence counts in memory: per pattern, per domain, the successes and failures, and when
 * forgetting the evidence still believed. Thread-safe; no outcome is lost under contention. Forgets
 * everything when the process ends.
 *
 * <p><b>Forgetting.</b> Built with a half-life {@code h} (in outcomes), the store also keeps, per
 * pattern and domain, the evidence still believed: each outcome weighs {@code 2^(-k/h)} once {@code
 * k} more outcomes were recorded in its domain (whichever pattern they were for), so a pattern that
 * is not chosen forgets too and is explored again. The domain's outcome count is the clock (one per
 * domain ever seen, never reset). The weights are kept exactly and independently of the order in
 * which concurrent outcomes arrive: each pattern and domain holds its decayed sums and the clock
 * tick they are valid at, and an outcome from an earlier tick is added with its own weight instead
 * of decaying the sums back. Without a half-life (the default) the effective evidence is the
 * counts.
 *
 * <p><b>Layout.</b> A runtime holds one entry per pattern and domain, so the store is compact. Each
 * domain gets a small number, its id, once per store. Each pattern is one {@code Entry} (16 bytes)
 * whose table is, while the pattern has at most {@value #SMALL} domains, one {@code long[]}:
 *
 * <pre>
 * [0]                    header: a version (see below) and the number of domains n (low 8 bits)
 * [1 .. 1+ceil(n/2))     the domains' ids, two ints to a long, in the order they were added
 * then per domain i      frozen flag | successes &lt;&lt; 32 | failures   (31-bit counts)
 *   when forgetting      + the clock tick, the decayed successes, the decayed failures (doubles)
 * </pre>
 *
 * <p>With 10 domains a pattern costs 160 bytes (400 when forgetting) instead of one 32-byte object
 * per domain plus their array (376 bytes; 696 when forgetting). The decayed sums stay doubles:
 * floats would round them by about 1e-7 of their value at each outcome. A pattern that gets more
 * than {@value #SMALL} domains, or a count beyond 31 bits (2 billion outcomes in one domain), moves
 * to a map from domain to one {@code long[]} per domain holding a version and full {@code long}
 * counts (and the tick and decayed sums). The ids and clocks of the domains are kept for every
 * domain ever seen, whether or not the store forgets.
 *
 * <p><b>Concurrency.</b> A table is replaced (a domain added, or the pattern moved to its map) only
 * under the entry's monitor, by a copy of the current table published before the monitor is
 * released. Without forgetting an outcome is one compare-and-set on its domain's counts, no lock
 * (in the map, one atomic add); the copy sets the frozen flag of each count in the old array with
 * an atomic or as it reads it, so no compare-and-set succeeds in the old array after its copy: a
 * writer that finds a frozen count takes the monitor, which it gets once the copy is published, and
 * tries again on it. With forgetting the counts, tick and sums of an outcome are written together
 * under the entry's monitor, between two increments of the array's version (odd while writing).
 * Either way no outcome is lost. The clock tick of an outcome is taken before the monitor, which is
 * why outcomes may reach it out of tick order (see above).
 *
 * <p>Reads take no lock: a reader reads the table once and copies what it needs between two reads
 * of the version, keeping the copy only when the version was even and unchanged (a seqlock; a store
 * that does not forget never changes the version, each of its counts is one word). A forgetting
 * store's numbers are thus from one moment (all of a pattern's domains together: those of a pattern
 * in the map are read under its monitor), and the decayed sums never exceed the counts (up to
 * rounding, which is clamped). A reader holding a replaced table reads it as it was when it was
 * copied, still a moment within the read. After a few failed tries a reader copies under the
 * monitor, so that a stream of writes cannot starve it. {@link #reset} and {@link #resetAll} drop
 * entries; an outcome recorded concurrently into a dropped entry is ordered before the reset.
 */
public final class InMemoryConfidenceStore implements ConfidenceStore {

  /** Domains a pattern keeps in its compact array; more and it moves to a map. */
  static final int SMALL = 16;

  /** The largest count a compact array holds: 31 bits (the 32nd marks a frozen array). */
  static final long COMPACT_MAX = 0x7FFF_FFFFL;

  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
  // Header of a compact array or a map's record: a version in the high bits, n in the low 8.
  private static final long SIZE_MASK = 0xFF;
  private static final long VERSION_ONE = 1L << 8;
  private static final long LOW_32 = 0xFFFF_FFFFL;
  // In a compact array's counts: set once the array was copied, no compare-and-set succeeds after.
  private static final long FROZEN = 1L << 63;
  // Optimistic reads tried before a reader takes the monitor.
  private static final int OPTIMISTIC_TRIES = 8;
  // Decay factors cached for the small tick distances recording meets most.
  private static final int CACHED_DECAYS = 64;

  // The half-life in outcomes of the domain, or infinity: never forget.
  private final double halfLife;
  private final boolean forgets;
  // Longs per domain in a compact array, and in a map's record (with its version).
  private final int stride;
  private final int wideLength;
  // COMPACT_MAX, lower only in tests: counts above it move a pattern to the map.
  private final long compactMax;
  // 2^(-k / halfLife) for k below CACHED_DECAYS; empty when not forgetting.
  private final double[] decays;

  // Domain name to its id and clock: one per domain ever seen, never removed (the clocks only
  // advance, so an outcome recorded during resetAll continues the clock every later one reads).
  private final ConcurrentHashMap<String, Domain> domains = new ConcurrentHashMap<>();
  // Domain by id; grown, and its new slot written, under domainLock before the domain is published.
  private volatile Domain[] domainsById = new Domain[16];
  private final Object domainLock = new Object();
  private final ConcurrentHashMap<String, Entry> byPattern = new ConcurrentHashMap<>();

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
    this(halfLife, COMPACT_MAX);
  }

  /** For tests: counts above {@code compactMax} move a pattern to the map, as 32 bits would. */
  InMemoryConfidenceStore(double halfLife, long compactMax) {
    if (!(halfLife >= 1)) {
      throw new IllegalArgumentException(
          "half-life must be at least 1 outcome (or infinite) but was " + halfLife);
    }
    if (compactMax < 1 || compactMax > COMPACT_MAX) {
      throw new IllegalArgumentException("compactMax out of range: " + compactMax);
    }
    this.halfLife = halfLife;
    this.forgets = halfLife != Double.POSITIVE_INFINITY;
    this.stride = forgets ? 4 : 1;
    this.wideLength = forgets ? 6 : 3;
    this.compactMax = compactMax;
    this.decays = new double[forgets ? CACHED_DECAYS : 0];
    for (int k = 0; k < decays.length; k++) {
      decays[k] = Math.pow(2, -k / halfLife);
    }
  }

  /** Returns the half-life in outcomes of the domain; infinite when it never forgets. */
  public double halfLife() {
    return halfLife;
  }

  @Override
  public void recordOutcome(String patternName, String domain, boolean success) {
    require(patternName, "patternName");
    require(domain, "domain");
    Domain d = domain(domain);
    if (forgets) {
      // Taken before the monitor: outcomes may reach it out of tick order, weighed exactly.
      long tick = d.clock.incrementAndGet();
      recordWeighed(entry(patternName, d), d, success, tick);
    } else {
      recordCounted(entry(patternName, d), d, success);
    }
  }

  private Entry entry(String patternName, Domain d) {
    Entry e = byPattern.get(patternName);
    return e != null ? e : byPattern.computeIfAbsent(patternName, k -> new Entry(firstTable(d.id)));
  }

  /**
   * Without forgetting: one compare-and-set on the domain's counts, no lock; a domain is added, or
   * the pattern moved to its map, under the monitor.
   */
  private void recordCounted(Entry e, Domain d, boolean success) {
    for (; ; ) {
      Object table = e.table;
      if (!(table instanceof long[] a)) {
        long[] record = wideRecord(wide(table), d);
        SLOT.getAndAdd(record, success ? 1 : 2, 1L);
        return;
      }
      int i = indexOf(a, d.id);
      if (i >= 0) {
        int r = recordAt(a, i);
        long counts = (long) SLOT.getVolatile(a, r);
        if ((counts & FROZEN) == 0 && fits(counts, success)) {
          if (SLOT.compareAndSet(a, r, counts, counts + (success ? 1L << 32 : 1L))) {
            return;
          }
          continue; // another outcome came first
        }
      }
      synchronized (e) {
        // A frozen array was already replaced (before the monitor was released): try again.
        if (e.table == a && !canAdd(a, d, success)) {
          e.table = grow(a, d);
        }
      }
    }
  }

  /** With forgetting: the counts, the tick and the decayed sums together, under the monitor. */
  private void recordWeighed(Entry e, Domain d, boolean success, long tick) {
    synchronized (e) {
      Object table = e.table;
      if (table instanceof long[] a) {
        if (!canAdd(a, d, success)) {
          table = grow(a, d);
          e.table = table;
        }
        if (table instanceof long[] b) {
          int r = recordAt(b, indexOf(b, d.id));
          long counts = b[r];
          beginWrite(b);
          SLOT.setOpaque(b, r, counts + (success ? 1L << 32 : 1L));
          weigh(b, r + 1, success, tick);
          endWrite(b);
          return;
        }
      }
      long[] record = wideRecord(wide(table), d);
      int at = success ? 1 : 2;
      beginWrite(record);
      SLOT.setOpaque(record, at, record[at] + 1);
      weigh(record, 3, success, tick);
      endWrite(record);
    }
  }

  /** True: a read is a map lookup, no cache in front of it would be cheaper. */
  @Override
  public boolean readsAreCheap() {
    return true;
  }

  @Override
  public ConfidenceStats stats(String patternName, String domain) {
    require(patternName, "patternName");
    require(domain, "domain");
    Domain d = domains.get(domain);
    if (d == null) {
      return ConfidenceStats.EMPTY;
    }
    Entry e = byPattern.get(patternName);
    if (e == null) {
      return ConfidenceStats.EMPTY;
    }
    Object table = e.table;
    if (table instanceof long[] a) {
      int i = indexOf(a, d.id);
      return i < 0 ? ConfidenceStats.EMPTY : compactStats(read(e, a, recordAt(a, i), stride), 0, d);
    }
    long[] record = wide(table).get(d);
    return record == null ? ConfidenceStats.EMPTY : wideStats(read(e, record), d);
  }

  @Override
  public ConfidenceStats stats(String patternName) {
    require(patternName, "patternName");
    ConfidenceStats[] sum = {ConfidenceStats.EMPTY};
    forEachDomain(patternName, (d, s) -> sum[0] = sum[0].plus(s));
    return sum[0];
  }

  /**
   * Answers from the pattern's table without copying it: its domains are there exactly when they
   * recorded an outcome (a domain's slot is made by its first outcome), and the ids of a published
   * array never change.
   */
  @Override
  public boolean hasOutcomesOutside(String patternName, String domain) {
    require(patternName, "patternName");
    Entry e = byPattern.get(patternName);
    if (e == null) {
      return false;
    }
    Domain d = domain == null ? null : domains.get(domain);
    Object table = e.table;
    if (table instanceof long[] a) {
      int n = size(a);
      return n > 1 || (n == 1 && (d == null || idAt(a, 0) != d.id));
    }
    Map<Domain, long[]> map = wide(table);
    int n = map.size();
    return n > 1 || (n == 1 && (d == null || !map.containsKey(d)));
  }

  @Override
  public Map<String, ConfidenceStats> statsByDomain(String patternName) {
    require(patternName, "patternName");
    Map<String, ConfidenceStats> out = new TreeMap<>();
    forEachDomain(patternName, (d, s) -> out.put(d.name, s));
    return out;
  }

  /** Passes each domain of a pattern with its stats; nothing when the pattern is unknown. */
  private void forEachDomain(String patternName, BiConsumer<Domain, ConfidenceStats> action) {
    Entry e = byPattern.get(patternName);
    if (e == null) {
      return;
    }
    Object table = e.table;
    if (table instanceof long[] a) {
      // The whole array at one moment: the domains agree with each other too.
      long[] copy = read(e, a, 0, a.length);
      Domain[] byId = domainsById;
      for (int i = 0, n = size(copy); i < n; i++) {
        Domain d = byId[idAt(copy, i)];
        action.accept(d, compactStats(copy, recordAt(copy, i), d));
      }
    } else if (forgets) {
      // Each domain is its own record here: read them all under the monitor every write of a
      // forgetting store holds, so that the domains agree with each other as in the array.
      synchronized (e) {
        Object now = e.table;
        if (now instanceof long[]) {
          forEachDomain(patternName, action); // moved back meanwhile: read it as an array
          return;
        }
        wide(now).forEach((d, record) -> action.accept(d, wideStats(read(e, record), d)));
      }
    } else {
      // Counts without a lock: each domain is exact at its own moment (see the class Javadoc).
      wide(table).forEach((d, record) -> action.accept(d, wideStats(read(e, record), d)));
    }
  }

  @Override
  public void reset(String patternName) {
    require(patternName, "patternName");
    byPattern.remove(patternName);
  }

  /**
   * Drops the domain from every pattern's table, under each pattern's monitor; the domain's clock
   * stays. Like {@link #reset}, an outcome recorded concurrently into a dropped record is ordered
   * before the reset: the copy freezes the old array's counts, so a lock-free writer retries on the
   * new table (and counts after the reset) unless its add landed before the copy.
   */
  @Override
  public void resetDomain(String domain) {
    require(domain, "domain");
    Domain d = domains.get(domain);
    if (d == null) {
      return;
    }
    for (Entry e : byPattern.values()) {
      synchronized (e) {
        Object table = e.table;
        if (table instanceof long[] a) {
          int i = indexOf(a, d.id);
          if (i >= 0) {
            e.table = without(a, i);
          }
        } else {
          wide(table).remove(d);
        }
      }
    }
  }

  /** A compact array without its {@code index}-th domain; freezes a's counts as it copies them. */
  private long[] without(long[] a, int index) {
    int n = size(a);
    long[] b = new long[1 + (n >> 1) + (n - 1) * stride];
    b[0] = n - 1; // version 0
    int j = 0;
    for (int i = 0; i < n; i++) {
      int from = recordAt(a, i);
      long counts = freeze(a, from);
      if (i == index) {
        continue;
      }
      int id = idAt(a, i);
      b[1 + (j >> 1)] |= (j & 1) == 0 ? id & LOW_32 : (long) id << 32;
      int to = recordAt(b, j);
      b[to] = counts;
      System.arraycopy(a, from + 1, b, to + 1, stride - 1);
      j++;
    }
    return b;
  }

  @Override
  public void resetAll() {
    // The domain clocks stay: they only ever advance, so an outcome recorded while this runs gets
    // a tick of the clock every later outcome continues (a cleared clock would restart below it).
    byPattern.clear();
  }

  private static void require(String value, String name) {
    if (value == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
  }

  /** The domain of that name, given the next id when first seen. */
  private Domain domain(String name) {
    Domain d = domains.get(name);
    if (d != null) {
      return d;
    }
    synchronized (domainLock) {
      d = domains.get(name);
      if (d == null) {
        int id = domains.size();
        Domain[] byId = domainsById;
        if (id == byId.length) {
          byId = Arrays.copyOf(byId, id * 2);
        }
        d = new Domain(name, id);
        byId[id] = d;
        domainsById = byId;
        // Published last: whoever finds the domain (and so any id written into a table from it)
        // also finds it in domainsById.
        domains.put(name, d);
      }
      return d;
    }
  }

  // ---- compact arrays

  private static int size(long[] a) {
    return (int) ((long) SLOT.getOpaque(a, 0) & SIZE_MASK);
  }

  private static int idAt(long[] a, int i) {
    long ids = a[1 + (i >> 1)]; // ids never change once the array is published
    return (int) ((i & 1) == 0 ? ids : ids >>> 32);
  }

  private static int indexOf(long[] a, int id) {
    for (int i = 0, n = size(a); i < n; i++) {
      if (idAt(a, i) == id) {
        return i;
      }
    }
    return -1;
  }

  private int recordAt(long[] a, int i) {
    return 1 + ((size(a) + 1) >> 1) + i * stride;
  }

  /** A compact array holding one domain, its counts zero. */
  private long[] firstTable(int id) {
    long[] a = new long[2 + stride];
    a[0] = 1; // version 0, one domain
    a[1] = id & LOW_32;
    return a;
  }

  /** Whether the counts of one more outcome fit in a compact array's 31 bits. */
  private boolean fits(long counts, boolean success) {
    return (success ? (counts & ~FROZEN) >>> 32 : counts & LOW_32) < compactMax;
  }

  /** Whether a compact array takes the outcome as it is: it has the domain, with room. */
  private boolean canAdd(long[] a, Domain d, boolean success) {
    int i = indexOf(a, d.id);
    // Read as the compare-and-sets write it: lock-free writers may be adding to it.
    return i >= 0 && fits((long) SLOT.getVolatile(a, recordAt(a, i)), success);
  }

  /**
   * The table replacing a compact array that lacks the domain or room for a count: the array with
   * the domain added, or past {@value #SMALL} domains or 31 bits the map. Under the monitor;
   * freezes a's counts as it copies them, so that no compare-and-set lands in a after its copy.
   */
  private Object grow(long[] a, Domain d) {
    int n = size(a);
    if (indexOf(a, d.id) >= 0 || n == SMALL) {
      return widen(a);
    }
    long[] b = new long[1 + ((n + 2) >> 1) + (n + 1) * stride];
    b[0] = n + 1; // version 0
    System.arraycopy(a, 1, b, 1, (n + 1) >> 1);
    b[1 + (n >> 1)] |= (n & 1) == 0 ? d.id & LOW_32 : (long) d.id << 32;
    for (int i = 0; i < n; i++) {
      int from = recordAt(a, i);
      int to = recordAt(b, i);
      b[to] = freeze(a, from);
      System.arraycopy(a, from + 1, b, to + 1, stride - 1);
    }
    return b;
  }

  /** Freezes the counts at {@code a[r]}: returns them as they were; no later add succeeds. */
  private static long freeze(long[] a, int r) {
    return (long) SLOT.getAndBitwiseOr(a, r, FROZEN) & ~FROZEN;
  }

  private ConfidenceStats compactStats(long[] copy, int r, Domain d) {
    long counts = copy[r] & ~FROZEN;
    return stats(counts >>> 32, counts & LOW_32, copy, r + 1, d);
  }

  // ---- the map past SMALL domains: domain to [version, successes, failures, (tick, ws, wf)]

  @SuppressWarnings("unchecked")
  private static ConcurrentHashMap<Domain, long[]> wide(Object table) {
    return (ConcurrentHashMap<Domain, long[]>) table;
  }

  /** The map holding the same numbers as a compact array, frozen; under the entry's monitor. */
  private ConcurrentHashMap<Domain, long[]> widen(long[] a) {
    int n = size(a);
    Domain[] byId = domainsById;
    ConcurrentHashMap<Domain, long[]> map = new ConcurrentHashMap<>(2 * SMALL + 2);
    for (int i = 0; i < n; i++) {
      int r = recordAt(a, i);
      long counts = freeze(a, r);
      long[] record = new long[wideLength];
      record[1] = counts >>> 32;
      record[2] = counts & LOW_32;
      if (forgets) {
        System.arraycopy(a, r + 1, record, 3, 3);
      }
      map.put(byId[idAt(a, i)], record);
    }
    return map;
  }

  /** The record of a domain in a map, added when missing. */
  private long[] wideRecord(ConcurrentHashMap<Domain, long[]> map, Domain d) {
    long[] record = map.get(d);
    return record != null ? record : map.computeIfAbsent(d, k -> new long[wideLength]);
  }

  private ConfidenceStats wideStats(long[] copy, Domain d) {
    return stats(copy[1], copy[2], copy, 3, d);
  }

  // ---- shared by both

  /** Marks the array as being written: readers retry until {@link #endWrite}. */
  private static void beginWrite(long[] a) {
    SLOT.setOpaque(a, 0, a[0] + VERSION_ONE);
    VarHandle.storeStoreFence(); // the odd version is seen before any value written after it
  }

  private static void endWrite(long[] a) {
    SLOT.setRelease(a, 0, a[0] + VERSION_ONE); // the values are seen before the even version
  }

  /** The whole of a map's record, as of one moment. */
  private static long[] read(Entry e, long[] record) {
    return read(e, record, 0, record.length);
  }

  /**
   * {@code a[from, from + length)} as of one moment: copied between two reads of the version when
   * no writer intervened, else under the entry's monitor (where no writer is busy).
   */
  private static long[] read(Entry e, long[] a, int from, int length) {
    long[] copy = new long[length];
    for (int attempt = 0; attempt < OPTIMISTIC_TRIES; attempt++) {
      long version = (long) SLOT.getAcquire(a, 0);
      if ((version & VERSION_ONE) == 0) {
        for (int k = 0; k < length; k++) {
          copy[k] = (long) SLOT.getOpaque(a, from + k);
        }
        VarHandle.acquireFence(); // the copy is read before the version is read again
        if ((long) SLOT.getOpaque(a, 0) == version) {
          return copy;
        }
      }
      Thread.onSpinWait();
    }
    synchronized (e) {
      System.arraycopy(a, from, copy, 0, length);
    }
    return copy;
  }

  /**
   * Adds an outcome recorded at clock tick {@code at} to the tick and decayed sums at {@code a[w, w
   * + 3)}, exactly whatever the order; under the entry's monitor, between beginWrite and endWrite.
   */
  private void weigh(long[] a, int w, boolean success, long at) {
    long tick = a[w];
    double successes = Double.longBitsToDouble(a[w + 1]);
    double failures = Double.longBitsToDouble(a[w + 2]);
    if (at >= tick) {
      double keep = decay(at - tick);
      successes *= keep;
      failures *= keep;
      tick = at;
      if (success) {
        successes += 1;
      } else {
        failures += 1;
      }
    } else {
      // Came in after a later outcome: added with the weight it has at the current tick.
      double weight = decay(tick - at);
      if (success) {
        successes += weight;
      } else {
        failures += weight;
      }
    }
    SLOT.setOpaque(a, w, tick);
    SLOT.setOpaque(a, w + 1, Double.doubleToRawLongBits(successes));
    SLOT.setOpaque(a, w + 2, Double.doubleToRawLongBits(failures));
  }

  /** {@code 2^(-k / halfLife)} for {@code k >= 0} outcomes. */
  private double decay(long k) {
    return k < decays.length ? decays[(int) k] : Math.pow(2, -k / halfLife);
  }

  /**
   * The stats of counts and, when forgetting, the tick and decayed sums at {@code copy[w, w + 3)},
   * decayed to the domain's clock now.
   */
  private ConfidenceStats stats(long successes, long failures, long[] copy, int w, Domain d) {
    if (!forgets) {
      return new ConfidenceStats(successes, failures);
    }
    long tick = copy[w];
    long now = d.clock.get(); // read after the copy: at least its tick
    double keep = now > tick ? decay(now - tick) : 1.0;
    double ws = Double.longBitsToDouble(copy[w + 1]) * keep;
    double wf = Double.longBitsToDouble(copy[w + 2]) * keep;
    // One moment's numbers: the sums are within the counts but for rounding.
    return new ConfidenceStats(
        successes, failures, Math.min(ws, successes), Math.min(wf, failures));
  }

  /** A pattern: its table, replaced under this object's monitor, which guards all its writes. */
  private static final class Entry {
    // A compact long[] or a ConcurrentHashMap<Domain, long[]>.
    volatile Object table;

    Entry(long[] table) {
      this.table = table;
    }
  }

  /** A domain of this store: its id in compact arrays and its clock. */
  private static final class Domain {
    final String name;
    final int id;
    // Outcomes recorded in this domain (only when forgetting): the clock ticks.
    final AtomicLong clock = new AtomicLong();

    Domain(String name, int id) {
      this.name = name;
      this.id = id;
    }
  }
}
