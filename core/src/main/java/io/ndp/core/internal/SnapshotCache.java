package io.ndp.core.internal;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A Caffeine cache of immutable snapshots read from a store, which never runs store I/O under a
 * cache lock: a miss installs an incomplete future, reads the store outside any lock and completes
 * it; concurrent readers of the same key wait for that one read.
 *
 * <p>Writers write the store first, then {@link #invalidate}: a read that began before the
 * invalidation loses its entry, and one that begins after reads the new value, so the cache never
 * keeps a value older than the last write it was told of. Entries also expire after the configured
 * time, for stores that other processes write. Dropping everything at any moment changes no result,
 * only the cost of the next reads.
 *
 * <p>Thread-safe.
 *
 * @param <K> the key
 * @param <V> the snapshot, immutable; never null
 */
public final class SnapshotCache<K, V> {
  private final AsyncCache<K, V> cache;

  /**
   * @param maximumSize at most this many entries
   * @param expireAfterWrite how long an entry may be served, or null for as long as it is not
   *     invalidated or evicted
   * @param ticker the time source for expiry
   */
  public SnapshotCache(long maximumSize, @Nullable Duration expireAfterWrite, Ticker ticker) {
    Caffeine<Object, Object> b =
        Caffeine.newBuilder()
            .maximumSize(maximumSize)
            .ticker(ticker)
            // Maintenance (eviction, expiry, the bookkeeping after a load completes) runs on the
            // calling thread, amortised, instead of being handed to the common pool: every
            // recorded outcome invalidates entries, and waking a pool thread per call cost more
            // than the maintenance itself. No store I/O runs there (see get()).
            .executor(Runnable::run)
            .recordStats();
    if (expireAfterWrite != null) {
      b.expireAfterWrite(expireAfterWrite);
    }
    this.cache = b.buildAsync();
  }

  /**
   * Returns the cached snapshot of {@code key}, reading it with {@code loader} on a miss.
   *
   * @param key the key
   * @param loader reads the store; runs outside any cache lock
   * @return the snapshot
   */
  public V get(K key, Function<? super K, ? extends V> loader) {
    // Under the cache's lock only an empty future is created; the store is read after.
    @SuppressWarnings("unchecked")
    CompletableFuture<V>[] mine = new CompletableFuture[1];
    CompletableFuture<V> entry =
        cache.get(
            key,
            (k, executor) -> {
              mine[0] = new CompletableFuture<>();
              return mine[0];
            });
    if (entry != mine[0]) {
      try {
        return entry.join();
      } catch (CompletionException | CancellationException e) {
        // The other reader's load failed (its entry is gone); read for ourselves.
        return loader.apply(key);
      }
    }
    try {
      V value = loader.apply(key);
      entry.complete(value);
      return value;
    } catch (Throwable e) {
      // Whatever the store threw (even a checked exception thrown sneakily), the entry must not
      // stay incomplete: waiting readers would block on it forever.
      cache.asMap().remove(key, entry);
      entry.completeExceptionally(e);
      throw e;
    }
  }

  /** Forgets one entry, after its store value changed. */
  public void invalidate(K key) {
    cache.asMap().remove(key);
  }

  /** Forgets every entry. */
  public void invalidateAll() {
    cache.synchronous().invalidateAll();
  }

  /** Returns the hit, miss and eviction counts. */
  public com.github.benmanes.caffeine.cache.stats.CacheStats stats() {
    return cache.synchronous().stats();
  }

  /** Returns the number of entries now (approximate). */
  public long size() {
    return cache.synchronous().estimatedSize();
  }
}
