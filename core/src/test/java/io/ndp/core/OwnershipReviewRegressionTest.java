package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.OutcomeStatus;
import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternDefinitionStore;
import io.ndp.api.PatternFactory;
import io.ndp.api.PatternResult;
import io.ndp.api.ResourcePool;
import io.ndp.core.internal.InMemoryDefinitionStore;
import io.ndp.patterns.parallel.ParallelCoordinationPattern;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression tests for the defects a review of the ownership change proved, one per defect, each
 * named after what broke.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OwnershipReviewRegressionTest {

  private static PatternContext ctx(String domain, String agentType) {
    return new PatternContext(domain, agentType, Map.of());
  }

  /**
   * A definition store that delegates to memory but whose store() can be made to fail or block,
   * remove() to block, and the next find() to throw anything (even a checked exception).
   */
  static final class FlakyStore implements PatternDefinitionStore {
    final InMemoryDefinitionStore inner = new InMemoryDefinitionStore();
    volatile boolean failStore;
    final java.util.concurrent.atomic.AtomicReference<Throwable> failNextFind =
        new java.util.concurrent.atomic.AtomicReference<>();
    volatile CountDownLatch removeEntered;
    volatile CountDownLatch removeRelease;

    volatile String blockStoreOf;
    volatile CountDownLatch storeEntered;
    volatile CountDownLatch storeRelease;

    @Override
    public void store(PatternDefinition definition) {
      if (failStore) {
        throw new IllegalStateException("disk full");
      }
      if (blockStoreOf != null && blockStoreOf.equals(definition.description())) {
        storeEntered.countDown();
        await(storeRelease);
      }
      inner.store(definition);
    }

    private static void await(CountDownLatch l) {
      try {
        l.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public Optional<PatternDefinition> find(String name) {
      Throwable failure = failNextFind.getAndSet(null);
      if (failure != null) {
        throw FlakyStore.<RuntimeException>sneaky(failure);
      }
      return inner.find(name);
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
      throw (T) t;
    }

    @Override
    public List<PatternDefinition> findByType(String type) {
      return inner.findByType(type);
    }

    @Override
    public List<PatternDefinition> findAll() {
      return inner.findAll();
    }

    @Override
    public boolean remove(String name) {
      CountDownLatch entered = removeEntered;
      if (entered != null) {
        entered.countDown();
        try {
          removeRelease.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return inner.remove(name);
    }
  }

  /** Builds ScriptedPatterns of agent type "t"; create() may block until released. */
  static final class ScriptedFactory implements PatternFactory {
    volatile CountDownLatch entered;
    volatile CountDownLatch release;

    @Override
    public String type() {
      return "scripted";
    }

    @Override
    public Set<String> aliases() {
      return Set.of("ScriptedPattern");
    }

    @Override
    public Pattern create(PatternDefinition d) {
      CountDownLatch e = entered;
      if (e != null) {
        e.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
        }
      }
      return new ScriptedPattern(
          d.name(),
          "t",
          ((Number) d.parameters().getOrDefault("score", 1.0)).doubleValue(),
          OutcomeStatus.SUCCESS);
    }
  }

  // ---- 1: storePattern of an already registered pattern, store fails -> pattern unregistered

  @Test
  void storePattern_ofRegisteredPattern_whenStoreFails_leavesRegistryAsItWas() {
    PatternRegistry registry = new PatternRegistry();
    FlakyStore store = new FlakyStore();
    PatternStorage storage =
        PatternStorage.builder().registry(registry).definitionStore(store).build();
    ScriptedPattern p = new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS);
    registry.register(p);

    store.failStore = true;
    assertThatThrownBy(() -> storage.storePattern(p)).hasMessageContaining("disk full");

    // "Nothing stored: put the registry back as it was" -- p was registered before the call.
    assertThat(registry.find("p")).containsSame(p);
  }

  // ---- 2: storePattern racing a storage lookup that rebuilds the same name

  @Test
  void getPattern_racingStorePattern_doesNotThrowDuplicate_andReturnsTheLiveInstance()
      throws Exception {
    PatternRegistry registry = new PatternRegistry();
    ScriptedFactory factory = new ScriptedFactory();
    PatternStorage storage =
        PatternStorage.builder().registry(registry).factories(PatternFactories.of(factory)).build();
    storage.storePattern(new ScriptedPattern("x", "t", 1.0, OutcomeStatus.SUCCESS));
    registry.unregister("x"); // stored but not registered: the next lookup rebuilds it

    factory.entered = new CountDownLatch(1);
    factory.release = new CountDownLatch(1);
    CompletableFuture<Pattern> lookup =
        CompletableFuture.supplyAsync(() -> storage.getPattern("x"));
    assertThat(factory.entered.await(10, TimeUnit.SECONDS)).isTrue();

    ScriptedPattern stored = new ScriptedPattern("x", "t", 1.0, OutcomeStatus.SUCCESS);
    // Writes of one name wait for the build in progress, then replace what it registered.
    CompletableFuture<PatternStorage> storing =
        CompletableFuture.supplyAsync(() -> storage.storePattern(stored));
    factory.release.countDown();

    assertThatCode(() -> lookup.get(10, TimeUnit.SECONDS)).doesNotThrowAnyException();
    storing.get(10, TimeUnit.SECONDS);
    assertThat(lookup.get().name()).isEqualTo("x");
    assertThat(registry.getPattern("x")).isSameAs(stored);
    assertThat(storage.getPattern("x")).isSameAs(stored);
  }

  // ---- 3: a failed registerAll leaves the registry's pool changed

  @Test
  void registerAll_failingOnSecondPattern_leavesTheRegistrysPoolUnchanged() {
    PatternRegistry registry = new PatternRegistry();
    ParallelCoordinationPattern four =
        ParallelCoordinationPattern.builder("four", "").resources("gpu").capacity("gpu", 4).build();
    ScriptedPattern ownedElsewhere = new ScriptedPattern("other", "t", 1.0, OutcomeStatus.SUCCESS);
    new PatternRegistry().register(ownedElsewhere);

    assertThatThrownBy(() -> registry.registerAll(List.of(four, ownedElsewhere)))
        .isInstanceOf(IllegalStateException.class);
    assertThat(registry.size()).isZero();

    // All or nothing: nothing was registered, so nothing may be declared in the runtime's pool.
    assertThat(registry.resourcePool().capacities()).isEmpty();
    ParallelCoordinationPattern two =
        ParallelCoordinationPattern.builder("two", "").resources("gpu").capacity("gpu", 2).build();
    assertThatCode(() -> registry.register(two)).doesNotThrowAnyException();
  }

  // ---- 4: awaitTermination without shutdown stops all future learning

  @Test
  void awaitTermination_timingOutWithoutShutdown_doesNotStopRecordingNewExecutions()
      throws Exception {
    PatternRegistry registry = new PatternRegistry();
    registry.register(new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS));
    PatternExecutor executor = new PatternExecutor(registry);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    executor
        .delegates()
        .register(
            "work",
            in -> {
              if (entered.getCount() > 0) {
                entered.countDown();
                release.await(10, TimeUnit.SECONDS);
              }
              return "ok";
            });
    CompletableFuture<PatternResult> slow =
        CompletableFuture.supplyAsync(() -> executor.executeBestPattern(ctx("d", "t")));
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    // A monitoring probe: "is anything running?" -- the executor is NOT shut down.
    assertThat(executor.awaitTermination(Duration.ZERO)).hasSize(1);
    release.countDown();
    slow.get(10, TimeUnit.SECONDS);

    assertThat(executor.isShutdown()).isFalse();
    PatternResult later = executor.executeBestPattern(ctx("d", "t"));
    assertThat(later.success()).as(later.message()).isTrue();
    // A new execution, started after the probe, on a runtime that is not closing: recorded.
    assertThat(registry.statistics("p", "d").successes()).isGreaterThanOrEqualTo(1);
    executor.close();
  }

  // ---- 5: declareFor does not validate resource names -> pool broken

  @Test
  void declareFor_withNullOrBlankResourceName_isRejectedAndLeavesThePoolUsable() {
    ResourcePool pool = new ResourcePool();
    Set<String> hostile = new HashSet<>(Arrays.asList("cpu", null));
    Map<String, Integer> noExplicit = new java.util.HashMap<>();
    Throwable nullName =
        org.assertj.core.api.Assertions.catchThrowable(
            () -> pool.declareFor("pattern 'x'", hostile, noExplicit, Map.of()));
    Throwable blankName =
        org.assertj.core.api.Assertions.catchThrowable(
            () -> pool.declareFor("pattern 'y'", Set.of("  "), noExplicit, Map.of()));

    // declare()/declareAll() reject null and blank names; declareFor must too, and leave the
    // pool as it was (usable).
    assertThatCode(pool::capacities).doesNotThrowAnyException();
    assertThat(pool.capacities()).doesNotContainKey("  ");
    assertThat(nullName).isInstanceOf(IllegalArgumentException.class);
    assertThat(blankName).isInstanceOf(IllegalArgumentException.class);
  }

  // ---- 6: Ndp.unregister racing a storage lookup leaves an orphan registered pattern

  @Test
  void ndpUnregister_racingStorageLookup_leavesNoPatternRegistered() throws Exception {
    FlakyStore store = new FlakyStore();
    try (Ndp ndp =
        Ndp.builder()
            .serviceLoader(false)
            .factories(new ScriptedFactory())
            .definitionStore(store)
            .build()) {
      ndp.register(new PatternDefinition("scripted", "x", "", Map.of("score", 1.0)));
      store.removeEntered = new CountDownLatch(1);
      store.removeRelease = new CountDownLatch(1);
      CompletableFuture<Boolean> unregister =
          CompletableFuture.supplyAsync(() -> ndp.unregister("x"));
      assertThat(store.removeEntered.await(10, TimeUnit.SECONDS)).isTrue();
      // A concurrent reader (e.g. a dashboard listing patterns by confidence).
      ndp.storage().findPattern("x");
      store.removeRelease.countDown();
      assertThat(unregister.get(10, TimeUnit.SECONDS)).isTrue();

      assertThat(ndp.storage().findDefinition("x")).isEmpty();
      assertThat(ndp.registry().find("x")).isEmpty();
    }
  }

  // ---- 7: concurrent storePattern of one name: registry and store end up disagreeing

  @Test
  void concurrentStorePattern_ofOneName_registryInstanceMatchesStoredDefinition() throws Exception {
    PatternRegistry registry = new PatternRegistry();
    FlakyStore store = new FlakyStore();
    PatternStorage storage =
        PatternStorage.builder().registry(registry).definitionStore(store).build();
    ScriptedPattern first = new ScriptedPattern("x", "t", 0.4, OutcomeStatus.SUCCESS);
    ScriptedPattern second = new ScriptedPattern("x", "t", 0.9, OutcomeStatus.FAILED);
    store.blockStoreOf = first.description(); // "scripted SUCCESS": a slow write
    store.storeEntered = new CountDownLatch(1);
    store.storeRelease = new CountDownLatch(1);

    CompletableFuture<PatternStorage> slow =
        CompletableFuture.supplyAsync(() -> storage.storePattern(first));
    assertThat(store.storeEntered.await(10, TimeUnit.SECONDS)).isTrue();
    // Writes of one name are serialized: the second waits for the slow first one.
    CompletableFuture<PatternStorage> fast =
        CompletableFuture.supplyAsync(() -> storage.storePattern(second));
    store.storeRelease.countDown();
    slow.get(10, TimeUnit.SECONDS);
    fast.get(10, TimeUnit.SECONDS);

    // Whichever write won, the registry's live instance and the stored definition must agree.
    assertThat(storage.findDefinition("x")).contains(registry.getPattern("x").definition());
  }

  // ---- 8: stopPlugin racing a storage lookup that is building one of the plugin's patterns

  @Test
  void stopPlugin_racingStorageRebuild_leavesNoPatternOfTheStoppedPluginRegistered(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path plugins) throws Exception {
    String pkg = "test.slow_plugin";
    String pattern = TestPluginJarSources.ECHO_PATTERN.replace("PKG", pkg);
    String factory =
        """
        package PKG;
        import io.ndp.api.*;
        import java.util.*;
        import java.util.concurrent.*;
        public final class EchoFactory implements PatternFactory {
          public String type() { return "slow"; }
          public Set<String> aliases() { return Set.of(); }
          public Pattern create(PatternDefinition d) {
            Object[] gate = (Object[]) System.getProperties().get("ndp.review.gate");
            if (gate != null) {
              ((CountDownLatch) gate[0]).countDown();
              try {
                ((CountDownLatch) gate[1]).await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return new EchoPattern(d.name(), d.description());
          }
        }
        """
            .replace("PKG", pkg);
    new TestPluginJar("slow-plugin")
        .source(pkg + ".EchoPattern", pattern)
        .factory(pkg + ".EchoFactory", factory)
        .writeTo(plugins);
    CountDownLatch building = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      ndp.register(new PatternDefinition("slow", "s", "", Map.of()));
      ndp.registry().unregister("s"); // stored, not registered: the next lookup rebuilds it
      System.getProperties().put("ndp.review.gate", new Object[] {building, release});
      CompletableFuture<Optional<Pattern>> lookup =
          CompletableFuture.supplyAsync(() -> ndp.storage().findPattern("s"));
      assertThat(building.await(10, TimeUnit.SECONDS)).isTrue();

      assertThat(ndp.stopPlugin("slow-plugin", Duration.ofSeconds(5))).isTrue();
      release.countDown();
      org.assertj.core.api.Assertions.catchThrowable(() -> lookup.get(10, TimeUnit.SECONDS));

      // The plugin is stopped: none of its patterns may be left where executions select.
      assertThat(ndp.registry().patterns()).extracting(Pattern::name).doesNotContain("s");
    } finally {
      System.getProperties().remove("ndp.review.gate");
    }
  }

  // ---- 9: a default capacity giving way to a lower explicit one stranded a waiting request

  @Test
  void explicitCapacityBelowAWaitingRequest_doesNotStrandItOrBlockRequestsThatFit()
      throws Exception {
    ResourcePool pool = new ResourcePool(Map.of(), 8);
    pool.declareFor("pattern 'p'", Set.of("cpu"), Map.of(), Map.of("cpu", 1)); // cpu = 8, default
    ResourcePool.Lease held = pool.tryAcquireAll(Map.of("cpu", 2), Duration.ZERO).orElseThrow();
    CompletableFuture<Optional<ResourcePool.Lease>> big =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return pool.tryAcquireAll("big", 5, Map.of("cpu", 7), Duration.ofSeconds(20));
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    org.awaitility.Awaitility.await().until(() -> pool.waitingRequests() == 1);

    // Refused: the waiting request could never be granted under it, and would hold others back.
    assertThatThrownBy(() -> pool.declare("cpu", 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("waiting request needs 7 units");
    assertThat(pool.capacities()).isEqualTo(Map.of("cpu", 8));
    held.close();

    // The waiting request is granted, and a small one still fits beside it.
    Optional<ResourcePool.Lease> granted = big.get(10, TimeUnit.SECONDS);
    assertThat(granted).isPresent();
    Optional<ResourcePool.Lease> small =
        pool.tryAcquireAll("small", 0, Map.of("cpu", 1), Duration.ZERO);
    assertThat(small).isPresent();
    small.get().close();
    granted.get().close();
    assertThat(pool.activeResources()).isEmpty();
  }

  // ---- 10: stopPlugin with a null drain timeout half-stops the plugin

  @Test
  void stopPlugin_withNullTimeout_isRejectedBeforeAnythingIsWithdrawn(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path plugins) throws Exception {
    TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      ndp.register(new PatternDefinition("echo", "e", "", Map.of()));

      Throwable refused =
          org.assertj.core.api.Assertions.catchThrowable(() -> ndp.stopPlugin("echo-plugin", null));

      // Refused: the plugin keeps running and serving, as before the call.
      assertThat(ndp.pluginReport("echo-plugin").orElseThrow().status())
          .isEqualTo(io.ndp.core.PluginReport.Status.STARTED);
      assertThat(ndp.registry().find("e")).isPresent();
      assertThat(ndp.factories().resolveType("echo")).isPresent();
      assertThat(refused).isInstanceOf(IllegalArgumentException.class);
    }
  }

  // ---- 11: a withdrawn parallel pattern still running reports that it holds nothing

  @Test
  void parallelPattern_unregisteredWhileRunning_stillReportsTheUnitsItHolds() throws Exception {
    PatternRegistry registry = new PatternRegistry();
    ParallelCoordinationPattern parallel =
        new ParallelCoordinationPattern("rm", "", Set.of("cpu", "memory"));
    registry.register(parallel);
    CountDownLatch running = new CountDownLatch(2);
    CountDownLatch finish = new CountDownLatch(1);
    try (PatternExecutor executor = new PatternExecutor(registry)) {
      for (String r : List.of("cpu", "memory")) {
        executor
            .delegates()
            .register(
                r,
                in -> {
                  running.countDown();
                  finish.await(10, TimeUnit.SECONDS);
                  return r;
                });
      }
      PatternContext context =
          new PatternContext(
              "d", "parallel", Map.of("required_resources", List.of("cpu", "memory")));
      CompletableFuture<PatternResult> execution =
          CompletableFuture.supplyAsync(() -> executor.executeBestPattern(context));
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(parallel.activeResources())
          .containsExactly(Map.entry("cpu", 1), Map.entry("memory", 1));

      Map<String, Integer> inPool;
      Map<String, Integer> reported;
      try {
        registry.unregister("rm"); // e.g. a plugin stop, which then waits for this execution
        inPool = registry.resourcePool().activeResources("rm");
        reported = parallel.activeResources();
      } finally {
        finish.countDown();
      }
      assertThat(execution.get(10, TimeUnit.SECONDS).success()).isTrue();

      // The execution still held its units in the registry's pool; monitoring must say so.
      assertThat(inPool).containsExactly(Map.entry("cpu", 1), Map.entry("memory", 1));
      assertThat(reported).isEqualTo(inPool);
    }
  }

  /** The echo kind's pattern source (agent type "echo"), as TestPluginJar.echoKind writes it. */
  static final class TestPluginJarSources {
    static final String ECHO_PATTERN =
        """
        package PKG;
        import io.ndp.api.*;
        import java.util.*;
        public final class EchoPattern extends AbstractPattern {
          public EchoPattern(String name, String description) { super(name, description); }
          public String type() { return "slow"; }
          public Set<String> typeAliases() { return Set.of(); }
          public Set<String> agentTypes() { return Set.of("echo"); }
          public MatchResult match(PatternContext c) { return MatchResult.perfect(); }
          public PatternOutcome execute(PatternContext c, ExecutionScope s) {
            return PatternOutcome.success("echo", "echoed");
          }
          public PatternDefinition definition() {
            return new PatternDefinition("slow", name(), description(), Map.of());
          }
        }
        """;
  }
}
