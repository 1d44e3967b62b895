package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.github.benmanes.caffeine.cache.Ticker;
import io.ndp.api.ConfidenceLevel;
import io.ndp.api.ConfidenceStats;
import io.ndp.api.MatchResult;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternNotFoundException;
import io.ndp.api.PatternResult;
import io.ndp.api.ResourcePool;
import io.ndp.api.RuntimeClosedException;
import io.ndp.core.PluginReport.Status;
import io.ndp.core.internal.InMemoryDefinitionStore;
import io.ndp.patterns.parallel.ParallelCoordinationPattern;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One owner for every piece of state: each numbered finding of the ownership review as a test that
 * failed before the runtime owned its state, and the promises of the new ownership model.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OwnershipTest {

  @TempDir Path plugins;

  private static PatternContext ctx(String domain, String agentType) {
    return new PatternContext(domain, agentType, Map.of());
  }

  // ---- finding 1: confidence cannot be re-tied ----

  @Test
  void finding1_secondExecutorOrRegistry_cannotReTieOrResetConfidence() {
    PatternRegistry registry = new PatternRegistry();
    PatternStorage storage = new PatternStorage(registry);
    ScriptedPattern p = new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS);
    registry.register(p);
    storage.storePattern(p);
    try (PatternExecutor first = new PatternExecutor(registry);
        PatternExecutor second = new PatternExecutor(registry);
        PatternExecutor elsewhere = new PatternExecutor(new PatternRegistry())) {
      first.delegates().register("work", in -> in);
      for (int i = 0; i < 10; i++) {
        assertThat(first.executeBestPattern(ctx("orders", "t")).success()).isTrue();
      }
      // 11/12 without forgetting; the default half-life of 100 outcomes weighs the oldest of
      // these ten a little less.
      double learned = p.confidenceScore("orders");
      assertThat(learned).isCloseTo(11.0 / 12, within(0.005));

      second.explain(ctx("orders", "t"));
      assertThat(elsewhere.execute(p, ctx("orders", "t")).attempts())
          .singleElement()
          .satisfies(a -> assertThat(a.status()).isEqualTo(OutcomeStatus.REJECTED));
      assertThatThrownBy(() -> new PatternRegistry().register(p))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("pattern 'p' already belongs to another runtime");

      assertThat(p.confidenceScore("orders")).isEqualTo(learned);
      assertThat(p.confidenceScore()).isEqualTo(learned);
      ConfidenceStats seen = second.explain(ctx("orders", "t")).ranked().get(0).stats();
      assertThat(seen.successes()).isEqualTo(10);
      assertThat(seen.failures()).isZero();
      assertThat(storage.getPatternsByConfidence(ConfidenceLevel.HIGH))
          .singleElement()
          .satisfies(h -> assertThat(h.confidenceScore()).isEqualTo(learned));
      // A second executor over the same registry records into the same figures.
      second.delegates().register("work", in -> in);
      second.executeBestPattern(ctx("orders", "t"));
      assertThat(registry.statistics("p", "orders").successes()).isEqualTo(11);
      assertThat(registry.statistics("p", "orders").failures()).isZero();
    }
  }

  @Test
  void explain_changesNothing() {
    PatternRegistry registry = new PatternRegistry();
    ScriptedPattern p = new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS);
    registry.register(p);
    registry.confidence().record("p", "orders", false);
    try (PatternExecutor executor = new PatternExecutor(registry)) {
      for (int i = 0; i < 5; i++) {
        executor.explain(ctx("orders", "t"));
        executor.explain(ctx("billing", "t"));
      }
      assertThat(p.runs).hasValue(0);
      assertThat(registry.statisticsByDomain("p"))
          .containsExactly(Map.entry("orders", new ConfidenceStats(0, 1)));
      assertThat(p.confidenceScore("orders")).isEqualTo(1.0 / 3);
      assertThat(p.confidenceScore("billing")).isEqualTo(0.5);
    }
  }

  // ---- finding 2: the storage caches snapshots, not live objects ----

  @Test
  void finding2_evictingCache_neverServesAnotherInstanceOrPool() throws Exception {
    PatternRegistry registry = new PatternRegistry();
    PatternStorage storage = PatternStorage.builder().registry(registry).cacheSize(1).build();
    ParallelCoordinationPattern parallel =
        ParallelCoordinationPattern.builder("resource_manager", "")
            .capacity("cpu", 2)
            .task("crunch", Map.of("cpu", 2))
            .build();
    storage.storePattern(parallel);
    for (int i = 0; i < 20; i++) {
      storage.storePattern(new SequentialDelegationPattern("filler" + i, "", List.of("x")));
    }
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (PatternExecutor executor = new PatternExecutor(registry)) {
      executor
          .delegates()
          .register(
              "crunch",
              in -> {
                running.countDown();
                return release.await(10, TimeUnit.SECONDS);
              });
      CompletableFuture<PatternResult> inFlight =
          CompletableFuture.supplyAsync(() -> executor.executeBestPattern(ctx("d", "parallel")));
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
      for (int i = 0; i < 20; i++) {
        storage.getPattern("filler" + i);
        storage.dropCache();
      }

      Pattern served = storage.getPattern("resource_manager");
      assertThat(served).isSameAs(parallel);
      assertThat(served.activeResources()).isEqualTo(Map.of("cpu", 2));
      assertThat(storage.getPatternsByType("parallel").get(0).activeResources())
          .isEqualTo(Map.of("cpu", 2));
      release.countDown();
      assertThat(inFlight.get(10, TimeUnit.SECONDS).success()).isTrue();
      assertThat(served.activeResources()).isEmpty();
    }
  }

  @Test
  void finding2_noStoreIoUnderACacheLock_aSlowWriteDoesNotBlockReaders() throws Exception {
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch finishWrite = new CountDownLatch(1);
    OwnershipReviewRegressionTest.FlakyStore slow = new OwnershipReviewRegressionTest.FlakyStore();
    slow.blockStoreOf = "";
    slow.storeEntered = writing;
    slow.storeRelease = finishWrite;
    PatternStorage storage = PatternStorage.builder().definitionStore(slow).build();
    var flow = new SequentialDelegationPattern("flow", "", List.of("x"));
    CompletableFuture<PatternStorage> storing =
        CompletableFuture.supplyAsync(() -> storage.storePattern(flow));
    assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();

    // The same name is readable while its write is in the store: no cache lock is held.
    CompletableFuture<Boolean> read =
        CompletableFuture.supplyAsync(() -> storage.findDefinition("flow").isPresent());
    assertThat(read.get(5, TimeUnit.SECONDS)).isFalse();
    finishWrite.countDown();
    storing.get(10, TimeUnit.SECONDS);
    // Write first, then invalidate: the next read sees the write.
    assertThat(storage.findDefinition("flow")).contains(flow.definition());
  }

  @Test
  void finding2_sharedStore_changesOfAnotherHostShowAfterTheConfiguredExpiry() {
    FakeTicker ticker = new FakeTicker();
    InMemoryDefinitionStore shared = new InMemoryDefinitionStore();
    PatternStorage storage =
        PatternStorage.builder()
            .definitionStore(shared)
            .expireAfterWrite(Duration.ofSeconds(30))
            .ticker(ticker)
            .build();
    assertThat(storage.findDefinition("flow")).isEmpty();
    assertThat(storage.definitions()).isEmpty();

    // Another host writes the shared store directly.
    shared.store(new SequentialDelegationPattern("flow", "", List.of("x")).definition());
    assertThat(storage.findDefinition("flow")).isEmpty();
    ticker.advance(Duration.ofSeconds(31));
    assertThat(storage.findDefinition("flow")).isPresent();
    assertThat(storage.definitions()).extracting(PatternDefinition::name).containsExactly("flow");
  }

  @Test
  void finding2_definitionThatCannotBeBuilt_isSkippedAndReportedInDefinitions() {
    InMemoryDefinitionStore defs = new InMemoryDefinitionStore();
    defs.store(new PatternDefinition("sequential", "broken", "", Map.of("steps", 3)));
    defs.store(new SequentialDelegationPattern("fine", "", List.of("x")).definition());
    PatternStorage storage = PatternStorage.builder().definitionStore(defs).build();

    assertThat(storage.getPatternsByType("sequential"))
        .extracting(Pattern::name)
        .containsExactly("fine");
    assertThat(storage.definitions())
        .extracting(PatternDefinition::name)
        .containsExactly("broken", "fine");
    assertThatThrownBy(() -> storage.getPattern("broken"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("steps");
  }

  /**
   * 10,000 executions over 50 patterns through a storage whose cache holds one entry and is dropped
   * at random: the same results, statistics and resources as with an unbounded cache.
   */
  @Test
  void eviction_cacheOfOneWith50Patterns_givesTheSameResultsAsAnUnboundedCache() {
    Map<String, Object> small = runWorkload(1, true);
    Map<String, Object> large = runWorkload(100_000, false);

    assertThat(small).isEqualTo(large);
    @SuppressWarnings("unchecked")
    Map<String, Map<String, ConfidenceStats>> stats =
        (Map<String, Map<String, ConfidenceStats>>) small.get("stats");
    long recorded =
        stats.values().stream()
            .flatMap(m -> m.values().stream())
            .mapToLong(ConfidenceStats::total)
            .sum();
    assertThat(recorded).isEqualTo(10_000 + (long) small.get("fallbacks"));
  }

  private static Map<String, Object> runWorkload(long cacheSize, boolean dropAtRandom) {
    PatternRegistry registry = new PatternRegistry();
    PatternStorage storage =
        PatternStorage.builder().registry(registry).cacheSize(cacheSize).build();
    for (int i = 0; i < 50; i++) {
      // Pattern i serves agent type "t" + (i % 10); odd ones fail in domain "odd".
      storage.storePattern(
          new ScriptedPattern("p" + i, "t" + (i % 10), 1.0 - i / 100.0, OutcomeStatus.SUCCESS)
              .script(
                  c ->
                      c.domain().equals("odd") && c.priority() % 2 == 1
                          ? OutcomeStatus.FAILED
                          : OutcomeStatus.SUCCESS));
    }
    List<String> chosen = new ArrayList<>();
    long fallbacks = 0;
    java.util.SplittableRandom random = new java.util.SplittableRandom(42);
    // Seeded: the draws depend only on the state each selection sees, so two runs that see the
    // same statistics make the same choices.
    try (PatternExecutor executor = PatternExecutor.builder(registry).seed(11).build()) {
      executor.delegates().register("work", in -> in);
      for (int i = 0; i < 10_000; i++) {
        String domain = i % 3 == 0 ? "odd" : "d" + (i % 7);
        PatternContext c = PatternContext.builder(domain, "t" + (i % 10)).priority(i % 5).build();
        PatternResult r = executor.executeBestPattern(c);
        chosen.add(r.chosenPattern());
        fallbacks += r.attempts().size() - 1;
        int peek = random.nextInt(50);
        storage.getPattern("p" + peek).confidenceScore(domain);
        if (dropAtRandom && random.nextInt(10) == 0) {
          storage.dropCache();
        }
      }
    }
    Map<String, Map<String, ConfidenceStats>> stats = new java.util.TreeMap<>();
    Map<String, Double> scores = new java.util.TreeMap<>();
    Map<String, Map<String, Integer>> active = new java.util.TreeMap<>();
    for (Pattern p : storage.getPatternsByType("scripted")) {
      stats.put(p.name(), storage.statisticsByDomain(p.name()));
      scores.put(p.name(), p.confidenceScore("odd"));
      active.put(p.name(), p.activeResources());
    }
    Map<String, List<String>> byLevel = new java.util.TreeMap<>();
    for (ConfidenceLevel level : ConfidenceLevel.values()) {
      byLevel.put(
          level.name(),
          storage.getPatternsByConfidence(level).stream().map(Pattern::name).toList());
    }
    return Map.of(
        "chosen", chosen,
        "fallbacks", fallbacks,
        "stats", stats,
        "scores", scores,
        "active", active,
        "levels", byLevel);
  }

  // ---- finding 3: resource pools are owned by the runtime ----

  @Test
  void finding3_twoRuntimesInOneJvm_cpu1AndCpu4_areIndependent() throws Exception {
    PatternRegistry narrow =
        PatternRegistry.builder().resourcePool(new ResourcePool(Map.of("cpu", 1))).build();
    PatternRegistry wide =
        PatternRegistry.builder().resourcePool(new ResourcePool(Map.of("cpu", 4))).build();
    narrow.register(
        ParallelCoordinationPattern.builder("p", "")
            .resources("cpu")
            .acquireTimeout(Duration.ZERO)
            .build());
    wide.register(
        ParallelCoordinationPattern.builder("p", "")
            .resources("cpu")
            .acquireTimeout(Duration.ZERO)
            .build());
    AtomicInteger wideAtOnce = new AtomicInteger();
    AtomicInteger wideMax = new AtomicInteger();
    CountDownLatch fourIn = new CountDownLatch(4);
    CountDownLatch release = new CountDownLatch(1);
    try (PatternExecutor n = new PatternExecutor(narrow);
        PatternExecutor w = new PatternExecutor(wide)) {
      n.delegates().register("cpu", in -> release.await(10, TimeUnit.SECONDS));
      w.delegates()
          .register(
              "cpu",
              in -> {
                wideMax.accumulateAndGet(wideAtOnce.incrementAndGet(), Math::max);
                fourIn.countDown();
                boolean ok = release.await(10, TimeUnit.SECONDS);
                wideAtOnce.decrementAndGet();
                return ok;
              });
      PatternContext c = ctx("d", "parallel");
      List<CompletableFuture<PatternResult>> wideRuns = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        wideRuns.add(CompletableFuture.supplyAsync(() -> w.executeBestPattern(c)));
      }
      CompletableFuture<PatternResult> narrowRun =
          CompletableFuture.supplyAsync(() -> n.executeBestPattern(c));
      assertThat(fourIn.await(10, TimeUnit.SECONDS)).as("4 cpu units in the wide runtime").isTrue();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> narrow.resourcePool().activeResources().equals(Map.of("cpu", 1)));
      // The narrow runtime's one unit is taken: a second narrow call conflicts at once.
      PatternResult conflicted = n.executeBestPattern(c);
      assertThat(conflicted.attempts().get(0).status()).isEqualTo(OutcomeStatus.CONFLICT);
      assertThat(wide.resourcePool().activeResources()).isEqualTo(Map.of("cpu", 4));
      release.countDown();
      for (CompletableFuture<PatternResult> f : wideRuns) {
        assertThat(f.get(10, TimeUnit.SECONDS).success()).isTrue();
      }
      assertThat(narrowRun.get(10, TimeUnit.SECONDS).success()).isTrue();
      assertThat(wideMax).hasValue(4);
      assertThat(narrow.resourcePool().activeResources()).isEmpty();
      assertThat(wide.resourcePool().activeResources()).isEmpty();
    }
  }

  @Test
  void finding3_guideConstructor_getsTheDefaultCapacity_andALaterExplicitCapacityWins() {
    PatternRegistry registry = new PatternRegistry();
    ParallelCoordinationPattern guide =
        new ParallelCoordinationPattern("resource_manager", "", Set.of("cpu", "memory", "network"));
    registry.register(guide);
    assertThat(guide.capacities())
        .containsOnlyKeys("cpu", "memory", "network")
        .containsValue(ResourcePool.DEFAULT_CAPACITY);

    registry.register(
        ParallelCoordinationPattern.builder("encoder", "").capacity("cpu", 4).build());
    assertThat(registry.resourcePool().capacities()).containsEntry("cpu", 4);
    // And a second facade in the same JVM is not affected by either.
    try (Ndp a = Ndp.builder().build();
        Ndp b = Ndp.builder().build()) {
      a.register(ParallelCoordinationPattern.builder("x", "").capacity("cpu", 1).build());
      b.register(ParallelCoordinationPattern.builder("x", "").capacity("cpu", 3).build());
      assertThat(a.registry().resourcePool().capacities()).containsEntry("cpu", 1);
      assertThat(b.registry().resourcePool().capacities()).containsEntry("cpu", 3);
    }
  }

  @Test
  void finding3_conflictingCapacity_rejectsTheRegistration_registryAndPoolUnchanged() {
    PatternRegistry registry =
        PatternRegistry.builder().resourcePool(new ResourcePool(Map.of("cpu", 2))).build();
    ParallelCoordinationPattern four =
        ParallelCoordinationPattern.builder("four", "").capacity("cpu", 4).build();

    assertThatThrownBy(() -> registry.register(four))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("resource 'cpu' already has capacity 2")
        .hasMessageContaining("declares capacity 4");
    assertThat(registry.find("four")).isEmpty();
    assertThat(registry.resourcePool().capacities()).isEqualTo(Map.of("cpu", 2));
    // Not half-owned: another registry can take it.
    new PatternRegistry().register(four);
  }

  @Test
  void finding3_pluginReload_keepsThePoolAndItsCapacities() throws Exception {
    TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    ResourcePool pool = new ResourcePool(Map.of("cpu", 3));
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).resourcePool(pool).build()) {
      assertThat(ndp.unloadPlugin("echo-plugin", Duration.ofSeconds(5))).isTrue();
      Path v2 =
          TestPluginJar.echoKind("echo-plugin", "echo", "v2").version("2.0.0").writeTo(plugins);
      assertThat(ndp.loadPlugin(v2).status()).isEqualTo(Status.STARTED);
      assertThat(ndp.registry().resourcePool()).isSameAs(pool);
      assertThat(pool.capacities()).isEqualTo(Map.of("cpu", 3));
    }
  }

  // ---- findings 4 and 5: close drains; plugin stops wait outside the lock ----

  @Test
  void finding4_closeDuringALongExecution_waits_refusesNewCalls_recordsNothingAgainstIt()
      throws Exception {
    TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    Ndp ndp = Ndp.builder().pluginsDir(plugins).build();
    ndp.register(new PatternDefinition("echo", "e", "", Map.of()));
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ndp.delegates()
        .register(
            "work",
            in -> {
              entered.countDown();
              assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
              return in;
            });
    WeakReference<ClassLoader> loader =
        new WeakReference<>(ndp.registry().getPattern("e").getClass().getClassLoader());
    PatternContext echo = PatternContext.builder("d", "echo").payload("x").build();
    CompletableFuture<PatternResult> inFlight =
        CompletableFuture.supplyAsync(() -> ndp.executor().executeBestPattern(echo));
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> closing = CompletableFuture.runAsync(ndp::close);
    await().atMost(Duration.ofSeconds(10)).until(ndp::isClosed);
    assertThatThrownBy(() -> ndp.executor().executeBestPattern(echo))
        .isInstanceOf(RuntimeClosedException.class)
        .hasMessageContaining("runtime is closed");
    assertThatThrownBy(() -> ndp.register(new PatternDefinition("echo", "e2", "", Map.of())))
        .isInstanceOf(RuntimeClosedException.class);
    assertThat(closing).isNotDone();
    assertThat(ndp.pluginReport("echo-plugin").orElseThrow().status()).isEqualTo(Status.STARTED);

    release.countDown();
    PatternResult r = inFlight.get(10, TimeUnit.SECONDS);
    closing.get(10, TimeUnit.SECONDS);
    assertThat(r.success()).as(r.message()).isTrue();
    assertThat(r.output()).isEqualTo("v1:x");
    assertThat(ndp.storage().statistics("e")).isEqualTo(new ConfidenceStats(1, 0));
    assertThat(ndp.registry().size()).isZero();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              System.gc();
              return loader.get() == null;
            });
  }

  @Test
  void finding4_closeThatGivesUp_namesWhatRuns_andItsOutcomeIsNotRecorded() throws Exception {
    PatternRegistry registry = new PatternRegistry();
    ScriptedPattern p = new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS);
    registry.register(p);
    PatternExecutor executor = new PatternExecutor(registry);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    executor
        .delegates()
        .register(
            "work",
            in -> {
              entered.countDown();
              release.await(30, TimeUnit.SECONDS);
              throw new IllegalStateException("torn down under it");
            });
    CompletableFuture<PatternResult> inFlight =
        CompletableFuture.supplyAsync(() -> executor.executeBestPattern(ctx("orders", "t")));
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

    executor.shutdown();
    assertThat(executor.awaitTermination(Duration.ofMillis(50)))
        .containsExactly("execution in domain 'orders', agent type 't'");
    release.countDown();
    PatternResult r = inFlight.get(10, TimeUnit.SECONDS);
    assertThat(r.attempts().get(0).status()).isEqualTo(OutcomeStatus.CANCELLED);
    assertThat(r.attempts().get(0).message()).contains("not recorded");
    assertThat(registry.statistics("p")).isEqualTo(ConfidenceStats.EMPTY);
    executor.close();
  }

  @Test
  void finding5_pluginStopWaitsOutsideTheLock_reportsAndRegisterDoNotBlock() throws Exception {
    TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      ndp.register(new PatternDefinition("echo", "e", "", Map.of()));
      CountDownLatch entered = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      AtomicLong registerNanos = new AtomicLong(-1);
      ndp.delegates()
          .register(
              "work",
              in -> {
                entered.countDown();
                assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
                // A delegate that registers while its own plugin stops.
                long t0 = System.nanoTime();
                ndp.register(
                    new PatternDefinition("sequential", "late", "", Map.of("steps", List.of("a"))));
                registerNanos.set(System.nanoTime() - t0);
                return in;
              });
      CompletableFuture<PatternResult> inFlight =
          CompletableFuture.supplyAsync(
              () ->
                  ndp.executor()
                      .executeBestPattern(
                          PatternContext.builder("d", "echo").payload("x").build()));
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Boolean> stopping =
          CompletableFuture.supplyAsync(
              () -> ndp.stopPlugin("echo-plugin", Duration.ofSeconds(20)));
      await().atMost(Duration.ofSeconds(10)).until(() -> ndp.registry().find("e").isEmpty());

      // While the stop waits for the execution: reports are readable at once, registering works.
      CompletableFuture<List<PluginReport>> reports =
          CompletableFuture.supplyAsync(ndp::pluginReports);
      assertThat(reports.get(1, TimeUnit.SECONDS)).isNotEmpty();
      CompletableFuture<Pattern> registered =
          CompletableFuture.supplyAsync(
              () ->
                  ndp.register(
                      new PatternDefinition(
                          "sequential", "other", "", Map.of("steps", List.of("a")))));
      assertThat(registered.get(1, TimeUnit.SECONDS).name()).isEqualTo("other");
      assertThat(stopping).isNotDone();

      release.countDown();
      assertThat(inFlight.get(10, TimeUnit.SECONDS).success()).isTrue();
      assertThat(stopping.get(10, TimeUnit.SECONDS)).isTrue();
      assertThat(Duration.ofNanos(registerNanos.get())).isLessThan(Duration.ofSeconds(5));
      assertThat(ndp.registry().find("late")).isPresent();
    }
  }

  // ---- finding 6: lookups and registration scale ----

  @Test
  void finding6_tenThousandRegistrations_andAMiss_areCheap_andTheMissNamesCloseMatchesOnly() {
    PatternRegistry registry = new PatternRegistry();
    long t0 = System.nanoTime();
    for (int i = 0; i < 10_000; i++) {
      registry.register(
          new ScriptedPattern(String.format("pattern_%05d", i), "t", 1.0, OutcomeStatus.SUCCESS));
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    System.out.printf("10,000 registrations in one agent type took %d ms%n", took.toMillis());
    // Goal: well under a second (the figure is printed); 10 s is a regression of kind.
    assertThat(took).isLessThan(Duration.ofSeconds(10));
    assertThat(registry.patternsServing("t")).hasSize(10_000);
    assertThat(registry.patternsServing("t").get(0).name()).isEqualTo("pattern_00000");
    assertThat(registry.patternsServing("t").get(9_999).name()).isEqualTo("pattern_09999");

    assertThatThrownBy(() -> registry.getPattern("pattern_1234"))
        .isInstanceOf(PatternNotFoundException.class)
        .satisfies(
            e -> {
              assertThat(e.getMessage())
                  .startsWith("no pattern named 'pattern_1234'; did you mean");
              assertThat(e.getMessage().length()).isLessThan(200);
              assertThat(((PatternNotFoundException) e).closeMatches()).hasSizeLessThanOrEqualTo(3);
            });
    assertThatThrownBy(() -> registry.getPattern("zzz")).hasMessage("no pattern named 'zzz'");
    long m0 = System.nanoTime();
    int length = 0;
    for (int i = 0; i < 100; i++) {
      try {
        registry.getPattern("missing" + i);
      } catch (PatternNotFoundException e) {
        length = e.getMessage().length();
      }
    }
    System.out.printf(
        "a miss among 10,000 took %.3f ms (average of 100), message length %d%n",
        (System.nanoTime() - m0) / 100 / 1e6, length);
    PatternStorage storage = new PatternStorage(registry);
    assertThatThrownBy(() -> storage.getPattern("zzz")).hasMessage("no pattern named 'zzz'");
  }

  @Test
  void registerAll_isAllOrNothing() {
    PatternRegistry registry = new PatternRegistry();
    registry.register(new ScriptedPattern("taken", "t", 1.0, OutcomeStatus.SUCCESS));
    ScriptedPattern fresh = new ScriptedPattern("fresh", "t", 1.0, OutcomeStatus.SUCCESS);

    assertThatThrownBy(
            () ->
                registry.registerAll(
                    List.of(fresh, new ScriptedPattern("taken", "t", 1.0, OutcomeStatus.SUCCESS))))
        .isInstanceOf(io.ndp.api.DuplicatePatternException.class);
    assertThat(registry.find("fresh")).isEmpty();
    new PatternRegistry().register(fresh); // not left attached to the first registry

    List<Pattern> many = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      many.add(new ScriptedPattern("bulk" + i, "u", 1.0, OutcomeStatus.SUCCESS));
    }
    registry.registerAll(many);
    assertThat(registry.patternsServing("u")).hasSize(1_000);
    assertThat(registry.patternsServing("u"))
        .isSortedAccordingTo(java.util.Comparator.comparing(Pattern::name));
  }

  // ---- finding 7: an execution is in flight from selection on ----

  @Test
  void finding7_executionStillSelecting_isWaitedForByAWithdrawal() throws Exception {
    PatternRegistry registry = new PatternRegistry();
    CountDownLatch matching = new CountDownLatch(1);
    CountDownLatch finishMatch = new CountDownLatch(1);
    ScriptedPattern slowMatch =
        new ScriptedPattern("slow", "t", 1.0, OutcomeStatus.SUCCESS) {
          @Override
          public MatchResult match(PatternContext context) {
            matching.countDown();
            try {
              finishMatch.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return super.match(context);
          }
        };
    registry.register(slowMatch);
    // Seeded: the draws depend only on the state each selection sees, so two runs that see the
    // same statistics make the same choices.
    try (PatternExecutor executor = PatternExecutor.builder(registry).seed(11).build()) {
      executor.delegates().register("work", in -> in);
      CompletableFuture<PatternResult> selecting =
          CompletableFuture.supplyAsync(() -> executor.executeBestPattern(ctx("d", "t")));
      assertThat(matching.await(10, TimeUnit.SECONDS)).isTrue();

      registry.unregister("slow");
      // It is choosing: it may still run "slow", so the withdrawal is not idle.
      assertThat(executor.awaitIdle(List.of("slow"), Duration.ofMillis(100))).isFalse();
      finishMatch.countDown();
      assertThat(executor.awaitIdle(List.of("slow"), Duration.ofSeconds(10))).isTrue();
      int runs = slowMatch.runs.get();
      assertThat(selecting.get(10, TimeUnit.SECONDS).success()).isTrue();
      assertThat(slowMatch.runs).hasValue(runs).hasValue(1);
    }
  }

  /** A Caffeine ticker the test moves by hand. */
  private static final class FakeTicker implements Ticker {
    private final AtomicLong nanos = new AtomicLong();

    @Override
    public long read() {
      return nanos.get();
    }

    void advance(Duration d) {
      nanos.addAndGet(d.toNanos());
    }
  }
}
