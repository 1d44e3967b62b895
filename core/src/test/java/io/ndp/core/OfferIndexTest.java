package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.AbstractPattern;
import io.ndp.api.ExecutionScope;
import io.ndp.api.MatchResult;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternOutcome;
import io.ndp.api.PatternResult;
import io.ndp.core.internal.OfferIndex;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Selection asks only the patterns whose offers cover the context: the registry's offer index, its
 * fall-back to asking everyone when nothing matched, hostile {@code offers()} and the index under
 * concurrent registration.
 */
class OfferIndexTest {

  private static final String AGENT = "indexed";

  /** Offers steps under {@code required_steps}; matches when it offers them all; counts asks. */
  static final class OfferingPattern extends AbstractPattern {
    final AtomicInteger asked = new AtomicInteger();
    volatile Supplier<Map<String, Set<String>>> offers;

    OfferingPattern(String name, String... steps) {
      super(name, "offers " + List.of(steps));
      Set<String> offered = Set.of(steps);
      this.offers = () -> Map.of(PatternContext.REQUIRED_STEPS, offered);
    }

    OfferingPattern offering(Supplier<Map<String, Set<String>>> offers) {
      this.offers = offers;
      return this;
    }

    @Override
    public String type() {
      return "offering";
    }

    @Override
    public Set<String> typeAliases() {
      return Set.of();
    }

    @Override
    public Set<String> agentTypes() {
      return Set.of(AGENT);
    }

    @Override
    public Map<String, Set<String>> offers() {
      return offers.get();
    }

    @Override
    public MatchResult match(PatternContext context) {
      asked.incrementAndGet();
      Set<String> offered = offers.get().getOrDefault(PatternContext.REQUIRED_STEPS, Set.of());
      return offered.containsAll(context.requiredSteps())
          ? MatchResult.perfect()
          : MatchResult.noMatch("lacks some of " + context.requiredSteps());
    }

    @Override
    public PatternOutcome execute(PatternContext context, ExecutionScope scope) {
      return PatternOutcome.success(name(), "ran " + name());
    }

    @Override
    public PatternDefinition definition() {
      return new PatternDefinition(type(), name(), description(), Map.of());
    }
  }

  private static PatternContext requiring(String... steps) {
    return PatternContext.builder("orders", AGENT).requiredSteps(steps).build();
  }

  private static int asked(List<OfferingPattern> patterns) {
    return patterns.stream().mapToInt(p -> p.asked.get()).sum();
  }

  @Test
  void selectionAsksOnlyThePatternsThatOfferWhatTheContextRequires() {
    PatternRegistry registry = new PatternRegistry();
    List<OfferingPattern> offering = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      offering.add(new OfferingPattern("p" + i, "task_" + i, "store"));
    }
    registry.registerAll(offering);
    // Declares nothing: asked about every context, like before the index.
    ScriptedPattern undeclared =
        new ScriptedPattern("undeclared", AGENT, 0.1, OutcomeStatus.SUCCESS);
    registry.register(undeclared);
    PatternExecutor executor = PatternExecutor.builder(registry).build();

    PatternResult result = executor.executeBestPattern(requiring("task_7", "store"));

