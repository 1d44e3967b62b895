package io.ndp.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of {@link TaskGroup#awaitAll} and the group's deadline timer: tests that fail on the code
 * under review.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TaskGroupAwaitAllReviewTest {

  /** A scope whose deadline is kept on {@link System#nanoTime()} ({@code Long.MIN_VALUE}: none). */
  private static ExecutionScope scope(Executor executor, long deadlineNanos) {
    return new ExecutionScope() {
      @Override
      public DelegateDirectory delegates() {
        return new DelegateDirectory();
      }

      @Override
      public Executor executor() {
        return executor;
      }

      @Override
      public Optional<Instant> deadline() {
        return timeLeft().map(left -> Instant.now().plus(left));
      }

      @Override
      public Optional<Duration> timeLeft() {
        if (deadlineNanos == Long.MIN_VALUE) {
          return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime())));
      }

      @Override
      public int depth() {
        return 0;
      }

      @Override
      public PatternResult executeBestPattern(PatternContext nested) {
        throw new UnsupportedOperationException();
      }
    };
  }

  /**
   * awaitAll(true) "returns as soon as a failed unit's completion is there to be taken". A unit
   * counts its failure ({@code failures.incrementAndGet()}) before it queues its completion ({@code
   * done.add(this)}): an owner that looks in between sees a failure "waiting", stops waiting and
   * drains an empty queue. There is no deadline, yet awaitAll returns nothing at all (the
   * documented meaning of an empty result is "the deadline passed"), and ParallelRun then reports
   * TIMED_OUT for a fail-fast run that had no deadline.
   *
   * <p>The window is a few dozen nanoseconds wide, so the test sweeps the moment the owner enters
   * awaitAll across it, many times; it stops at the first wrong result.
   */
  @Test
  void awaitAllUntilFailure_withoutADeadline_alwaysReturnsTheFailureThatEndedTheWait()
      throws Exception {
    IllegalStateException boom = new IllegalStateException("boom");
    AtomicReference<Runnable> slot = new AtomicReference<>();
    AtomicBoolean stop = new AtomicBoolean();
    // One spinning worker: a forked unit starts within a microsecond.
    Thread worker =
        new Thread(
            () -> {
              while (!stop.get()) {
                Runnable r = slot.getAndSet(null);
                if (r != null) {
                  r.run();
                } else {
                  Thread.onSpinWait();
                }
              }
            },
            "review-worker");
    worker.setDaemon(true);
    worker.start();
    ExecutionScope noDeadline = scope(slot::set, Long.MIN_VALUE);
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long until =
        System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.getLong("ndp.stress.seconds", 5));
    String wrong = null;
    int rounds = 0;
    try {
      while (wrong == null && rounds < 3_000_000 && System.nanoTime() < until) {
        rounds++;
        TaskGroup<String> g = TaskGroup.open(noDeadline);
        AtomicBoolean started = new AtomicBoolean();
        g.fork(
            "fails",
            () -> {
              started.set(true);
              throw boom;
            });
        while (!started.get()) {
          Thread.onSpinWait();
        }
        for (int i = random.nextInt(48); i > 0; i--) {
          Thread.onSpinWait();
        }
        List<TaskGroup.Completion<String>> got = g.awaitAll(true);
        if (got.size() != 1 || got.get(0).failure() != boom) {
          List<String> names = new ArrayList<>();
          got.forEach(c -> names.add(c.name()));
          wrong =
              "round "
                  + rounds
                  + ": awaitAll(true) returned "
                  + names
                  + " without a deadline; outstanding still "
                  + g.outstanding()
                  + ", and a second awaitAll(true) returns "
                  + g.awaitAll(true).size()
                  + " completion(s)";
        }
      }
    } finally {
      stop.set(true);
      worker.join(10_000);
    }
    assertThat(wrong).as("after %d round(s)", rounds).isNull();
  }

  /**
   * "Nothing starts after the deadline, not even on this thread" (next()), and awaitAll runs
   * unstarted units "as next() does". Yet awaitAll parks until the deadline (its wait is capped by
   * the time left), then calls helpOne() without looking at the clock again: the unit starts on the
   * owner after the deadline (a delegate's side effect happens although the run is reported as
   * timed out with that task "cancelled").
   */
  @Test
  void awaitAll_whenTheDeadlinePassesWhileItWaits_startsNoUnitAfterIt() throws Exception {
    // A few fresh groups: a stray unpark permit left on this thread (units unpark their owner)
    // or a spurious wake-up can end one wait early, so that unit legitimately starts in time.
    for (int attempt = 0; attempt < 5; attempt++) {
      LockSupport.parkNanos(1_000); // consumes a stray permit, if any
      List<Runnable> neverRun = new ArrayList<>();
      ExecutionScope s = scope(neverRun::add, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5));
      TaskGroup<String> g = TaskGroup.open(s);
      AtomicReference<Duration> startedWithTimeLeft = new AtomicReference<>();
      g.fork(
          "late",
          () -> {
            startedWithTimeLeft.set(s.timeLeft().orElseThrow());
            return "ran";
          });

      List<TaskGroup.Completion<String>> got = g.awaitAll(false);

      Duration left = startedWithTimeLeft.get();
      assertThat(left == null || !left.isZero())
          .as(
              "attempt %d: the unit started with %s left before the deadline (null: never"
                  + " started); awaitAll returned %s",
              attempt, left, got)
          .isTrue();
    }
  }

  /**
   * The same defect in next(), older than this change (the earlier fix only looks at the clock at
   * the top of the loop): next() polls for at most the time left, and when that poll ends at the
   * deadline it calls helpOne() and starts a unit on the owner after the deadline, although its
   * Javadoc says "Nothing starts after the deadline, not even on this thread".
   */
  @Test
  void next_whenTheDeadlinePassesWhileItWaits_startsNoUnitAfterIt() throws Exception {
    List<Runnable> neverRun = new ArrayList<>();
    ExecutionScope s = scope(neverRun::add, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5));
    TaskGroup<String> g = TaskGroup.open(s);
    AtomicReference<Duration> startedWithTimeLeft = new AtomicReference<>();
    g.fork(
        "late",
        () -> {
          startedWithTimeLeft.set(s.timeLeft().orElseThrow());
          return "ran";
        });

    Optional<TaskGroup.Completion<String>> got = g.next();

    Duration left = startedWithTimeLeft.get();
    assertThat(left == null || !left.isZero())
        .as(
            "the unit started with %s left before the deadline (null: never started); next()"
                + " returned %s",
            left, got)
        .isTrue();
  }

  /**
   * "The timer holds the unit weakly, so a long deadline keeps nothing alive." Every unit the owner
   * runs itself schedules a task on the JDK's shared delay scheduler that is never cancelled when
   * the unit ends: it stays queued (with its WeakReference and lambda) until the deadline, long
   * after the group and its execution are gone. Counted with a class histogram after a full GC.
   */
  @Test
  void unitsTheOwnerRanItself_leaveNoTimerTaskBehindOnceTheirGroupIsGone() throws Exception {
    String submitter = "java.util.concurrent.CompletableFuture$TaskSubmitter";
    long before = liveInstances(submitter);
    int groups = 200;
    for (int i = 0; i < groups; i++) {
      List<Runnable> neverRun = new ArrayList<>();
      TaskGroup<Integer> g =
          TaskGroup.open(scope(neverRun::add, System.nanoTime() + TimeUnit.HOURS.toNanos(1)));
      int n = i;
      g.fork("u" + i, () -> n);
      assertThat(g.awaitAll(false)).hasSize(1);
    }

    long after = liveInstances(submitter);

    assertThat(after - before)
        .as(
            "timer tasks still queued after %d finished, unreachable groups (%s)",
            groups, histogramLines(submitter, "ScheduledFutureTask", "WeakReference"))
        .isLessThan(groups / 10);
  }

  private static String histogram() throws Exception {
    return (String)
        ManagementFactory.getPlatformMBeanServer()
            .invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"),
                "gcClassHistogram",
                new Object[] {new String[0]},
                new String[] {String[].class.getName()});
  }

  private static long liveInstances(String className) throws Exception {
    for (String line : histogram().split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 4 && f[3].equals(className)) {
        return Long.parseLong(f[1]);
      }
    }
    return 0;
  }

  private static String histogramLines(String... fragments) throws Exception {
    List<String> out = new ArrayList<>();
    for (String line : histogram().split("\n")) {
      for (String fragment : fragments) {
        if (line.contains(fragment)) {
          out.add(line.trim().replaceAll("\\s+", " "));
          break;
        }
      }
    }
    return String.join(" | ", out);
  }
}
