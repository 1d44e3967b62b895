package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.Decision;
import io.ndp.api.Decision.Verdict;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.api.Prior;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's "Why this pattern" example, as written there. */
class ReadmeSelectionTest {

  @Test
  void readmeExample_runsAndExplains() {
    PatternRegistry registry = new PatternRegistry(); // statistics forget: half-life 100
    registry.register(new SequentialDelegationPattern("strict", "", List.of("validate", "store")));
    registry.register(
        new SequentialDelegationPattern(
            "trusted", "", List.of("validate", "store"), new Prior(9, 1)));
    PatternExecutor executor =
        PatternExecutor.builder(registry)
            .guardrails(Guardrails.floor(0.3, 0.05).withExplorationRate(0.01))
            .latencyBudget(Duration.ofMillis(200))
            .build();
    registry.pins().forbid("eu", "strict");
    executor.delegates().register("validate", in -> in).register("store", in -> in);
    PatternContext context = PatternContext.builder("eu", "sequential").payload("order").build();

    PatternResult result = executor.executeBestPattern(context);
    Decision decision = result.decision();
    decision
        .entries()
        .forEach(
            e ->
                System.out.println(
                    e.pattern() + " " + e.verdict() + ": " + e.reason(decision.minConfidence())));
    System.out.println(executor.explain(context));

    assertThat(result.chosenPattern()).isEqualTo("trusted");
    assertThat(decision.entry("strict").orElseThrow().verdict()).isEqualTo(Verdict.FORBIDDEN);
    assertThat(decision.entry("trusted").orElseThrow().posteriorMean()).isEqualTo(0.9);
    assertThat(executor.explain(context).toString())
        .contains("policy: drift-aware-thompson-sampling, minimum confidence 0.300")
        .contains("forbidden by an operator");
    executor.close();
  }
}
