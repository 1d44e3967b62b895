package io.ndp.core.internal;

import com.github.benmanes.caffeine.cache.Ticker;
import com.google.common.collect.ImmutableSortedMap;
import io.ndp.api.ConfidenceStats;
import io.ndp.api.ConfidenceStore;
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
    double before = w.knows(pattern, domain) ? Double.NaN : stats(pattern, domain).score();
    recordOnly(pattern, domain, success);
    return w.observe(pattern, domain, before, stats(pattern, domain).score());
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
  public void reset(String pattern) {
    store.reset(pattern);
    snapshots.invalidateAll();
    if (watch != null) {
      watch.forgetPattern(pattern);
    }
  }

  /** Forgets what was recorded in a domain, for every pattern: in the store, then in the cache. */
  public void resetDomain(String domain) {
    store.resetDomain(domain);
    snapshots.invalidateAll();
    if (watch != null) {
      watch.forgetDomain(domain);
    }
  }

  /** Forgets everything recorded. */
  public void resetAll() {
    store.resetAll();
    snapshots.invalidateAll();
    if (watch != null) {
      watch.forgetAll();
    }
  }

  /** Drops every cached snapshot; changes no result. */
  public void dropCache() {
    snapshots.invalidateAll();
  }
}
