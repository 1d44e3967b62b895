package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.AbstractPattern;
import io.ndp.api.Attempt;
import io.ndp.api.ConfidenceStats;
import io.ndp.api.ExecutionScope;
import io.ndp.api.MatchResult;
import io.ndp.api.MissingDelegateException;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternOutcome;
import io.ndp.api.PatternResult;
import io.ndp.api.UnknownAgentTypeException;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PatternExecutorTest {

  // Never forgets: these tests check exact arithmetic on the counts.
  private final PatternRegistry registry =
      PatternRegistry.builder().halfLife(Double.POSITIVE_INFINITY).build();
  // Greedy: these tests pin down the executor's mechanics in a known order.
  private PatternExecutor executor =
      PatternExecutor.builder(registry).selectionPolicy(SelectionPolicy.greedy()).build();

  private static PatternContext ctx(String domain, String agentType) {
    return PatternContext.builder(domain, agentType).payload("in").build();
  }

  @AfterEach
  void close() {
    executor.close();
  }

  private void useWork() {
    executor.delegates().register("work", in -> in);
  }

  @Test
  void picksTheBestMatch_whenNothingIsLearnedYet() {
    useWork();
    var weak = new ScriptedPattern("weak", "t", 0.6, OutcomeStatus.SUCCESS);
    var strong = new ScriptedPattern("strong", "t", 0.9, OutcomeStatus.SUCCESS);
    registry.register(weak).register(strong);

    PatternResult r = executor.executeBestPattern(ctx("orders", "t"));

    assertThat(r.success()).isTrue();
    assertThat(r.chosenPattern()).isEqualTo("strong");
    assertThat(r.output()).isEqualTo("strong:in");
    assertThat(r.attempts()).extracting(Attempt::patternName).containsExactly("strong");
    assertThat(weak.runs).hasValue(0);
  }

  @Test
  void failure_fallsBackToTheNextCandidate_andEveryAttemptIsReported() {
    useWork();
    registry
        .register(new ScriptedPattern("first", "t", 1.0, OutcomeStatus.FAILED))
        .register(new ScriptedPattern("second", "t", 0.8, OutcomeStatus.SUCCESS));

    PatternResult r = executor.executeBestPattern(ctx("orders", "t"));

    assertThat(r.success()).isTrue();
    assertThat(r.chosenPattern()).isEqualTo("second");
    assertThat(r.attempts())
        .extracting(Attempt::patternName, Attempt::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("first", OutcomeStatus.FAILED),
            org.assertj.core.groups.Tuple.tuple("second", OutcomeStatus.SUCCESS));
    assertThat(r.message()).contains("'second' succeeded after 2 attempt(s)");
  }

  @Test
  void learnedConfidence_changesTheChoice_perDomain() {
    // Judged per domain alone: borrowing from other domains (see BorrowingTest) is off here.
    executor =
        PatternExecutor.builder(registry)
            .selectionPolicy(SelectionPolicy.greedy())
            .borrowAcrossDomains(false)
            .build();
    useWork();
    var flaky = new ScriptedPattern("flaky", "t", 1.0, OutcomeStatus.SUCCESS);
    flaky.script(c -> c.domain().equals("orders") ? OutcomeStatus.FAILED : OutcomeStatus.SUCCESS);
    var steady = new ScriptedPattern("steady", "t", 0.8, OutcomeStatus.SUCCESS);
    registry.register(flaky).register(steady);

    // At the neutral prior flaky ranks first (1.0 × 0.5 > 0.8 × 0.5) and fails in "orders".
    PatternResult first = executor.executeBestPattern(ctx("orders", "t"));
    assertThat(first.attempts())
        .extracting(Attempt::patternName)
        .containsExactly("flaky", "steady");

    PatternResult second = executor.executeBestPattern(ctx("orders", "t"));
    assertThat(second.attempts()).extracting(Attempt::patternName).containsExactly("steady");

    // In another domain nothing was learned against flaky, so it still ranks first.
    PatternResult billing = executor.executeBestPattern(ctx("billing", "t"));
    assertThat(billing.chosenPattern()).isEqualTo("flaky");

    assertThat(flaky.confidenceScore("orders")).isEqualTo(1.0 / 3);
    assertThat(flaky.confidenceScore("billing")).isEqualTo(2.0 / 3);
    assertThat(steady.confidenceScore("orders")).isEqualTo(3.0 / 4);
  }

  @Test
  void attempts_areBoundedByMaxAttempts_thenFallbacksRun() {
    executor.close();
    executor =
        PatternExecutor.builder(registry)
            .selectionPolicy(SelectionPolicy.greedy())
            .maxAttempts(2)
            .fallbackPatterns("missing", "safety")
            .build();
    useWork();
    registry
        .register(new ScriptedPattern("a", "t", 1.0, OutcomeStatus.FAILED))
        .register(new ScriptedPattern("b", "t", 0.9, OutcomeStatus.TIMED_OUT))
        .register(new ScriptedPattern("c", "t", 0.8, OutcomeStatus.FAILED))
        .register(new ScriptedPattern("safety", "other", 0.1, OutcomeStatus.SUCCESS));

    PatternResult r = executor.executeBestPattern(ctx("orders", "t"));

    assertThat(r.success()).isTrue();
    assertThat(r.chosenPattern()).isEqualTo("safety");
    assertThat(r.attempts())
        .extracting(Attempt::patternName, Attempt::fallback, Attempt::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", false, OutcomeStatus.FAILED),
            org.assertj.core.groups.Tuple.tuple("b", false, OutcomeStatus.TIMED_OUT),
            org.assertj.core.groups.Tuple.tuple("missing", true, OutcomeStatus.REJECTED),
            org.assertj.core.groups.Tuple.tuple("safety", true, OutcomeStatus.SUCCESS));
    assertThat(r.attempts().get(2).message()).contains("'missing' is not registered");
    // Fell back three times (b next-ranked, then the two configured ones).
    assertThat(r.fallbacksTried()).isEqualTo(3);
    assertThat(r.configuredFallbacksTried()).isEqualTo(2);
  }

  @Test
  void allFail_resultSaysWhyForEachPattern() {
    useWork();
    registry
        .register(new ScriptedPattern("a", "t", 1.0, OutcomeStatus.FAILED))
        .register(new ScriptedPattern("never", "t", 0, OutcomeStatus.SUCCESS));

    PatternResult r = executor.executeBestPattern(ctx("orders", "t"));

    assertThat(r.success()).isFalse();
    assertThat(r.chosenPattern()).isNull();
    assertThat(r.message())
        .contains("'a' FAILED: scripted FAILED")
        .contains("'never' rejected: scripted to never match");
    assertThat(r.rejections()).containsEntry("never", "scripted to never match");
  }

  @Test
  void noCandidateMatches_isAFailedResultListingEachRejection() {
    registry.register(new SequentialDelegationPattern("a", "", List.of("validate")));
    registry.register(new SequentialDelegationPattern("b", "", List.of("store")));

    PatternResult r =
        executor.executeBestPattern(
            new PatternContext("orders", "sequential", Map.of("required_steps", List.of("audit"))));

    assertThat(r.success()).isFalse();
    assertThat(r.attempts()).isEmpty();
    assertThat(r.message())
        .contains("'a' rejected: lacks required steps [audit]")
        .contains("'b' rejected: lacks required steps [audit]");
  }

  @Test
  void unknownAgentType_isAClearError() {
    registry.register(new SequentialDelegationPattern("a", "", List.of("validate")));

    assertThatThrownBy(() -> executor.executeBestPattern(ctx("orders", "planner")))
        .isInstanceOf(UnknownAgentTypeException.class)
        .hasMessageContaining("'planner'")
        .hasMessageContaining("[sequential]");
  }

  @Test
  void nullContext_isAClearError() {
    assertThatThrownBy(() -> executor.executeBestPattern(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("context must not be null");
  }

  @Test
  void missingDelegate_isReportedAndNotCountedAgainstThePattern() {
    var flow = new SequentialDelegationPattern("flow", "", List.of("validate", "store"));
    registry.register(flow);
    executor.delegates().register("validate", in -> in);

    PatternResult r = executor.executeBestPattern(ctx("orders", "sequential"));

    assertThat(r.success()).isFalse();
    Attempt a = r.attempts().get(0);
    assertThat(a.status()).isEqualTo(OutcomeStatus.REJECTED);
    assertThat(a.error()).isInstanceOf(MissingDelegateException.class);
    assertThat(a.message()).contains("'store'").contains("'flow'");
    assertThat(registry.statistics("flow")).isEqualTo(ConfidenceStats.EMPTY);
  }

  @Test
  void patternThatThrows_isAFailedAttempt_andTheNextOneRuns() {
    useWork();
    registry.register(
        new ScriptedPattern("buggy", "t", 1.0, OutcomeStatus.SUCCESS)
            .script(
                c -> {
                  throw new IllegalStateException("bug in pattern");
                }));
    registry.register(new ScriptedPattern("ok", "t", 0.5, OutcomeStatus.SUCCESS));

    PatternResult r = executor.executeBestPattern(ctx("orders", "t"));

    assertThat(r.chosenPattern()).isEqualTo("ok");
    assertThat(r.attempts().get(0).status()).isEqualTo(OutcomeStatus.FAILED);
    assertThat(r.attempts().get(0).error()).hasMessage("bug in pattern");
  }

  @Test
  void explain_ranksWithoutRunning() {
    useWork();
    var a = new ScriptedPattern("a", "t", 0.7, OutcomeStatus.SUCCESS);
    var b = new ScriptedPattern("b", "t", 0.9, OutcomeStatus.SUCCESS);
    var never = new ScriptedPattern("never", "t", 0, OutcomeStatus.SUCCESS);
    registry.register(a).register(b).register(never);

    SelectionExplanation e = executor.explain(ctx("orders", "t"));

    assertThat(e.ranked()).extracting(c -> c.pattern().name()).containsExactly("b", "a");
    assertThat(e.rejections()).containsOnlyKeys("never");
    assertThat(e.toString()).contains("rank").contains("b").contains("rejected never");
    assertThat(a.runs).hasValue(0);
    assertThat(b.runs).hasValue(0);
  }

  @Test
  void registrysStatistics_areTheOneSourceOfTruth() {
    PatternStorage storage = new PatternStorage(registry);
    useWork();
    var p = new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS);
    registry.register(p);

    for (int i = 0; i < 4; i++) {
      executor.executeBestPattern(ctx("orders", "t"));
    }

    assertThat(storage.statistics("p")).isEqualTo(new ConfidenceStats(4, 0));
    assertThat(storage.statisticsByDomain("p")).containsOnlyKeys("orders");
    assertThat(p.confidenceScore()).isEqualTo(5.0 / 6);
    assertThat(p.confidenceScore("orders")).isEqualTo(5.0 / 6);
    assertThat(p.confidenceScore("billing")).isEqualTo(0.5);
  }

  @Test
  void contextTimeout_stopsASlowSequentialRunAtItsDeadline() {
    registry.register(new SequentialDelegationPattern("slow", "", List.of("wait", "after")));
    java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
    AtomicInteger after = new AtomicInteger();
    executor
        .delegates()
        .register("wait", in -> never.await(1, java.util.concurrent.TimeUnit.SECONDS));
    executor.delegates().register("after", in -> after.incrementAndGet());

    long t0 = System.nanoTime();
    PatternResult r =
        executor.executeBestPattern(
            PatternContext.builder("orders", "sequential").timeout(Duration.ofMillis(100)).build());
    Duration took = Duration.ofNanos(System.nanoTime() - t0);

    assertThat(r.success()).isFalse();
    assertThat(r.attempts())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.status()).isEqualTo(OutcomeStatus.TIMED_OUT);
              assertThat(a.message()).contains("deadline passed during step 'wait'");
            });
    // The 1 s step was interrupted at the 100 ms deadline (it used to run its full second).
    assertThat(took).isLessThan(Duration.ofMillis(900));
    assertThat(after).hasValue(0);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    assertThat(registry.statistics("slow")).isEqualTo(new ConfidenceStats(0, 1));
  }

  @Test
  void delegateThatIgnoresTheInterrupt_isTimedOutNamingIt_andTheExecutorStaysUsable() {
    registry.register(new SequentialDelegationPattern("stubborn", "", List.of("spin")));
    executor
        .delegates()
        .register(
            "spin",
            in -> {
              long until = System.nanoTime() + 300_000_000L;
              while (System.nanoTime() < until) {
                Thread.interrupted(); // swallows the deadline's interrupt
              }
              return "done late";
            });

    PatternResult r =
        executor.executeBestPattern(
            PatternContext.builder("orders", "sequential").timeout(Duration.ofMillis(50)).build());

    assertThat(r.success()).isFalse();
    assertThat(r.attempts().get(0).status()).isEqualTo(OutcomeStatus.TIMED_OUT);
    assertThat(r.attempts().get(0).message())
        .contains("succeeded after its deadline (it ignored the interrupt at the deadline");
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    executor.delegates().replace("spin", in -> "quick");
    assertThat(executor.executeBestPattern(ctx("orders", "sequential")).success()).isTrue();
  }

  @Test
  void deadlines_followTheInjectedMonotonicTicker_notTheWallClock() {
    AtomicLong nanos = new AtomicLong();
    executor.close();
    executor = PatternExecutor.builder(registry).ticker(nanos::get).build();
    registry.register(new SequentialDelegationPattern("two", "", List.of("first", "second")));
    executor.delegates().register("first", in -> nanos.addAndGet(2_000_000_000L)); // "2 s pass"
    executor.delegates().register("second", in -> "should not run");

    PatternResult r =
        executor.executeBestPattern(
            PatternContext.builder("orders", "sequential").timeout(Duration.ofSeconds(1)).build());

    assertThat(r.attempts().get(0).status()).isEqualTo(OutcomeStatus.TIMED_OUT);
    assertThat(r.attempts().get(0).message()).contains("before step 'second'");
  }

  @Test
  void defaultTimeout_appliesToContextsWithoutOne() {
    executor.close();
    executor = PatternExecutor.builder(registry).defaultTimeout(Duration.ofMillis(100)).build();
    registry.register(new SequentialDelegationPattern("slow", "", List.of("wait")));
    java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
    executor
        .delegates()
        .register("wait", in -> never.await(5, java.util.concurrent.TimeUnit.SECONDS));

    PatternResult r = executor.executeBestPattern(ctx("orders", "sequential"));

    assertThat(r.attempts().get(0).status()).isEqualTo(OutcomeStatus.TIMED_OUT);
    assertThat(r.totalDuration()).isLessThan(Duration.ofSeconds(4));
    assertThatThrownBy(() -> PatternExecutor.builder(registry).defaultTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nestedDelegationBackIntoItself_endsAtOnceWithTheCycle_countedOnce() {
    registry.register(new SelfDelegatingPattern());

    PatternResult r = executor.executeBestPattern(ctx("orders", "loop"));

    assertThat(r.success()).isFalse();
    assertThat(r.message()).contains("'loop' rejected: cycle: loop(orders) -> loop(orders)");
    assertThat(registry.statistics("loop")).isEqualTo(new ConfidenceStats(0, 1));
    assertThat(registry.outcomesNotCounted("loop")).isEmpty();
  }

  @Test
  void chainOfDistinctPatterns_deeperThanMaxDepth_hitsTheDepthGuard() {
    executor.close();
    executor = PatternExecutor.builder(registry).maxDepth(2).build();
    for (int i = 0; i < 5; i++) {
      registry.register(new ChainPattern("p" + i, "a" + i, "a" + (i + 1)));
    }

    PatternResult r = executor.executeBestPattern(ctx("orders", "a0"));

    assertThat(r.success()).isFalse();
    assertThat(r.message())
        .contains("nesting depth limit 2 reached at domain 'orders' (agent type 'a3')");
  }

  @Test
  void fanOutBeyondTheNestedBudget_endsWithAClearFailure() {
    executor.close();
    executor = PatternExecutor.builder(registry).nestedBudget(3).build();
    registry.register(new FanOutPattern("fan", "f", "leaf", 5));
    registry.register(new ScriptedPattern("leaf-p", "leaf", 1.0, OutcomeStatus.SUCCESS));
    useWork();

    PatternResult r = executor.executeBestPattern(ctx("orders", "f"));

    assertThat(r.success()).isFalse();
    assertThat(r.message()).contains("nested execution budget of 3 per call exhausted");
  }

  @Test
  void conflictsAndLaterTimeouts_areNotFailuresOfThePattern_butVisible() {
    useWork();
    registry.register(new ScriptedPattern("busy", "t", 1.0, OutcomeStatus.CONFLICT));
    registry.register(new ScriptedPattern("late", "t", 0.9, OutcomeStatus.TIMED_OUT));
    registry.register(new ScriptedPattern("slow", "u", 1.0, OutcomeStatus.TIMED_OUT));

    executor.executeBestPattern(ctx("orders", "t"));
    executor.executeBestPattern(ctx("orders", "u"));

    assertThat(registry.statistics("busy")).isEqualTo(ConfidenceStats.EMPTY);
    assertThat(registry.outcomesNotCounted("busy")).containsEntry(OutcomeStatus.CONFLICT, 1L);
    // "late" ran second, after "busy" had used part of the budget: not its doing.
    assertThat(registry.statistics("late")).isEqualTo(ConfidenceStats.EMPTY);
    assertThat(registry.outcomesNotCounted("late")).containsEntry(OutcomeStatus.TIMED_OUT, 1L);
    // "slow" had the whole budget: its timeout counts against it.
    assertThat(registry.statistics("slow")).isEqualTo(new ConfidenceStats(0, 1));
  }

  @Test
  void execute_runsOneGivenPattern_andRecordsIt() {
    useWork();
    var p = new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS);
    registry.register(p);

    PatternResult r = executor.execute(p, ctx("orders", "t"));

    assertThat(r.success()).isTrue();
    assertThat(r.output()).isEqualTo("p:in");
    assertThat(p.confidenceScore("orders")).isEqualTo(2.0 / 3);
  }

  @Test
  void builder_rejectsBadSettings() {
    assertThatThrownBy(() -> PatternExecutor.builder(registry).maxAttempts(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxAttempts must be at least 1 but was 0");
    assertThatThrownBy(() -> PatternExecutor.builder(registry).fallbackPatterns(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("' '");
    assertThatThrownBy(() -> PatternExecutor.builder(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("registry");
  }

  /** Delegates its context to the best pattern for it, which is itself. */
  /** Serves agent type {@code agent} by nesting a context of agent type {@code next}. */
  private static final class ChainPattern extends AbstractPattern {
    private final String agent;
    private final String next;

    ChainPattern(String name, String agent, String next) {
      super(name, "nests into " + next);
      this.agent = agent;
      this.next = next;
    }

    @Override
    public String type() {
      return "chain";
    }

    @Override
    public Set<String> typeAliases() {
      return Set.of();
    }

    @Override
    public Set<String> agentTypes() {
      return Set.of(agent);
    }

    @Override
    public MatchResult match(PatternContext context) {
      return MatchResult.perfect();
    }

    @Override
    public PatternOutcome execute(PatternContext context, ExecutionScope scope) {
      PatternResult nested =
          scope.executeBestPattern(new PatternContext(context.domain(), next, Map.of()));
      return nested.success()
          ? PatternOutcome.success(nested.output(), "nested ok")
          : PatternOutcome.failure(nested.message(), null);
    }

    @Override
    public PatternDefinition definition() {
      return new PatternDefinition("chain", name(), description(), Map.of("agent", agent));
    }
  }

  /**
   * Serves agent type {@code agent} by nesting {@code width} contexts of agent type {@code leaf}.
   */
  private static final class FanOutPattern extends AbstractPattern {
    private final String agent;
    private final String leaf;
    private final int width;

    FanOutPattern(String name, String agent, String leaf, int width) {
      super(name, "fans out");
      this.agent = agent;
      this.leaf = leaf;
      this.width = width;
    }

    @Override
    public String type() {
      return "fan";
    }

    @Override
    public Set<String> typeAliases() {
      return Set.of();
    }

    @Override
    public Set<String> agentTypes() {
      return Set.of(agent);
    }

    @Override
    public MatchResult match(PatternContext context) {
      return MatchResult.perfect();
    }

    @Override
    public PatternOutcome execute(PatternContext context, ExecutionScope scope) {
      for (int i = 0; i < width; i++) {
        PatternResult nested =
            scope.executeBestPattern(new PatternContext(context.domain() + i, leaf, Map.of()));
        if (!nested.success()) {
          return PatternOutcome.failure(nested.message(), null);
        }
      }
      return PatternOutcome.success(width, "fanned out");
    }

    @Override
    public PatternDefinition definition() {
      return new PatternDefinition("fan", name(), description(), Map.of("width", width));
    }
  }

  private static final class SelfDelegatingPattern extends AbstractPattern {
    SelfDelegatingPattern() {
      super("loop", "delegates back into itself");
    }

    @Override
    public String type() {
      return "loop";
    }

    @Override
    public Set<String> typeAliases() {
      return Set.of();
    }

    @Override
    public Set<String> agentTypes() {
      return Set.of("loop");
    }

    @Override
    public MatchResult match(PatternContext context) {
      return MatchResult.perfect();
    }

    @Override
    public PatternOutcome execute(PatternContext context, ExecutionScope scope) {
      PatternResult nested = scope.executeBestPattern(context);
      return nested.success()
          ? PatternOutcome.success(nested.output(), "nested ok")
          : PatternOutcome.failure(nested.message(), null);
    }

    @Override
    public PatternDefinition definition() {
      return new PatternDefinition("loop", name(), description(), Map.of());
    }
  }
}
