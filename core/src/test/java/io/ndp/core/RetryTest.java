package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.Attempt;
import io.ndp.api.ConfidenceStats;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.api.event.FallbackEvent;
import io.ndp.api.event.NdpListener;
import io.ndp.api.event.RetryEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Retries on a fake ticker: the backoff grows and stays within its jitter and cap, the deadline and
 * the budget bound them, the predicate decides, and every retry is an attempt, an event and an
 * outcome.
 */
class RetryTest {
  private final AtomicLong nanos = new AtomicLong();
  private final List<Long> slept = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Object> events = new ConcurrentLinkedQueue<>();
  private final PatternRegistry registry = PatternRegistry.builder().ticker(nanos::get).build();

  private final NdpListener keeping =
      new NdpListener() {
        @Override
        public void onRetry(RetryEvent event) {
          events.add(event);
        }

        @Override
        public void onFallback(FallbackEvent event) {
          events.add(event);
        }
      };

  private PatternExecutor executor(RetryPolicy policy) {
    PatternExecutor e =
        PatternExecutor.builder(registry)
            .selectionPolicy(SelectionPolicy.greedy())
            .ticker(nanos::get)
            .sleeper(
                n -> {
                  slept.add(n);
                  nanos.addAndGet(n);
                })
            .retry(policy)
            .listener(keeping)
            .build();
    e.delegates().register("work", in -> in);
    return e;
  }

  /** Fails {@code failures} times, then succeeds. */
  private ScriptedPattern flaky(String name, int failures) {
    return flaky(name, failures, 1.0);
  }

  private ScriptedPattern flaky(String name, int failures, double score) {
    AtomicInteger calls = new AtomicInteger();
    return new ScriptedPattern(name, "t", score, OutcomeStatus.SUCCESS)
        .script(
            c ->
                calls.incrementAndGet() <= failures ? OutcomeStatus.FAILED : OutcomeStatus.SUCCESS);
  }

  private static PatternContext ctx() {
    return new PatternContext("orders", "t", Map.of());
  }

  private static long ms(long n) {
    return Duration.ofNanos(n).toMillis();
  }

  @Test
  void aTransientFailure_isRetriedWithGrowingJitteredBackoff_andEveryTryCounts() {
    registry.register(flaky("flaky", 2));
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxRetries(3)
            .initialBackoff(Duration.ofMillis(100))
            .multiplier(2)
            .jitter(0.5)
            .maxBackoff(Duration.ofSeconds(1))
            .build();
    try (PatternExecutor e = executor(policy)) {
      PatternResult r = e.executeBestPattern(ctx());

      assertThat(r.success()).isTrue();
      assertThat(r.attempts())
          .extracting(Attempt::kind)
          .containsExactly(Attempt.Kind.RUN, Attempt.Kind.RETRY, Attempt.Kind.RETRY);
      assertThat(r.attempts())
          .extracting(Attempt::status)
          .containsExactly(OutcomeStatus.FAILED, OutcomeStatus.FAILED, OutcomeStatus.SUCCESS);
      assertThat(r.retries()).isEqualTo(2);
      assertThat(r.fallbacksTried()).isZero();
      // 100 ms ± 50 % (+1 ms of rounding), then 200 ms ± 50 %.
      assertThat(slept).hasSize(2);
      assertThat(ms(slept.get(0))).isBetween(50L, 151L);
      assertThat(ms(slept.get(1))).isBetween(100L, 301L);
      List<RetryEvent> retries = new ArrayList<>();
      events.forEach(
          ev -> {
            if (ev instanceof RetryEvent re) {
              retries.add(re);
            }
          });
      assertThat(retries).extracting(RetryEvent::retry).containsExactly(1, 2);
      assertThat(retries).extracting(re -> re.backoff().toNanos()).containsExactlyElementsOf(slept);
      assertThat(retries.get(0).failed()).isSameAs(r.attempts().get(0));
      // A retry is not a fall-back.
      assertThat(events).noneMatch(FallbackEvent.class::isInstance);
      ConfidenceStats stats = registry.statistics("flaky", "orders");
      assertThat(stats.successes()).isEqualTo(1);
      assertThat(stats.failures()).isEqualTo(2);
    }
  }

