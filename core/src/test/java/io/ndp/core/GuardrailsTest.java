package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.Decision;
import io.ndp.api.Decision.Entry;
import io.ndp.api.Decision.Verdict;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The minimum-confidence floor (with its probe rate) and the exploration floor. */
class GuardrailsTest {

  // Never forgets: these tests check exact arithmetic on the counts.
  private final PatternRegistry registry =
      PatternRegistry.builder().halfLife(Double.POSITIVE_INFINITY).build();
  private final List<PatternExecutor> executors = new ArrayList<>();

  @AfterEach
  void close() {
    executors.forEach(PatternExecutor::close);
  }

  private PatternExecutor greedy(Guardrails guardrails) {
    PatternExecutor e =
        PatternExecutor.builder(registry)
            .selectionPolicy(SelectionPolicy.greedy())
            .guardrails(guardrails)
            .build();
    e.delegates().register("work", in -> in);
    executors.add(e);
    return e;
  }

  private static PatternContext ctx() {
    return new PatternContext("orders", "t", Map.of());
  }

  private void record(String pattern, int successes, int failures) {
    for (int i = 0; i < successes; i++) {
      registry.confidence().record(pattern, "orders", true);
    }
    for (int i = 0; i < failures; i++) {
      registry.confidence().record(pattern, "orders", false);
    }
  }

  /** "risky" matches best but its confidence (0.3) is below the floor: it goes last. */
  private void riskyAndSteady() {
    registry.register(new ScriptedPattern("risky", "t", 1.0, OutcomeStatus.SUCCESS));
    registry.register(new ScriptedPattern("steady", "t", 0.4, OutcomeStatus.SUCCESS));
    record("risky", 2, 6); // posterior mean 3/10
    record("steady", 5, 3); // posterior mean 6/10; greedy key 0.24 < risky's 0.3
  }

