package io.ndp.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Regression tests for the defects a review of the task group and its kinds proved. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskGroupReviewRegressionTest {

  private static ExecutionScope scope(Executor executor, @Nullable Instant deadline) {
    return TestScopes.at(executor, deadline);
  }

  /**
   * next() "returns empty when the scope's deadline passed", yet after the deadline it still starts
   * an unstarted unit on the owner thread (helpOne runs before the deadline is looked at).
   */
  @Test
  void next_afterTheDeadlinePassed_startsNoUnit() throws Exception {
    Executor rejecting =
        r -> {
          throw new RejectedExecutionException("saturated");
        };
    TaskGroup<String> g = TaskGroup.open(scope(rejecting, Instant.now().plusMillis(100)));
    AtomicBoolean lateRan = new AtomicBoolean();
    g.fork(
        "slow",
        () -> {
          new java.util.concurrent.CountDownLatch(1)
              .await(300, java.util.concurrent.TimeUnit.MILLISECONDS); // overruns the deadline
          return "slow";
        });
    g.fork(
        "late",
        () -> {
          lateRan.set(true);
          return "late";
        });

    assertThat(g.next()).map(TaskGroup.Completion::name).contains("slow");
    // Now the deadline has passed: nothing may be started any more.
    Optional<TaskGroup.Completion<String>> second = g.next();

    assertThat(lateRan).as("unit started by next() after the deadline").isFalse();
    assertThat(second).as("next() after the deadline").isEmpty();
  }

  /**
   * cancelOnFailure iterates the group's plain ArrayList of units from the failing (pool) thread
   * while the owner is still forking: ConcurrentModificationException (or worse) escapes on the
   * pool thread, and units forked meanwhile are not cancelled.
   */
  @Test
  void cancelOnFailure_whileTheOwnerStillForks_neverThrowsOnTheFailingThread() throws Exception {
    for (int round = 0; round < 50; round++) {
      List<Throwable> escaped = new CopyOnWriteArrayList<>();
      AtomicInteger executes = new AtomicInteger();
      CountDownLatch forking = new CountDownLatch(1);
      Thread[] failing = new Thread[1];
      Executor executor =
          r -> {
            if (executes.getAndIncrement() == 0) {
              failing[0] =
                  new Thread(
                      () -> {
                        try {
                          r.run();
                        } catch (Throwable t) {
                          escaped.add(t);
                        }
                      });
              failing[0].start();
            }
            // every other unit is left to the owner (never run by the executor)
          };
      TaskGroup<Integer> g = TaskGroup.<Integer>open(scope(executor, null)).cancelOnFailure(true);
      g.fork(
          "bad",
          () -> {
            forking.await();
            throw new IllegalStateException("bad");
          });
      for (int i = 0; i < 300_000; i++) {
        g.fork("u" + i, () -> 1);
        if (i == 1000) {
          forking.countDown();
        }
      }
      failing[0].join();
      g.cancel();
      g.awaitStarted(null);
      assertThat(escaped).as("thrown out of the failing unit's thread, round " + round).isEmpty();
    }
  }

  /**
   * "A host interrupt of the owner while it runs a unit inline is kept": when the group's own
   * fail-fast cancel also hits that inline unit, the unit's end clears the thread's interrupt
   * (Thread.interrupted()), and the host's interrupt is lost with it.
   */
  @Test
  void hostInterruptOfTheOwnerWhileItRunsAUnitInline_isKept_evenWhenTheGroupAlsoCancelsIt()
      throws Exception {
    AtomicInteger executes = new AtomicInteger();
    Executor executor =
        r -> {
          if (executes.getAndIncrement() == 0) {
            new Thread(r).start();
            return;
          }
          throw new RejectedExecutionException("saturated");
        };
    Thread owner = Thread.currentThread();
    CountDownLatch inlineRunning = new CountDownLatch(1);
    CountDownLatch fail = new CountDownLatch(1);
    TaskGroup<String> g = TaskGroup.<String>open(scope(executor, null)).cancelOnFailure(true);
    g.fork(
        "failing",
        () -> {
          fail.await();
          throw new IllegalStateException("failing");
        });
    g.fork(
        "inline",
        () -> {
          inlineRunning.countDown();
          long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
          while (System.nanoTime() < end) {
            Thread.onSpinWait(); // CPU work: the interrupt flag just stays set
          }
          return "inline";
        });
    Thread host =
        new Thread(
            () -> {
              try {
                inlineRunning.await();
                owner.interrupt(); // the host cancels the whole execution
                fail.countDown(); // and a unit fails, cancelling the others
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    host.start();

    boolean hostInterruptSeen;
    try {
      while (g.outstanding() > 0) {
        g.next();
      }
      hostInterruptSeen = Thread.interrupted();
    } catch (InterruptedException e) {
      hostInterruptSeen = true;
    }
    host.join();
    g.cancel();
    g.awaitStarted(null);
    Thread.interrupted();

    assertThat(hostInterruptSeen).as("the host's interrupt of the owner").isTrue();
  }
}
