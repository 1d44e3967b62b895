package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.ndp.api.Decision.Entry;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.Prior;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Priors declared by the host (definition) or the plugin (override), neutral by default. */
class PriorTest {

  // Never forgets: these tests check exact arithmetic on the counts.
  private final PatternRegistry registry =
      PatternRegistry.builder().halfLife(Double.POSITIVE_INFINITY).build();
  private final List<PatternExecutor> executors = new ArrayList<>();

  @AfterEach
  void close() {
    executors.forEach(PatternExecutor::close);
  }

  private PatternExecutor greedy(boolean borrow) {
    PatternExecutor e =
        PatternExecutor.builder(registry)
            .selectionPolicy(SelectionPolicy.greedy())
            .borrowAcrossDomains(borrow)
            .build();
    e.delegates().register("work", in -> in);
    executors.add(e);
    return e;
  }

  private static PatternContext ctx(String domain) {
    return new PatternContext(domain, "t", Map.of());
  }

  @Test
  void aDefinitionDeclaresItsPrior_neutralOtherwise() {
    PatternDefinition declared =
        new PatternDefinition(
            "sequential",
            "strict",
            "",
            Map.of("steps", List.of("work"), "prior", Map.of("alpha", 9, "beta", 1.5)));
    PatternDefinition plain =
        new PatternDefinition("sequential", "plain", "", Map.of("steps", List.of("work")));

    assertThat(declared.prior()).isEqualTo(new Prior(9, 1.5));
    assertThat(declared.prior().mean()).isCloseTo(9 / 10.5, within(1e-12));
    assertThat(plain.prior()).isEqualTo(Prior.NEUTRAL);
  }

  /** Every built-in kind keeps a declared prior through its factory and its definition. */
  @Test
  void theBuiltInKinds_keepADeclaredPrior_throughFactoryAndDefinition() {
    Prior prior = new Prior(9, 1.5);
    Map<String, Object> priorParam = Map.of("alpha", 9, "beta", 1.5);
    List<PatternDefinition> definitions =
        List.of(
            new PatternDefinition(
                "sequential", "s", "", Map.of("steps", List.of("work"), "prior", priorParam)),
            new PatternDefinition(
                "parallel", "p", "", Map.of("resources", List.of("cpu"), "prior", priorParam)),
            new PatternDefinition(
                "meta-orchestration",
                "m",
                "",
                Map.of("domains", List.of("billing"), "prior", priorParam)));
    List<io.ndp.api.PatternFactory> factories =
        List.of(
            new io.ndp.patterns.sequential.SequentialDelegationPatternFactory(),
            new io.ndp.patterns.parallel.ParallelCoordinationPatternFactory(),
            new io.ndp.patterns.meta.MetaOrchestrationPatternFactory());
    for (int i = 0; i < definitions.size(); i++) {
      io.ndp.api.Pattern created = factories.get(i).create(definitions.get(i));
      assertThat(created.prior()).as(created.name()).isEqualTo(prior);
      assertThat(created.definition().prior()).as(created.name()).isEqualTo(prior);
      assertThat(factories.get(i).create(created.definition())).isEqualTo(created);
    }
    // Neutral is not written: definitions without a prior stay as they were.
    assertThat(
            new SequentialDelegationPattern("plain", "", List.of("work")).definition().parameters())
        .doesNotContainKey("prior");
  }

  @Test
  void aBadPrior_isRefusedWhenTheDefinitionIsBuilt_namingPatternAndValue() {
    for (Object bad :
        List.of(
            Map.of("alpha", -1, "beta", 1),
            Map.of("alpha", 0, "beta", 1),
            Map.of("alpha", 1),
            Map.of("alpha", 1, "beta", 1, "gamma", 1),
            Map.of("alpha", "nine", "beta", 1),
            Map.of("alpha", Double.POSITIVE_INFINITY, "beta", 1),
            "strong",
            List.of(9, 1))) {
      Map<String, Object> params = new LinkedHashMap<>();
      params.put("steps", List.of("work"));
      params.put("prior", bad);
      assertThatThrownBy(() -> new PatternDefinition("sequential", "p", "", params))
          .as(String.valueOf(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("pattern 'p'")
          .hasMessageContaining("prior");
    }
    assertThatThrownBy(() -> new Prior(Double.NaN, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("alpha=NaN");
  }

  @Test
  void thePrior_isWhereAnUnseenPatternStarts_andFadesWithEvidence() {
    registry.register(
        new ScriptedPattern("trusted", "t", 1.0, OutcomeStatus.SUCCESS).prior(new Prior(9, 1)));
    registry.register(new ScriptedPattern("neutral", "t", 1.0, OutcomeStatus.SUCCESS));
    PatternExecutor e = greedy(false);

    Entry trusted = e.explain(ctx("orders")).decision().entry("trusted").orElseThrow();
    Entry neutral = e.explain(ctx("orders")).decision().entry("neutral").orElseThrow();
    assertThat(trusted.posteriorMean()).isEqualTo(0.9);
    assertThat(neutral.posteriorMean()).isEqualTo(0.5);
    assertThat(e.explain(ctx("orders")).decision().chosen())
        .map(Entry::pattern)
        .contains("trusted");

    for (int i = 0; i < 90; i++) {
      registry.confidence().record("trusted", "orders", false);
    }
    // (9 + 0) / (9 + 1 + 90): the prior is worth ten outcomes, the evidence ninety.
    assertThat(e.explain(ctx("orders")).decision().entry("trusted").orElseThrow().posteriorMean())
        .isCloseTo(0.09, within(1e-12));
    assertThat(e.executeBestPattern(ctx("orders")).chosenPattern()).isEqualTo("neutral");
  }

  @Test
  void borrowing_isShrunkTowardThePrior() {
    registry.register(
        new ScriptedPattern("sceptic", "t", 1.0, OutcomeStatus.SUCCESS).prior(new Prior(1, 9)));
    for (int i = 0; i < 10; i++) {
      registry.confidence().record("sceptic", "elsewhere", true);
    }
    PatternExecutor e = greedy(true);

    Entry entry = e.explain(ctx("orders")).decision().entry("sceptic").orElseThrow();

    // Borrowed rate (10 + 1) / (10 + 10) = 0.55, not the neutral prior's 11/12; weight 10.
    assertThat(entry.borrowed()).isCloseTo(10, within(1e-9));
    assertThat(entry.posteriorMean()).isCloseTo((1 + 5.5) / (1 + 9 + 10.0), within(1e-9));
  }

  @Test
  void aPriorThatThrowsOrIsNull_isReplacedByTheNeutralOne_andSelectionGoesOn() {
    registry.register(
        new ScriptedPattern("throws", "t", 1.0, OutcomeStatus.SUCCESS) {
          @Override
          public Prior prior() {
            throw new IllegalStateException("plugin bug");
          }
        });
    registry.register(
        new ScriptedPattern("nulls", "t", 0.9, OutcomeStatus.SUCCESS) {
          @Override
          public Prior prior() {
            return null;
          }
        });
    PatternExecutor e = greedy(false);

    assertThat(e.explain(ctx("orders")).decision().entries())
        .extracting(Entry::posteriorMean)
        .containsOnly(0.5);
    assertThat(e.executeBestPattern(ctx("orders")).chosenPattern()).isEqualTo("throws");
  }
}
