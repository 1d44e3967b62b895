package io.ndp.patterns.parallel;

import io.ndp.api.Delegate;
import io.ndp.api.ExecutionScope;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternOutcome;
import io.ndp.api.ResourcePool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One execution of a {@link ParallelCoordinationPattern}: starts every task on the scope's
 * executor, collects their reports, and on the first unsuccessful one (or the deadline, or an
 * interrupt of the calling thread) cancels the rest. It returns only once every task has either
 * released its lease or never started, so the pattern holds nothing after {@link #run()}. While it
 * waits, the calling thread runs the tasks the executor has not started within 10 ms, so a bounded
 * executor whose threads are all busy (or waiting on nested work) never deadlocks it; a failing
 * task cancels the others itself, since the caller may be busy running one.
 *
 * <p>Confined to the calling thread except for {@link TaskRun}, whose state is guarded by its own
 * monitor.
 */
final class ParallelRun {
  /** How long the caller waits for the executor to start tasks before it runs one itself. */
  private static final long HELP_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final ParallelCoordinationPattern pattern;
  // Resolved once by the pattern: every task acquires from, and releases into, this pool.
  private final ResourcePool pool;
  private final PatternContext context;
  private final ExecutionScope scope;
  private final List<TaskRun> runs;
  private final BlockingQueue<Report> reports = new LinkedBlockingQueue<>();
  private final CountDownLatch settled;
  private volatile boolean anyUnsuccessful;

  ParallelRun(
      ParallelCoordinationPattern pattern,
      ResourcePool pool,
      PatternContext context,
      ExecutionScope scope,
      List<ResourceTask> tasks,
      List<Delegate> delegates) {
    this.pattern = pattern;
    this.pool = pool;
    this.context = context;
    this.scope = scope;
    this.settled = new CountDownLatch(tasks.size());
    List<TaskRun> r = new ArrayList<>(tasks.size());
    for (int i = 0; i < tasks.size(); i++) {
      r.add(new TaskRun(tasks.get(i), delegates.get(i)));
    }
    this.runs = List.copyOf(r);
  }

  PatternOutcome run() {
    if (Thread.currentThread().isInterrupted()) {
      return PatternOutcome.of(
          OutcomeStatus.CANCELLED,
          prefix() + "interrupted before any of its " + runs.size() + " task(s) started",
          null);
    }
    if (scope.expired()) {
      return PatternOutcome.of(
          OutcomeStatus.TIMED_OUT,
          prefix() + "deadline passed before any of its " + runs.size() + " task(s) started",
          null);
    }
    for (int i = 0; i < runs.size(); i++) {
      TaskRun t = runs.get(i);
      if (anyUnsuccessful) {
        // A direct or caller-runs executor already ran a task that failed: start no more.
        t.cancel();
        continue;
      }
      try {
        scope.executor().execute(t);
      } catch (RejectedExecutionException e) {
        for (int j = i; j < runs.size(); j++) {
          runs.get(j).cancel();
        }
        return stopAll(
            PatternOutcome.failure(
                prefix()
                    + String.format(
                        Locale.ROOT,
                        "the executor rejected task '%s' (%d of %d): %s",
                        t.task.name(),
                        i + 1,
                        runs.size(),
                        e.getMessage()),
                e));
      }
    }
    Map<String, @Nullable Object> outputs = new LinkedHashMap<>();
    Map<TaskRun, @Nullable Object> byTask = new LinkedHashMap<>();
    try {
      while (byTask.size() < runs.size()) {
        Report r = reports.poll(HELP_AFTER_NANOS, TimeUnit.NANOSECONDS);
        if (r == null && helpOne()) {
          continue; // ran a task the executor had not started: its report is queued
        }
        if (r == null) {
          Optional<Duration> left = scope.timeLeft();
          if (left.isPresent()) {
            long nanos = saturatedNanos(left.get());
            r = nanos > 0 ? reports.poll(nanos, TimeUnit.NANOSECONDS) : null;
          } else {
            r = reports.take();
          }
        }
        if (r == null) {
          return stopAll(timedOut(byTask));
        }
        if (r.status != OutcomeStatus.SUCCESS) {
          return stopAll(unsuccessful(r, byTask));
        }
        byTask.put(r.run, r.output);
      }
    } catch (RuntimeException | Error e) {
      // Whatever went wrong while collecting, no task may keep running or holding units.
      stopAll(null);
      throw e;
    } catch (InterruptedException e) {
      stopAll(null);
      Thread.currentThread().interrupt();
      return new PatternOutcome(
          OutcomeStatus.CANCELLED,
          partial(byTask),
          prefix()
              + String.format(
                  Locale.ROOT,
                  "interrupted; cancelled %d unfinished task(s)",
                  runs.size() - byTask.size()),
          e);
    }
    for (TaskRun t : runs) {
      outputs.put(t.task.name(), byTask.get(t));
    }
    awaitSettled();
    return PatternOutcome.success(
        Collections.unmodifiableMap(outputs),
        String.format(
            Locale.ROOT,
            "ran %d task(s) concurrently: %s",
            runs.size(),
            String.join(", ", outputs.keySet())));
  }

  private PatternOutcome timedOut(Map<TaskRun, @Nullable Object> done) {
    List<String> unfinished = new ArrayList<>();
    for (TaskRun t : runs) {
      if (!done.containsKey(t)) {
        unfinished.add(t.task.name());
      }
    }
    return new PatternOutcome(
        OutcomeStatus.TIMED_OUT,
        partial(done),
        prefix()
            + String.format(
                Locale.ROOT,
                "deadline passed with %d of %d task(s) unfinished: %s; they were cancelled",
                unfinished.size(),
                runs.size(),
                String.join(", ", unfinished)),
        null);
  }

  private PatternOutcome unsuccessful(Report r, Map<TaskRun, @Nullable Object> done) {
    String task = r.run.task.name();
    int others = runs.size() - done.size() - 1;
    String message =
        switch (r.status) {
          case CONFLICT ->
              String.format(
                  Locale.ROOT,
                  "resources not free: %s; cancelled %d other task(s)",
                  r.cause == null ? task : r.cause.getMessage(),
                  others);
          case CANCELLED ->
              String.format(
                  Locale.ROOT,
                  "task '%s' was interrupted by someone else; cancelled %d other task(s)",
                  task,
                  others);
          default ->
              String.format(
                  Locale.ROOT,
                  "task '%s' (delegate '%s') failed: %s; cancelled %d other task(s)",
                  task,
                  r.run.task.delegate(),
                  describe(r.cause),
                  others);
        };
    return new PatternOutcome(r.status, partial(done), prefix() + message, r.cause);
  }

  /**
   * Runs, on the calling thread, one task the executor has not started yet: a waiting caller does
   * the work itself, so that a bounded (even one-thread) executor whose threads all wait on nested
   * work still makes progress. Returns whether it ran one.
   */
  private boolean helpOne() {
    for (TaskRun t : runs) {
      if (t.isNew()) {
        t.run(); // claims it, or returns at once when a pool thread claimed it first
        return true;
      }
    }
    return false;
  }

  /** Cancels every task, waits until all have released or never started, returns {@code o}. */
  private @Nullable PatternOutcome stopAll(@Nullable PatternOutcome o) {
    for (TaskRun t : runs) {
      t.cancel();
    }
    awaitSettled();
    return o;
  }

  /**
   * Waits until every task released its lease or never started. Not bounded: releasing before the
   * delegate stops would let two tasks hold the same units; a delegate that ignores interrupts
   * delays the return until it ends. An interrupt while waiting is kept for the caller.
   */
  private void awaitSettled() {
    boolean interrupted = false;
    while (true) {
      try {
        settled.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private Map<String, @Nullable Object> partial(Map<TaskRun, @Nullable Object> done) {
    if (done.isEmpty()) {
      return Map.of();
    }
    Map<String, @Nullable Object> out = new LinkedHashMap<>();
    done.forEach((t, o) -> out.put(t.task.name(), o));
    return Collections.unmodifiableMap(out);
  }

  private String prefix() {
    return "parallel pattern '" + pattern.name() + "': ";
  }

  private static String describe(@Nullable Throwable t) {
    if (t == null) {
      return "no cause";
    }
    return t.getMessage() == null
        ? t.getClass().getName()
        : t.getClass().getName() + ": " + t.getMessage();
  }

  /** What one task reports: its status, output or cause. */
  private record Report(
      TaskRun run, OutcomeStatus status, @Nullable Object output, @Nullable Throwable cause) {}

  /**
   * One task: acquire every resource at once, run the delegate, release. States move NEW → RUNNING
   * → DONE, or NEW → SKIPPED when cancelled before it started; either end counts {@code settled}
   * down exactly once. Guarded by its own monitor so that a cancel interrupts the runner only while
   * it runs this task, never a later job of the same pool thread.
   */
  private final class TaskRun implements Runnable {
    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int DONE = 2;
    private static final int SKIPPED = 3;

    final ResourceTask task;
    private final Delegate delegate;
    private int state = NEW;
    private @Nullable Thread runner;
    private boolean interruptedByCancel;

    TaskRun(ResourceTask task, Delegate delegate) {
      this.task = task;
      this.delegate = delegate;
    }

    @Override
    public void run() {
      synchronized (this) {
        if (state != NEW) {
          return;
        }
        state = RUNNING;
        runner = Thread.currentThread();
      }
      Report report = null;
      ResourcePool.Lease lease = null;
      try {
        Duration wait = pattern.acquireTimeout();
        Duration left = scope.remaining(wait);
        if (left.compareTo(wait) < 0) {
          wait = left;
        }
        Optional<ResourcePool.Lease> acquired =
            pool.tryAcquireAll(pattern.name(), context.priority(), task.resources(), wait);
        if (acquired.isEmpty()) {
          report = conflict(wait);
        } else {
          lease = acquired.get();
          Object output = delegate.execute(context.payload());
          report = new Report(this, OutcomeStatus.SUCCESS, output, null);
        }
      } catch (InterruptedException e) {
        report = new Report(this, OutcomeStatus.CANCELLED, null, e);
      } catch (Throwable t) {
        // Errors too: the run must learn of the failure, and the lease must come back.
        report = new Report(this, OutcomeStatus.FAILED, null, t);
      } finally {
        if (lease != null) {
          lease.close();
        }
        boolean clear;
        synchronized (this) {
          state = DONE;
          runner = null;
          clear = interruptedByCancel;
        }
        if (clear) {
          // Our cancel's interrupt must not leak into the pool thread's next job.
          Thread.interrupted();
        }
        if (report != null) {
          // Reported first, so that the caller learns of this failure before the cancellations
          // it causes below.
          reports.add(report);
          if (report.status != OutcomeStatus.SUCCESS) {
            anyUnsuccessful = true;
            // Fail fast from here: the caller may itself be running another task and cannot
            // cancel it until that one returns.
            for (TaskRun other : runs) {
              if (other != this) {
                other.cancel();
              }
            }
          }
        }
        settled.countDown();
      }
    }

    private Report conflict(Duration waited) {
      Map<String, Integer> inUse = new LinkedHashMap<>();
      Map<String, Integer> capacities = new LinkedHashMap<>();
      Map<String, Integer> active = pool.activeResources();
      Map<String, Integer> all = pool.capacities();
      for (String r : task.resources().keySet()) {
        inUse.put(r, active.getOrDefault(r, 0));
        capacities.put(r, all.getOrDefault(r, 0));
      }
      return new Report(
          this,
          OutcomeStatus.CONFLICT,
          null,
          new ResourceConflictException(
              pattern.name(), task.name(), task.resources(), waited, inUse, capacities));
    }

    synchronized boolean isNew() {
      return state == NEW;
    }

    void cancel() {
      boolean skipped = false;
      synchronized (this) {
        if (state == NEW) {
          state = SKIPPED;
          skipped = true;
        } else if (state == RUNNING && !interruptedByCancel && runner != null) {
          interruptedByCancel = true;
          runner.interrupt();
        }
      }
      if (skipped) {
        settled.countDown();
      }
    }
  }

  /** {@code d} in nanoseconds, saturated: a far deadline must not overflow into an exception. */
  static long saturatedNanos(Duration d) {
    if (d.isNegative()) {
      return 0;
    }
    return d.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L - 1 ? Long.MAX_VALUE : d.toNanos();
  }
}
