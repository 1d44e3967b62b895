package io.ndp.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TaskGroupTest {
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  private static ExecutionScope scope(Executor executor, @Nullable Duration timeout) {
    return TestScopes.scope(executor, timeout);
  }

  @Test
  void forkedUnits_allComplete_withTheirValues() throws Exception {
    TaskGroup<Integer> g = TaskGroup.open(scope(pool, null));
    for (int i = 0; i < 10; i++) {
      int n = i;
      g.fork("u" + i, () -> n * n);
    }
    int sum = 0;
    while (g.outstanding() > 0) {
      TaskGroup.Completion<Integer> c = g.next().orElseThrow();
      assertThat(c.succeeded()).isTrue();
      sum += c.value();
    }
    assertThat(sum).isEqualTo(285);
    assertThat(g.awaitStarted(null)).isEmpty();
  }

  @Test
  void anExecutorThatNeverRuns_leavesTheWorkToTheWaitingCaller() throws Exception {
    List<Runnable> neverRun = new ArrayList<>();
    TaskGroup<Thread> g = TaskGroup.open(scope(neverRun::add, null));
    g.fork("a", Thread::currentThread);
    g.fork("b", Thread::currentThread);

    assertThat(g.next().orElseThrow().value()).isSameAs(Thread.currentThread());
    assertThat(g.next().orElseThrow().value()).isSameAs(Thread.currentThread());
    assertThat(g.outstanding()).isZero();
    neverRun.forEach(Runnable::run); // the executor's late copies find them taken: no-ops
  }

  @Test
  void cancelOnFailure_interruptsTheOthersFromTheFailingThread_andLeaksNoInterrupt()
      throws Exception {
    TaskGroup<String> g = TaskGroup.<String>open(scope(pool, null)).cancelOnFailure(true);
    CountDownLatch running = new CountDownLatch(1);
    AtomicInteger interrupted = new AtomicInteger();
    g.fork(
        "slow",
        () -> {
          running.countDown();
          try {
            new CountDownLatch(1).await(20, TimeUnit.SECONDS);
            return "never";
          } catch (InterruptedException e) {
            interrupted.incrementAndGet();
            throw e;
          }
        });
    g.fork(
        "bad",
        () -> {
          running.await();
          throw new IllegalStateException("disk full");
        });

    TaskGroup.Completion<String> first = g.next().orElseThrow();
    assertThat(first.name()).isEqualTo("bad");
    assertThat(first.failure()).hasMessage("disk full");
    TaskGroup.Completion<String> second = g.next().orElseThrow();
    assertThat(second.name()).isEqualTo("slow");
    assertThat(second.interruptedByGroup()).isTrue();
    assertThat(interrupted).hasValue(1);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    // The pool thread that ran "slow" is clean for its next job.
    assertThat(pool.submit(() -> Thread.currentThread().isInterrupted()).get()).isFalse();
  }

  @Test
  void deadline_endsNext_cancelSkipsAndInterrupts_awaitStartedNamesTheStubborn() throws Exception {
    ExecutorService one = Executors.newSingleThreadExecutor();
    try {
      TaskGroup<String> g = TaskGroup.open(scope(one, Duration.ofMillis(100)));
      CountDownLatch stubbornRunning = new CountDownLatch(1);
      g.fork(
          "stubborn",
          () -> {
            stubbornRunning.countDown();
            long until = System.nanoTime() + 500_000_000L;
            while (System.nanoTime() < until) {
              Thread.interrupted(); // ignores interrupts
            }
            return "late";
          });
      assertThat(stubbornRunning.await(10, TimeUnit.SECONDS)).isTrue();
      // The caller runs the second unit itself (the only thread is busy) and then waits.
      g.fork("quick", () -> "quick");

      assertThat(g.next().orElseThrow().name()).isEqualTo("quick");
      assertThat(g.next()).as("deadline").isEmpty();
      assertThat(g.cancel()).isEmpty();
      assertThat(g.awaitStarted(Duration.ofMillis(50))).containsExactly("stubborn");
      assertThat(g.awaitStarted(null)).isEmpty();
    } finally {
      one.shutdownNow();
    }
  }

  @Test
  void cancel_beforeStart_skipsEveryUnit() {
    List<Runnable> held = new ArrayList<>();
    TaskGroup<String> g = TaskGroup.open(scope(held::add, null));
    g.fork("a", () -> "a");
    g.fork("b", () -> "b");

    assertThat(g.cancel()).containsExactly("a", "b");
    assertThat(g.outstanding()).isZero();
    held.forEach(Runnable::run);
    assertThat(g.awaitStarted(null)).isEmpty();
  }
}