  @Test
  void theEventsOfARetriedExecution_comeInOrder_eachRetryBeforeItsAttempt() {
    registry.register(flaky("flaky", 1));
    List<String> seen = new CopyOnWriteArrayList<>();
    NdpListener all =
        new NdpListener() {
          @Override
          public void onExecutionStarted(io.ndp.api.event.ExecutionStartedEvent e) {
            seen.add("start");
          }

          @Override
          public void onAttemptStarted(io.ndp.api.event.AttemptStartedEvent e) {
            seen.add("attempt " + e.attemptIndex());
          }

          @Override
          public void onAttemptFinished(io.ndp.api.event.AttemptFinishedEvent e) {
            seen.add(e.attempt().kind() + " " + e.attempt().status());
          }

          @Override
          public void onRetry(RetryEvent e) {
            seen.add("retry " + e.retry());
          }

          @Override
          public void onFallback(FallbackEvent e) {
            seen.add("fallback");
          }

          @Override
          public void onExecutionFinished(io.ndp.api.event.ExecutionFinishedEvent e) {
            seen.add("finish " + e.result().success());
          }
        };
    PatternExecutor e =
        PatternExecutor.builder(registry)
            .ticker(nanos::get)
            .sleeper(nanos::addAndGet)
            .retry(RetryPolicy.builder().build())
            .listener(all)
            .build();
    e.delegates().register("work", in -> in);
    try (e) {
      assertThat(e.executeBestPattern(ctx()).success()).isTrue();
    }
    assertThat(seen)
        .containsExactly(
            "start",
            "attempt 0",
            "RUN FAILED",
            "retry 1",
            "attempt 1",
            "RETRY SUCCESS",
            "finish true");
  }

  @Test
  void backoffs_stayWithinJitterAndCap_andVary() {
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxRetries(2)
            .initialBackoff(Duration.ofMillis(400))
            .multiplier(4)
            .jitter(0.25)
            .maxBackoff(Duration.ofMillis(1000))
            .build();
    registry.register(new ScriptedPattern("down", "t", 1.0, OutcomeStatus.FAILED));
    try (PatternExecutor e = executor(policy)) {
      for (int i = 0; i < 200; i++) {
        PatternResult r = e.executeBestPattern(ctx());
        assertThat(r.success()).isFalse();
        assertThat(r.retries()).isEqualTo(2);
      }
    }
    List<Long> first = new ArrayList<>();
    List<Long> second = new ArrayList<>();
    for (int i = 0; i < slept.size(); i++) {
      (i % 2 == 0 ? first : second).add(ms(slept.get(i)));
    }
    assertThat(first).hasSize(200).allSatisfy(b -> assertThat(b).isBetween(300L, 501L));
    // 1600 ms ± 25 % is above the cap: every second backoff is the cap.
    assertThat(second).hasSize(200).allSatisfy(b -> assertThat(b).isEqualTo(1000L));
    assertThat(first.stream().distinct().count()).as("jitter spreads the waits").isGreaterThan(10);
  }

  @Test
  void noRetry_whoseBackoffWouldEndAfterTheDeadline() {
    registry.register(new ScriptedPattern("down", "t", 1.0, OutcomeStatus.FAILED));
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxRetries(10)
            .initialBackoff(Duration.ofMillis(400))
            .multiplier(1)
            .jitter(0)
            .budget(100)
            .build();
    try (PatternExecutor e = executor(policy)) {
      PatternContext c =
          PatternContext.builder("orders", "t").timeout(Duration.ofSeconds(1)).build();
      PatternResult r = e.executeBestPattern(c);

      // Tries at 0, 400 and 800 ms; a fourth would start at 1200 ms, after the deadline.
      assertThat(r.attempts()).hasSize(3);
      assertThat(r.retries()).isEqualTo(2);
      assertThat(slept).containsExactly(400_000_000L, 400_000_000L);
    }
  }

