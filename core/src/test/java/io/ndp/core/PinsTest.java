package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.Attempt;
import io.ndp.api.Decision.Entry;
import io.ndp.api.Decision.Verdict;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternNotFoundException;
import io.ndp.api.PatternResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An operator's pins: force a pattern first, or forbid it, in one domain. */
class PinsTest {

  private final PatternRegistry registry = new PatternRegistry();
  private final ScriptedPattern best = new ScriptedPattern("best", "t", 1.0, OutcomeStatus.SUCCESS);
  private final ScriptedPattern worst =
      new ScriptedPattern("worst", "t", 0.2, OutcomeStatus.SUCCESS);
  private final ScriptedPattern middle =
      new ScriptedPattern("middle", "t", 0.6, OutcomeStatus.SUCCESS);
  private PatternExecutor executor;

  @BeforeEach
  void setUp() {
    registry.register(best).register(worst).register(middle);
    executor = greedy(registry);
  }

  private static PatternExecutor greedy(PatternRegistry registry) {
    PatternExecutor e =
        PatternExecutor.builder(registry).selectionPolicy(SelectionPolicy.greedy()).build();
    e.delegates().register("work", in -> in);
    return e;
  }

  @AfterEach
  void close() {
    executor.close();
  }

  private static PatternContext ctx(String domain) {
    return new PatternContext(domain, "t", Map.of());
  }

