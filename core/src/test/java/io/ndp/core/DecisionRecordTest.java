package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ndp.api.Decision;
import io.ndp.api.Decision.Entry;
import io.ndp.api.Decision.Verdict;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.core.SelectionPolicy.Candidate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every result carries the decision that produced it; explain() shows the one it would make. */
class DecisionRecordTest {

  // Never forgets: these tests check exact arithmetic on the counts.
  private final PatternRegistry registry =
      PatternRegistry.builder().halfLife(Double.POSITIVE_INFINITY).build();
  private final List<PatternExecutor> executors = new ArrayList<>();

  @AfterEach
  void close() {
    executors.forEach(PatternExecutor::close);
  }

  private PatternExecutor executor(PatternExecutor.Builder b) {
    PatternExecutor e = b.build();
    e.delegates().register("work", in -> in);
    executors.add(e);
    return e;
  }

  private static PatternContext ctx(String domain) {
    return new PatternContext(domain, "t", Map.of());
  }

  private void record(String pattern, String domain, int successes, int failures) {
    for (int i = 0; i < successes; i++) {
      registry.confidence().record(pattern, domain, true);
    }
    for (int i = 0; i < failures; i++) {
      registry.confidence().record(pattern, domain, false);
    }
  }

  @Test
  void result_carriesTheDecision_withMatchPosteriorSampleSizeAndSample() {
    registry.register(new ScriptedPattern("good", "t", 1.0, OutcomeStatus.SUCCESS));
    registry.register(new ScriptedPattern("poor", "t", 0.8, OutcomeStatus.SUCCESS));
    record("good", "orders", 8, 2);
    record("poor", "orders", 1, 3);
    PatternExecutor executor = executor(PatternExecutor.builder(registry).seed(3));

    PatternResult r = executor.executeBestPattern(ctx("orders"));

    Decision d = r.decision();
    assertThat(d.policy()).isEqualTo("drift-aware-thompson-sampling");
    assertThat(d.entries()).extracting(Entry::pattern).containsExactlyInAnyOrder("good", "poor");
    assertThat(d.chosen()).map(Entry::pattern).contains(r.chosenPattern());
    Entry good = d.entry("good").orElseThrow();
    assertThat(good.match()).isEqualTo(1.0);
    assertThat(good.posteriorMean()).isCloseTo(9.0 / 12, within(1e-9));
    assertThat(good.effectiveSampleSize()).isEqualTo(10.0);
    assertThat(good.sample()).isBetween(0.0, 1.0);
    Entry poor = d.entry("poor").orElseThrow();
    assertThat(poor.match()).isEqualTo(0.8);
    assertThat(poor.posteriorMean()).isCloseTo(2.0 / 6, within(1e-9));
    // The run order is the order of the rank keys.
    assertThat(d.entries().get(0).key()).isGreaterThanOrEqualTo(d.entries().get(1).key());
    assertThat(d.entries()).extracting(Entry::verdict).containsOnly(Verdict.RANKED);
    assertThat(good.reason(0)).contains("rank key").contains("match 1.000");
  }

  @Test
  void explain_showsTheDecisionTheNextCallMakes_whenSeeded() {
    for (String name : List.of("a", "b", "c", "d")) {
      registry.register(new ScriptedPattern(name, "t", 1.0, OutcomeStatus.SUCCESS));
      record(name, "orders", 3, 3);
    }
    PatternExecutor executor = executor(PatternExecutor.builder(registry).seed(42));

    SelectionExplanation explained = executor.explain(ctx("orders"));
    PatternResult r = executor.executeBestPattern(ctx("orders"));

    assertThat(r.decision()).isEqualTo(explained.decision());
    assertThat(r.chosenPattern()).isEqualTo(explained.decision().chosen().orElseThrow().pattern());
    assertThat(explained.toString())
        .contains("policy: drift-aware-thompson-sampling")
        .contains("posterior")
        .contains("sample")
        .contains("rank key");
  }

  @Test
  void greedy_reportsThePosteriorMeanAsItsSample() {
    registry.register(new ScriptedPattern("a", "t", 0.5, OutcomeStatus.SUCCESS));
    record("a", "orders", 3, 1);
    PatternExecutor executor =
        executor(PatternExecutor.builder(registry).selectionPolicy(SelectionPolicy.greedy()));

    Entry e = executor.executeBestPattern(ctx("orders")).decision().entries().get(0);

    assertThat(e.sample()).isEqualTo(e.posteriorMean()).isCloseTo(4.0 / 6, within(1e-9));
    assertThat(e.key()).isCloseTo(0.5 * 4.0 / 6, within(1e-9));
  }

  @Test
  void aPolicyThatOnlyRanks_reportsNoSample() {
    registry.register(new ScriptedPattern("a", "t", 1.0, OutcomeStatus.SUCCESS));
    registry.register(new ScriptedPattern("b", "t", 1.0, OutcomeStatus.SUCCESS));
    SelectionPolicy reversedNames =
        (context, candidates) ->
            candidates.stream()
                .sorted((x, y) -> y.pattern().name().compareTo(x.pattern().name()))
                .toList();
    PatternExecutor executor =
        executor(PatternExecutor.builder(registry).selectionPolicy(reversedNames));

    PatternResult r = executor.executeBestPattern(ctx("orders"));

    assertThat(r.chosenPattern()).isEqualTo("b");
    assertThat(r.decision().entries()).extracting(Entry::pattern).containsExactly("b", "a");
    assertThat(r.decision().entries().get(0).sample()).isNaN();
    assertThat(r.decision().entries().get(0).reason(0)).isEqualTo("ranked by the policy");
  }

