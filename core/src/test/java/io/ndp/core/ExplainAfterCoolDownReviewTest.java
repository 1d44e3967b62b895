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
 * SelectionExplanation.breakers(): the patterns whose breaker "is open (they would be skipped) or
 * half-open (their next calls are probes)". Once the cool-down has ended, the breaker stays OPEN
 * (no automatic transition) until a call asks it, so explain() and breakerState() say the pattern
 * would be skipped "until its cool-down ends" while the very next execution runs it as a probe.
 */
class ExplainAfterCoolDownReviewTest {
  private final AtomicLong nanos = new AtomicLong();

  @Test
  void afterTheCoolDown_explainDoesNotSayThePatternWouldBeSkipped() {
    PatternRegistry registry =
        PatternRegistry.builder()
            .ticker(nanos::get)
            .circuitBreaker(
                BreakerPolicy.builder()
                    .window(2)
                    .minimumCalls(2)
                    .failureRateThreshold(50)
                    .coolDown(Duration.ofSeconds(10))
                    .probes(1)
                    .build())
            .build();
    ScriptedPattern p = new ScriptedPattern("p", "t", 1.0, OutcomeStatus.FAILED);
    registry.register(p);
    PatternContext ctx = new PatternContext("eu", "t", Map.of());
    try (PatternExecutor e = PatternExecutor.builder(registry).ticker(nanos::get).build()) {
      e.delegates().register("work", in -> in);
      e.executeBestPattern(ctx);
      e.executeBestPattern(ctx);
      assertThat(registry.breakerState("p", "eu")).isEqualTo(BreakerState.OPEN);

      nanos.addAndGet(Duration.ofSeconds(11).toNanos()); // the cool-down is over
      SelectionExplanation explained = e.explain(ctx);
      PatternResult next = e.executeBestPattern(ctx);
      assertThat(next.attempts()).extracting(Attempt::kind).containsExactly(Attempt.Kind.PROBE);

      assertThat(explained.breakers().get("p"))
          .as(
              "explain() before an execution that probed p: %s",
              explained.toString().replace(System.lineSeparator(), " | "))
          .isNotEqualTo(BreakerState.OPEN);
    }
  }
}
