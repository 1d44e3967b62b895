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
 * longer than {@code maxDelay} plus one commit. Either wait ends after {@code syncTimeout} (or an
 * interrupt) with a {@link StorageUnavailableException}, the outcome kept in the buffer.
 *
 * <p>While the database is unavailable, outcomes wait in the buffer (in order, never dropped) up to
 * {@code bufferLimit}; the writer retries with a backoff, and commits them once it answers again. A
 * recorder beyond the limit gets a {@link StorageUnavailableException} and its outcome is not kept;
 * a SYNC recorder gets one at once while the database is known to be unavailable, its outcome kept
 * in the buffer.
 *
 * <p><b>What reads add.</b> The outcomes not committed are kept, besides the queue, in the exact
 * forgetting form (per domain a count, per pattern and domain the counts and the decayed sums at a
 * local tick), in two segments: the batch in flight (taken from the queue, being committed or
 * waiting for its retry) and the queued outcomes after it. A failed batch is retried alone, as it
 * was, so that the batch in flight is always one transaction: the database either holds all of it
 * (its writer's {@code last_seq} is at least the batch's last number) or none of it.
 */
final class OutcomeWriter {
  private static final Logger log = LoggerFactory.getLogger(OutcomeWriter.class);
  private static final int MAX_BATCH = 10_000;
  private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** One outcome waiting for its commit. */
  record Outcome(String pattern, String domain, boolean success, long seq, long enqueuedAtNanos) {}

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
   * Outcomes of one pattern and domain not committed, in a segment: the counts, and the decayed
   * sums valid at {@code tick}, a position (from 1) among the segment's outcomes of the domain.
   */
  record Local(long successes, long failures, double decayedS, double decayedF, long tick) {}

  /**
   * What a reader adds to what it read, for one pattern: per domain, the outcomes in the batch in
   * flight and in the queue after it (all patterns: they all decay what was committed), and the
   * pattern's own.
   *
   * @param committed the sequence number of the last outcome committed when the snapshot was taken
   *     (its batch is in the database's rows and in {@code JdbcConfidenceStore}'s recent commits)
   * @param inFlightLast the last sequence number of the batch in flight; 0 when none
   * @param inFlightCount per domain, the outcomes of the batch in flight
   * @param queuedCount per domain, the outcomes queued after it
   * @param inFlight the pattern's outcomes in the batch in flight, per domain
   * @param queued the pattern's queued outcomes, per domain
   */
  record Pending(
      long committed,
      long inFlightLast,
      Map<String, Long> inFlightCount,
      Map<String, Long> queuedCount,
      Map<String, Local> inFlight,
      Map<String, Local> queued) {}

  /** Outcomes not committed in the exact forgetting form, relative to their own positions. */
  private static final class Segment {
    final Map<String, long[]> count = new HashMap<>();
    final Map<String, Map<String, double[]>> byPattern = new HashMap<>();
    final double inverseHalfLife;

    Segment(double inverseHalfLife) {
      this.inverseHalfLife = inverseHalfLife;
    }

    static Segment of(Iterable<Outcome> outcomes, double inverseHalfLife) {
      Segment s = new Segment(inverseHalfLife);
      for (Outcome o : outcomes) {
        s.add(o);
      }
      return s;
    }

    /** Adds the next outcome (in order): the forgetting update of ConfidenceStore's Javadoc. */
    void add(Outcome o) {
      long at = ++count.computeIfAbsent(o.domain(), k -> new long[1])[0];
      double[] x =
          byPattern
              .computeIfAbsent(o.pattern(), k -> new HashMap<>())
              .computeIfAbsent(o.domain(), k -> new double[5]);
      double keep = Math.pow(2, -(at - x[4]) * inverseHalfLife);
      x[2] *= keep;
      x[3] *= keep;
      x[4] = at;
      if (o.success()) {
        x[0]++;
        x[2] += 1;
      } else {
        x[1]++;
        x[3] += 1;
      }
    }

    Map<String, Long> counts() {
      Map<String, Long> out = new HashMap<>();
      count.forEach((d, c) -> out.put(d, c[0]));
      return out;
    }

    Map<String, Local> of(String pattern) {
      Map<String, double[]> byDomain = byPattern.get(pattern);
      if (byDomain == null) {
        return Map.of();
      }
      Map<String, Local> out = new HashMap<>();
      byDomain.forEach(
          (d, x) -> out.put(d, new Local((long) x[0], (long) x[1], x[2], x[3], (long) x[4])));
      return out;
    }
  }

  /**
   * While the database is unavailable and nothing waits to be committed, checks whether it is back.
   */
  interface Probe {
    boolean needed();

    void run();
  }