  @Test
  void candidatesBeyondMaxAttempts_areShownSkipped() {
    for (String name : List.of("a", "b", "c")) {
      registry.register(new ScriptedPattern(name, "t", 1.0, OutcomeStatus.FAILED));
    }
    PatternExecutor executor =
        executor(
            PatternExecutor.builder(registry)
                .selectionPolicy(SelectionPolicy.greedy())
                .maxAttempts(2));

    PatternResult r = executor.executeBestPattern(ctx("orders"));

    Decision d = r.decision();
    assertThat(d.maxAttempts()).isEqualTo(2);
    assertThat(r.attempts()).hasSize(2);
    assertThat(d.why(d.entries().get(1))).doesNotContain("skipped");
    assertThat(d.why(d.entries().get(2)))
        .endsWith("; skipped: only the first 2 are tried")
        .startsWith("rank key");
    assertThat(executor.explain(ctx("orders")).toString())
        .contains("skipped: only the first 2 are tried");
  }

  @Test
  void aPatternRunDirectly_hasNoDecision() {
    ScriptedPattern a = new ScriptedPattern("a", "t", 1.0, OutcomeStatus.SUCCESS);
    registry.register(a);
    PatternExecutor executor = executor(PatternExecutor.builder(registry));

    assertThat(executor.execute(a, ctx("orders")).decision()).isEqualTo(Decision.NONE);
  }

  @Test
  void aFailedResult_stillCarriesItsDecision() {
    registry.register(new ScriptedPattern("broken", "t", 1.0, OutcomeStatus.FAILED));
    PatternExecutor executor = executor(PatternExecutor.builder(registry));

    PatternResult r = executor.executeBestPattern(ctx("orders"));

    assertThat(r.success()).isFalse();
    assertThat(r.decision().entries()).extracting(Entry::pattern).containsExactly("broken");
  }

  /**
   * Seeded, the draws depend on the state a selection sees, not on the thread: 8 threads scoring
   * the same candidates 500 times each all get the single-threaded answer.
   */
  @Test
  void seededPolicies_areDeterministicOnManyThreads() throws Exception {
    List<Candidate> candidates = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ScriptedPattern p = new ScriptedPattern("p" + i, "t", 1.0 - i * 0.05, OutcomeStatus.SUCCESS);
      candidates.add(
          new Candidate(
              p,
              io.ndp.api.MatchResult.matches(1.0 - i * 0.05),
              new io.ndp.api.ConfidenceStats(i, 5 - i)));
    }
    for (SelectionPolicy policy :
        List.of(
            SelectionPolicy.thompsonSampling(9),
            SelectionPolicy.driftAwareThompsonSampling(9),
            SelectionPolicy.defaultPolicy(9))) {
      List<SelectionPolicy.Scored> expected = policy.score(ctx("orders"), candidates);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Callable<Boolean>> tasks = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          tasks.add(
              () -> {
                for (int i = 0; i < 500; i++) {
                  if (!policy.score(ctx("orders"), candidates).equals(expected)) {
                    return false;
                  }
                }
                return true;
              });
        }
        for (Future<Boolean> f : pool.invokeAll(tasks)) {
          assertThat(f.get()).as(policy.toString()).isTrue();
        }
      } finally {
        pool.shutdownNow();
      }
      // Another domain is another state: another draw (with overwhelming probability).
      assertThat(policy.score(ctx("billing"), candidates)).isNotEqualTo(expected);
    }
  }

  /** Two runtimes with the same seed that record the same outcomes make the same decisions. */
  @Test
  void sameSeedSameOutcomes_sameDecisions() {
    List<List<String>> runs = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      PatternRegistry reg = PatternRegistry.builder().halfLife(50).build();
      for (int i = 0; i < 4; i++) {
        int k = i;
        reg.register(
            new ScriptedPattern("p" + i, "t", 1.0, OutcomeStatus.SUCCESS)
                .script(
                    c ->
                        (c.payload().hashCode() + k) % (k + 2) == 0
                            ? OutcomeStatus.FAILED
                            : OutcomeStatus.SUCCESS));
      }
      try (PatternExecutor e = PatternExecutor.builder(reg).seed(77).build()) {
        e.delegates().register("work", in -> in);
        List<String> chosen = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
          chosen.add(
              e.executeBestPattern(
                      PatternContext.builder("orders", "t").payload("order-" + i).build())
                  .decision()
                  .chosen()
                  .orElseThrow()
                  .pattern());
        }
        runs.add(chosen);
      }
    }
    assertThat(runs.get(0)).isEqualTo(runs.get(1));
    assertThat(Set.copyOf(runs.get(0))).hasSizeGreaterThan(1); // it explored
  }
}
