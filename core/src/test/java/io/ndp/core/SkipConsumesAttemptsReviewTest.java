package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.BreakerState;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * BreakerPolicy: while a breaker is open "the executor skips the pattern in that domain (an attempt
 * of kind SKIPPED) and moves to the next candidate"; maxAttempts is "how many ranked candidates are
 * tried before the fallbacks". A skipped pattern is not run, yet it uses up one of maxAttempts:
 * with maxAttempts(1) the next, healthy candidate is never tried and the execution fails.
 */
class SkipConsumesAttemptsReviewTest {
  private final AtomicLong nanos = new AtomicLong();

  @Test
  void aSkippedCandidate_doesNotUseUpMaxAttempts() {
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
    ScriptedPattern bad = new ScriptedPattern("bad", "t", 0.9, OutcomeStatus.FAILED);
    ScriptedPattern good = new ScriptedPattern("good", "t", 0.5, OutcomeStatus.SUCCESS);
    registry.register(bad).register(good);
    registry.pins().force("eu", "bad"); // keeps bad first, whatever its confidence
    PatternContext ctx = new PatternContext("eu", "t", Map.of());
    try (PatternExecutor e =
        PatternExecutor.builder(registry)
            .selectionPolicy(SelectionPolicy.greedy())
            .maxAttempts(1)
            .ticker(nanos::get)
            .build()) {
      e.delegates().register("work", in -> in);
      // Open bad's breaker (forced first, it runs first).
      e.executeBestPattern(ctx);
      e.executeBestPattern(ctx);
      assertThat(registry.breakerState("bad", "eu")).isEqualTo(BreakerState.OPEN);

      int goodRunsBefore = good.runs.get();
      PatternResult r = e.executeBestPattern(ctx);
      assertThat(r.attempts())
          .extracting(a -> a.patternName() + ":" + a.kind())
          .as("bad is skipped (not run): the one attempt goes to the next candidate")
          .containsExactly("bad:SKIPPED", "good:RUN");
      assertThat(r.success()).isTrue();
      assertThat(good.runs.get()).isEqualTo(goodRunsBefore + 1);
    }
  }
}
