package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.Attempt;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.api.event.FallbackEvent;
import io.ndp.api.event.NdpListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * PatternResult.fallbacksTried(): "the moves from one pattern to another after the first ...
 * Retries of the same pattern are not fall-backs". When a pattern's own failure opens its breaker,
 * the retry of that same pattern is skipped: there was one pattern and no move to another, yet the
 * result counts a fall-back (and no FallbackEvent was sent for it).
 */
class RetrySkippedByBreakerReviewTest {
  private final AtomicLong nanos = new AtomicLong();
  private final List<FallbackEvent> fallbacks = new CopyOnWriteArrayList<>();

  @Test
  void aRetrySkippedByItsOwnBreaker_isNotAFallback() {
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
    registry.register(new ScriptedPattern("only", "t", 1.0, OutcomeStatus.FAILED));
    try (PatternExecutor e =
        PatternExecutor.builder(registry)
            .ticker(nanos::get)
            .sleeper(nanos::addAndGet)
            .retry(
                RetryPolicy.builder()
                    .maxRetries(1)
                    .initialBackoff(Duration.ofMillis(10))
                    .jitter(0)
                    .build())
            .listener(
                new NdpListener() {
                  @Override
                  public void onFallback(FallbackEvent event) {
                    fallbacks.add(event);
                  }
                })
            .build()) {
      e.delegates().register("work", in -> in);
      PatternResult r = e.executeBestPattern(new PatternContext("eu", "t", Map.of()));

      assertThat(r.attempts())
          .extracting(Attempt::patternName)
          .as("only one pattern was ever tried")
          .containsOnly("only");
      assertThat(fallbacks).as("no move to another pattern was reported").isEmpty();
      assertThat(r.fallbacksTried())
          .as("attempts %s: no move from one pattern to another", r.attempts())
          .isZero();
    }
  }
}
