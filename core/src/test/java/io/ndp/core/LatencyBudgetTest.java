package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.Attempt;
import io.ndp.api.ConfidenceStats;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A latency budget: a success slower than it is returned, but learned from as a failure. */
class LatencyBudgetTest {

  private final PatternRegistry registry = new PatternRegistry();
  private final AtomicLong nanos = new AtomicLong();

  /** A pattern that succeeds after {@code millis} on the fake clock. */
  private ScriptedPattern taking(String name, long millis) {
    return new ScriptedPattern(name, "t", 1.0, OutcomeStatus.SUCCESS)
        .script(
            c -> {
              nanos.addAndGet(Duration.ofMillis(millis).toNanos());
              return OutcomeStatus.SUCCESS;
            });
  }

  private PatternExecutor executor(Duration budget) {
    PatternExecutor.Builder b =
        PatternExecutor.builder(registry)
            .selectionPolicy(SelectionPolicy.greedy())
            .ticker(nanos::get);
    if (budget != null) {
      b.latencyBudget(budget);
    }
    PatternExecutor e = b.build();
    e.delegates().register("work", in -> in);
    return e;
  }

  private static PatternContext ctx() {
    return new PatternContext("orders", "t", Map.of());
  }

  @Test
  void aSlowSuccess_isReturned_butCountsAgainstThePattern() {
    registry.register(taking("slow", 150));
    try (PatternExecutor e = executor(Duration.ofMillis(100))) {
      PatternResult r = e.executeBestPattern(ctx());

      assertThat(r.success()).isTrue();
      assertThat(r.output()).isEqualTo("slow:null");
      Attempt a = r.attempts().get(0);
      assertThat(a.status()).isEqualTo(OutcomeStatus.SUCCESS);
      assertThat(a.duration()).isEqualTo(Duration.ofMillis(150));
      assertThat(a.message()).contains("slower than the latency budget of 100 ms");
      ConfidenceStats stats = registry.statistics("slow", "orders");
      assertThat(stats.successes()).isZero();
      assertThat(stats.failures()).isEqualTo(1);
    }
  }

  @Test
  void aSuccessWithinTheBudget_orWithoutOne_countsAsASuccess() {
    registry.register(taking("quick", 100)).register(taking("slow", 500));
    try (PatternExecutor e = executor(Duration.ofMillis(100))) {
      e.execute(registry.getPattern("quick"), ctx());
    }
    try (PatternExecutor e = executor(null)) {
      e.execute(registry.getPattern("slow"), ctx());
    }
    assertThat(registry.statistics("quick", "orders").successes()).isEqualTo(1);
    assertThat(registry.statistics("quick", "orders").failures()).isZero();
    assertThat(registry.statistics("slow", "orders").successes()).isEqualTo(1);
    assertThat(registry.statistics("slow", "orders").failures()).isZero();
  }

  @Test
  void withABudget_selectionLearnsToPreferThePatternThatSucceedsInTime() {
    registry.register(taking("a_reliable_but_slow", 300)).register(taking("quick", 20));
    try (PatternExecutor e = executor(Duration.ofMillis(100))) {
      int quick = 0;
      for (int i = 0; i < 20; i++) {
        if ("quick".equals(e.executeBestPattern(ctx()).chosenPattern())) {
          quick++;
        }
      }
      // Greedy tries the first by name once, learns it is too slow, and keeps the quick one.
      assertThat(quick).isEqualTo(19);
    }
  }

  @Test
  void aBudgetMustBePositive() {
    for (Duration bad : new Duration[] {null, Duration.ZERO, Duration.ofMillis(-1)}) {
      assertThatThrownBy(() -> PatternExecutor.builder(registry).latencyBudget(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("latencyBudget must be positive but was " + bad);
    }
  }
}
