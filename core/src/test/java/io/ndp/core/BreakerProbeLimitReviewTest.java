package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.Attempt;
import io.ndp.api.BreakerState;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * BreakerPolicy: "After coolDown it turns half-open: the next {@code probes} calls run as probes";
 * probes() is "how many probes a half-open breaker lets through". A call let through while the
 * breaker was still closed, that ends CONFLICT (not counted: "the call's permission is given back")
 * after the breaker opened and turned half-open, gives back a permission it never took from the
 * half-open state: with probes = 1 and the one probe still out, a second probe is let through.
 */
class BreakerProbeLimitReviewTest {
  private final AtomicLong nanos = new AtomicLong();

  private static PatternContext call(String mode) {
    return new PatternContext("eu", "t", Map.of("mode", mode));
  }

  @Test
  void aHalfOpenBreaker_letsThroughNoMoreProbesThanConfigured() throws Exception {
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
    CountDownLatch slowConflictRunning = new CountDownLatch(1);
    CountDownLatch endSlowConflict = new CountDownLatch(1);
    CountDownLatch probeRunning = new CountDownLatch(1);
    CountDownLatch endProbe = new CountDownLatch(1);
    ScriptedPattern p =
        new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS)
            .script(
                c -> {
                  String mode = String.valueOf(c.attributes().get("mode"));
                  try {
                    switch (mode) {
                      case "slow-conflict" -> {
                        slowConflictRunning.countDown();
                        endSlowConflict.await(30, TimeUnit.SECONDS);
                        return OutcomeStatus.CONFLICT;
                      }
                      case "slow-probe" -> {
                        probeRunning.countDown();
                        endProbe.await(30, TimeUnit.SECONDS);
                        return OutcomeStatus.SUCCESS;
                      }
                      case "fail" -> {
                        return OutcomeStatus.FAILED;
                      }
                      default -> {
                        return OutcomeStatus.SUCCESS;
                      }
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return OutcomeStatus.CANCELLED;
                  }
                });
    registry.register(p);
    try (PatternExecutor e = PatternExecutor.builder(registry).ticker(nanos::get).build()) {
      e.delegates().register("work", in -> in);

      // A call let through while closed, still running.
      CompletableFuture<PatternResult> conflict =
          CompletableFuture.supplyAsync(() -> e.executeBestPattern(call("slow-conflict")));
      assertThat(slowConflictRunning.await(30, TimeUnit.SECONDS)).isTrue();

      // Two failures open the breaker; after the cool-down the one probe goes out and stays out.
      e.executeBestPattern(call("fail"));
      e.executeBestPattern(call("fail"));
      assertThat(registry.breakerState("p", "eu")).isEqualTo(BreakerState.OPEN);
      nanos.addAndGet(Duration.ofSeconds(11).toNanos());
      CompletableFuture<PatternResult> probe =
          CompletableFuture.supplyAsync(() -> e.executeBestPattern(call("slow-probe")));
      assertThat(probeRunning.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(registry.breakerState("p", "eu")).isEqualTo(BreakerState.HALF_OPEN);

      // The call from before the breaker opened ends CONFLICT: not counted.
      endSlowConflict.countDown();
      assertThat(conflict.get(30, TimeUnit.SECONDS).attempts())
          .extracting(Attempt::status)
          .containsExactly(OutcomeStatus.CONFLICT);

      // The one probe is still out: the next call must be skipped, not probe too.
      PatternResult next = e.executeBestPattern(call("ok"));
      endProbe.countDown();
      probe.get(30, TimeUnit.SECONDS);
      assertThat(next.attempts())
          .as("probes(1) with its probe still out: %s", next.attempts())
          .extracting(Attempt::kind)
          .containsExactly(Attempt.Kind.SKIPPED);
    }
  }
}