  @Test
  void forced_runsFirstInItsDomainOnly_andIsShownPinned() {
    registry.pins().force("orders", "worst");

    PatternResult orders = executor.executeBestPattern(ctx("orders"));
    PatternResult billing = executor.executeBestPattern(ctx("billing"));

    assertThat(orders.chosenPattern()).isEqualTo("worst");
    assertThat(orders.decision().entries())
        .extracting(Entry::pattern, Entry::verdict)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("worst", Verdict.PINNED),
            org.assertj.core.groups.Tuple.tuple("best", Verdict.RANKED),
            org.assertj.core.groups.Tuple.tuple("middle", Verdict.RANKED));
    assertThat(billing.chosenPattern()).isEqualTo("best");
    assertThat(executor.explain(ctx("orders")).toString()).contains("pinned by an operator");
  }

  @Test
  void aFailingPinnedPattern_fallsBackToThePolicysOrder() {
    ScriptedPattern broken = new ScriptedPattern("broken", "t", 0.1, OutcomeStatus.FAILED);
    registry.register(broken);
    registry.pins().force("orders", "broken");

    PatternResult r = executor.executeBestPattern(ctx("orders"));

    assertThat(r.attempts()).extracting(Attempt::patternName).containsExactly("broken", "best");
    assertThat(r.chosenPattern()).isEqualTo("best");
  }

  @Test
  void forbidden_isNeverTried_evenWhenItIsTheOnlyCandidate() {
    registry.pins().forbid("orders", "best");
    registry.pins().forbid("orders", "middle");

    PatternResult r = executor.executeBestPattern(ctx("orders"));
    assertThat(r.chosenPattern()).isEqualTo("worst");
    assertThat(r.decision().entries())
        .extracting(Entry::pattern, Entry::verdict)
        .endsWith(
            org.assertj.core.groups.Tuple.tuple("best", Verdict.FORBIDDEN),
            org.assertj.core.groups.Tuple.tuple("middle", Verdict.FORBIDDEN));

    registry.pins().forbid("orders", "worst");
    PatternResult none = executor.executeBestPattern(ctx("orders"));
    assertThat(none.success()).isFalse();
    assertThat(none.attempts()).isEmpty();
    assertThat(none.decision().chosen()).isEmpty();
    assertThat(best.runs.get() + middle.runs.get()).isZero();
    assertThat(worst.runs.get()).isEqualTo(1);

    assertThat(registry.pins().allow("orders", "best")).isTrue();
    assertThat(registry.pins().allow("orders", "best")).isFalse();
    assertThat(executor.executeBestPattern(ctx("orders")).chosenPattern()).isEqualTo("best");
  }

  @Test
  void aPinnedPatternThatDoesNotMatch_isNoted_andThePolicyRanks() {
    ScriptedPattern never = new ScriptedPattern("never", "t", 0, OutcomeStatus.SUCCESS);
    registry.register(never);
    registry.pins().force("orders", "never");

    PatternResult r = executor.executeBestPattern(ctx("orders"));

    assertThat(r.chosenPattern()).isEqualTo("best");
    assertThat(r.decision().notes())
        .singleElement()
        .asString()
        .contains("'never' is pinned")
        .contains("scripted to never match");
  }

  @Test
  void pinsAreTheRegistrys_everyExecutorObeysThem() {
    try (PatternExecutor other = greedy(registry)) {
      registry.pins().force("orders", "middle");
      assertThat(other.executeBestPattern(ctx("orders")).chosenPattern()).isEqualTo("middle");
      assertThat(executor.executeBestPattern(ctx("orders")).chosenPattern()).isEqualTo("middle");
      assertThat(registry.pins().unforce("orders")).contains("middle");
      assertThat(other.executeBestPattern(ctx("orders")).chosenPattern()).isEqualTo("best");
    }
  }

  @Test
  void badInput_isRefusedWithTheValue_andChangesNothing() {
    Pins pins = registry.pins();
    assertThatThrownBy(() -> pins.force(" ", "best"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("domain must be non-blank but was ' '");
    assertThatThrownBy(() -> pins.force("orders", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pattern must be non-blank but was null");
    assertThatThrownBy(() -> pins.forbid("orders", "bestt"))
        .isInstanceOf(PatternNotFoundException.class)
        .hasMessageContaining("no pattern named 'bestt'")
        .hasMessageContaining("'best'");
    pins.forbid("orders", "worst");
    assertThatThrownBy(() -> pins.force("orders", "worst"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'worst' is forbidden in domain 'orders'");
    pins.force("orders", "middle");
    assertThatThrownBy(() -> pins.forbid("orders", "middle"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'middle' is forced in domain 'orders'");

    assertThat(pins.allForced()).isEqualTo(Map.of("orders", "middle"));
    assertThat(pins.allForbidden()).isEqualTo(Map.of("orders", java.util.Set.of("worst")));
    assertThat(pins.forced("billing")).isEmpty();
    assertThat(pins.forbidden("billing")).isEmpty();
    assertThat(pins.forced(null)).isEmpty();
    assertThat(pins.forbidden(null)).isEmpty();
    assertThat(pins.allow(null, null)).isFalse();
    assertThat(pins.unforce(null)).isEmpty();
    pins.clear();
    assertThat(pins.allForced()).isEmpty();
    assertThat(pins.allForbidden()).isEmpty();
  }

  /**
   * 4 threads execute while 2 operators flip pins of other patterns: the pattern forbidden all
   * along never runs, every execution succeeds, and each result's first attempt is the forced
   * pattern whenever its decision says PINNED.
   */
  @Test
  void pinsChangedUnderLoad_neverLetAForbiddenPatternRun() throws Exception {
    ScriptedPattern banned = new ScriptedPattern("banned", "t", 1.0, OutcomeStatus.SUCCESS);
    registry.register(banned);
    registry.pins().forbid("orders", "banned");
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<?>> operators = new ArrayList<>();
      for (int o = 0; o < 2; o++) {
        operators.add(
            pool.submit(
                () -> {
                  while (!stop.get()) {
                    registry.pins().force("orders", "worst");
                    registry.pins().unforce("orders");
                    registry.pins().forbid("orders", "middle");
                    registry.pins().allow("orders", "middle");
                  }
                }));
      }
      List<Future<Integer>> workers = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        workers.add(
            pool.submit(
                () -> {
                  int ok = 0;
                  for (int i = 0; i < 2_000; i++) {
                    PatternResult r = executor.executeBestPattern(ctx("orders"));
                    if (!r.success()) {
                      throw new AssertionError(r.message());
                    }
                    Entry first = r.decision().entries().get(0);
                    if (first.verdict() == Verdict.PINNED
                        && !r.attempts().get(0).patternName().equals(first.pattern())) {
                      throw new AssertionError("pinned " + first + " but ran " + r.attempts());
                    }
                    ok++;
                  }
                  return ok;
                }));
      }
      int total = 0;
      for (Future<Integer> f : workers) {
        total += f.get(60, TimeUnit.SECONDS);
      }
      stop.set(true);
      for (Future<?> f : operators) {
        f.get(10, TimeUnit.SECONDS);
      }
      assertThat(total).isEqualTo(8_000);
      assertThat(banned.runs.get()).isZero();
      assertThat(best.runs.get() + middle.runs.get() + worst.runs.get()).isEqualTo(8_000);
    } finally {
      pool.shutdownNow();
    }
  }
}
