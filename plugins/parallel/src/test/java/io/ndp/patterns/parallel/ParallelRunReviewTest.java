package io.ndp.patterns.parallel;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.DelegateDirectory;
import io.ndp.api.ExecutionScope;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternOutcome;
import io.ndp.api.PatternResult;
import io.ndp.api.ResourcePool;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of ParallelRun's switch to TaskGroup.awaitAll: tests that fail on the code under review.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ParallelRunReviewTest {
  private final DelegateDirectory delegates = new DelegateDirectory();
  private final ResourcePool pool = new ResourcePool();

  /** A scope whose deadline is an hour away until the test says it passed. */
  private static final class SwitchedDeadlineScope implements ExecutionScope {
    private final DelegateDirectory delegates;
    private final Executor executor;
    volatile boolean passed;

    SwitchedDeadlineScope(DelegateDirectory delegates, Executor executor) {
      this.delegates = delegates;
      this.executor = executor;
    }

    @Override
    public DelegateDirectory delegates() {
      return delegates;
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
      return Optional.of(passed ? Duration.ZERO : Duration.ofHours(1));
    }

    @Override
    public int depth() {
      return 0;
    }

    @Override
    public PatternResult executeBestPattern(PatternContext nested) {
      throw new UnsupportedOperationException();
    }
  }

  private static PatternContext context(String... requiredResources) {
    return new PatternContext(
        "orders", "parallel", Map.of("required_resources", List.of(requiredResources)));
  }

  /**
   * FAIL_FAST, no deadline at all: task 'f' fails, so the outcome must be FAILED naming it. The
   * failing unit counts its failure before it queues its completion; when awaitAll(true) looks in
   * between, it returns an empty list, which ParallelRun reads as "the deadline passed" and reports
   * TIMED_OUT ("deadline passed with 1 of 1 task(s) unfinished: f"). Swept over many runs.
   */
  @Test
  void failFast_withoutADeadline_isNeverReportedAsTimedOut() throws Exception {
    ParallelCoordinationPattern p =
        ParallelCoordinationPattern.builder("p", "review").pool(pool).resources("f").build();
    IllegalStateException broken = new IllegalStateException("f broke");
    delegates.register(
        "f",
        input -> {
          throw broken;
        });
    AtomicReference<Runnable> slot = new AtomicReference<>();
    AtomicBoolean stop = new AtomicBoolean();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    Thread worker =
        new Thread(
            () -> {
              ThreadLocalRandom r = ThreadLocalRandom.current();
              while (!stop.get()) {
                Runnable task = slot.getAndSet(null);
                if (task == null) {
                  Thread.onSpinWait();
                  continue;
                }
                for (int i = r.nextInt(64); i > 0; i--) {
                  Thread.onSpinWait();
                }
                task.run();
              }
            },
            "review-worker");
    worker.setDaemon(true);
    worker.start();
    TestScope noDeadline = new TestScope(delegates, slot::set, null);
    PatternContext ctx = context("f");
    long until =
        System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.getLong("ndp.stress.seconds", 5));
    String wrong = null;
    int rounds = 0;
    try {
      while (wrong == null && rounds < 1_000_000 && System.nanoTime() < until) {
        rounds++;
        PatternOutcome o = p.execute(ctx, noDeadline);
        if (o.status() != OutcomeStatus.FAILED) {
          wrong = "round " + rounds + ": " + o.status() + ": " + o.message();
        }
      }
    } finally {
      stop.set(true);
      worker.join(10_000);
    }
    assertThat(wrong).as("after %d run(s) without a deadline", rounds).isNull();
    assertThat(pool.activeResources()).isEmpty();
  }

  /**
   * FAIL_FAST: task 'f' fails while the deadline is an hour away; its fail-fast cancel interrupts
   * task 'x', which the calling thread runs itself; the deadline passes while 'x' winds down. The
   * first unsuccessful task is 'f', before the deadline, so the outcome is FAILED naming it (as it
   * was with next(): the owner took 'f' first). ParallelRun now takes both completions at once and,
   * seeing the deadline passed and 'x' "interrupted by the group", reports TIMED_OUT instead: 'x'
   * was interrupted by f's fail-fast cancel, not by the deadline timer.
   */
  @Test
  void failFast_aFailureBeforeTheDeadline_staysTheOutcome_whenTheDeadlinePassesDuringTheCancel()
      throws Exception {
    ParallelCoordinationPattern p =
        ParallelCoordinationPattern.builder("p", "review").pool(pool).resources("f", "x").build();
    CountDownLatch xRuns = new CountDownLatch(1);
    delegates.register(
        "f",
        input -> {
          if (!xRuns.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("x never started");
          }
          throw new IllegalStateException("f broke");
        });
    AtomicReference<SwitchedDeadlineScope> scope = new AtomicReference<>();
    delegates.register(
        "x",
        input -> {
          xRuns.countDown();
          try {
            Thread.sleep(30_000);
            return "never";
          } catch (InterruptedException cancelled) {
            scope.get().passed = true; // the deadline passes while x winds down
            throw cancelled;
          }
        });
    AtomicInteger executes = new AtomicInteger();
    Executor firstOnly =
        r -> {
          if (executes.getAndIncrement() == 0) {
            new Thread(r, "review-f").start(); // 'f'; 'x' is left to the calling thread
          }
        };
    scope.set(new SwitchedDeadlineScope(delegates, firstOnly));

    PatternOutcome o = p.execute(context("f", "x"), scope.get());

    assertThat(o.status()).as(o.message()).isEqualTo(OutcomeStatus.FAILED);
    assertThat(o.message()).contains("task 'f' (delegate 'f') failed");
    assertThat(pool.activeResources()).isEmpty();
    assertThat(Thread.interrupted()).isFalse();
  }
}
