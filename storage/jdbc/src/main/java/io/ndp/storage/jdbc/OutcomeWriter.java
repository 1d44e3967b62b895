package io.ndp.storage.jdbc;

import io.ndp.api.StorageException;
import io.ndp.api.StorageUnavailableException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
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
   * Commits a batch in one transaction, together with its last sequence number as this writer's
   * {@code last_seq}, or throws leaving nothing of it committed. Outcomes whose sequence number the
   * database already holds as committed (a commit whose acknowledgement was lost) are skipped, so a
   * retry never counts one twice.
   */
  interface Committer {
    void commit(List<Outcome> batch) throws StorageException;
  }

  /**
   * What a reader adds to what it read from the database: the outcomes enqueued and not yet taken
   * into a batch, and those of the batch being committed, which the reader adds only when the
   * database it read did not hold that batch yet (its writer's {@code last_seq} was below {@code
   * inFlightLast}).
   *
   * @param queued per domain {successes, failures} not yet in a batch
   * @param inFlight per domain {successes, failures} of the batch being committed
   * @param inFlightLast the batch's last sequence number; 0 when none
   */
  record Pending(Map<String, long[]> queued, Map<String, long[]> inFlight, long inFlightLast) {}

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

  // Guarded by lock: per pattern, per domain {queued successes, queued failures, in-flight
  // successes, in-flight failures}, and the last sequence number of the batch in flight (0: none).
  private final Map<String, Map<String, long[]>> pending = new HashMap<>();
  private long inFlightLast;
  private final LongAdder refused = new LongAdder();

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
      adjust(pattern, domain, success ? 0 : 1, 1);
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

  /** Adds {@code delta} to one of the four counters of a pattern and domain. Under the lock. */
  private void adjust(String pattern, String domain, int counter, int delta) {
    long[] c =
        pending
            .computeIfAbsent(pattern, k -> new HashMap<>())
            .computeIfAbsent(domain, k -> new long[4]);
    c[counter] += delta;
    if (c[0] == 0 && c[1] == 0 && c[2] == 0 && c[3] == 0) {
      Map<String, long[]> byDomain = pending.get(pattern);
      byDomain.remove(domain);
      if (byDomain.isEmpty()) {
        pending.remove(pattern);
      }
    }
  }

  /** Moves a batch's outcomes between queued and in flight (or out when committed). Locked. */
  private void move(List<Outcome> batch, int fromOffset, int toOffset) {
    for (Outcome o : batch) {
      int which = o.success() ? 0 : 1;
      if (toOffset >= 0) {
        adjust(o.pattern(), o.domain(), toOffset + which, 1);
      }
      adjust(o.pattern(), o.domain(), fromOffset + which, -1);
    }
  }

  /** Snapshot of a pattern's outcomes not committed as far as this writer knows. */
  Pending pending(String pattern) {
    lock.lock();
    try {
      Map<String, long[]> byDomain = pending.get(pattern);
      if (byDomain == null) {
        return new Pending(Map.of(), Map.of(), 0);
      }
      Map<String, long[]> queued = new HashMap<>();
      Map<String, long[]> inFlight = new HashMap<>();
      byDomain.forEach(
          (d, c) -> {
            if (c[0] != 0 || c[1] != 0) {
              queued.put(d, new long[] {c[0], c[1]});
            }
            if (c[2] != 0 || c[3] != 0) {
              inFlight.put(d, new long[] {c[2], c[3]});
            }
          });
      return new Pending(queued, inFlight, inFlightLast);
    } finally {
      lock.unlock();
    }
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
        move(batch, 0, 2); // queued -> in flight
        inFlightLast = batch.get(batch.size() - 1).seq();
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
        committer.commit(batch);
      } catch (StorageException e) {
        error = e;
      } catch (RuntimeException e) {
        error = new StorageException("cannot commit outcomes to " + description, e);
      }
      lock.lock();
      try {
        inFlightLast = 0;
        if (error == null) {
          move(batch, 2, -1); // in flight -> committed
          committed = batch.get(batch.size() - 1).seq();
          failure = null;
          backoff = 0;
        } else {
          // Back to the front, in order: nothing is dropped, and the next batch commits them first.
          move(batch, 2, 0); // in flight -> queued
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