  @Test
  void belowTheFloor_goesAfterEveryCandidateAboveIt() {
    riskyAndSteady();
    assertThat(greedy(Guardrails.NONE).explain(ctx()).decision().chosen())
        .map(Entry::pattern)
        .contains("risky");

    PatternResult r = greedy(Guardrails.floor(0.5, 0)).executeBestPattern(ctx());

    assertThat(r.chosenPattern()).isEqualTo("steady");
    Decision d = r.decision();
    assertThat(d.minConfidence()).isEqualTo(0.5);
    assertThat(d.entries())
        .extracting(Entry::pattern, Entry::verdict)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("steady", Verdict.RANKED),
            org.assertj.core.groups.Tuple.tuple("risky", Verdict.BELOW_FLOOR));
    assertThat(d.entries().get(1).reason(d.minConfidence()))
        .isEqualTo("confidence 0.300 below the floor 0.500: tried only after the others");
  }

  @Test
  void belowTheFloor_isStillTried_whenNothingElseIsLeft() {
    registry.register(new ScriptedPattern("risky", "t", 1.0, OutcomeStatus.SUCCESS));
    registry.register(new ScriptedPattern("broken", "t", 0.5, OutcomeStatus.FAILED));
    record("risky", 0, 9);

    PatternResult r = greedy(Guardrails.floor(0.5, 0)).executeBestPattern(ctx());

    assertThat(r.success()).isTrue();
    assertThat(r.attempts())
        .extracting(io.ndp.api.Attempt::patternName)
        .containsExactly("broken", "risky");
  }

  @Test
  void probes_happenAtTheConfiguredRate() {
    riskyAndSteady();
    PatternExecutor e = greedy(Guardrails.floor(0.5, 0.1));
    int probed = 0;
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      Verdict v = e.explain(ctx()).decision().entry("risky").orElseThrow().verdict();
      assertThat(v).isIn(Verdict.PROBED, Verdict.BELOW_FLOOR);
      if (v == Verdict.PROBED) {
        probed++;
      }
    }
    // Binomial(20,000, 0.1): a standard deviation of 0.002; the bounds are 10 of them.
    assertThat(probed / (double) n).isBetween(0.08, 0.12);
  }

  @Test
  void exploration_movesAUniformlyDrawnCandidateFirst_atTheConfiguredRate() {
    for (String name : List.of("a", "b", "c")) {
      registry.register(new ScriptedPattern(name, "t", 1.0, OutcomeStatus.SUCCESS));
    }
    record("a", 9, 1);
    record("b", 5, 5);
    record("c", 1, 9);
    PatternExecutor e = greedy(new Guardrails(0, 0, 0.3));
    Map<String, Integer> exploredFirst = new HashMap<>();
    int explored = 0;
    int n = 30_000;
    for (int i = 0; i < n; i++) {
      Decision d = e.explain(ctx()).decision();
      Entry first = d.entries().get(0);
      if (first.verdict() == Verdict.EXPLORED) {
        explored++;
        exploredFirst.merge(first.pattern(), 1, Integer::sum);
      } else {
        assertThat(first.pattern()).isEqualTo("a");
      }
      assertThat(d.entries()).hasSize(3);
    }
    assertThat(explored / (double) n).isBetween(0.28, 0.32);
    for (String name : List.of("a", "b", "c")) {
      assertThat(exploredFirst.get(name) / (double) n).as(name).isBetween(0.085, 0.115);
    }
  }

  @Test
  void exploration_neverPicksAForbiddenOrBelowFloorCandidate_andAPinStaysFirst() {
    for (String name : List.of("a", "b", "low", "banned", "pinned")) {
      registry.register(new ScriptedPattern(name, "t", 1.0, OutcomeStatus.SUCCESS));
    }
    record("low", 0, 20);
    registry.pins().forbid("orders", "banned");
    registry.pins().force("orders", "pinned");
    PatternExecutor e = greedy(new Guardrails(0.2, 0, 1.0));
    for (int i = 0; i < 2_000; i++) {
      List<Entry> entries = e.explain(ctx()).decision().entries();
      assertThat(entries.get(0).pattern()).isEqualTo("pinned");
      assertThat(entries.get(1).verdict()).isEqualTo(Verdict.EXPLORED);
      assertThat(entries.get(1).pattern()).isIn("a", "b");
      assertThat(entries.get(3))
          .extracting(Entry::pattern, Entry::verdict)
          .containsExactly("low", Verdict.BELOW_FLOOR);
      assertThat(entries.get(4))
          .extracting(Entry::pattern, Entry::verdict)
          .containsExactly("banned", Verdict.FORBIDDEN);
    }
  }

  @Test
  void seeded_guardrailDrawsAreAFunctionOfTheState() {
    riskyAndSteady();
    PatternExecutor one =
        PatternExecutor.builder(registry).seed(5).guardrails(new Guardrails(0.5, 0.5, 0.5)).build();
    PatternExecutor two =
        PatternExecutor.builder(registry).seed(5).guardrails(new Guardrails(0.5, 0.5, 0.5)).build();
    executors.add(one);
    executors.add(two);
    Decision first = one.explain(ctx()).decision();
    for (int i = 0; i < 100; i++) {
      assertThat(one.explain(ctx()).decision()).isEqualTo(first);
      assertThat(two.explain(ctx()).decision()).isEqualTo(first);
    }
  }

  @Test
  void badValues_areRefusedWithTheirName() {
    assertThatThrownBy(() -> new Guardrails(-0.1, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minConfidence must be in [0, 1) but was -0.1");
    assertThatThrownBy(() -> Guardrails.floor(1.0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("minConfidence");
    assertThatThrownBy(() -> Guardrails.floor(0.2, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("probeRate must be in [0, 1] but was NaN");
    assertThatThrownBy(() -> Guardrails.NONE.withExplorationRate(1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("explorationRate must be in [0, 1] but was 1.5");
    assertThatThrownBy(() -> PatternExecutor.builder(registry).guardrails(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("guardrails");
  }
}
