package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.DuplicatePatternException;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternNotFoundException;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PatternRegistryTest {

  private final PatternRegistry registry = new PatternRegistry();
  private final SequentialDelegationPattern flow =
      new SequentialDelegationPattern("validation_flow", "", List.of("validate", "store"));

  @Test
  void register_thenGetPattern_returnsTheSameInstance() {
    registry.register(flow);

    assertThat(registry.getPattern("validation_flow")).isSameAs(flow);
    assertThat(registry.find("validation_flow")).containsSame(flow);
    assertThat(registry.patterns()).containsExactly(flow);
    assertThat(registry.size()).isEqualTo(1);
  }

  @Test
  void register_duplicateName_keepsRegistryUnchanged() {
    registry.register(flow);
    var other = new SequentialDelegationPattern("validation_flow", "other", List.of("x"));

    assertThatThrownBy(() -> registry.register(other))
        .isInstanceOf(DuplicatePatternException.class)
        .hasMessageContaining("'validation_flow'")
        .extracting(e -> ((DuplicatePatternException) e).patternName())
        .isEqualTo("validation_flow");
    assertThat(registry.getPattern("validation_flow")).isSameAs(flow);
    assertThat(registry.patternsServing("sequential")).containsExactly(flow);
    assertThat(registry.size()).isEqualTo(1);
  }

  @Test
  void getPattern_unknown_namesItAndACloseMatch() {
    registry.register(flow);

    assertThatThrownBy(() -> registry.getPattern("validaton_flow"))
        .isInstanceOf(PatternNotFoundException.class)
        .hasMessage("no pattern named 'validaton_flow'; did you mean 'validation_flow'?");
    assertThat(registry.find("validaton_flow")).isEmpty();
  }

  @Test
  void indexes_byAgentTypeAndByTypeOrAlias() {
    var scripted = new ScriptedPattern("s", "parallel", 1, OutcomeStatus.SUCCESS);
    registry.register(flow).register(scripted);

    assertThat(registry.patternsServing("sequential")).containsExactly(flow);
    assertThat(registry.patternsServing("parallel")).containsExactly(scripted);
    assertThat(registry.patternsServing("orchestrator")).isEmpty();
    assertThat(registry.patternsOfType("sequential")).containsExactly(flow);
    assertThat(registry.patternsOfType("SequentialDelegationPattern")).containsExactly(flow);
    assertThat(registry.agentTypes()).containsExactlyInAnyOrder("sequential", "parallel");
  }

  @Test
  void patternsServing_isSortedByName_whateverTheRegistrationOrder() {
    registry.register(new SequentialDelegationPattern("b", "", List.of("s")));
    registry.register(new SequentialDelegationPattern("a", "", List.of("s")));
    registry.register(new SequentialDelegationPattern("c", "", List.of("s")));

    assertThat(registry.patternsServing("sequential"))
        .extracting(p -> p.name())
        .containsExactly("a", "b", "c");
  }

  @Test
  void unregister_removesFromEveryIndex() {
    registry.register(flow);

    assertThat(registry.unregister("validation_flow")).containsSame(flow);
    assertThat(registry.patternsServing("sequential")).isEmpty();
    assertThat(registry.patternsOfType("sequential")).isEmpty();
    assertThat(registry.unregister("validation_flow")).isEmpty();
  }

  @Test
  void register_null_isRejected() {
    assertThatThrownBy(() -> registry.register(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be null");
  }

  @Test
  void concurrentRegistrations_ofDistinctAndDuplicateNames_loseNothing() throws Exception {
    int threads = 8;
    int perThread = 200;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger duplicates = new AtomicInteger();
    for (int t = 0; t < threads; t++) {
      pool.execute(
          () -> {
            try {
              start.await();
            } catch (InterruptedException e) {
              return;
            }
            for (int i = 0; i < perThread; i++) {
              try {
                // Every thread registers the same names: each name must win exactly once.
                registry.register(new SequentialDelegationPattern("p" + i, "", List.of("s")));
              } catch (DuplicatePatternException e) {
                duplicates.incrementAndGet();
              }
            }
          });
    }
    start.countDown();
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

    assertThat(registry.size()).isEqualTo(perThread);
    assertThat(duplicates.get()).isEqualTo((threads - 1) * perThread);
    assertThat(registry.patternsServing("sequential")).hasSize(perThread);
  }

  /** A pattern of any type, aliases and agent types, for the index tests. */
  private static final class Kind extends io.ndp.api.AbstractPattern {
    private final String type;
    private final java.util.Set<String> aliases;
    private final java.util.Set<String> agentTypes;

    Kind(String name, String type, java.util.Set<String> aliases, String... agentTypes) {
      super(name, "");
      this.type = type;
      this.aliases = aliases;
      this.agentTypes = java.util.Set.of(agentTypes);
    }

    @Override
    public String type() {
      return type;
    }

    @Override
    public java.util.Set<String> typeAliases() {
      return aliases;
    }

    @Override
    public java.util.Set<String> agentTypes() {
      return agentTypes;
    }

    @Override
    public io.ndp.api.MatchResult match(io.ndp.api.PatternContext context) {
      return io.ndp.api.MatchResult.perfect();
    }

    @Override
    public io.ndp.api.PatternOutcome execute(
        io.ndp.api.PatternContext context, io.ndp.api.ExecutionScope scope) {
      return io.ndp.api.PatternOutcome.success(null, "ok");
    }

    @Override
    public io.ndp.api.PatternDefinition definition() {
      return new io.ndp.api.PatternDefinition(type, name(), "", java.util.Map.of());
    }
  }

  @Test
  void patternsOfAnAlias_spanEveryTypeThatDeclaresIt_andOnlyThePatternsThatDo() {
    var a = new Kind("a", "t1", java.util.Set.of("shared", "t2"), "x");
    var b = new Kind("b", "t2", java.util.Set.of(), "x");
    var c = new Kind("c", "t1", java.util.Set.of(), "y");
    var d = new Kind("d", "t3", java.util.Set.of("shared"), "y");
    registry.registerAll(List.of(d, c, b, a));

    assertThat(registry.patternsOfType("shared")).containsExactly(a, d);
    // An alias that is another type's id: that type's patterns and those declaring it.
    assertThat(registry.patternsOfType("t2")).containsExactly(a, b);
    assertThat(registry.patternsOfType("t1")).containsExactly(a, c);
    assertThat(registry.patternsOfType("none")).isEmpty();

    registry.unregister("a");
    assertThat(registry.patternsOfType("shared")).containsExactly(d);
    assertThat(registry.patternsOfType("t2")).containsExactly(b);
    registry.unregister("d");
    assertThat(registry.patternsOfType("shared")).isEmpty();
  }

  @Test
  void replacingAPattern_byAnEqualOne_keepsItsAliasesIndexed() {
    var first = new SequentialDelegationPattern("flow", "", List.of("s"));
    var second = new SequentialDelegationPattern("flow", "", List.of("s"));
    registry.register(first);

    registry.replace(second);

    assertThat(registry.patternsOfType("SequentialDelegationPattern")).containsExactly(second);
    assertThat(registry.patternsOfType("sequential")).containsExactly(second);
    registry.unregister("flow");
    assertThat(registry.patternsOfType("SequentialDelegationPattern")).isEmpty();
  }

  @Test
  void closeMatches_areTheSortedNeighbours_overEveryAgentType() {
    registry.registerAll(
        List.of(
            new Kind("flow_a", "t", java.util.Set.of(), "x"),
            new Kind("flow_b", "t", java.util.Set.of(), "y"),
            new Kind("flow_c", "t", java.util.Set.of(), "x", "y"),
            new Kind("flow_e", "t", java.util.Set.of(), "z"),
            new Kind("other", "t", java.util.Set.of(), "x")));

    // The greatest name below first, then the names from it on, each once.
    assertThat(registry.closeMatches("flow_bb")).containsExactly("flow_b", "flow_c", "flow_e");
    assertThat(registry.closeMatches("flow_"))
        .containsExactly("flow_a", "flow_b", "flow_c", "flow_e");
    assertThat(registry.closeMatches("flow_d")).containsExactly("flow_c", "flow_e");
  }
}