  @Test
  void theExecutionsBudget_boundsRetriesOverAllItsPatterns() {
    registry
        .register(new ScriptedPattern("a", "t", 1.0, OutcomeStatus.FAILED))
        .register(new ScriptedPattern("b", "t", 0.9, OutcomeStatus.FAILED));
    RetryPolicy policy =
        RetryPolicy.builder().maxRetries(3).initialBackoff(Duration.ofMillis(1)).budget(2).build();
    try (PatternExecutor e = executor(policy)) {
      PatternResult r = e.executeBestPattern(ctx());

      assertThat(r.retries()).isEqualTo(2);
      assertThat(r.fallbacksTried()).isEqualTo(1);
      assertThat(r.attempts()).extracting(Attempt::patternName).containsExactly("a", "a", "a", "b");
    }
  }

  @Test
  void thePredicate_decidesWhatIsRetried_andAPatternMayOptOut() {
    registry
        .register(new ScriptedPattern("timesOut", "t", 1.0, OutcomeStatus.TIMED_OUT))
        .register(new ScriptedPattern("optedOut", "t", 0.9, OutcomeStatus.FAILED))
        .register(flaky("last", 1, 0.8));
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxRetries(1)
            .initialBackoff(Duration.ofMillis(5))
            .retryOn(a -> a.status() == OutcomeStatus.FAILED)
            .build();
    PatternExecutor e =
        PatternExecutor.builder(registry)
            .selectionPolicy(SelectionPolicy.greedy())
            .ticker(nanos::get)
            .sleeper(slept::add)
            .retry(policy)
            .retry("optedOut", RetryPolicy.none())
            .maxAttempts(3)
            .build();
    e.delegates().register("work", in -> in);
    try (e) {
      PatternResult r = e.executeBestPattern(ctx());

      assertThat(r.attempts())
          .extracting(a -> a.patternName() + ":" + a.kind() + ":" + a.status())
          .containsExactly(
              "timesOut:RUN:TIMED_OUT",
              "optedOut:RUN:FAILED",
              "last:RUN:FAILED",
              "last:RETRY:SUCCESS");
      assertThat(r.success()).isTrue();
    }
  }

  @Test
  void anInterruptDuringTheBackoff_endsTheRetries_andKeepsTheFlag() {
    registry.register(new ScriptedPattern("down", "t", 1.0, OutcomeStatus.FAILED));
    PatternExecutor e =
        PatternExecutor.builder(registry)
            .ticker(nanos::get)
            .sleeper(
                n -> {
                  throw new InterruptedException("stop");
                })
            .retry(RetryPolicy.builder().maxRetries(5).build())
            .build();
    e.delegates().register("work", in -> in);
    try (e) {
      PatternResult r = e.executeBestPattern(ctx());
      assertThat(Thread.interrupted()).isTrue(); // and clears it
      assertThat(r.success()).isFalse();
      assertThat(r.attempts()).hasSize(1);
    }
  }

  @Test
  void theBuilder_refusesEveryBadValue_byName() {
    assertThatThrownBy(() -> RetryPolicy.builder().maxRetries(-1))
        .hasMessageContaining("maxRetries")
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> RetryPolicy.builder().initialBackoff(Duration.ZERO))
        .hasMessageContaining("initialBackoff");
    assertThatThrownBy(() -> RetryPolicy.builder().initialBackoff(null))
        .hasMessageContaining("initialBackoff")
        .hasMessageContaining("null");
    assertThatThrownBy(() -> RetryPolicy.builder().multiplier(Double.NaN))
        .hasMessageContaining("multiplier");
    assertThatThrownBy(() -> RetryPolicy.builder().jitter(1)).hasMessageContaining("jitter");
    assertThatThrownBy(() -> RetryPolicy.builder().budget(-3)).hasMessageContaining("budget");
    assertThatThrownBy(() -> RetryPolicy.builder().retryOn(null)).hasMessageContaining("retryOn");
    assertThatThrownBy(
            () ->
                RetryPolicy.builder()
                    .initialBackoff(Duration.ofSeconds(5))
                    .maxBackoff(Duration.ofSeconds(1))
                    .build())
        .hasMessageContaining("5000 ms");
    assertThatThrownBy(() -> PatternExecutor.builder(registry).retry(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("RetryPolicy.none()");
    assertThatThrownBy(() -> PatternExecutor.builder(registry).retry(" ", RetryPolicy.none()))
        .hasMessageContaining("patternName");
    assertThat(RetryPolicy.none().maxRetries()).isZero();
  }
}
