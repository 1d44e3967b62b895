package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.Attempt;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternResult;
import io.ndp.api.Prior;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Review: {@link Prior} accepts any "finite, positive" alpha and beta, but {@code alpha + beta} can
 * overflow to infinity (e.g. alpha = beta = 1e308). The mean is then 0 instead of 0.5, and a
 * Thompson draw from Beta(1e308, 1e308) is NaN, which the policies' comparator sorts first: such a
 * pattern is tried first on every call, whatever it does, because no number of failures can move
 * its rank key off NaN.
 */
class PriorOverflowReviewTest {

  private static final double HUGE = 1e308; // finite and positive; 2 × HUGE is not

  @Test
  void aPriorWhoseWeightsOverflow_isRefusedOrHasTheRightMean() {
    Prior prior;
    try {
      prior = new Prior(HUGE, HUGE);
    } catch (IllegalArgumentException refused) {
      assertThat(refused).hasMessageContaining("1.0E308");
      return; // refusing it is a fix
    }
    // Beta(a, a) has mean 0.5 for every a; the record computes alpha / (alpha + beta) = 1e308 / ∞.
    assertThat(prior.mean()).as("mean of %s", prior).isEqualTo(0.5);
  }

  @Test
  void aDefinitionThatDeclaresAnOverflowingPrior_isRefusedOrHasTheRightMean() {
    PatternDefinition definition;
    try {
      definition =
          new PatternDefinition(
              "sequential",
              "hostile",
              "",
              Map.of("steps", List.of("work"), "prior", Map.of("alpha", HUGE, "beta", HUGE)));
    } catch (IllegalArgumentException refused) {
      assertThat(refused).hasMessageContaining("hostile").hasMessageContaining("prior");
      return; // refusing it is a fix
    }
    assertThat(definition.prior().mean()).isEqualTo(0.5);
  }

  /**
   * A pattern that fails every time, with the overflowing prior, next to one that succeeded 50
   * times: the default (drift-aware Thompson) policy tries the failing one first on each of 20
   * calls, and its decision entry shows a posterior mean of 0 and a NaN sample.
   */
  @Test
  void aPatternWithAnOverflowingPrior_isNotTriedFirstOnEveryCall() {
    Prior huge;
    try {
      huge = new Prior(HUGE, HUGE);
    } catch (IllegalArgumentException refused) {
      return; // refused at the source: nothing can reach selection
    }
    PatternRegistry registry = new PatternRegistry();
    ScriptedPattern hostile =
        new ScriptedPattern("hostile", "t", 1.0, OutcomeStatus.FAILED).prior(huge);
    ScriptedPattern proven = new ScriptedPattern("proven", "t", 1.0, OutcomeStatus.SUCCESS);
    registry.register(hostile).register(proven);
    for (int i = 0; i < 50; i++) {
      registry.confidence().record("proven", "orders", true);
    }
    List<String> firstTried = new ArrayList<>();
    PatternResult last = null;
    try (PatternExecutor executor = PatternExecutor.builder(registry).seed(3).build()) {
      executor.delegates().register("work", in -> in);
      PatternContext ctx = new PatternContext("orders", "t", Map.of());
      for (int i = 0; i < 20; i++) {
        last = executor.executeBestPattern(ctx);
        firstTried.add(last.attempts().stream().map(Attempt::patternName).findFirst().orElse(""));
      }
    }
    assertThat(hostile.runs.get())
        .as(
            "calls (of 20) that ran the always-failing 'hostile' first: %s; last decision:%n%s",
            firstTried, last.decision())
        .isZero();
    assertThat(last.decision().entry("hostile").orElseThrow().sample()).isNotNaN();
  }
}
