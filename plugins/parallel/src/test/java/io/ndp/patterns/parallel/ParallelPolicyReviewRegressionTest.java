package io.ndp.patterns.parallel;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.DelegateDirectory;
import io.ndp.api.FailurePolicy;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternOutcome;
import io.ndp.api.ResourcePool;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Regression tests for the defects a review of the task group and its kinds proved. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ParallelPolicyReviewRegressionTest {
  private final DelegateDirectory delegates = new DelegateDirectory();
  private final ResourcePool pool = new ResourcePool();
  private final ExecutorService workers = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    workers.shutdownNow();
  }

  private ParallelCoordinationPattern pattern(FailurePolicy policy, String... tasks) {
    ParallelCoordinationPattern.Builder b =
        ParallelCoordinationPattern.builder("p", "").pool(pool).capacity("cpu", tasks.length);
    for (String t : tasks) {
      b.task(t, Map.of("cpu", 1));
    }
    return b.failurePolicy(policy).build();
  }

  /**
   * "When the deadline passes first the run ends in TIMED_OUT": on a saturated executor the calling
   * thread runs the tasks; once the deadline has passed it still starts the next task
   * (TaskGroup.next helps before it looks at the deadline), and the run ends in SUCCESS.
   */
  @Test
  void saturatedExecutor_noTaskStartsAfterTheDeadline_andTheRunTimesOut() throws Exception {
    ExecutorService one = Executors.newSingleThreadExecutor();
    CountDownLatch release = new CountDownLatch(1);
    one.execute(
        () -> {
          try {
            release.await(); // someone else's job keeps the only thread busy
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    try {
      AtomicBoolean lateRan = new AtomicBoolean();
      delegates.register(
          "slow",
          in -> {
            new java.util.concurrent.CountDownLatch(1)
                .await(400, java.util.concurrent.TimeUnit.MILLISECONDS); // overruns the deadline
            return "S";
          });
      delegates.register(
          "late",
          in -> {
            lateRan.set(true);
            return "L";
          });

      PatternOutcome o =
          pattern(FailurePolicy.FAIL_FAST, "slow", "late")
              .execute(
                  new PatternContext("orders", "parallel", Map.of()),
                  new TestScope(delegates, one, Duration.ofMillis(150)));

      assertThat(lateRan).as("'late' started after the deadline; " + o.message()).isFalse();
      assertThat(o.status()).as(o.message()).isEqualTo(OutcomeStatus.TIMED_OUT);
    } finally {
      release.countDown();
      one.shutdownNow();
    }
  }

  /**
   * COLLECT_ALL, one task failed, the other still running at the deadline: the TIMED_OUT message
   * counts the failed task as "unfinished" and says it was cancelled; its failure is lost.
   */
  @Test
  void collectAll_timeout_doesNotReportAFailedTaskAsUnfinishedAndCancelled() {
    delegates.register(
        "a",
        in -> {
          throw new IllegalStateException("a broke");
        });
    delegates.register(
        "b",
        in -> {
          new CountDownLatch(1).await(); // until cancelled
          return "B";
        });

    PatternOutcome o =
        pattern(FailurePolicy.COLLECT_ALL, "a", "b")
            .execute(
                new PatternContext("orders", "parallel", Map.of()),
                new TestScope(delegates, workers, Duration.ofMillis(300)));

    assertThat(o.status()).isEqualTo(OutcomeStatus.TIMED_OUT);
    assertThat(o.message()).contains("1 of 2 task(s) unfinished: b").contains("a broke");
  }
}