  private static final long PROBE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private final Committer committer;
  private final Probe probe;
  private final Durability durability;
  private final long maxDelayNanos;
  private final int maxUnflushed;
  private final int bufferLimit;
  private final long syncTimeoutNanos;
  private final double inverseHalfLife;
  private final String description;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final Condition progress = lock.newCondition();
  // All guarded by lock.
  private final ArrayDeque<Outcome> queue = new ArrayDeque<>();
  private Segment queued;
  private @Nullable Segment inFlight;
  private long inFlightLast;
  // Outcomes at the queue's front that are the failed batch in flight, retried alone as it was.
  private int retry;
  private long enqueued;
  private long committed;
  private long firstQueuedAtNanos;
  // Commit attempts finished, successful or not: flush() waits for the next one.
  private long attempts;
  private boolean flushRequested;
  private boolean closing;
  // Set when close() gives up: the writer commits nothing more and stops.
  private boolean abandoned;
  private @Nullable StorageException failure; // the last commit's failure; null once one succeeds
  private final Thread thread;
  private final LongAdder refused = new LongAdder();

  OutcomeWriter(
      Committer committer,
      Probe probe,
      Durability durability,
      Duration maxDelay,
      int maxUnflushed,
      int bufferLimit,
      Duration syncTimeout,
      double inverseHalfLife,
      String description) {
    this.committer = committer;
    this.probe = probe;
    this.durability = durability;
    this.maxDelayNanos = maxDelay.toNanos();
    this.maxUnflushed = maxUnflushed;
    this.bufferLimit = bufferLimit;
    this.syncTimeoutNanos = syncTimeout.toNanos();
    this.inverseHalfLife = inverseHalfLife;
    this.description = description;
    this.queued = new Segment(inverseHalfLife);
    this.thread = new Thread(this::run, "ndp-outcome-writer");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Enqueues an outcome and waits as its durability requires.
   *
   * @throws StorageUnavailableException when it cannot be acknowledged: the buffer is full (the
   *     outcome is not kept), or the commit did not come in time or the database is unavailable
   *     (the outcome is kept and committed later)
   * @throws IllegalStateException when the storage is closed
   */
  void record(String pattern, String domain, boolean success) {
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
      long seq = ++enqueued;
      long now = System.nanoTime();
      boolean first = queue.isEmpty();
      if (first) {
        firstQueuedAtNanos = now;
      }
      Outcome o = new Outcome(pattern, domain, success, seq, now);
      queue.add(o);
      queued.add(o);
      // The first outcome after a quiet moment wakes the writer too: it was waiting for work,
      // not for this outcome's deadline.
      if (first || durability == Durability.SYNC || queue.size() >= maxUnflushed) {
        work.signal();
      }
      if (durability == Durability.SYNC) {
        awaitCommitted(seq, pattern, domain, true);
      } else if (enqueued - committed > maxUnflushed && failure == null) {
        // Room for the next acknowledgement: while the database answers, wait for the commit.
        awaitCommitted(seq - maxUnflushed, pattern, domain, false);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until {@code seq} is committed, at most the sync timeout. Under the lock. When the
   * database fails meanwhile, a SYNC recorder ({@code sync}) is told; a BATCHED one returns, its
   * outcome buffered (the bound holds while the database answers).
   */
  private void awaitCommitted(long seq, String pattern, String domain, boolean sync) {
    long deadline = System.nanoTime() + syncTimeoutNanos;
    while (committed < seq) {
      if (abandoned) {
        throw new StorageUnavailableException(
            String.format(
                "outcome of %s in %s is not committed: %s closed before it could be",
                pattern, domain, description),
            failure);
      }
      if (failure != null) {
        if (!sync) {
          return;
        }
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
                "outcome of %s in %s was not acknowledged: the commit it waits for took longer"
                    + " than %d ms; it stays buffered (%d waiting)",
                pattern,
                domain,
                TimeUnit.NANOSECONDS.toMillis(syncTimeoutNanos),
                enqueued - committed),
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

  /** A snapshot of a pattern's outcomes not committed, for a read. */
  Pending pending(String pattern) {
    lock.lock();
    try {
      Segment f = inFlight;
      return new Pending(
          committed,
          f == null ? 0 : inFlightLast,
          f == null ? Map.of() : f.counts(),
          queued.counts(),
          f == null ? Map.of() : f.of(pattern),
          queued.of(pattern));
    } finally {
      lock.unlock();
    }
  }

  /** Waits until {@code seq} is committed, at most {@code millis}; never throws. */
  void awaitCommitted(long seq, long millis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    lock.lock();
    try {
      while (committed < seq && !abandoned) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        progress.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  /** The sequence number of the last outcome committed. */
  long committed() {
    lock.lock();
    try {
      return committed;
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
      // After a failed commit, the next attempt decides: it may be the retry that succeeds (the
      // database is back); only when that one fails too does flush give up.
      long failedAttempt = failure == null ? -1 : attempts;
      while (committed < target) {
        flushRequested = true;
        work.signal();
        if (failure != null && failedAttempt >= 0 && attempts > failedAttempt) {
          throw new StorageUnavailableException(
              String.format(
                  "cannot flush: %d outcomes wait for %s, which is unavailable",
                  enqueued - committed, description),
              failure);
        }
        if (failure != null && failedAttempt < 0) {
          failedAttempt = attempts;
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
   * Refuses new outcomes, commits what is buffered (waiting up to {@code timeout} while the
   * database is unavailable) and stops the writer thread; once it gives up, nothing more is
   * committed.
   *
   * @throws StorageUnavailableException naming how many outcomes were not committed
   */
  void close(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      closing = true;
      flushRequested = true;
      work.signal();
      progress.signalAll(); // recorders waiting for room give up
      while (committed < enqueued) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        progress.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      abandoned = true;
      work.signal();
      progress.signalAll();
      lock.unlock();
    }
    thread.interrupt();
    try {
      // A commit in progress ends with its statement; the thread then sees it is abandoned.
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long lost;
    lock.lock();
    try {
      lost = enqueued - committed;
    } finally {
      lock.unlock();
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
    long lastProbe = System.nanoTime() - PROBE_INTERVAL_NANOS;
    while (true) {
      boolean probing = false;
      lock.lock();
      try {
        while (!abandoned && !readyToCommit()) {
          if (closing && queue.isEmpty()) {
            return;
          }
          if (queue.isEmpty()
              && System.nanoTime() - lastProbe >= PROBE_INTERVAL_NANOS
              && probe.needed()) {
            probing = true; // reads do not wait for a connection during an outage: this does
            break;
          }
          long wait =
              queue.isEmpty()
                  ? (probe.needed() ? PROBE_INTERVAL_NANOS : TimeUnit.SECONDS.toNanos(1))
                  : maxDelayNanos - (System.nanoTime() - firstQueuedAtNanos);
          work.awaitNanos(Math.max(wait, 1));
        }
        if (abandoned) {
          return;
        }
        if (!probing) {
          take(batch);
        }
      } catch (InterruptedException e) {
        if (abandoned || (closing && queue.isEmpty())) {
          return;
        }
        continue; // close() keeps the thread until it gives up; nothing else interrupts it
      } finally {
        lock.unlock();
      }
      if (probing) {
        lastProbe = System.nanoTime();
        try {
          probe.run();
        } catch (Throwable e) {
          // Whatever the data source throws, the writer lives on: it commits every outcome.
          log.warn("probing {} failed: {}", description, e.toString());
        }
        continue;
      }
      StorageException error = null;
      try {
        committer.commit(batch);
      } catch (StorageException e) {
        error = e;
      } catch (Throwable e) {
        // Even an Error: the batch goes back to the queue and the writer retries, rather than
        // dying with every later outcome waiting for it.
        error = new StorageException("cannot commit outcomes to " + description + ": " + e, e);
        log.error("committing {} outcome(s) to {} threw", batch.size(), description, e);
      }
      lock.lock();
      try {
        attempts++;
        if (error == null) {
          inFlight = null;
          inFlightLast = 0;
          retry = 0;
          committed = batch.get(batch.size() - 1).seq();
          failure = null;
          backoff = 0;
        } else {
          // Back to the front, in order: nothing is dropped, and the batch is retried as it was.
          for (int i = batch.size() - 1; i >= 0; i--) {
            queue.addFirst(batch.get(i));
          }
          retry = batch.size();
          firstQueuedAtNanos = batch.get(0).enqueuedAtNanos();
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
      batch.clear();
      if (error != null) {
        try {
          TimeUnit.NANOSECONDS.sleep(backoff);
        } catch (InterruptedException e) {
          // close() interrupts: the loop checks whether it gave up
        }
      }
    }
  }

  /** Takes the next batch off the queue into {@code batch}. Under the lock. */
  private void take(List<Outcome> batch) {
    if (retry > 0) {
      // The failed batch, alone and as it was: it stays the segment in flight.
      for (int i = 0; i < retry; i++) {
        batch.add(queue.poll());
      }
    } else {
      boolean all = queue.size() <= MAX_BATCH;
      for (int i = 0; i < MAX_BATCH && !queue.isEmpty(); i++) {
        batch.add(queue.poll());
      }
      if (all) {
        inFlight = queued;
        queued = new Segment(inverseHalfLife);
      } else {
        // A backlog longer than a batch (after an outage): split the segments by recounting.
        inFlight = Segment.of(batch, inverseHalfLife);
        queued = Segment.of(queue, inverseHalfLife);
      }
      inFlightLast = batch.get(batch.size() - 1).seq();
    }
    flushRequested = false;
    if (!queue.isEmpty()) {
      // The oldest outcome left keeps its age: it is committed within maxDelay of being queued.
      firstQueuedAtNanos = queue.peek().enqueuedAtNanos();
    }
  }

  /** Whether the writer should commit now. Called under the lock. */
  private boolean readyToCommit() {
    if (queue.isEmpty()) {
      return false;
    }
    return durability == Durability.SYNC
        || retry > 0
        || flushRequested
        || closing
        || queue.size() >= maxUnflushed
        || enqueued - committed > maxUnflushed
        || System.nanoTime() - firstQueuedAtNanos >= maxDelayNanos;
  }
}
