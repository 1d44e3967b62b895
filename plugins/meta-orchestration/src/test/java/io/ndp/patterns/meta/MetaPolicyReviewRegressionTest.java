package io.ndp.patterns.meta;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.FailurePolicy;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternOutcome;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Regression tests for the defects the last review of the failure policies proved. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MetaPolicyReviewRegressionTest {

  /**
   * "A deadline ends every policy: the run is TIMED_OUT" (FailurePolicy). a runs past the deadline
   * (on the caller's thread: a same-thread executor); b runs after a. FAIL_FAST reports TIMED_OUT,
   * but COLLECT_ALL reports FAILED and BEST_EFFORT reports SUCCESS: Orchestration starts b after
   * the deadline, b fails "deadline passed before the domain started", the loop drains and
   * policyOutcome never looks at the deadline.
   */
  @Test
  void deadlinePassed_isTimedOut_underEveryPolicy() throws Exception {
    Map<FailurePolicy, String> seen = new java.util.LinkedHashMap<>();
    for (FailurePolicy policy :
        new FailurePolicy[] {
          FailurePolicy.FAIL_FAST,
          FailurePolicy.COLLECT_ALL,
          FailurePolicy.BEST_EFFORT,
          FailurePolicy.quorum(2)
        }) {
      try (TestScope direct = new TestScope(Runnable::run)) {
        AtomicInteger bRuns = new AtomicInteger();
        direct
            .delegates()
            .register(
                "a",
                in -> {
                  new java.util.concurrent.CountDownLatch(1)
                      .await(150, java.util.concurrent.TimeUnit.MILLISECONDS);
                  return "A";
                });
        direct
            .delegates()
            .register(
                "b",
                in -> {
                  bRuns.incrementAndGet();
                  return "B";
                });
        MetaOrchestrationPattern p =
            MetaOrchestrationPattern.builder("m")
                .domains("a", "b")
                .after("b", "a")
                .failurePolicy(policy)
                .build();
        PatternOutcome o =
            p.execute(
                PatternContext.builder("platform", "orchestrator").payload("x").build(),
                direct.withTimeout(Duration.ofMillis(50)));
        seen.put(
            policy, o.status() + " " + o.output() + " b ran " + bRuns.get() + ": " + o.message());
      }
    }
    assertThat(seen.values()).as(seen.toString()).allMatch(v -> v.startsWith("TIMED_OUT"));
  }

  /**
   * A policy attribute of a wrong type is rejected with a message saying it "was null": the value
   * is replaced by null before parse() describes it. Worse, the API's own FailurePolicy value is
   * rejected the same way.
   */
  @Test
  void policyAttributeOfAnotherType_isDescribedAsItIs() throws Exception {
    try (TestScope scope = new TestScope()) {
      scope.delegates().register("a", in -> "A");
      MetaOrchestrationPattern p = MetaOrchestrationPattern.builder("m").domains("a").build();
      PatternOutcome seven =
          p.execute(
              new PatternContext("platform", "orchestrator", Map.of("failure_policy", 7)), scope);
      assertThat(seven.status()).isEqualTo(OutcomeStatus.REJECTED);
      assertThat(seven.message()).as(seven.message()).doesNotEndWith("but was null");
      PatternOutcome typed =
          p.execute(
              new PatternContext(
                  "platform", "orchestrator", Map.of("failure_policy", FailurePolicy.COLLECT_ALL)),
              scope);
      assertThat(typed.status()).as(typed.message()).isEqualTo(OutcomeStatus.SUCCESS);
    }
  }
}
