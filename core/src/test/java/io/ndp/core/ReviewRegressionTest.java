package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.AbstractPattern;
import io.ndp.api.Attempt;
import io.ndp.api.DuplicatePatternException;
import io.ndp.api.ExecutionScope;
import io.ndp.api.MatchResult;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternOutcome;
import io.ndp.api.PatternResult;
import io.ndp.api.ResourcePool;
import io.ndp.core.internal.InMemoryDefinitionStore;
import io.ndp.patterns.parallel.ParallelCoordinationPattern;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One regression test per defect found in review; each is named after what broke. */
class ReviewRegressionTest {

  @TempDir Path plugins;

  @Test
  void candidateWithdrawnAfterSelection_neverRunsAfterAwaitIdleSaidIdle() throws Exception {
    PatternRegistry registry = new PatternRegistry();
    ScriptedPattern first = new ScriptedPattern("a", "t", 1.0, OutcomeStatus.FAILED);
    ScriptedPattern second = new ScriptedPattern("b", "t", 0.5, OutcomeStatus.SUCCESS);
    registry.register(first).register(second);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean blockOnce = new AtomicBoolean(true);
    try (PatternExecutor executor = new PatternExecutor(registry)) {
      executor
          .delegates()
          .register(
              "work",
              in -> {
                if (blockOnce.compareAndSet(true, false)) {
                  entered.countDown();
                  assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
                }
                return in;
              });
      CompletableFuture<PatternResult> running =
          CompletableFuture.supplyAsync(
              () -> executor.executeBestPattern(new PatternContext("d", "t", Map.of())));
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

      registry.unregister("b");
      // The execution chose "b" as its second candidate before the withdrawal: not idle yet.
      assertThat(executor.awaitIdle(List.of("b"), Duration.ofMillis(100))).isFalse();
      release.countDown();
      assertThat(executor.awaitIdle(List.of("b"), Duration.ofSeconds(10))).isTrue();
      int runsWhenIdle = second.runs.get();
      PatternResult r = running.get(10, TimeUnit.SECONDS);

      assertThat(r.success()).as(r.message()).isTrue();
      assertThat(r.chosenPattern()).isEqualTo("b");
      assertThat(second.runs).hasValue(runsWhenIdle).hasValue(1);
      // A new execution reads the registry after the withdrawal and cannot choose "b".
      PatternResult after = executor.executeBestPattern(new PatternContext("d", "t", Map.of()));
      assertThat(after.attempts()).extracting(Attempt::patternName).containsExactly("a");
      assertThat(second.runs).hasValue(1);
    }
  }

