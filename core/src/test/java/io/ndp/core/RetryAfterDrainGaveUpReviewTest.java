package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * PatternExecutor: once a drain gave up (awaitTermination after shutdown() timed out, as close()
 * does), what the execution used is torn down and "no outcome starts being recorded afterwards";
 * attempt() itself refuses to start a retry when the executor is abandoned. But the check is only
 * made before the backoff: a drain that gives up during the backoff still lets the retry run the
 * pattern (on a torn-down plugin, without a watchdog).
 */
class RetryAfterDrainGaveUpReviewTest {
  private final AtomicLong nanos = new AtomicLong();

  @Test
  void aDrainThatGivesUpDuringTheBackoff_stopsTheRetry() throws Exception {
    PatternRegistry registry = PatternRegistry.builder().ticker(nanos::get).build();
    ScriptedPattern failing = new ScriptedPattern("failing", "t", 1.0, OutcomeStatus.FAILED);
    registry.register(failing);
    CountDownLatch sleeping = new CountDownLatch(1);
    CountDownLatch wake = new CountDownLatch(1);
    PatternExecutor e =
        PatternExecutor.builder(registry)
            .ticker(nanos::get)
            .sleeper(
                n -> {
                  sleeping.countDown();
                  wake.await(30, TimeUnit.SECONDS);
                  nanos.addAndGet(n);
                })
            .retry(
                RetryPolicy.builder()
                    .maxRetries(1)
                    .initialBackoff(Duration.ofMillis(10))
                    .jitter(0)
                    .build())
            .build();
    e.delegates().register("work", in -> in);
    CompletableFuture<PatternResult> running =
        CompletableFuture.supplyAsync(
            () -> e.executeBestPattern(new PatternContext("eu", "t", Map.of())));
    assertThat(sleeping.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(failing.runs).hasValue(1);

    e.shutdown();
    List<String> stillRunning = e.awaitTermination(Duration.ofMillis(50)); // gives up
    assertThat(stillRunning).hasSize(1);

    wake.countDown();
    PatternResult r = running.get(30, TimeUnit.SECONDS);
    e.close();

    assertThat(failing.runs)
        .as("the pattern ran again after the drain gave up: attempts %s", r.attempts())
        .hasValue(1);
    assertThat(r.retries()).isZero();
  }
}
