package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.Attempt;
import io.ndp.api.BreakerState;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's "Resilience: retries and circuit breakers" example, run as written. */
class ReadmeResilienceTest {

  @Test
  void readmeExample_retriesThenCutsOffAFailingPatternInItsDomain() {
    try (Ndp ndp =
        Ndp.builder()
            .retry(
                RetryPolicy.builder()
                    .maxRetries(2) // per pattern and execution
                    .initialBackoff(Duration.ofMillis(50)) // then x2, +-50 % jitter, up to 2 s
                    .multiplier(2)
                    .jitter(0.5)
                    .maxBackoff(Duration.ofSeconds(2))
                    .budget(10) // retries per execution, over all its patterns
                    .retryOn(a -> a.status() == OutcomeStatus.FAILED)
                    .build())
            .circuitBreaker(
                BreakerPolicy.builder()
                    .failureRateThreshold(50) // percent of the last `window` calls
                    .window(20)
                    .minimumCalls(10)
                    .coolDown(Duration.ofSeconds(30)) // then `probes` trial calls decide
                    .probes(3)
                    .build())
            .build()) {
      ndp.delegates().register("work", in -> in);
      ndp.register(
          new ScriptedPattern("primary", "t", 1.0, OutcomeStatus.SUCCESS)
              .script(c -> c.domain().equals("eu") ? OutcomeStatus.FAILED : OutcomeStatus.SUCCESS));
      ndp.register(new ScriptedPattern("secondary", "t", 0.5, OutcomeStatus.SUCCESS));
      PatternExecutor executor = ndp.executor();
      PatternContext eu = new PatternContext("eu", "t", Map.of());

      // An operator forces "primary" first in eu, where it fails: retried twice each time, then
      // cut off (even forced, it is skipped while its breaker is open).
      ndp.registry().pins().force("eu", "primary");
      int primaryRuns = 0;
      boolean sawRetry = false;
      for (int i = 0;
          i < 12 && ndp.registry().breakerState("primary", "eu") == BreakerState.CLOSED;
          i++) {
        PatternResult r = executor.executeBestPattern(eu);
        assertThat(r.success()).isTrue(); // "secondary" serves
        for (Attempt a : r.attempts()) {
          if (a.patternName().equals("primary")) {
            primaryRuns++;
            sawRetry |= a.kind() == Attempt.Kind.RETRY;
          }
        }
      }
      assertThat(sawRetry).isTrue();
      // 3 runs per execution (the run and 2 retries): open after the 4th execution's 10th call.
      assertThat(primaryRuns).isBetween(10, 12);
      assertThat(ndp.registry().breakerState("primary", "eu")).isEqualTo(BreakerState.OPEN);
      assertThat(ndp.registry().breakerState("primary", "us")).isEqualTo(BreakerState.CLOSED);
      assertThat(executor.explain(eu).breakers()).containsEntry("primary", BreakerState.OPEN);

      PatternResult skipped = executor.executeBestPattern(eu);
      assertThat(skipped.success()).isTrue();
      assertThat(skipped.attempts())
          .filteredOn(a -> a.patternName().equals("primary"))
          .extracting(Attempt::kind)
          .containsOnly(Attempt.Kind.SKIPPED);
    }
  }
}