  @Test
  void stopRetriedAfterDrainTimeout_stillWaitsForTheRunningExecution() throws Exception {
    TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      ndp.register(new PatternDefinition("echo", "e", "", Map.of()));
      CountDownLatch entered = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      ndp.delegates()
          .register(
              "work",
              in -> {
                entered.countDown();
                assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
                return in;
              });
      CompletableFuture<PatternResult> running =
          CompletableFuture.supplyAsync(
              () ->
                  ndp.executor()
                      .executeBestPattern(
                          PatternContext.builder("d", "echo").payload("x").build()));
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

      assertThat(ndp.stopPlugin("echo-plugin", Duration.ofMillis(50))).isFalse();
      assertThat(ndp.stopPlugin("echo-plugin", Duration.ofMillis(50))).isFalse();
      assertThat(ndp.executor().inFlight("e")).isEqualTo(1);

      release.countDown();
      assertThat(running.get(10, TimeUnit.SECONDS).output()).isEqualTo("v1:x");
      assertThat(ndp.stopPlugin("echo-plugin", Duration.ofSeconds(5))).isTrue();
    }
  }

  @Test
  void centuriesLongTimeout_doesNotOverflowNorLeakUnits() {
    ResourcePool pool = new ResourcePool();
    PatternRegistry registry = new PatternRegistry();
    registry.register(
        ParallelCoordinationPattern.builder("p", "").resources("cpu").pool(pool).build());
    try (PatternExecutor executor = new PatternExecutor(registry)) {
      executor.delegates().register("cpu", in -> "done");
      PatternResult r =
          executor.executeBestPattern(
              PatternContext.builder("d", "parallel").timeout(Duration.ofDays(365L * 400)).build());

      assertThat(r.success()).as(r.message()).isTrue();
      assertThat(pool.activeResources()).isEmpty();
    }
  }

  @Test
  void emptyTaskList_isNotWorkThatSucceeds() {
    var pattern =
        ParallelCoordinationPattern.builder("p", "")
            .resources("cpu")
            .pool(new ResourcePool())
            .build();
    MatchResult m = pattern.match(new PatternContext("d", "parallel", Map.of("tasks", List.of())));

    assertThat(m.isMatch()).isFalse();
    assertThat(m.reason()).contains("tasks must name at least one task");
  }

  @Test
  void fallbackWhoseMatchThrows_isARejectedAttempt_notAnEscapedException() {
    PatternRegistry registry = new PatternRegistry();
    registry.register(new ScriptedPattern("a", "t", 1.0, OutcomeStatus.FAILED));
    registry.register(new ThrowingMatch());
    try (PatternExecutor executor =
        PatternExecutor.builder(registry).fallbackPatterns("throwing").build()) {
      executor.delegates().register("work", in -> in);
      PatternResult r = executor.executeBestPattern(new PatternContext("d", "t", Map.of()));

      assertThat(r.success()).isFalse();
      assertThat(r.attempts()).hasSize(2);
      assertThat(r.attempts().get(1).status()).isEqualTo(OutcomeStatus.REJECTED);
      assertThat(r.attempts().get(1).message()).contains("match() threw").contains("boom");
    }
  }

  @Test
  void registerOverAStoredDefinitionOfAnUnloadedKind_isRefused_andTheDefinitionKept() {
    InMemoryDefinitionStore defs = new InMemoryDefinitionStore();
    PatternDefinition learned = new PatternDefinition("quantum", "flow", "", Map.of("qubits", 5));
    defs.store(learned);
    try (Ndp ndp = Ndp.builder().definitionStore(defs).build()) {
      assertThatThrownBy(
              () ->
                  ndp.register(
                      new PatternDefinition(
                          "sequential", "flow", "", Map.of("steps", List.of("a")))))
          .isInstanceOf(DuplicatePatternException.class)
          .hasMessageContaining("'flow'");
      assertThat(defs.find("flow")).contains(learned);
      assertThat(ndp.registry().find("flow")).isEmpty();
    }
  }

  @Test
  void unregister_removesFromRegistryAndStorage() {
    try (Ndp ndp = Ndp.builder().build()) {
      ndp.register(new PatternDefinition("sequential", "flow", "", Map.of("steps", List.of("a"))));

      assertThat(ndp.unregister("flow")).isTrue();
      assertThat(ndp.registry().find("flow")).isEmpty();
      assertThat(ndp.storage().findDefinition("flow")).isEmpty();
      assertThat(ndp.unregister("flow")).isFalse();
    }
  }

  @Test
  void nullArguments_areClearErrorsNotDeepNullPointers() {
    PatternStorage storage = new PatternStorage();
    assertThatThrownBy(() -> storage.getPattern(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was null");
    assertThatThrownBy(() -> storage.getPatternsByType(null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> storage.statistics(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> storage.removePattern(null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new PatternRegistry().find(null)).isEmpty();
  }

  @Test
  void patternDeclaringANullAgentType_isRejectedNamingIt() {
    PatternRegistry registry = new PatternRegistry();
    ThrowingMatch bad =
        new ThrowingMatch() {
          @Override
          public Set<String> agentTypes() {
            return new java.util.HashSet<>(java.util.Arrays.asList("t", null));
          }
        };
    assertThatThrownBy(() -> registry.register(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'throwing'")
        .hasMessageContaining("null");
    assertThat(registry.size()).isZero();
  }

  /** A pattern whose match() throws. */
  private static class ThrowingMatch extends AbstractPattern {
    ThrowingMatch() {
      super("throwing", "");
    }

    @Override
    public String type() {
      return "throwing";
    }

    @Override
    public Set<String> typeAliases() {
      return Set.of();
    }

    @Override
    public Set<String> agentTypes() {
      return Set.of("other");
    }

    @Override
    public MatchResult match(PatternContext context) {
      throw new IllegalStateException("boom");
    }

    @Override
    public PatternOutcome execute(PatternContext context, ExecutionScope scope) {
      return PatternOutcome.success(null, "never");
    }

    @Override
    public PatternDefinition definition() {
      return new PatternDefinition("throwing", name(), "", Map.of());
    }
  }
}
