package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.within;

import io.ndp.api.ConfidenceLevel;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternFactory;
import io.ndp.api.PatternResult;
import io.ndp.api.Prior;
import io.ndp.api.event.ConfidenceThresholdCrossedEvent;
import io.ndp.api.event.NdpListener;
import io.ndp.core.PluginReport.Status;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Second review of the declared-prior confidence (8465423) and the bad-input / plugin-report fixes
 * (a5d107f), with the brief "prove a bug with a failing test".
 */
class Round2ReviewTest {

  @TempDir Path plugins;

  private static PatternContext ctx() {
    return PatternContext.builder("eu", "scripted").payload("x").build();
  }

  /** A plugin-style pattern whose prior() breaks its contract by answering null. */
  static final class NullPriorPattern extends ScriptedPattern {
    NullPriorPattern(String name) {
      super(name, "scripted", 1.0, OutcomeStatus.SUCCESS);
    }

    @Override
    public Prior prior() {
      return null;
    }
  }

  /** A plugin-style pattern whose prior() throws. */
  static final class ThrowingPriorPattern extends ScriptedPattern {
    ThrowingPriorPattern(String name) {
      super(name, "scripted", 1.0, OutcomeStatus.SUCCESS);
    }

    @Override
    public Prior prior() {
      throw new IllegalStateException("plugin bug in prior()");
    }
  }

  /**
   * The executor (PatternExecutor.priorOf: "one that throws or returns null is judged by the
   * neutral one"), the registry's crossings and the storage bands (PatternRegistry.priorOf:
   * "neutral when ... its prior() breaks its contract (null or throws)") all read a pattern whose
   * prior() answers null under the neutral prior, and such a pattern is selected and serves. But
   * its own confidenceScore(domain) — what the console's /api/patterns and the micrometer gauge
   * ndp.confidence read — throws IllegalArgumentException from ConfidenceStats.score(null), so one
   * plugin's broken prior() takes those monitoring reads down where selection goes on.
   */
  @Test
  void aPatternWhosePriorIsNull_isSelectedUnderTheNeutralPrior_butItsConfidenceScoreThrows() {
    PatternRegistry registry = new PatternRegistry();
    NullPriorPattern p = new NullPriorPattern("nullprior");
    registry.register(p);
    PatternExecutor executor = new PatternExecutor(registry);
    executor.delegates().register("work", in -> in);

    PatternResult r = executor.executeBestPattern(ctx());
    assertThat(r.success()).as(r.message()).isTrue();
    double posterior =
        executor.explain(ctx()).decision().entry("nullprior").orElseThrow().posteriorMean();
    assertThat(posterior)
        .as("selection reads it under Beta(1, 1): 2/3")
        .isCloseTo(2.0 / 3, within(1e-6));
    assertThat(registry.priorOf("nullprior")).isEqualTo(Prior.NEUTRAL);

    assertThatCode(() -> p.confidenceScore("eu"))
        .as("confidenceScore(domain) under the prior every other reader uses")
        .doesNotThrowAnyException();
    assertThat(p.confidenceScore("eu")).isCloseTo(posterior, within(1e-6));
    assertThatCode(p::confidenceScore).doesNotThrowAnyException();
  }

  /** As above, for a pattern whose prior() throws: selection serves it, confidenceScore throws. */
  @Test
  void aPatternWhosePriorThrows_isSelected_butItsConfidenceScoreThrows() {
    PatternRegistry registry = new PatternRegistry();
    ThrowingPriorPattern p = new ThrowingPriorPattern("throwingprior");
    registry.register(p);
    PatternExecutor executor = new PatternExecutor(registry);
    executor.delegates().register("work", in -> in);

    PatternResult r = executor.executeBestPattern(ctx());
    assertThat(r.success()).as(r.message()).isTrue();
    assertThat(r.chosenPattern()).isEqualTo("throwingprior");

    assertThatCode(() -> p.confidenceScore("eu"))
        .as("confidenceScore(domain) agrees with selection (neutral prior) and does not throw")
        .doesNotThrowAnyException();
    assertThatCode(p::confidenceScore).doesNotThrowAnyException();
  }

