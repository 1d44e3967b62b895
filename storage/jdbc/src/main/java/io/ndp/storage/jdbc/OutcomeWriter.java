package io.ndp.storage.jdbc;

import io.ndp.api.StorageException;
import io.ndp.api.StorageUnavailableException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The buffer between recorders and the database: one writer thread commits what recorders enqueued,
 * in the order they enqueued it, many outcomes per transaction.
 *
 * <p>Every outcome gets a sequence number when enqueued; {@code committed} is the number of the
 * last one committed (batches are committed in order by the single writer thread). A recorder in
 * {@link Durability#SYNC} waits until its number is committed. In {@link Durability#BATCHED} a
 * recorder returns at once unless {@code maxUnflushed} outcomes are already enqueued and not
 * committed, in which case it waits for the commit that makes room: so while the database answers,
 * no more than {@code maxUnflushed} acknowledged outcomes are uncommitted at any time, and none for
 * longer than {@code maxDelay} plus one commit.
 *
 * <p>While the database is unavailable, outcomes wait in the buffer (in order, never dropped) up to
 * {@code bufferLimit}; the writer retries with a backoff, and commits them once it answers again. A
 * recorder beyond the limit gets a {@link StorageUnavailableException} and its outcome is not kept;
 * a SYNC recorder gets one at once while the database is known to be unavailable, its outcome kept
 * in the buffer.
 */
final class OutcomeWriter {
  private static final Logger log = LoggerFactory.getLogger(OutcomeWriter.class);
  private static final int MAX_BATCH = 10_000;
  private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** One outcome waiting for its commit. */
  record Outcome(String pattern, String domain, boolean success, long seq) {}

  /**
   * Writes a batch in one transaction and ends it with {@code finish}, or throws leaving nothing of
   * it committed.
   */
  interface Committer {
    void commit(List<Outcome> batch, Finish finish) throws StorageException;
  }

  /**
   * Commits the transaction and drops the batch from the pending outcomes, as one step for reads.
   */
  interface Finish {
    void commit(Connection connection) throws SQLException;
  }

  private final Committer committer;
  private final Durability durability;
  private final long maxDelayNanos;
  private final int maxUnflushed;
  private final int bufferLimit;
  private final long syncTimeoutNanos;
  private final String description;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final Condition progress = lock.newCondition();
  private final ArrayDeque<Outcome> queue = new ArrayDeque<>();
  // Guarded by lock.
  private long enqueued;
  private long committed;
  private long firstQueuedAtNanos;
  private boolean flushRequested;
  private boolean closing;
  private @Nullable StorageException failure; // the last commit's failure; null once one succeeds
  private final Thread thread;

  // Outcomes enqueued and not yet committed, per pattern and domain, for reads.
  private final Map<String, Map<String, long[]>> pending = new ConcurrentHashMap<>();
  private final LongAdder refused = new LongAdder();
  // Readers hold the read lock while they read the database and then the pending outcomes; the
  // writer holds the write lock while it commits and drops the batch from the pending outcomes.
  // So a read sees each outcome exactly once: committed, or pending.
  private final ReentrantReadWriteLock view = new ReentrantReadWriteLock();

  OutcomeWriter(
      Committer committer,
      Durability durability,
      Duration maxDelay,
      int maxUnflushed,
      int bufferLimit,
      Duration syncTimeout,
      String description) {
    this.committer = committer;
    this.durability = durability;
    this.maxDelayNanos = maxDelay.toNanos();
    this.maxUnflushed = maxUnflushed;
    this.bufferLimit = bufferLimit;
    this.syncTimeoutNanos = syncTimeout.toNanos();
    this.description = description;
    this.thread = new Thread(this::run, "ndp-outcome-writer");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Enqueues an outcome and waits as its durability requires.
   *
   * @throws StorageUnavailableException when it cannot be acknowledged: the buffer is full (the
   *     outcome is not kept), or in SYNC the database is unavailable (the outcome is kept)
   */
  void record(String pattern, String domain, boolean success) {
    long seq;
    lock.lock();
    try {
      if (closing) {
        throw new IllegalStateException("the storage " + description + " is closed");
      }
      long buffered = enqueued - committed;
      if (buffered >= bufferLimit) {
        refused.increment();
        throw new StorageUnavailableException(
            String.format(
                "outcome of %s in %s refused: %d outcomes already wait for %s (the buffer"
                    + " limit)",
                pattern, domain, buffered, description),
            failure);
      }
      seq = ++enqueued;
      if (queue.isEmpty()) {
        firstQueuedAtNanos = System.nanoTime();
      }
      queue.add(new Outcome(pattern, domain, success, seq));
      adjustPending(pattern, domain, success, 1);
      if (durability == Durability.SYNC || queue.size() >= maxUnflushed) {
        work.signal();
      }
      if (durability == Durability.SYNC) {
        awaitSync(seq, pattern, domain);
      } else {
        // Room for the next acknowledgement: while the database answers, wait for the commit.
        while (enqueued - committed > maxUnflushed && failure == null && !closing) {
          work.signal();
          progress.awaitUninterruptibly();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private void awaitSync(long seq, String pattern, String domain) {
    long deadline = System.nanoTime() + syncTimeoutNanos;
    while (committed < seq) {
      if (failure != null) {
        throw new StorageUnavailableException(
            String.format(
                "outcome of %s in %s is not committed: %s is unavailable; it is buffered (%d"
                    + " waiting) and will be committed when it answers again",
                pattern, domain, description, enqueued - committed),
            failure);
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new StorageUnavailableException(
            String.format(
                "outcome of %s in %s was not committed within %d ms; it stays buffered",
                pattern, domain, TimeUnit.NANOSECONDS.toMillis(syncTimeoutNanos)),
            failure);
      }
      try {
        progress.awaitNanos(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StorageUnavailableException(
            "interrupted while waiting for the commit of an outcome of "
                + pattern
                + " in "
                + domain
                + "; it stays buffered",
            null);
      }
    }
  }

  private void adjustPending(String pattern, String domain, boolean success, int delta) {
    Map<String, long[]> byDomain = pending.computeIfAbsent(pattern, k -> new ConcurrentHashMap<>());
    byDomain.compute(
        domain,
        (k, counts) -> {
          long[] c = counts == null ? new long[2] : counts.clone();
          c[success ? 0 : 1] += delta;
          return c[0] == 0 && c[1] == 0 ? null : c;
        });
    // The pattern's map stays (one per pattern ever recorded): removing it when empty would race
    // with a recorder adding to it.
  }

  /** Outcomes of a pattern enqueued and not yet committed, per domain: {successes, failures}. */
  Map<String, long[]> pending(String pattern) {
    Map<String, long[]> byDomain = pending.get(pattern);
    return byDomain == null ? Map.of() : Map.copyOf(byDomain);
  }

  /** The lock a reader holds across its database read and its read of {@link #pending}. */
  Lock readView() {
    return view.readLock();
  }

  /** Outcomes enqueued and not yet committed. */
  long buffered() {
    lock.lock();
    try {
      return enqueued - committed;
    } finally {
      lock.unlock();
    }
  }

  /** Outcomes refused because the buffer was full. */
  long refused() {
    return refused.sum();
  }

  /**
   * Waits until everything enqueued before this call is committed.
   *
   * @throws StorageUnavailableException when the database is unavailable, or it took longer than
   *     {@code timeout}
   */
  void flush(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      long target = enqueued;
      while (committed < target) {
        flushRequested = true;
        work.signal();
        if (failure != null) {
          throw new StorageUnavailableException(
              String.format(
                  "cannot flush: %d outcomes wait for %s, which is unavailable",
                  enqueued - committed, description),
              failure);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new StorageUnavailableException(
              String.format(
                  "cannot flush within %d ms: %d outcomes wait for %s",
                  timeout.toMillis(), enqueued - committed, description),
              failure);
        }
        progress.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageUnavailableException("interrupted while flushing to " + description, null);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Commits what is buffered (waiting up to {@code timeout} while the database is unavailable) and
   * stops the writer thread.
   *
   * @throws StorageUnavailableException naming how many outcomes were not committed
   */
  void close(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long lost;
    lock.lock();
    try {
      closing = true;
      flushRequested = true;
      work.signal();
      progress.signalAll();
      while (committed < enqueued) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        progress.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
      }
      lost = enqueued - committed;
      thread.interrupt();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      lost = enqueued - committed;
      thread.interrupt();
    } finally {
      lock.unlock();
    }
    try {
      thread.join(TimeUnit.NANOSECONDS.toMillis(Math.max(0, deadline - System.nanoTime())) + 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (lost > 0) {
      throw new StorageUnavailableException(
          String.format(
              "closed with %d outcomes not committed: %s did not answer within %d ms",
              lost, description, timeout.toMillis()),
          failure);
    }
  }

  private void run() {
    long backoff = 0;
    List<Outcome> batch = new ArrayList<>();
    while (true) {
      lock.lock();
      try {
        while (!readyToCommit()) {
          if (closing && queue.isEmpty()) {
            return;
          }
          long wait =
              queue.isEmpty()
                  ? TimeUnit.SECONDS.toNanos(1)
                  : maxDelayNanos - (System.nanoTime() - firstQueuedAtNanos);
          work.awaitNanos(Math.max(wait, 1));
        }
        for (int i = 0; i < MAX_BATCH && !queue.isEmpty(); i++) {
          batch.add(queue.poll());
        }
        flushRequested = false;
        if (!queue.isEmpty()) {
          firstQueuedAtNanos = System.nanoTime();
        }
      } catch (InterruptedException e) {
        if (closing && queue.isEmpty()) {
          return;
        }
        if (closing) {
          continue; // keep committing until close() gives up (it interrupts again)
        }
        return;
      } finally {
        lock.unlock();
      }
      StorageException error = null;
      try {
        committer.commit(
            batch,
            connection -> {
              view.writeLock().lock();
              try {
                connection.commit();
                for (Outcome o : batch) {
                  adjustPending(o.pattern(), o.domain(), o.success(), -1);
                }
              } finally {
                view.writeLock().unlock();
              }
            });
      } catch (StorageException e) {
        error = e;
      } catch (RuntimeException e) {
        error = new StorageException("cannot commit outcomes to " + description, e);
      }
      lock.lock();
      try {
        if (error == null) {
          committed = batch.get(batch.size() - 1).seq();
          failure = null;
          backoff = 0;
        } else {
          // Back to the front, in order: nothing is dropped, and the next batch commits them first.
          for (int i = batch.size() - 1; i >= 0; i--) {
            queue.addFirst(batch.get(i));
          }
          firstQueuedAtNanos = System.nanoTime();
          if (failure == null) {
            log.warn(
                "cannot commit {} outcome(s) to {}; they stay buffered and are retried: {}",
                batch.size(),
                description,
                error.getMessage());
          }
          failure = error;
          backoff = backoff == 0 ? MIN_BACKOFF_NANOS : Math.min(backoff * 2, MAX_BACKOFF_NANOS);
        }
        progress.signalAll();
      } finally {
        lock.unlock();
      }
      if (error != null && sleep(backoff) && closing && queue.isEmpty()) {
        return;
      }
      batch.clear();
    }
  }

  /** Whether the writer should commit now. Called under the lock. */
  private boolean readyToCommit() {
    if (queue.isEmpty()) {
      return false;
    }
    return durability == Durability.SYNC
        || flushRequested
        || closing
        || queue.size() >= maxUnflushed
        || enqueued - committed > maxUnflushed
        || System.nanoTime() - firstQueuedAtNanos >= maxDelayNanos;
  }

  /** Sleeps for the backoff; returns whether it was interrupted. */
  private static boolean sleep(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
      return false;
    } catch (InterruptedException e) {
      return true;
    }
  }
}
