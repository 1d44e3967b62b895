package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * RetryPolicy: a retry is made while "the execution's budget of retries (over all its patterns) is
 * not spent"; budget() is "the most retries of one execution". A retry that its pattern's breaker
 * skips after the backoff is not made (no RETRY attempt, no RetryEvent), yet it spends the budget
 * and the backoff: the next pattern's retryable failure is then not retried, with no retry made in
 * the whole execution.
 */
class RetryBudgetSpentBySkipReviewTest {
  private final AtomicLong nanos = new AtomicLong();
  private final List<Long> slept = new CopyOnWriteArrayList<>();

  @Test
  void aRetrySkippedByTheBreaker_doesNotSpendTheExecutionsBudget() {
    PatternRegistry registry =
        PatternRegistry.builder()
            .ticker(nanos::get)
            .circuitBreaker(
                BreakerPolicy.builder()
                    .window(1)
                    .minimumCalls(1)
                    .failureRateThreshold(50)
                    .coolDown(Duration.ofMinutes(10))
                    .probes(1)
                    .build())
            .build();
    // "a" fails once (and its breaker opens); "b" meets a conflict once, then succeeds on a retry.
    registry.register(new ScriptedPattern("a", "t", 0.9, OutcomeStatus.FAILED));
    AtomicLong bCalls = new AtomicLong();
    registry.register(
        new ScriptedPattern("b", "t", 0.5, OutcomeStatus.SUCCESS)
            .script(
                // CONFLICT is retried but not counted by the breaker: b's stays closed.
                c ->
                    bCalls.incrementAndGet() == 1
                        ? OutcomeStatus.CONFLICT
                        : OutcomeStatus.SUCCESS));
    try (PatternExecutor e =
        PatternExecutor.builder(registry)
            .selectionPolicy(SelectionPolicy.greedy())
            .ticker(nanos::get)
            .sleeper(
                n -> {
                  slept.add(n);
                  nanos.addAndGet(n);
                })
            .retry(
                RetryPolicy.builder()
                    .maxRetries(1)
                    .budget(1)
                    .initialBackoff(Duration.ofMillis(10))
                    .jitter(0)
                    .build())
            .build()) {
      e.delegates().register("work", in -> in);
      PatternResult r = e.executeBestPattern(new PatternContext("eu", "t", Map.of()));

      assertThat(r.attempts())
          .extracting(a -> a.patternName() + ":" + a.kind() + ":" + a.status())
          .as("budget(1), no retry made before b failed; backoffs waited: %s", slept)
          // a's failure opened its breaker: no retry of it is tried, no backoff waited for it.
          .containsExactly("a:RUN:FAILED", "b:RUN:CONFLICT", "b:RETRY:SUCCESS");
      assertThat(slept).hasSize(1);
      assertThat(r.success()).isTrue();
      assertThat(r.retries()).isEqualTo(1);
    }
  }
}