  /**
   * ConfidenceThresholdCrossedEvent: "per pattern and domain, each event's old value is the
   * previous event's new value, so crossings alternate and none is reported twice". Since the
   * crossings are read under the registered pattern's prior, re-registering a pattern of the same
   * name with another prior (its statistics are kept) moves the host-read confidence — 1/3 (LOW)
   * under Beta(1, 1) becomes 9/11 (HIGH) under Beta(9, 1) — without any event, and the next failure
   * then reports HIGH -> MEDIUM right after MEDIUM -> LOW: two falls in a row, the second's old
   * value not the first's new value.
   */
  @Test
  void reRegisteringWithAnotherPrior_breaksTheChainOfCrossings() {
    List<ConfidenceThresholdCrossedEvent> events = new CopyOnWriteArrayList<>();
    PatternRegistry registry =
        PatternRegistry.builder()
            .halfLife(Double.POSITIVE_INFINITY)
            .listener(
                new NdpListener() {
                  @Override
                  public void onConfidenceThresholdCrossed(ConfidenceThresholdCrossedEvent e) {
                    events.add(e);
                  }
                })
            .build();
    registry.register(new ScriptedPattern("p", "scripted", 1.0, OutcomeStatus.FAILED));
    PatternExecutor executor = PatternExecutor.builder(registry).maxAttempts(1).build();
    executor.delegates().register("work", in -> in);

    assertThat(executor.executeBestPattern(ctx()).success()).isFalse(); // 0.5 -> 1/3
    registry.unregister("p");
    ScriptedPattern believed =
        new ScriptedPattern("p", "scripted", 1.0, OutcomeStatus.FAILED).prior(new Prior(9, 1));
    registry.register(believed);
    assertThat(believed.confidenceScore("eu"))
        .as("the host now reads 9/11")
        .isCloseTo(9.0 / 11, within(1e-9));
    assertThat(executor.executeBestPattern(ctx()).success()).isFalse(); // 9/11 -> 9/12

    assertThat(events).hasSizeGreaterThanOrEqualTo(2);
    for (int i = 1; i < events.size(); i++) {
      assertThat(events.get(i).oldConfidence())
          .as(
              "event %d's old value is event %d's new value (its Javadoc); events: %s",
              i, i - 1, events)
          .isCloseTo(events.get(i - 1).newConfidence(), within(1e-9));
      assertThat(events.get(i).oldLevel()).isEqualTo(events.get(i - 1).newLevel());
    }
  }

  /**
   * ConfidenceThresholdCrossedEvent's Javadoc still says its values are ConfidenceStats#score()
   * (the neutral score), but since 8465423 they are score(prior) — a Beta(9, 1) pattern's first
   * crossing reads 9/11 -> 9/12, not the neutral 1/3 -> 1/4. Shown by the values the event carries.
   */
  @Test
  void crossingEventValues_areNotTheNeutralScoreTheirJavadocNames() {
    List<ConfidenceThresholdCrossedEvent> events = new CopyOnWriteArrayList<>();
    PatternRegistry registry =
        PatternRegistry.builder()
            .halfLife(Double.POSITIVE_INFINITY)
            .listener(
                new NdpListener() {
                  @Override
                  public void onConfidenceThresholdCrossed(ConfidenceThresholdCrossedEvent e) {
                    events.add(e);
                  }
                })
            .build();
    registry.register(
        new ScriptedPattern("p", "scripted", 1.0, OutcomeStatus.FAILED).prior(new Prior(9, 1)));
    PatternExecutor executor = PatternExecutor.builder(registry).maxAttempts(1).build();
    executor.delegates().register("work", in -> in);
    executor.executeBestPattern(ctx());
    executor.executeBestPattern(ctx());

    assertThat(events).hasSize(1);
    ConfidenceThresholdCrossedEvent e = events.get(0);
    // Adjusted after the fix: the Javadoc now names the score under the pattern's prior, which is
    // what the events carry (and what confidenceScore reads); it named score() before.
    assertThat(e.newConfidence())
        .as("Javadoc: 'the confidence scores ... under the pattern's prior'")
        .isCloseTo(registry.statistics("p", "eu").score(new Prior(9, 1)), within(1e-9));
    assertThat(e.newLevel()).isEqualTo(ConfidenceLevel.MEDIUM);
  }

