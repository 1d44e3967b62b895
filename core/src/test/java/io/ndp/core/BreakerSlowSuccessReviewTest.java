package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.Attempt;
import io.ndp.api.BreakerState;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * BreakerPolicy: "What counts is what confidence counts: a success for the pattern ... A success
 * slower than the executor's latency budget is a success here: the dependency answered." A pattern
 * that only ever succeeds must never have its breaker opened, however long its calls take.
 */
class BreakerSlowSuccessReviewTest {
  private final AtomicLong nanos = new AtomicLong();

  @Test
  void slowSuccesses_neverOpenTheBreaker() {
    PatternRegistry registry =
        PatternRegistry.builder()
            .ticker(nanos::get)
            .circuitBreaker(
                BreakerPolicy.builder()
                    .window(2)
                    .minimumCalls(2)
                    .failureRateThreshold(50)
                    .coolDown(Duration.ofMinutes(10))
                    .probes(1)
                    .build())
            .build();
    // Every call succeeds, after 61 s on the fake ticker (a slow but healthy dependency).
    ScriptedPattern slow =
        new ScriptedPattern("slow", "t", 1.0, OutcomeStatus.SUCCESS)
            .script(
                c -> {
                  nanos.addAndGet(Duration.ofSeconds(61).toNanos());
                  return OutcomeStatus.SUCCESS;
                });
    registry.register(slow);
    PatternContext ctx = new PatternContext("eu", "t", Map.of());
    try (PatternExecutor e = PatternExecutor.builder(registry).ticker(nanos::get).build()) {
      e.delegates().register("work", in -> in);
      for (int i = 0; i < 2; i++) {
        PatternResult r = e.executeBestPattern(ctx);
        assertThat(r.success()).as("call %d", i).isTrue();
      }
      assertThat(registry.breakerState("slow", "eu"))
          .as("two successes, no failure: the failure rate is 0%")
          .isEqualTo(BreakerState.CLOSED);
      PatternResult third = e.executeBestPattern(ctx);
      assertThat(third.attempts()).extracting(Attempt::kind).containsExactly(Attempt.Kind.RUN);
      assertThat(third.success()).isTrue();
    }
  }
}
