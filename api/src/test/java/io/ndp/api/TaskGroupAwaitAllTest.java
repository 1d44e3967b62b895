package io.ndp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link TaskGroup#awaitAll}: every completion comes back, a failure or the deadline ends the wait
 * early, work the executor never starts runs on the caller, and no completion or wake-up is lost
 * when many groups end concurrently.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskGroupAwaitAllTest {
  private final ExecutorService pool = Executors.newFixedThreadPool(2);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  private static ExecutionScope scope(Executor executor, @Nullable Duration timeout) {
    return TestScopes.scope(executor, timeout);
  }

  @Test
  void returnsEveryCompletionOnceAllEnded() throws Exception {
    TaskGroup<Integer> g = TaskGroup.open(scope(pool, null));
    for (int i = 0; i < 64; i++) {
      int n = i;
      g.fork("u" + i, () -> n);
    }

    List<TaskGroup.Completion<Integer>> all = g.awaitAll(false);

    assertThat(all).hasSize(64).allMatch(TaskGroup.Completion::succeeded);
    assertThat(all.stream().mapToInt(TaskGroup.Completion::value).sum()).isEqualTo(63 * 64 / 2);
    assertThat(g.outstanding()).isZero();
    assertThat(g.awaitAll(false)).isEmpty();
  }

  @Test
  void untilFailureReturnsAtTheFirstFailureWithoutWaitingForTheOthers() throws Exception {
    TaskGroup<String> g = TaskGroup.open(scope(pool, null));
    CountDownLatch release = new CountDownLatch(1);
    g.fork(
        "blocked",
        () -> {
          release.await();
          return "late";
        });
    g.fork(
        "fails",
        () -> {
          throw new IllegalStateException("broken");
        });

    List<TaskGroup.Completion<String>> got = g.awaitAll(true);

    assertThat(got).extracting(TaskGroup.Completion::name).containsExactly("fails");
    assertThat(g.outstanding()).isEqualTo(1);
    release.countDown();
    assertThat(g.awaitAll(true)).extracting(TaskGroup.Completion::name).containsExactly("blocked");
  }

  @Test
  void withoutUntilFailureAFailureDoesNotEndTheWait() throws Exception {
    TaskGroup<String> g = TaskGroup.open(scope(pool, null));
    CountDownLatch failed = new CountDownLatch(1);
    g.fork(
        "fails",
        () -> {
          failed.countDown();
          throw new IllegalStateException("broken");
        });
    g.fork(
        "later",
        () -> {
          failed.await();
          return "done";
        });

    List<TaskGroup.Completion<String>> got = g.awaitAll(false);

    // Both, whichever ended first: a wait that returned at the failure would miss "later"
    // whenever it was still running then.
    assertThat(got)
        .extracting(TaskGroup.Completion::name)
        .containsExactlyInAnyOrder("fails", "later");
    assertThat(g.outstanding()).isZero();
  }

  @Test
  void unitsSkippedByAFailFastCancelCountAsEndedSoTheWaitEnds() throws Exception {
    // One thread, kept busy: the failing unit runs on the caller and skips the others, which
    // never start; the wait must not hang for them.
    ExecutorService one = Executors.newSingleThreadExecutor();
    CountDownLatch release = new CountDownLatch(1);
    try {
      one.execute(
          () -> {
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
      TaskGroup<String> g = TaskGroup.<String>open(scope(one, null)).cancelOnFailure(true);
      g.fork(
          "fails",
          () -> {
            throw new IllegalStateException("broken");
          });
      g.fork("skipped_1", () -> "never");
      g.fork("skipped_2", () -> "never");

      List<TaskGroup.Completion<String>> got = g.awaitAll(false);

      assertThat(got).extracting(TaskGroup.Completion::name).containsExactly("fails");
      assertThat(g.skippedUnits()).containsExactly("skipped_1", "skipped_2");
      assertThat(g.outstanding()).isZero();
    } finally {
      release.countDown();
      one.shutdownNow();
    }
  }

  @Test
  void workTheExecutorNeverStartsRunsOnTheCaller() throws Exception {
    List<Runnable> neverRun = new ArrayList<>();
    TaskGroup<Thread> g = TaskGroup.open(scope(neverRun::add, null));
    for (int i = 0; i < 5; i++) {
      g.fork("u" + i, Thread::currentThread);
    }

    List<TaskGroup.Completion<Thread>> got = g.awaitAll(false);

    assertThat(got).hasSize(5).allMatch(c -> c.value() == Thread.currentThread());
  }

  @Test
  void theDeadlineEndsTheWaitWithWhatEnded() throws Exception {
    TaskGroup<String> g = TaskGroup.open(scope(pool, Duration.ofMillis(100)));
    CountDownLatch release = new CountDownLatch(1);
    g.fork("quick", () -> "ok");
    g.fork(
        "stuck",
        () -> {
          release.await();
          return "late";
        });
    long start = System.nanoTime();

    List<TaskGroup.Completion<String>> got = g.awaitAll(false);

    // A generous bound: the wait ends at the deadline, not when the stuck unit does.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(got).extracting(TaskGroup.Completion::name).containsExactly("quick");
    assertThat(g.outstanding()).isEqualTo(1);
    assertThat(g.awaitAll(false)).isEmpty();
    g.cancel();
    release.countDown();
    assertThat(g.awaitStarted(Duration.ofSeconds(5))).isEmpty();
  }

  /**
   * An executor that never starts anything: the caller runs the hanging unit itself, and only the
   * group's timer can stop it at the deadline. Both ways of waiting must return soon after it.
   */
  @Test
  void aUnitTheCallerRunsItselfIsInterruptedAtTheDeadline() throws Exception {
    for (boolean viaNext : new boolean[] {false, true}) {
      List<Runnable> neverRun = new ArrayList<>();
      TaskGroup<String> g = TaskGroup.open(scope(neverRun::add, Duration.ofMillis(100)));
      g.fork(
          "hangs",
          () -> {
            Thread.sleep(60_000);
            return "never";
          });
      long start = System.nanoTime();

      List<TaskGroup.Completion<String>> got = new ArrayList<>();
      if (viaNext) {
        g.next().ifPresent(got::add);
      } else {
        got.addAll(g.awaitAll(false));
      }

      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
      assertThat(got).hasSize(1);
      assertThat(got.get(0).failure()).isInstanceOf(InterruptedException.class);
      assertThat(got.get(0).interruptedByGroup()).isTrue();
      assertThat(Thread.currentThread().isInterrupted())
          .as("the owner keeps no interrupt")
          .isFalse();
      assertThat(g.outstanding()).isZero();
    }
  }

  @Test
  void anInterruptOfTheCallerEndsTheWait() throws Exception {
    TaskGroup<String> g = TaskGroup.open(scope(pool, null));
    CountDownLatch release = new CountDownLatch(1);
    g.fork(
        "stuck",
        () -> {
          release.await();
          return "late";
        });
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> g.awaitAll(false)).isInstanceOf(InterruptedException.class);
      assertThat(Thread.currentThread().isInterrupted()).isFalse();
    } finally {
      release.countDown();
      g.awaitStarted(Duration.ofSeconds(5));
    }
  }

  /**
   * Many groups of random sizes on a 2-thread pool, some units failing: every awaitAll returns (no
   * lost wake-up: the test's timeout catches a hang), and every unit is accounted for exactly once,
   * as a completion or a skip.
   */
  @Test
  void manyGroupsLoseNoCompletionAndNoWakeUp() throws Exception {
    ExecutorService owners = Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<Integer>> results = new ArrayList<>();
      for (int o = 0; o < 4; o++) {
        results.add(
            owners.submit(
                () -> {
                  int groups = 0;
                  ThreadLocalRandom random = ThreadLocalRandom.current();
                  for (int round = 0; round < 500; round++) {
                    boolean failFast = random.nextBoolean();
                    TaskGroup<Integer> g =
                        TaskGroup.<Integer>open(scope(pool, null)).cancelOnFailure(failFast);
                    int size = 1 + random.nextInt(16);
                    for (int i = 0; i < size; i++) {
                      int n = i;
                      boolean fail = random.nextInt(20) == 0;
                      g.fork(
                          "u" + i,
                          () -> {
                            if (fail) {
                              throw new IllegalStateException("unit " + n);
                            }
                            return n;
                          });
                    }
                    Set<String> seen = new HashSet<>();
                    while (g.outstanding() > 0) {
                      for (TaskGroup.Completion<Integer> c : g.awaitAll(failFast)) {
                        assertThat(seen.add(c.name())).as("twice: %s", c.name()).isTrue();
                      }
                    }
                    g.awaitStarted(null);
                    seen.addAll(g.skippedUnits());
                    assertThat(seen).hasSize(size);
                    groups++;
                  }
                  return groups;
                }));
      }
      for (java.util.concurrent.Future<Integer> r : results) {
        assertThat(r.get(50, TimeUnit.SECONDS)).isEqualTo(500);
      }
    } finally {
      owners.shutdownNow();
    }
  }
}