  /**
   * a5d107f: "PF4J logs and skips an extension it cannot instantiate: find the real cause
   * ourselves, for every declared factory it did not create (one of them failing fails the plugin:
   * none of its types is half-served)". The cause is found by instantiating the factory a second
   * time (Ndp.whyNotCreated) and the fresh instance is thrown away. A factory whose constructor
   * fails on PF4J's call but not on the second one (a licence server that times out once, a lazy
   * resource) is therefore judged healthy: the plugin is reported STARTED, serving "good" but not
   * "flaky" — half-served, which the rule forbids — and the report names no cause. The constructor
   * also ran twice.
   */
  @Test
  void factoryFailingOnlyOnPf4jsCall_leavesThePluginHalfServed_reportedStarted() throws Exception {
    new TestPluginJar("flaky-plugin")
        .factory(
            "test.flaky.GoodFactory",
            """
            package test.flaky;
            import io.ndp.api.*;
            import java.util.*;
            public final class GoodFactory implements PatternFactory {
              public String type() { return "good"; }
              public Set<String> aliases() { return Set.of(); }
              public Pattern create(PatternDefinition d) { throw new UnsupportedOperationException(); }
            }
            """)
        .factory(
            "test.flaky.FlakyFactory",
            """
            package test.flaky;
            import io.ndp.api.*;
            import java.util.*;
            import java.util.concurrent.atomic.AtomicInteger;
            public final class FlakyFactory implements PatternFactory {
              static final AtomicInteger CALLS = new AtomicInteger();
              public FlakyFactory() {
                if (CALLS.incrementAndGet() == 1) {
                  throw new IllegalStateException("licence server timed out");
                }
              }
              public String type() { return "flaky"; }
              public Set<String> aliases() { return Set.of(); }
              public Pattern create(PatternDefinition d) { throw new UnsupportedOperationException(); }
            }
            """)
        .writeTo(plugins);

    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).serviceLoader(false).build()) {
      PluginReport r = ndp.pluginReport("flaky-plugin").orElseThrow();
      boolean halfServed =
          ndp.factories().types().contains("good") != ndp.factories().types().contains("flaky");
      assertThat(halfServed)
          .as(
              "none of a plugin's types is half-served; report %s, types served %s",
              r, ndp.factories().types())
          .isFalse();
    }
  }

  /**
   * a5d107f: NdpPluginManager keeps why a plugin's Plugin class "could not be created when it was
   * last loaded" (creationFailure), cleared only when PF4J calls createInstance again. PF4J does
   * not call it when the plugin class is missing, abstract or no Plugin: then the start fails
   * (PF4J's NullPointerException) and the report reads the failure kept from an earlier, unloaded
   * version of the plugin. Here v1's constructor threw "licence expired in v1"; v1 is unloaded and
   * v2 (whose Plugin-Class is not a Plugin at all) is loaded: v2's report blames v1's exception.
   */
  @Test
  void staleCreationFailure_ofAnUnloadedVersion_isReportedForTheNextOne() throws Exception {
    Path v1 =
        TestPluginJar.echoKind("stale-plugin", "echo_s", "x")
            .version("1.0.0")
            .pluginClass(
                "stale_plugin.Boom",
                """
                package stale_plugin;
                public class Boom extends org.pf4j.Plugin {
                  public Boom() { throw new IllegalStateException("licence expired in v1"); }
                }
                """)
            .writeTo(plugins);

    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).serviceLoader(false).build()) {
      PluginReport first = ndp.pluginReport("stale-plugin").orElseThrow();
      assertThat(first.status()).isEqualTo(Status.FAILED);
      assertThat(first.reason()).contains("licence expired in v1");

      ndp.unloadPlugin("stale-plugin", java.time.Duration.ofSeconds(5));
      java.nio.file.Files.deleteIfExists(v1);
      Path v2 =
          TestPluginJar.echoKind("stale-plugin", "echo_s", "x")
              .version("2.0.0")
              .pluginClass(
                  "stale_plugin.NotAPlugin",
                  """
                  package stale_plugin;
                  public class NotAPlugin {
                  }
                  """)
              .writeTo(plugins);
      PluginReport second = ndp.loadPlugin(v2);

      assertThat(second.reason())
          .as("v2's report, %s, must not name v1's exception", second)
          .doesNotContain("licence expired in v1");
    }
  }

  /**
   * PatternStorage.getPatternsByConfidence: "the registry's live instances, judged by the
   * registry's statistics under each pattern's prior (as Pattern#confidenceScore() reads them)".
   * For a stored definition not yet live, the band is read under the definition's prior (neutral
   * when it declares none), and only then the live instance is built — whose kind declares its own
   * prior by overriding prior(), as Prior's Javadoc tells plugins to. So an unseen pattern of a
   * kind believed at Beta(9, 1) is returned as MEDIUM while its confidenceScore() is 0.9 (HIGH),
   * and asking for HIGH first returns nothing, asking again after the MEDIUM query returns it: the
   * answer depends on which query built the pattern.
   */
  @Test
  void bandsOfAStoredPatternNotYetLive_areReadUnderTheDefinitionsPrior_notThePatterns() {
    PatternFactory believer =
        new PatternFactory() {
          @Override
          public String type() {
            return "scripted";
          }

          @Override
          public java.util.Set<String> aliases() {
            return java.util.Set.of();
          }

          @Override
          public io.ndp.api.Pattern create(io.ndp.api.PatternDefinition d) {
            return new ScriptedPattern(d.name(), "scripted", 1.0, OutcomeStatus.SUCCESS)
                .prior(new Prior(9, 1));
          }
        };
    io.ndp.core.internal.InMemoryDefinitionStore store =
        new io.ndp.core.internal.InMemoryDefinitionStore();
    store.store(new io.ndp.api.PatternDefinition("scripted", "b", "believed", java.util.Map.of()));
    PatternRegistry registry = new PatternRegistry();
    PatternStorage storage =
        PatternStorage.builder()
            .registry(registry)
            .definitionStore(store)
            .factories(PatternFactories.of(believer))
            .build();

    List<io.ndp.api.Pattern> high = storage.getPatternsByConfidence(ConfidenceLevel.HIGH);
    List<io.ndp.api.Pattern> medium = storage.getPatternsByConfidence(ConfidenceLevel.MEDIUM);
    io.ndp.api.Pattern b = storage.getPattern("b");

    assertThat(b.confidenceScore()).isCloseTo(0.9, within(1e-9));
    assertThat(medium)
        .as("MEDIUM must not list a pattern whose confidenceScore() is 0.9")
        .extracting(io.ndp.api.Pattern::name)
        .doesNotContain("b");
    assertThat(high)
        .as("HIGH lists the pattern whose confidenceScore() is 0.9")
        .extracting(io.ndp.api.Pattern::name)
        .containsExactly("b");
  }

  /**
   * maxAttempts is "how many ranked candidates are tried before the fallbacks"; only "a candidate
   * skipped by its open breaker does not use up an attempt". A candidate that RAN and failed, and
   * whose retry is then skipped because its breaker opened during the backoff (another execution's
   * failure), ends in an attempt of kind SKIPPED; runSelected reads only that last attempt and
   * counts the candidate as skipped. So with maxAttempts(1) a second candidate is run after the
   * first one ran — two candidates tried — and the result's decision (afterSkips) claims one
   * "candidate(s) skipped because their circuit breaker was open" although it ran.
   */
  @Test
  void aCandidateThatRan_butWhoseRetryWasSkipped_doesNotUseUpItsAttempt() {
    java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
    PatternRegistry registry =
        PatternRegistry.builder()
            .ticker(nanos::get)
            .circuitBreaker(
                BreakerPolicy.builder()
                    .window(2)
                    .minimumCalls(2)
                    .failureRateThreshold(50)
                    .coolDown(java.time.Duration.ofMinutes(10))
                    .probes(1)
                    .build())
            .build();
    ScriptedPattern a = new ScriptedPattern("a", "scripted", 0.9, OutcomeStatus.FAILED);
    ScriptedPattern b = new ScriptedPattern("b", "scripted", 0.5, OutcomeStatus.SUCCESS);
    registry.register(a).register(b);
    PatternExecutor other =
        PatternExecutor.builder(registry)
            .selectionPolicy(SelectionPolicy.greedy())
            .maxAttempts(1)
            .ticker(nanos::get)
            .build();
    other.delegates().register("work", in -> in);
    java.util.concurrent.atomic.AtomicBoolean once =
        new java.util.concurrent.atomic.AtomicBoolean();
    try (PatternExecutor executor =
        PatternExecutor.builder(registry)
            .selectionPolicy(SelectionPolicy.greedy())
            .maxAttempts(1)
            .ticker(nanos::get)
            .retry(
                RetryPolicy.builder()
                    .maxRetries(1)
                    .initialBackoff(java.time.Duration.ofMillis(1))
                    .build())
            .sleeper(
                n -> {
                  if (once.compareAndSet(false, true)) {
                    // Meanwhile another execution of "a" fails: its breaker opens.
                    java.util.concurrent.CompletableFuture.runAsync(
                            () -> other.executeBestPattern(ctx()))
                        .join();
                  }
                  nanos.addAndGet(n);
                })
            .build()) {
      executor.delegates().register("work", in -> in);

      PatternResult r = executor.executeBestPattern(ctx());

      assertThat(r.attempts())
          .extracting(io.ndp.api.Attempt::patternName, io.ndp.api.Attempt::kind)
          .as("a ran, its retry was skipped by its breaker")
          .startsWith(
              org.assertj.core.groups.Tuple.tuple("a", io.ndp.api.Attempt.Kind.RUN),
              org.assertj.core.groups.Tuple.tuple("a", io.ndp.api.Attempt.Kind.SKIPPED));
      assertThat(r.attempts())
          .extracting(io.ndp.api.Attempt::patternName)
          .as("maxAttempts(1): 'a' ran, so 'b' is not tried; result %s", r)
          .doesNotContain("b");
    }
  }

  /**
   * Ndp.classPathSources reports a class-path factory that "cannot be created" and continues with
   * the next, keyed classpath:failed-N since a5d107f. But a ServiceConfigurationError does not
   * always advance the ServiceLoader's iterator: when the class loader cannot list the services
   * files (getResources throws IOException), every hasNext() throws the same error again, and the
   * loop never ends — one more FAILED report per turn, each under a new key. Here the loader gives
   * up after 200 turns (so the test ends): 200 reports for one unreadable class path, where one is
   * due. An unbounded loop in Ndp.build() without the cap.
   */
  @Test
  void anUnreadableClassPath_isReportedOnce_notOncePerRetryOfTheServiceLoader() {
    java.util.concurrent.atomic.AtomicInteger listings =
        new java.util.concurrent.atomic.AtomicInteger();
    ClassLoader broken =
        new ClassLoader(Round2ReviewTest.class.getClassLoader()) {
          @Override
          public java.util.Enumeration<java.net.URL> getResources(String name)
              throws java.io.IOException {
            if (name.startsWith("META-INF/services/") && listings.incrementAndGet() <= 200) {
              throw new java.io.IOException("cannot list " + name + " (disk error)");
            }
            return super.getResources(name);
          }
        };

    try (Ndp ndp = Ndp.builder().classLoader(broken).build()) {
      List<PluginReport> failed =
          ndp.pluginReports().stream()
              .filter(r -> r.pluginId().startsWith("classpath:failed-"))
              .toList();
      assertThat(failed.size())
          .as("reports of the one unreadable class path (loader asked %d times)", listings.get())
          .isLessThanOrEqualTo(1);
    }
  }

  /**
   * The crossings read a pattern's score under the prior of the pattern registered under its name
   * (PatternRegistry.priorOf), neutral when none is. An execution in flight while its pattern is
   * withdrawn (unregister, a plugin reload or stop) records its outcome when no pattern of that
   * name is registered, so the crossing is computed under Beta(1, 1): a pattern declared Beta(9, 1)
   * whose one failure leaves it at 9/11 (HIGH, no line crossed) is reported falling MEDIUM -> LOW
   * (0.5 -> 1/3) — levels it never had under its prior. Once it is back (the reload done), the host
   * reads 9/11, HIGH, as before: a crossing was reported although the level the host reads did not
   * change.
   */
  @Test
  void anOutcomeRecordedWhileItsPatternIsWithdrawn_reportsACrossingUnderTheNeutralPrior()
      throws Exception {
    List<ConfidenceThresholdCrossedEvent> events = new CopyOnWriteArrayList<>();
    PatternRegistry registry =
        PatternRegistry.builder()
            .halfLife(Double.POSITIVE_INFINITY)
            .listener(
                new NdpListener() {
                  @Override
                  public void onConfidenceThresholdCrossed(ConfidenceThresholdCrossedEvent e) {
                    events.add(e);
                  }
                })
            .build();
    java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    ScriptedPattern p =
        new ScriptedPattern("p", "scripted", 1.0, OutcomeStatus.FAILED)
            .prior(new Prior(9, 1))
            .script(
                c -> {
                  running.countDown();
                  try {
                    release.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  return OutcomeStatus.FAILED;
                });
    registry.register(p);
    PatternExecutor executor = PatternExecutor.builder(registry).maxAttempts(1).build();
    executor.delegates().register("work", in -> in);

    java.util.concurrent.CompletableFuture<PatternResult> inFlight =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> executor.executeBestPattern(ctx()));
    assertThat(running.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    registry.unregister("p"); // e.g. a plugin reload: withdrawn, then back
    release.countDown();
    assertThat(inFlight.get(10, java.util.concurrent.TimeUnit.SECONDS).success()).isFalse();
    ScriptedPattern back =
        new ScriptedPattern("p", "scripted", 1.0, OutcomeStatus.FAILED).prior(new Prior(9, 1));
    registry.register(back);

    assertThat(registry.statistics("p", "eu").failures())
        .as("the failure was recorded")
        .isEqualTo(1);
    assertThat(back.confidenceScore("eu")).isCloseTo(9.0 / 11, within(1e-9));
    assertThat(events)
        .as("9/10 -> 9/11 stays HIGH under the declared prior: no line crossed")
        .isEmpty();
  }

  /**
   * a5d107f's half-served check takes every "extension class name" PF4J holds for the plugin
   * (pm.getExtensionClassNames(id)), minus the factories created, and instantiates the rest that
   * are pattern factories. With the service-provider finder on, PF4J's names are every class listed
   * in any file under the plugin's META-INF/services — also the providers of unrelated services of
   * a library bundled in the JAR. One whose optional dependency is absent cannot even be loaded:
   * Class.forName throws NoClassDefFoundError before the PatternFactory check, and the healthy
   * plugin — its one pattern factory created, its type servable — is reported FAILED and serves
   * nothing. Before a5d107f it was STARTED (PF4J itself skips such a class for PatternFactory).
   */
  @Test
  void aBundledLibrarysUnloadableServiceProvider_failsAHealthyPlugin() throws Exception {
    Path jar =
        new TestPluginJar("bundling-plugin")
            .factory(
                "test.bundling.GoodFactory",
                """
                package test.bundling;
                import io.ndp.api.*;
                import java.util.*;
                public final class GoodFactory implements PatternFactory {
                  public String type() { return "bundled_good"; }
                  public Set<String> aliases() { return Set.of(); }
                  public Pattern create(PatternDefinition d) {
                    throw new UnsupportedOperationException();
                  }
                }
                """)
            .source(
                "test.optional.OptionalBase",
                """
                package test.optional;
                public abstract class OptionalBase {}
                """)
            .source(
                "test.lib.LibDriver",
                """
                package test.lib;
                public class LibDriver extends test.optional.OptionalBase {}
                """)
            .writeTo(plugins);
    // The bundled library's optional dependency is not in the JAR; its service file still is.
    try (java.nio.file.FileSystem fs = java.nio.file.FileSystems.newFileSystem(jar)) {
      java.nio.file.Files.delete(fs.getPath("test/optional/OptionalBase.class"));
      java.nio.file.Files.writeString(
          fs.getPath("META-INF/services/test.lib.SomeLibraryService"), "test.lib.LibDriver\n");
    }

    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).serviceLoader(false).build()) {
      PluginReport r = ndp.pluginReport("bundling-plugin").orElseThrow();
      assertThat(r.status())
          .as("its one pattern factory was created: %s", r)
          .isEqualTo(Status.STARTED);
      assertThat(ndp.factories().types()).contains("bundled_good");
    }
  }

  /**
   * SelectionExplanation's decision is "the record a result of the same selection carries". Since
   * a5d107f a result's decision after a breaker skip is rewritten (afterSkips: maxAttempts grows by
   * the skips, a note), but explain() still hands out the raw one. With maxAttempts(1) and the
   * first candidate's breaker OPEN (explain itself lists it "skipped until its cool-down ends"),
   * explain() says of the healthy second candidate "skipped: only the first 1 are tried", while the
   * result of the same selection — where it runs and serves — says it is within reach.
   */
  @Test
  void explainAfterABreakerOpened_saysTheCandidateThatWillServeIsSkipped() {
    java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
    PatternRegistry registry =
        PatternRegistry.builder()
            .ticker(nanos::get)
            .circuitBreaker(
                BreakerPolicy.builder()
                    .window(2)
                    .minimumCalls(2)
                    .failureRateThreshold(50)
                    .coolDown(java.time.Duration.ofMinutes(10))
                    .probes(1)
                    .build())
            .build();
    registry
        .register(new ScriptedPattern("bad", "scripted", 0.9, OutcomeStatus.FAILED))
        .register(new ScriptedPattern("good", "scripted", 0.5, OutcomeStatus.SUCCESS));
    registry.pins().force("eu", "bad");
    try (PatternExecutor e =
        PatternExecutor.builder(registry)
            .selectionPolicy(SelectionPolicy.greedy())
            .maxAttempts(1)
            .ticker(nanos::get)
            .build()) {
      e.delegates().register("work", in -> in);
      e.executeBestPattern(ctx());
      e.executeBestPattern(ctx());
      assertThat(registry.breakerState("bad", "eu")).isEqualTo(io.ndp.api.BreakerState.OPEN);

      SelectionExplanation explained = e.explain(ctx());
      PatternResult r = e.executeBestPattern(ctx());
      assertThat(r.chosenPattern()).isEqualTo("good");

      io.ndp.api.Decision told = explained.decision();
      String explainedWhy = told.why(told.entry("good").orElseThrow());
      String resultWhy = r.decision().why(r.decision().entry("good").orElseThrow());
      assertThat(resultWhy).doesNotContain("skipped");
      assertThat(explainedWhy)
          .as(
              "explain(): the record a result of the same selection carries; it said: %s",
              explained)
          .isEqualTo(resultWhy);
    }
  }
}
