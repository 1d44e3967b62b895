package io.ndp.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * Units of work of one execution, run together on the scope's executor: fork, take completions as
 * they come, cancel, and wait until nothing started is still running. Every kind that runs several
 * units of work (the parallel kind's tasks, a third party's) uses it instead of a state machine of
 * its own.
 *
 * <p><b>Never deadlocks on a bounded executor.</b> While {@link #next()} waits, the calling thread
 * runs the forked work the executor has not started within {@link #HELP_AFTER}: a one-thread
 * executor whose thread waits on nested work still makes progress.
 *
 * <p><b>Deadline.</b> {@link #next()} returns empty when the scope's deadline passed; the caller
 * then {@link #cancel() cancels}. A unit the calling thread runs itself is interrupted at the
 * deadline by a timer, since its thread cannot cancel it, and it starts none after the deadline.
 * <b>Cancellation</b> skips the work not started yet and interrupts the running work; an interrupt
 * is only ever delivered while that unit runs, never to a pool thread's next job, and the calling
 * thread is never left interrupted by its own cancel. {@link #awaitStarted(Duration)} then waits
 * for the interrupted work to end, up to a grace, and names what still runs (work that ignores
 * interrupts).
 *
 * <p><b>Fail fast from anywhere.</b> When a unit fails (throws), the group can cancel the others
 * from the failing thread at once ({@link #cancelOnFailure}): the caller may itself be busy running
 * a unit and could not cancel it.
 *
 * <p><b>Limit.</b> One interrupt flag cannot tell two interrupts apart: when the group cancels a
 * unit its owner is running itself, a host interrupt of the owner that arrives after that cancel
 * and before the unit ends is cleared with the group's own (a host interrupt that came first is
 * kept).
 *
 * <p>Not thread-safe for the owner's calls ({@code fork}, {@code next}, {@code cancel}, {@code
 * awaitStarted}: one thread, the execution's); the units themselves run concurrently.
 *
 * <pre>{@code
 * TaskGroup<String> group = TaskGroup.open(scope).cancelOnFailure(true);
 * group.fork("a", () -> work("a"));
 * group.fork("b", () -> work("b"));
 * while (group.outstanding() > 0) {
 *   Optional<TaskGroup.Completion<String>> c = group.next();
 *   if (c.isEmpty() || c.get().failure() != null) { group.cancel(); break; }  // deadline, failure
 * }
 * group.awaitStarted(Duration.ofMillis(100));
 * }</pre>
 *
 * @param <T> what a unit returns
 * @since 0.2.0
 */
public final class TaskGroup<T> {

  /** How long {@link #next()} waits for the executor to start forked work before running it. */
  public static final Duration HELP_AFTER = Duration.ofMillis(10);

  private final ExecutionScope scope;
  // The thread that owns the group (opens, forks, waits): units it runs itself run "inline".
  private final Thread owner = Thread.currentThread();
  private final List<Unit> units = new ArrayList<>();
  private final BlockingQueue<Unit> done = new LinkedBlockingQueue<>();
  private volatile boolean failFast;
  // Set by the first failing unit when failing fast: units forked afterwards are skipped.
  private volatile boolean failed;
  // Units that failed, and how many of their completions the owner took: awaitAll(true) returns
  // while a failure is waiting to be taken.
  private final AtomicInteger failures = new AtomicInteger();
  private int failuresTaken;
  // Counts that units read to decide whether to wake the owner: written by the owner (forked,
  // taken) or under a unit's monitor (skipped).
  private volatile int forked;
  private volatile int taken;
  private final AtomicInteger skipped = new AtomicInteger();
  // Units before this index are not NEW (states only move on): where helpOne() looks first.
  private int helpFrom;
  // Whether the owner waits in awaitAll, and until a failure too: units wake it only then.
  private volatile boolean awaitingAll;
  private volatile boolean awaitingFailure;

  private TaskGroup(ExecutionScope scope) {
    this.scope = scope;
  }

  /**
   * Opens a group on the scope's executor and deadline.
   *
   * @param scope the execution's scope
   * @param <T> what a unit returns
   * @return the group
   */
  public static <T> TaskGroup<T> open(ExecutionScope scope) {
    if (scope == null) {
      throw new IllegalArgumentException("scope must not be null");
    }
    return new TaskGroup<>(scope);
  }

  /**
   * Whether a failing unit cancels the others at once, from its own thread (default: no).
   *
   * @param enabled fail fast
   * @return this group
   */
  public TaskGroup<T> cancelOnFailure(boolean enabled) {
    this.failFast = enabled;
    return this;
  }

  /**
   * One unit's end: its value, or what it threw; whether this group interrupted it.
   *
   * @param name the unit
   * @param value what it returned (null when it failed)
   * @param failure what it threw, or null
   * @param interruptedByGroup whether this group interrupted it (a cancel)
   * @param <T> what a unit returns
   */
  public record Completion<T>(
      String name, @Nullable T value, @Nullable Throwable failure, boolean interruptedByGroup) {
    /**
     * {@return whether the unit returned normally, i.e. {@link #failure()} is null; its value may
     * still be null}
     */
    public boolean succeeded() {
      return failure == null;
    }
  }

  /**
   * Forks a unit of work. It starts on the executor, or on the calling thread while {@link #next()}
   * waits; an executor that rejects it leaves it to the calling thread.
   *
   * @param name the unit's name, for reports
   * @param work the work
   */
  public void fork(String name, Callable<? extends T> work) {
    if (name == null || work == null) {
      throw new IllegalArgumentException("a unit needs a name and work but got " + name);
    }
    Unit u = new Unit(name, work);
    synchronized (units) {
      units.add(u); // read by a failing unit's thread (failFast), so guarded
    }
    forked++; // the owner's write only
    if (failFast && failed) {
      u.cancel(); // a unit already failed: this one never starts
      return;
    }
    try {
      scope.executor().execute(u);
    } catch (RejectedExecutionException e) {
      // Left NEW: the calling thread runs it while it waits.
    }
  }

  /**
   * {@return how many forked units have not been taken by {@link #next()} nor skipped by a cancel:
   * those running, waiting to start, or ended and not yet taken; 0 when there is nothing more to
   * take}
   */
  public int outstanding() {
    return forked - taken - skipped.get();
  }

  /**
   * Takes the next unit that ended, running unstarted units on this thread while it waits.
   *
   * @return the completion; empty when the scope's deadline passed first (or nothing is
   *     outstanding)
   * @throws InterruptedException when the calling thread is interrupted while it waits
   */
  public Optional<Completion<T>> next() throws InterruptedException {
    while (outstanding() > 0) {
      // Nothing starts after the deadline, not even on this thread.
      Optional<Duration> timeLeft = scope.timeLeft();
      if (timeLeft.isPresent() && timeLeft.get().isZero()) {
        Unit ready = done.poll();
        if (ready == null) {
          return Optional.empty();
        }
        return Optional.of(take(ready));
      }
      long firstWait = HELP_AFTER.toNanos();
      if (timeLeft.isPresent()) {
        firstWait = Math.min(firstWait, saturatedNanos(timeLeft.get()));
      }
      Unit u = done.poll(firstWait, TimeUnit.NANOSECONDS);
      if (u == null && helpOne()) {
        continue;
      }
      if (u == null) {
        Optional<Duration> left = scope.timeLeft();
        if (left.isPresent()) {
          long nanos = saturatedNanos(left.get());
          u = nanos > 0 ? done.poll(nanos, TimeUnit.NANOSECONDS) : null;
          if (u == null) {
            return Optional.empty();
          }
        } else {
          u = done.take();
        }
      }
      return Optional.of(take(u));
    }
    return Optional.empty();
  }

  /**
   * Waits until every outstanding unit ended, or — when {@code untilFailure} — one of them failed,
   * or the scope's deadline passed, running unstarted units on this thread while it waits, as
   * {@link #next()} does; then takes every completion there is. Unlike a loop over {@link #next()},
   * the units wake the calling thread once, when it has something to do, not once per completion:
   * the way to collect a fan-out whose completions need no answer one by one.
   *
   * @param untilFailure return as soon as a failed unit's completion is there to be taken (e.g. to
   *     cancel the others), with the completions there are then
   * @return the completions taken, in the order the units ended; fewer than were outstanding when a
   *     unit failed ({@code untilFailure}) or the deadline passed, and empty when the deadline
   *     passed with none new (or nothing is outstanding)
   * @throws InterruptedException when the calling thread is interrupted while it waits
   */
  public List<Completion<T>> awaitAll(boolean untilFailure) throws InterruptedException {
    awaitingFailure = untilFailure;
    try {
      while (!allEnded() && !(untilFailure && failureWaiting())) {
        Optional<Duration> timeLeft = scope.timeLeft();
        if (timeLeft.isPresent() && timeLeft.get().isZero()) {
          break;
        }
        long wait = HELP_AFTER.toNanos();
        if (timeLeft.isPresent()) {
          wait = Math.min(wait, saturatedNanos(timeLeft.get()));
        }
        awaitingAll = true;
        // Checked again after announcing the wait: a unit that ended in between saw the flag, or
        // this sees its completion.
        if (!allEnded() && !(untilFailure && failureWaiting())) {
          LockSupport.parkNanos(this, wait);
        }
        awaitingAll = false;
        if (Thread.interrupted()) {
          throw new InterruptedException(
              "interrupted while awaiting " + outstanding() + " unit(s)");
        }
        if (!allEnded() && !(untilFailure && failureWaiting())) {
          helpOne(); // nothing to report yet: run a unit the executor has not started
        }
      }
    } finally {
      awaitingAll = false;
    }
    return drain();
  }

  /** Whether a failed unit's completion waits to be taken. */
  private boolean failureWaiting() {
    return failures.get() > failuresTaken;
  }

  /** Takes a completion from the queue: the owner's bookkeeping. */
  private Completion<T> take(Unit u) {
    taken++; // the owner's write only
    Completion<T> c = u.completion();
    if (c.failure() != null) {
      failuresTaken++;
    }
    return c;
  }

  /** Whether every outstanding unit has its completion queued. */
  private boolean allEnded() {
    return done.size() >= outstanding();
  }

  /** A unit ended: wakes the owner when it waits in awaitAll and this is what it waits for. */
  private void ended(boolean failure) {
    if (awaitingAll && ((failure && awaitingFailure) || allEnded())) {
      LockSupport.unpark(owner);
    }
  }

  /**
   * Takes every completion that is already there, without waiting (e.g. after {@link
   * #awaitStarted}, to learn how the cancelled units ended).
   *
   * @return the completions, in the order the units ended
   */
  public List<Completion<T>> drain() {
    List<Completion<T>> out = new ArrayList<>();
    Unit u;
    while ((u = done.poll()) != null) {
      out.add(take(u));
    }
    return out;
  }

  /**
   * Cancels every unit that has not ended: skips those not started, interrupts those running.
   *
   * @return the names of the units skipped (never started)
   */
  public List<String> cancel() {
    List<String> skipped = new ArrayList<>();
    for (Unit u : units) {
      if (u.cancel()) {
        skipped.add(u.name);
      }
    }
    return skipped;
  }

  /**
   * Waits for every started unit to end, up to {@code grace} (forever when null): units hold
   * resources until they end. An interrupt while waiting is kept for the caller.
   *
   * @param grace how long to wait at most, or null to wait until they all ended
   * @return the names of the units still running when the grace ran out (they ignored interrupts)
   */
  public List<String> awaitStarted(@Nullable Duration grace) {
    long deadline = grace == null ? Long.MAX_VALUE : System.nanoTime() + saturatedNanos(grace);
    boolean interrupted = false;
    List<String> running = new ArrayList<>();
    for (Unit u : units) {
      while (true) {
        try {
          if (u.awaitEnd(deadline)) {
            break;
          }
          running.add(u.name);
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return running;
  }

  /** Runs one unit the executor has not started yet on this thread; whether it ran one. */
  private boolean helpOne() {
    Optional<Duration> left = scope.timeLeft();
    if (left.isPresent() && left.get().isZero()) {
      return false; // nothing starts after the deadline, not even on this thread
    }
    while (helpFrom < units.size()) {
      Unit u = units.get(helpFrom++);
      if (u.isNew()) {
        CompletableFuture<Void> timer = interruptAtDeadline(u, left);
        try {
          u.run(); // claims it, or returns at once when a pool thread claimed it first
        } finally {
          timer.complete(null); // ended: the timer is cancelled and leaves the scheduler's queue
        }
        return true;
      }
    }
    return false;
  }

  /**
   * A unit this thread runs itself cannot be cancelled by this thread when the deadline passes: a
   * timer cancels it then (an interrupt while it runs, as {@link #cancel()} does; nothing once it
   * ended). Completing the returned future when the unit ended cancels the timer, which then leaves
   * the JDK's delay scheduler (it removes cancelled tasks), so nothing waits for a long deadline.
   *
   * @return the timer; complete it when the unit ended (already complete without a deadline)
   */
  private CompletableFuture<Void> interruptAtDeadline(Unit u, Optional<Duration> left) {
    CompletableFuture<Void> timer = new CompletableFuture<>();
    if (left.isEmpty()) {
      timer.complete(null);
      return timer;
    }
    timer
        .orTimeout(saturatedNanos(left.get()), TimeUnit.NANOSECONDS)
        .whenComplete(
            (ok, failure) -> {
              if (failure instanceof TimeoutException) {
                u.cancel();
              }
            });
    return timer;
  }

  private void failed(Unit failing) {
    if (failFast) {
      failed = true;
      List<Unit> all;
      synchronized (units) {
        all = new ArrayList<>(units);
      }
      for (Unit u : all) {
        if (u != failing) {
          u.cancel();
        }
      }
    }
  }

  /**
   * {@return the names of the units that never started because they were cancelled first, in the
   * order they were forked; empty when every unit started}
   */
  public List<String> skippedUnits() {
    List<String> out = new ArrayList<>();
    List<Unit> all;
    synchronized (units) {
      all = new ArrayList<>(units);
    }
    for (Unit u : all) {
      if (u.skipped()) {
        out.add(u.name);
      }
    }
    return out;
  }

  private static long saturatedNanos(Duration d) {
    if (d.isNegative()) {
      return 0;
    }
    return d.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L - 1 ? Long.MAX_VALUE : d.toNanos();
  }

  /**
   * One unit: NEW → RUNNING → DONE, or NEW → SKIPPED. Guarded by its own monitor, so that a cancel
   * interrupts its thread only while it runs this unit.
   */
  private final class Unit implements Runnable {
    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int DONE = 2;
    private static final int SKIPPED = 3;

    final String name;
    private final Callable<? extends T> work;
    private int state = NEW;
    private @Nullable Thread runner;
    private boolean interruptedByGroup;
    // The runner was already interrupted (by someone else) when the group interrupted it: that
    // interrupt is not the group's to clear.
    private boolean alreadyInterrupted;
    private @Nullable T value;
    private @Nullable Throwable failure;

    Unit(String name, Callable<? extends T> work) {
      this.name = name;
      this.work = work;
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
      T v = null;
      Throwable f = null;
      Error fatal = null;
      try {
        v = work.call();
      } catch (VirtualMachineError e) {
        f = e;
        fatal = e;
      } catch (Throwable t) {
        // Errors too: the group must learn of the failure.
        f = t;
      }
      boolean clear;
      synchronized (this) {
        value = v;
        failure = f;
        state = DONE;
        runner = null;
        clear = interruptedByGroup && !alreadyInterrupted;
        notifyAll();
      }
      if (clear) {
        // Our cancel's interrupt must not leak into the thread's next job.
        Thread.interrupted();
      } else if (Thread.currentThread() == owner && f instanceof InterruptedException) {
        // The owner ran this unit itself and someone else interrupted it: that interrupt was
        // meant for the owner, who must still see it.
        Thread.currentThread().interrupt();
      }
      done.add(this); // reported first, before the cancellations it may cause
      if (f != null) {
        // Counted once queued: an owner that sees the count finds the completion to take.
        failures.incrementAndGet();
      }
      ended(f != null);
      if (f != null) {
        failed(this);
      }
      if (fatal != null) {
        throw fatal;
      }
    }

    synchronized boolean isNew() {
      return state == NEW;
    }

    synchronized boolean skipped() {
      return state == SKIPPED;
    }

    /** Skips it when not started (returns true), or interrupts it while it runs. */
    synchronized boolean cancel() {
      if (state == NEW) {
        state = SKIPPED;
        skipped.incrementAndGet();
        notifyAll();
        ended(false); // one fewer to wait for
        return true;
      }
      if (state == RUNNING && runner != null && !interruptedByGroup) {
        interruptedByGroup = true;
        alreadyInterrupted = runner.isInterrupted();
        runner.interrupt();
      }
      return false;
    }

    /** Waits until it ended (or was skipped) or {@code deadline}; whether it ended. */
    synchronized boolean awaitEnd(long deadline) throws InterruptedException {
      while (state == RUNNING) {
        long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        if (left == Long.MAX_VALUE) {
          wait();
        } else {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        }
      }
      return true;
    }

    synchronized Completion<T> completion() {
      return new Completion<>(name, value, failure, interruptedByGroup);
    }
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "TaskGroup[%d unit(s), %d taken]", forked, taken);
  }
}
