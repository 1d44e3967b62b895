package io.ndp.patterns.parallel;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.DelegateDirectory;
import io.ndp.api.FailurePolicy;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternOutcome;
import io.ndp.api.ResourcePool;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Regression tests for the defects the last review of the failure policies proved. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ParallelQuorumReviewRegressionTest {
  private final ExecutorService workers = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    workers.shutdownNow();
  }

  /**
   * Resource contention is CONFLICT (not counted against the pattern) under FAIL_FAST and
   * COLLECT_ALL, but a QUORUM made unreachable by the very same conflict reports FAILED.
   */
  @Test
  void quorumUnreachableThroughAConflict_isConflict_likeTheOtherPolicies() {
    Map<FailurePolicy, OutcomeStatus> seen = new LinkedHashMap<>();
    for (FailurePolicy policy :
        new FailurePolicy[] {
          FailurePolicy.FAIL_FAST, FailurePolicy.COLLECT_ALL, FailurePolicy.quorum(2)
        }) {
      DelegateDirectory delegates = new DelegateDirectory();
      ResourcePool pool = new ResourcePool();
      delegates.register("cpuTask", in -> "C");
      delegates.register("gpuTask", in -> "G");
      ParallelCoordinationPattern p =
          ParallelCoordinationPattern.builder("p", "")
              .pool(pool)
              .capacity("gpu", 1)
              .capacity("cpu", 1)
              .task("cpuTask", Map.of("cpu", 1))
              .task("gpuTask", Map.of("gpu", 1))
              .acquireTimeout(Duration.ofMillis(50))
              .failurePolicy(policy)
              .build();
      // Someone else holds the only gpu for the whole run.
      ResourcePool.Lease held;
      try {
        held = pool.tryAcquireAll("someone-else", 0, Map.of("gpu", 1), Duration.ZERO).orElseThrow();
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      PatternOutcome o =
          p.execute(
              new PatternContext("orders", "parallel", Map.of()),
              new TestScope(delegates, workers, null));
      held.close();
      seen.put(policy, o.status());
      System.out.println(policy + " -> " + o.status() + ": " + o.message());
    }
    assertThat(seen.get(FailurePolicy.FAIL_FAST)).isEqualTo(OutcomeStatus.CONFLICT);
    assertThat(seen.get(FailurePolicy.COLLECT_ALL)).isEqualTo(OutcomeStatus.CONFLICT);
    assertThat(seen.get(FailurePolicy.quorum(2))).isEqualTo(OutcomeStatus.CONFLICT);
  }

  /**
   * "The parallel kind names the tasks that ignored the interrupt": not when QUORUM is reached.
   * stopAll(group, null) computes the stubborn list and drops it; the success message says
   * "cancelled the rest" although 'stubborn' ran on (holding its units) for 300 ms more.
   */
  @Test
  void quorumReached_namesATaskThatIgnoredTheInterrupt() {
    DelegateDirectory delegates = new DelegateDirectory();
    ResourcePool pool = new ResourcePool();
    java.util.concurrent.CountDownLatch stubbornRunning =
        new java.util.concurrent.CountDownLatch(1);
    delegates.register(
        "fast",
        in -> {
          stubbornRunning.await();
          return "F";
        });
    delegates.register(
        "stubborn",
        in -> {
          stubbornRunning.countDown();
          long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
          while (System.nanoTime() < until) {
            Thread.onSpinWait(); // ignores the interrupt
          }
          return "S";
        });
    ParallelCoordinationPattern p =
        ParallelCoordinationPattern.builder("p", "")
            .pool(pool)
            .capacity("cpu", 2)
            .task("fast", Map.of("cpu", 1))
            .task("stubborn", Map.of("cpu", 1))
            .failurePolicy(FailurePolicy.quorum(1))
            .build();
    PatternOutcome o =
        p.execute(
            new PatternContext("orders", "parallel", Map.of()),
            new TestScope(delegates, workers, null));
    assertThat(o.status()).isEqualTo(OutcomeStatus.SUCCESS);
    assertThat(pool.activeResources()).isEmpty(); // stopAll waited for it
    assertThat(o.message()).contains("stubborn").contains("ignored the interrupt");
  }
}