    assertThat(result.success()).as(result.message()).isTrue();
    assertThat(result.chosenPattern()).isEqualTo("p7");
    assertThat(asked(offering)).as("only p7 offers task_7").isEqualTo(1);
    assertThat(offering.get(7).asked).hasValue(1);
    assertThat(result.rejections()).isEmpty();
  }

  @Test
  void whenNoCandidateMatchesEveryPatternOfTheAgentTypeSaysWhy() {
    PatternRegistry registry = new PatternRegistry();
    List<OfferingPattern> offering = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      offering.add(new OfferingPattern("p" + i, "task_" + i));
    }
    registry.registerAll(offering);
    PatternExecutor executor = PatternExecutor.builder(registry).build();

    PatternResult result = executor.executeBestPattern(requiring("task_1", "absent"));

    assertThat(result.success()).isFalse();
    assertThat(result.rejections()).hasSize(50).containsKey("p1").containsKey("p49");
    assertThat(result.message()).contains("p1");
  }

  @Test
  void explainAsksEveryPatternSoThatEachRejectionIsListed() {
    PatternRegistry registry = new PatternRegistry();
    List<OfferingPattern> offering = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      offering.add(new OfferingPattern("p" + i, "task_" + i));
    }
    registry.registerAll(offering);

    SelectionExplanation why =
        PatternExecutor.builder(registry).build().explain(requiring("task_3"));

    assertThat(why.ranked()).extracting(c -> c.pattern().name()).containsExactly("p3");
    assertThat(why.rejections()).hasSize(19).doesNotContainKey("p3");
    assertThat(asked(offering)).isEqualTo(20);
  }

  @Test
  void aContextWithoutRequirementsReachesEveryPatternSortedByName() {
    PatternRegistry registry = new PatternRegistry();
    registry.registerAll(
        List.of(
            new OfferingPattern("c", "x"),
            new OfferingPattern("a", "y"),
            new OfferingPattern("b", "x", "y")));
    OfferIndex index = registry.offerIndex(AGENT);

    assertThat(index.candidates(requiring()))
        .extracting(Pattern::name)
        .containsExactly("a", "b", "c");
    assertThat(index.candidates(requiring("x")))
        .extracting(Pattern::name)
        .containsExactly("b", "c");
    assertThat(index.candidates(requiring("x", "y")))
        .extracting(Pattern::name)
        .containsExactly("b");
    assertThat(index.candidates(requiring("z"))).isEmpty();
  }

  @Test
  void aPatternIsIndexedUnderEveryKeyItDeclares() {
    PatternRegistry registry = new PatternRegistry();
    OfferingPattern both =
        new OfferingPattern("both")
            .offering(
                () ->
                    Map.of(
                        PatternContext.REQUIRED_STEPS, Set.of("s"),
                        PatternContext.REQUIRED_DOMAINS, Set.of("d")));
    OfferingPattern stepsOnly = new OfferingPattern("steps_only", "s");
    registry.registerAll(List.of(both, stepsOnly));
    OfferIndex index = registry.offerIndex(AGENT);
    PatternContext stepAndDomain =
        PatternContext.builder("orders", AGENT).requiredSteps("s").requiredDomains("d").build();
    PatternContext otherDomain =
        PatternContext.builder("orders", AGENT).requiredSteps("s").requiredDomains("e").build();

    // steps_only declares no domains, so required domains do not constrain it.
    assertThat(index.candidates(stepAndDomain))
        .extracting(Pattern::name)
        .containsExactly("both", "steps_only");
    assertThat(index.candidates(otherDomain))
        .extracting(Pattern::name)
        .containsExactly("steps_only");
  }

  @Test
  void hostileOffersAreRefusedNamingThePatternAndTheValueAndNothingIsRegistered() {
    Map<String, Set<String>> nullKey = new HashMap<>();
    nullKey.put(null, Set.of("x"));
    Map<String, Set<String>> nullSet = new HashMap<>();
    nullSet.put(PatternContext.REQUIRED_STEPS, null);
    Set<String> withNull = new HashSet<>();
    withNull.add(null);
    Map<Supplier<Map<String, Set<String>>>, String> hostile = new HashMap<>();
    hostile.put(() -> null, "returned null from offers()");
    hostile.put(() -> Map.of("required_things", Set.of("x")), "'required_things'");
    hostile.put(() -> nullKey, "unknown requirement key null");
    hostile.put(() -> nullSet, "null set under 'required_steps'");
    hostile.put(
        () -> Map.of(PatternContext.REQUIRED_STEPS, Set.of(" ")),
        "non-string item under 'required_steps': ' '");
    hostile.put(() -> Map.of(PatternContext.REQUIRED_STEPS, withNull), ": null");
    hostile.put(
        () -> {
          throw new IllegalStateException("boom");
        },
        "threw from offers(): java.lang.IllegalStateException: boom");

    hostile.forEach(
        (offers, expected) -> {
          PatternRegistry registry = new PatternRegistry();
          OfferingPattern good = new OfferingPattern("good", "x");
          OfferingPattern bad = new OfferingPattern("bad", "x").offering(offers);

          assertThatThrownBy(() -> registry.registerAll(List.of(good, bad)))
              .isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining("pattern 'bad'")
              .hasMessageContaining(expected);
          assertThat(registry.size()).isZero();
          assertThat(registry.agentTypes()).isEmpty();
          // Neither was attached: both may join another registry.
          new PatternRegistry().registerAll(List.of(good, new OfferingPattern("bad", "x")));
        });
  }

  @Test
  void withdrawingUsesTheOffersItWasIndexedBySoNothingLeaksWhenThePatternChangesThem() {
    PatternRegistry registry = new PatternRegistry();
    OfferingPattern stays = new OfferingPattern("stays", "a");
    OfferingPattern fickle = new OfferingPattern("fickle", "a", "b");
    registry.registerAll(List.of(stays, fickle));
    OfferIndex index = registry.offerIndex(AGENT);
    assertThat(index.postingEntries()).isEqualTo(3);

    fickle.offering(() -> Map.of(PatternContext.REQUIRED_STEPS, Set.of("z")));
    registry.unregister("fickle");

    assertThat(index.postingEntries()).isEqualTo(1);
    assertThat(index.candidates(requiring("a"))).extracting(Pattern::name).containsExactly("stays");
    assertThat(index.candidates(requiring("b"))).isEmpty();
    registry.unregister("stays");
    assertThat(registry.offerIndex(AGENT)).isNull();
    assertThat(index.postingEntries()).isZero();
  }

  @Test
  void replacingAPatternMovesItsPostingsToTheNewOffers() {
    PatternRegistry registry = new PatternRegistry();
    registry.register(new OfferingPattern("p", "old_step", "shared"));
    OfferingPattern next = new OfferingPattern("p", "new_step", "shared");

    registry.replace(next);

    OfferIndex index = registry.offerIndex(AGENT);
    assertThat(index.candidates(requiring("old_step"))).isEmpty();
    assertThat(index.candidates(requiring("shared"))).containsExactly(next);
    assertThat(index.candidates(requiring("new_step", "shared"))).containsExactly(next);
    assertThat(index.postingEntries()).isEqualTo(2);

    // Replaced by one that declares nothing: it moves to the other group, still found once.
    ScriptedPattern undeclared = new ScriptedPattern("p", AGENT, 0.5, OutcomeStatus.SUCCESS);
    registry.replace(undeclared);
    assertThat(index.candidates(requiring("shared"))).containsExactly(undeclared);
    assertThat(index.postingEntries()).isZero();
  }

  /**
   * Writers register, replace and withdraw patterns that share items with a stable pattern while
   * readers select: a reader always finds the stable pattern, never sees a name twice, and when the
   * writers are done nothing is left in the postings but the stable pattern's items.
   */
  @Test
  void concurrentRegistrationNeverHidesAStablePatternNorLeaksPostings() throws Exception {
    PatternRegistry registry = new PatternRegistry();
    OfferingPattern stable = new OfferingPattern("stable", "shared", "own");
    registry.register(stable);
    OfferIndex index = registry.offerIndex(AGENT);
    int writers = 3;
    int readers = 3;
    int rounds = 2_000;
    ExecutorService pool = Executors.newFixedThreadPool(writers + readers);
    CountDownLatch start = new CountDownLatch(1);
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger selections = new AtomicInteger();
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (int w = 0; w < writers; w++) {
        int id = w;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int r = 0; r < rounds; r++) {
                    String name = "churn_" + id + "_" + (r % 7);
                    switch (r % 3) {
                      case 0 -> registry.replace(new OfferingPattern(name, "shared", "s" + r));
                      case 1 ->
                          registry.replace(
                              new ScriptedPattern(name, AGENT, 0.5, OutcomeStatus.SUCCESS));
                      default -> registry.unregister(name);
                    }
                  }
                  return null;
                }));
      }
      for (int t = 0; t < readers; t++) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  while (writing.get()) {
                    List<Pattern> found = index.candidates(requiring("shared", "own"));
                    assertThat(found).contains(stable);
                    Set<String> names = new HashSet<>();
                    for (Pattern p : found) {
                      assertThat(names.add(p.name())).as("seen twice: %s", p.name()).isTrue();
                    }
                    selections.incrementAndGet();
                  }
                  return null;
                }));
      }
      start.countDown();
      for (int i = 0; i < writers; i++) {
        futures.get(i).get(60, TimeUnit.SECONDS);
      }
      writing.set(false);
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    for (Pattern p : registry.patterns()) {
      if (p != stable) {
        registry.unregister(p.name());
      }
    }
    assertThat(selections.get()).isPositive();
    assertThat(registry.patterns()).containsExactly(stable);
    assertThat(index.postingEntries()).isEqualTo(2);
    assertThat(index.candidates(requiring())).containsExactly(stable);
  }
}
