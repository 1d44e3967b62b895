package io.ndp.core.internal;

import com.github.benmanes.caffeine.cache.Ticker;
import com.google.common.collect.ImmutableSortedMap;
import io.ndp.api.ConfidenceStats;
import io.ndp.api.ConfidenceStore;
import io.ndp.api.Prior;
import io.ndp.api.event.ConfidenceThresholdCrossedEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The one owner of a runtime's confidence statistics: records outcomes into a {@link
 * ConfidenceStore} and answers reads from a cache of snapshots in front of it, or straight from the
 * store when its {@linkplain ConfidenceStore#readsAreCheap() reads are as cheap} (in memory).
 *
 * <p>Every write goes to the store first and then invalidates the snapshots it changed; no store
 * I/O runs under a cache lock (see {@link SnapshotCache}). Snapshots also expire after the
 * configured time, so that a store shared by several processes is re-read.
 *
 * <p>Thread-safe.
 */
public final class ConfidenceService {

  /** Snapshots kept at most, by default. */
  public static final long DEFAULT_CACHE_SIZE = 10_000;

  private final ConfidenceStore store;
  private final SnapshotCache<Key, ConfidenceStats> snapshots;
  // The store's reads are as cheap as the cache's (in memory): read it directly, and skip the
  // invalidation every outcome would cost.
  private final boolean direct;
  // Null when nobody listens: recording then reads nothing more than before.
  private final @Nullable ConfidenceWatch watch;
  // The prior each pattern's score is read under (its Pattern.prior() when it was last
  // registered), kept after it is withdrawn; set by the owning registry through setPrior.
  private final java.util.concurrent.ConcurrentHashMap<String, Prior> priors =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** A pattern in one domain, or over all domains when {@code domain} is null. */
  private record Key(String pattern, @Nullable String domain) {}

  /**
   * @param store where the counts live
   * @param cacheSize snapshots kept at most
   * @param expireAfterWrite how long a snapshot may be served, or null until invalidated
   * @param ticker the time source for expiry
   */
  public ConfidenceService(
      ConfidenceStore store, long cacheSize, @Nullable Duration expireAfterWrite, Ticker ticker) {
    this(store, cacheSize, expireAfterWrite, ticker, null);
  }

  /**
   * @param store where the counts live
   * @param cacheSize snapshots kept at most
   * @param expireAfterWrite how long a snapshot may be served, or null until invalidated
   * @param ticker the time source for expiry
   * @param watchedThresholds null: crossings are not watched; otherwise {@link #record} reports
   *     changes of level and crossings of these thresholds (each in {@code (0, 1]})
   */
  public ConfidenceService(
      ConfidenceStore store,
      long cacheSize,
      @Nullable Duration expireAfterWrite,
      Ticker ticker,
      double @Nullable [] watchedThresholds) {
    this.store = store;
    this.snapshots = new SnapshotCache<>(cacheSize, expireAfterWrite, ticker);
    this.direct = store.readsAreCheap();
    this.watch = watchedThresholds == null ? null : new ConfidenceWatch(watchedThresholds);
  }

  /** An in-memory service with the default cache and no expiry. */
  public static ConfidenceService inMemory() {
    return new ConfidenceService(
        new InMemoryConfidenceStore(), DEFAULT_CACHE_SIZE, null, Ticker.systemTicker());
  }

  /**
   * {@return the prior the scores of {@code pattern} are read under: the one it was last registered
   * with (kept after it is withdrawn), neutral for a name never registered}
   */
  public Prior priorOf(String pattern) {
    return priors.getOrDefault(pattern, Prior.NEUTRAL);
  }

  /** {@return the names of every pattern ever registered with this service} */
  public java.util.Set<String> knownPatterns() {
    return java.util.Collections.unmodifiableSet(priors.keySet());
  }

  /**
   * Reads {@code pattern}'s scores under {@code prior} from now on. When it had another prior, its
   * confidence moved without an outcome: the lines that moved crossed are returned and queued for
   * {@link #deliverCrossings} (old value: the score under the old prior). The change is made while
   * holding the locks of the pattern's domains, so that an outcome recorded meanwhile is read
   * wholly under the old prior or wholly under the new one: one chain of events per pattern and
   * domain. Never throws for a store that cannot be read: the prior changes, and no crossing is
   * reported.
   *
   * @return the crossings; empty (and nothing read) when not watched
   */
  public List<ConfidenceThresholdCrossedEvent> setPrior(String pattern, Prior prior) {
    ConfidenceWatch w = watch;
    if (w == null) {
      priors.put(pattern, prior);
      return List.of();
    }
    Map<String, ConfidenceStats> byDomain;
    try {
      byDomain = store.statsByDomain(pattern);
    } catch (RuntimeException e) {
      priors.put(pattern, prior);
      return List.of();
    }
    List<java.util.concurrent.locks.Lock> held = w.locksFor(pattern, byDomain.keySet());
    held.forEach(java.util.concurrent.locks.Lock::lock);
    try {
      Prior before = priors.put(pattern, prior);
      if (before == null || before.equals(prior)) {
        return List.of();
      }
      List<ConfidenceThresholdCrossedEvent> out = new java.util.ArrayList<>();
      for (Map.Entry<String, ConfidenceStats> e : byDomain.entrySet()) {
        ConfidenceStats now;
        try {
          now = store.stats(pattern, e.getKey()); // under the key's lock: no outcome in between
        } catch (RuntimeException unreadable) {
          now = e.getValue();
        }
        out.addAll(w.crossings(pattern, e.getKey(), now.score(before), now.score(prior)));
      }
      pending.addAll(out);
      return out;
    } finally {
      for (int k = held.size() - 1; k >= 0; k--) {
        held.get(k).unlock();
      }
    }
  }

  private double score(String pattern, ConfidenceStats stats) {
    return stats.score(priorOf(pattern));
  }

  /** Returns the store behind this service. */
  public ConfidenceStore store() {
    return store;
  }

  /**
   * Records one outcome: into the store first, then drops the snapshots it changed. When crossings
   * are watched, reads the score after it (and before it, the first time) and returns the lines it
   * crossed, for the caller to report once it holds no lock.
   *
   * @param pattern the pattern that ran
   * @param domain the context's domain
   * @param success whether it succeeded
   * @return the crossings; empty (and nothing read) when not watched
   */
  public List<ConfidenceThresholdCrossedEvent> record(
      String pattern, String domain, boolean success) {
    ConfidenceWatch w = watch;
    if (w == null) {
      recordOnly(pattern, domain, success);
      return List.of();
    }
    // Read from the store itself, not the snapshots: another runtime sharing the store may have
    // moved the score since this one last looked. Under the key's lock: in order per key.
    java.util.concurrent.locks.Lock lock = w.lockFor(pattern, domain);
    lock.lock();
    try {
      // One prior for both reads: an outcome is read wholly under the prior it started with, even
      // in a domain setPrior did not lock (its first outcome, recorded during the change).
      Prior prior = priorOf(pattern);
      double before = store.stats(pattern, domain).score(prior);
      recordOnly(pattern, domain, success);
      List<ConfidenceThresholdCrossedEvent> crossed =
          w.crossings(pattern, domain, before, store.stats(pattern, domain).score(prior));
      pending.addAll(crossed); // in the key's order: delivered in it by deliverCrossings
      return crossed;
    } finally {
      lock.unlock();
    }
  }

  private void recordOnly(String pattern, String domain, boolean success) {
    try {
      store.recordOutcome(pattern, domain, success);
    } finally {
      // Also when the store threw: it may have kept the outcome (buffered while its database is
      // down) and answer reads with it.
      if (!direct) {
        snapshots.invalidate(new Key(pattern, domain));
        snapshots.invalidate(new Key(pattern, null));
      }
    }
  }

  /** Returns the counts of a pattern in a domain. */
  public ConfidenceStats stats(String pattern, String domain) {
    if (direct) {
      return store.stats(pattern, domain);
    }
    return snapshots.get(new Key(pattern, domain), k -> store.stats(pattern, domain));
  }

  /** Returns the counts of a pattern over all domains. */
  public ConfidenceStats stats(String pattern) {
    if (direct) {
      return store.stats(pattern);
    }
    return snapshots.get(new Key(pattern, null), k -> store.stats(pattern));
  }

  /** Whether the pattern has outcomes in a domain other than {@code domain}. */
  public boolean hasOutcomesOutside(String pattern, String domain) {
    if (direct) {
      return store.hasOutcomesOutside(pattern, domain);
    }
    // Through the cached snapshots: more outcomes in all than here means some elsewhere.
    return stats(pattern).total() > stats(pattern, domain).total();
  }

  /**
   * Returns the counts of a pattern per domain, sorted, read from the store (a monitoring query).
   */
  public Map<String, ConfidenceStats> statsByDomain(String pattern) {
    return ImmutableSortedMap.copyOf(store.statsByDomain(pattern));
  }

  /** Forgets what was recorded for a pattern: in the store, then in the cache. */
  public List<ConfidenceThresholdCrossedEvent> reset(String pattern) {
    Map<String, Double> before = scores(List.of(pattern));
    store.reset(pattern);
    snapshots.invalidateAll();
    return crossedBy(before);
  }

  /** Forgets what was recorded in a domain, for every pattern: in the store, then in the cache. */
  public List<ConfidenceThresholdCrossedEvent> resetDomain(
      String domain, java.util.Collection<String> patterns) {
    Map<String, Double> before = scores(patterns);
    before.keySet().removeIf(k -> !k.endsWith('\u0000' + domain));
    store.resetDomain(domain);
    snapshots.invalidateAll();
    return crossedBy(before);
  }

  /** Forgets everything recorded. */
  public List<ConfidenceThresholdCrossedEvent> resetAll(java.util.Collection<String> patterns) {
    Map<String, Double> before = scores(patterns);
    store.resetAll();
    snapshots.invalidateAll();
    return crossedBy(before);
  }

  /**
   * When crossings are watched, the scores of these patterns in each domain they have outcomes in,
   * keyed {@code pattern NUL domain}; otherwise nothing is read.
   */
  private Map<String, Double> scores(java.util.Collection<String> patterns) {
    Map<String, Double> m = new java.util.LinkedHashMap<>();
    if (watch != null) {
      for (String p : patterns) {
        store.statsByDomain(p).forEach((d, s) -> m.put(p + '\u0000' + d, score(p, s)));
      }
    }
    return m;
  }

  /** The crossings a reset caused: each score read before it against the score after. */
  private List<ConfidenceThresholdCrossedEvent> crossedBy(Map<String, Double> before) {
    ConfidenceWatch w = watch;
    if (w == null || before.isEmpty()) {
      return List.of();
    }
    List<ConfidenceThresholdCrossedEvent> out = new java.util.ArrayList<>();
    before.forEach(
        (key, old) -> {
          int cut = key.indexOf('\u0000');
          String p = key.substring(0, cut);
          String d = key.substring(cut + 1);
          out.addAll(w.crossings(p, d, old, score(p, store.stats(p, d))));
        });
    pending.addAll(out);
    return out;
  }

  // Crossings in the order they happened (per key: under its lock), waiting to be delivered.
  private final java.util.concurrent.ConcurrentLinkedQueue<ConfidenceThresholdCrossedEvent>
      pending = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final java.util.concurrent.atomic.AtomicBoolean delivering =
      new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * Delivers the crossings waiting, in the order they happened, by one thread at a time and with no
   * lock held: a thread that finds another delivering leaves its crossings to it (so a listener
   * sees a pattern's crossings in a domain in order, each old value the previous new one). Call it
   * after releasing every lock.
   *
   * @param to the receiver of each crossing
   */
  public void deliverCrossings(java.util.function.Consumer<ConfidenceThresholdCrossedEvent> to) {
    while (!pending.isEmpty() && delivering.compareAndSet(false, true)) {
      try {
        for (ConfidenceThresholdCrossedEvent e = pending.poll(); e != null; e = pending.poll()) {
          to.accept(e);
        }
      } finally {
        delivering.set(false);
      }
    }
  }

  /** Drops every cached snapshot; changes no result. */
  public void dropCache() {
    snapshots.invalidateAll();
  }
}
