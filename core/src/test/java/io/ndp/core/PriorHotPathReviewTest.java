package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.AbstractPattern;
import io.ndp.api.ExecutionScope;
import io.ndp.api.MatchResult;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternOutcome;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Review: {@code Pattern.prior()} says "Called on every selection: keep it cheap", yet its default
 * (and {@code AbstractPattern.prior()} for a pattern built with the two-argument constructor, i.e.
 * every plugin written before 0.2.0: the project's own EvaluatorOptimizerPattern, the simulator's
 * SimulatedPattern, the benchmarks' plugin template) calls {@code definition()} on every selection
 * for every candidate. Such plugins build a new definition per call (a parameter map, its deep copy
 * and validation) and {@code PatternDefinition.prior()} then parses the map again. Measured with
 * the ThreadMXBean over 50,000 calls of one such candidate (greedy policy, several runs): about 0.9
 * KB per {@code executeBestPattern} before the change (9b894bf), 2.2 to 2.4 KB after, against 1.3
 * KB for the same pattern overriding {@code prior()}; it grows with the number of candidates.
 * Before the change, selection never called {@code definition()}.
 */
class PriorHotPathReviewTest {

  /** A plugin as written before 0.2.0: two-argument constructor, definition built on demand. */
  static final class PluginPattern extends AbstractPattern {
    final AtomicInteger definitions = new AtomicInteger();

    PluginPattern(String name) {
      super(name, "a plugin kind");
    }

    @Override
    public String type() {
      return "plugin-kind";
    }

    @Override
    public Set<String> typeAliases() {
      return Set.of();
    }

    @Override
    public Set<String> agentTypes() {
      return Set.of("t");
    }

    @Override
    public MatchResult match(PatternContext context) {
      return MatchResult.matches(1.0);
    }

    @Override
    public PatternOutcome execute(PatternContext context, ExecutionScope scope) {
      return PatternOutcome.success("done", "ok");
    }

    @Override
    public PatternDefinition definition() {
      definitions.incrementAndGet();
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("generator", "gen");
      p.put("qualityBar", 0.9);
      return new PatternDefinition(type(), name(), description(), p);
    }
  }

  @Test
  void executeBestPattern_doesNotBuildEachCandidatesDefinitionOnEveryCall() {
    PatternRegistry registry = new PatternRegistry();
    PluginPattern a = new PluginPattern("a");
    PluginPattern b = new PluginPattern("b");
    registry.register(a).register(b);
    PatternContext ctx = new PatternContext("orders", "t", Map.of());
    try (PatternExecutor executor = PatternExecutor.builder(registry).build()) {
      executor.executeBestPattern(ctx); // anything done once, e.g. a cache filled, is done now
      int before = a.definitions.get() + b.definitions.get();

      for (int i = 0; i < 100; i++) {
        assertThat(executor.executeBestPattern(ctx).success()).isTrue();
      }

      assertThat(a.definitions.get() + b.definitions.get() - before)
          .as("definition() calls during 100 executeBestPattern calls with 2 candidates")
          .isZero();
    }
  }
}
