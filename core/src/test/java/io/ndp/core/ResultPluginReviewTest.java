package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.ndp.api.Attempt;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternFactory;
import io.ndp.api.PatternResult;
import io.ndp.api.event.FallbackEvent;
import io.ndp.api.event.NdpListener;
import io.ndp.core.PluginReport.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review of the result vocabulary ({@code fallbacksTried()} / {@code configuredFallbacksTried()}
 * against {@link FallbackEvent}), plugin reports, and bad input to the core's builders.
 */
class ResultPluginReviewTest {

  @TempDir Path plugins;

  private final AtomicLong nanos = new AtomicLong();
  private final List<FallbackEvent> fallbackEvents = new CopyOnWriteArrayList<>();

  private final NdpListener keeping =
      new NdpListener() {
        @Override
        public void onFallback(FallbackEvent event) {
          fallbackEvents.add(event);
        }
      };

  /**
   * A configured fallback that fails once and succeeds on its retry is ONE configured fallback
   * tried: one move to it ({@code fallbacksTried() == 1}, one {@link FallbackEvent} with {@code
   * toConfiguredFallback}), one configured fallback pattern tried. Yet {@code
   * configuredFallbacksTried()} says 2, because it counts every attempt flagged {@code fallback},
   * retries included. Promised: {@code configuredFallbacksTried()} "returns how many configured
   * fallback patterns were tried" and is the configured part of {@code fallbacksTried()} ("counts
   * the configured fallbacks alone"); retries are not fall-backs ({@code retries()} counts them).
   * Here the configured part (2) exceeds the whole (1), and disagrees with the events.
   */
  @Test
  void configuredFallbackThatIsRetried_isCountedAsTwoConfiguredFallbacks() {
    PatternRegistry registry = PatternRegistry.builder().ticker(nanos::get).build();
    AtomicInteger safetyCalls = new AtomicInteger();
    registry
        .register(new ScriptedPattern("a", "t", 1.0, OutcomeStatus.FAILED))
        .register(
            new ScriptedPattern("safety", "other", 0.1, OutcomeStatus.SUCCESS)
                .script(
                    c ->
                        safetyCalls.incrementAndGet() == 1
                            ? OutcomeStatus.FAILED
                            : OutcomeStatus.SUCCESS));
    RetryPolicy retrying =
        RetryPolicy.builder().maxRetries(1).initialBackoff(Duration.ofMillis(1)).build();
    try (PatternExecutor executor =
        PatternExecutor.builder(registry)
            .selectionPolicy(SelectionPolicy.greedy())
            .ticker(nanos::get)
            .sleeper(nanos::addAndGet)
            .retry(retrying)
            .retry("a", RetryPolicy.none())
            .fallbackPatterns("safety")
            .listener(keeping)
            .build()) {
      executor.delegates().register("work", in -> in);

      PatternResult r = executor.executeBestPattern(new PatternContext("orders", "t", Map.of()));

      assertThat(r.success()).isTrue();
      assertThat(r.attempts())
          .extracting(Attempt::patternName, Attempt::fallback, Attempt::kind)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("a", false, Attempt.Kind.RUN),
              org.assertj.core.groups.Tuple.tuple("safety", true, Attempt.Kind.RUN),
              org.assertj.core.groups.Tuple.tuple("safety", true, Attempt.Kind.RETRY));
      assertThat(r.fallbacksTried()).isEqualTo(1);
      assertThat(r.retries()).isEqualTo(1);
      long configuredMoves =
          fallbackEvents.stream().filter(FallbackEvent::toConfiguredFallback).count();
      assertThat(configuredMoves).isEqualTo(1);
      assertThat(r.configuredFallbacksTried())
          .as("one configured fallback pattern was tried (once, then retried)")
          .isEqualTo(configuredMoves)
          .isLessThanOrEqualTo(r.fallbacksTried());
    }
  }

  /**
   * With {@code maxAttempts(1)} and the first candidate's breaker open, the executor skips it (an
   * attempt of kind SKIPPED that "does not use up one of the executor's maxAttempts") and runs the
   * second, which succeeds and is the chosen pattern. The result's own decision record says the
   * opposite about it: {@code decision().why(entry of good)} ends with "skipped: only the first 1
   * are tried". Promised: the result's vocabulary is consistent; a pattern that ran and served is
   * not described as skipped by the maxAttempts limit in the same result.
   */
  @Test
  void chosenPatternAfterABreakerSkip_isSaidToBeSkippedByMaxAttempts_inTheSameResult() {
    PatternRegistry registry =
        PatternRegistry.builder()
            .ticker(nanos::get)
            .circuitBreaker(
                BreakerPolicy.builder()
                    .window(2)
                    .minimumCalls(2)
                    .failureRateThreshold(50)
                    .coolDown(Duration.ofMinutes(10))
                    .probes(1)
                    .build())
            .build();
    registry
        .register(new ScriptedPattern("bad", "t", 0.9, OutcomeStatus.FAILED))
        .register(new ScriptedPattern("good", "t", 0.5, OutcomeStatus.SUCCESS));
    registry.pins().force("eu", "bad");
    PatternContext ctx = new PatternContext("eu", "t", Map.of());
    try (PatternExecutor e =
        PatternExecutor.builder(registry)
            .selectionPolicy(SelectionPolicy.greedy())
            .maxAttempts(1)
            .ticker(nanos::get)
            .build()) {
      e.delegates().register("work", in -> in);
      e.executeBestPattern(ctx);
      e.executeBestPattern(ctx); // bad's breaker in "eu" is open now

      PatternResult r = e.executeBestPattern(ctx);

      assertThat(r.attempts())
          .extracting(a -> a.patternName() + ":" + a.kind())
          .containsExactly("bad:SKIPPED", "good:RUN");
      assertThat(r.chosenPattern()).isEqualTo("good");
      io.ndp.api.Decision.Entry good = r.decision().entry("good").orElseThrow();
      assertThat(r.decision().why(good))
          .as("why the chosen pattern is where it is, in the result that it served")
          .doesNotContain("skipped");
    }
  }

  /**
   * A plugin with two pattern factories, one of whose constructors throws: the README and {@link
   * FactoryConstructorThrowsTest} promise FAILED with the exception's message in the report (and
   * the core's own rule: "One unusable factory makes the plugin FAILED: none of its types is
   * half-served"). Actually the plugin is STARTED with only the good factory's type, the reason is
   * empty, and the constructor's exception is nowhere in the report: PF4J drops the failing
   * extension, and the cause is only looked for when no factory at all was created.
   */
  @Test
  void pluginWithOneGoodAndOneThrowingFactory_isStartedHalfServed_withoutTheCause()
      throws Exception {
    new TestPluginJar("half-broken")
        .factory(
            "test.half_broken.GoodFactory",
            """
            package test.half_broken;
            import io.ndp.api.*;
            import java.util.*;
            public final class GoodFactory implements PatternFactory {
              public String type() { return "good"; }
              public Set<String> aliases() { return Set.of(); }
              public Pattern create(PatternDefinition d) { throw new UnsupportedOperationException(); }
            }
            """)
        .factory(
            "test.half_broken.BadFactory",
            """
            package test.half_broken;
            import io.ndp.api.*;
            import java.util.*;
            public final class BadFactory implements PatternFactory {
              public BadFactory() { throw new IllegalStateException("licence file missing"); }
              public String type() { return "bad"; }
              public Set<String> aliases() { return Set.of(); }
              public Pattern create(PatternDefinition d) { throw new UnsupportedOperationException(); }
            }
            """)
        .writeTo(plugins);

    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).serviceLoader(false).build()) {
      PluginReport r = ndp.pluginReport("half-broken").orElseThrow();
      assertThat(r.status()).as("report %s", r).isEqualTo(Status.FAILED);
      assertThat(r.reason())
          .contains("test.half_broken.BadFactory")
          .contains("IllegalStateException: licence file missing");
      assertThat(ndp.factories().types()).doesNotContain("good", "bad");
    }
  }

  /** A plugin factory of type {@code type} whose class body holds {@code member}. */
  private static String factorySource(String pkg, String member) {
    return """
        package PKG;
        import io.ndp.api.*;
        import java.util.*;
        public final class F implements PatternFactory {
          MEMBER
          public String type() { return "PKG"; }
          public Set<String> aliases() { return Set.of(); }
          public Pattern create(PatternDefinition d) { throw new UnsupportedOperationException(); }
        }
        """
        .replace("PKG", pkg)
        .replace("MEMBER", member);
  }

  /**
   * A plugin factory whose creation fails in its static initializer (reading a licence file there,
   * as factories do with their configuration) is FAILED, but the report's reason is only "its
   * pattern factories cannot be created: java.lang.ExceptionInInitializerError": neither the
   * factory class nor the exception's message ("licence file missing", the EIIE's cause) is in it,
   * so without an SLF4J binding the operator cannot tell what went wrong. Promised: a plugin whose
   * factory cannot be created is FAILED with the exception's message in the report.
   */
  @Test
  void factoryWhoseStaticInitializerThrows_reportLacksTheMessage() throws Exception {
    new TestPluginJar("static-init")
        .factory(
            "static_init.F",
            factorySource(
                "static_init",
                "static { if (true) throw new IllegalStateException(\"licence file missing\"); }"))
        .writeTo(plugins);

    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).serviceLoader(false).build()) {
      PluginReport r = ndp.pluginReport("static-init").orElseThrow();
      assertThat(r.status()).isEqualTo(Status.FAILED);
      assertThat(r.reason()).contains("static_init.F").contains("licence file missing");
    }
  }

  /**
   * A plugin factory whose constructor throws an Error that is not a LinkageError (here an
   * AssertionError, as an {@code assert} or a test double would) escapes {@code Ndp.build()}: the
   * whole runtime fails to start because of one plugin. Promised (README, "What a host sees when a
   * plugin is broken"): "Nothing stops the host: each plugin gets a PluginReport"; the plugin is
   * FAILED with the exception's message, the other plugins load.
   */
  @Test
  void factoryConstructorThrowingAnAssertionError_takesTheWholeRuntimeDown() throws Exception {
    new TestPluginJar("assert-error")
        .factory(
            "assert_error.F",
            factorySource(
                "assert_error",
                "public F() { throw new AssertionError(\"licence file missing\"); }"))
        .writeTo(plugins);
    TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);

    Ndp built = null;
    Throwable thrown = null;
    try {
      built = Ndp.builder().pluginsDir(plugins).serviceLoader(false).build();
    } catch (AssertionError e) {
      thrown = e;
    }
    assertThat(thrown).as("Ndp.build() must not throw because one plugin's factory did").isNull();
    try (Ndp ndp = built) {
      PluginReport r = ndp.pluginReport("assert-error").orElseThrow();
      assertThat(r.status()).isEqualTo(Status.FAILED);
      assertThat(r.reason()).contains("licence file missing");
      assertThat(ndp.pluginReport("echo-plugin").orElseThrow().status()).isEqualTo(Status.STARTED);
    }
  }

  /**
   * A plugin whose {@code Plugin} class constructor throws (IllegalStateException "licence
   * expired") is FAILED, but its reason is a misleading NullPointerException from PF4J ("Cannot
   * invoke org.pf4j.Plugin.start() because the return value of PluginWrapper.getPlugin() is null");
   * the real exception and its message are lost (PF4J even logs it as "null"). Promised, like for
   * {@code Plugin.start()} throwing (README table: "failed to start: ...IllegalStateException:
   * licence expired"): FAILED with the exception's message in the report.
   */
  @Test
  void pluginClassWhoseConstructorThrows_reportsAnNpeInsteadOfTheCause() throws Exception {
    TestPluginJar.echoKind("ctor-plugin", "echo_c", "x")
        .pluginClass(
            "ctor_plugin.Boom",
            """
            package ctor_plugin;
            public class Boom extends org.pf4j.Plugin {
              public Boom() { throw new IllegalStateException("licence expired"); }
            }
            """)
        .writeTo(plugins);

    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).serviceLoader(false).build()) {
      PluginReport r = ndp.pluginReport("ctor-plugin").orElseThrow();
      assertThat(r.status()).isEqualTo(Status.FAILED);
      assertThat(r.reason()).contains("licence expired").doesNotContain("NullPointerException");
    }
  }

  /**
   * {@code ndp.loadPlugin(null)} fails with the JDK's NullPointerException from inside ("Cannot
   * invoke Path.getFileName() because file is null") and {@code ndp.reloadPlugin(null)} with a
   * NullPointerException without any message, while {@code stopPlugin(null)} and {@code
   * unloadPlugin(null, ..)} of the same class answer with an IllegalArgumentException naming the
   * value. Promised: null input reported as the project's typed exception naming the offending
   * value, never a NullPointerException from deep inside.
   */
  @Test
  void loadAndReloadPluginWithNull_failWithABareNullPointerException() {
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).serviceLoader(false).build()) {
      Map<String, Throwable> thrown = new LinkedHashMap<>();
      thrown.put("loadPlugin(null)", catchThrowable(() -> ndp.loadPlugin(null)));
      thrown.put("reloadPlugin(null)", catchThrowable(() -> ndp.reloadPlugin(null)));
      SoftAssertions soft = new SoftAssertions();
      thrown.forEach(
          (call, t) ->
              soft.assertThat(t)
                  .as("%s threw %s", call, t)
                  .isNotNull()
                  .isNotInstanceOf(NullPointerException.class)
                  .isInstanceOf(IllegalArgumentException.class)
                  .hasMessageContaining("null"));
      soft.assertAll();
    }
  }

  /**
   * {@code ndp.loadPlugin(jar)} for a JAR that does not exist (a typo, a file not copied yet)
   * reports INVALID "not a readable JAR (corrupt?): ..." : the operator is sent looking for a
   * corrupt file that is simply not there ({@code reloadPlugin} says "its file ... is missing" in
   * the same situation). Promised: a missing plugin gets one clear report saying so.
   */
  @Test
  void loadPluginOfAMissingFile_isReportedAsCorrupt() {
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).serviceLoader(false).build()) {
      PluginReport r = ndp.loadPlugin(plugins.resolve("orders-plugin-1.2.0.jar"));
      assertThat(r.reason())
          .as("report %s", r)
          .doesNotContain("corrupt")
          .containsAnyOf("missing", "does not exist", "no such file", "not found");
    }
  }

  /**
   * A plugins folder that does not exist (a typo in the host's configuration) is accepted without a
   * word the host can read: {@code build()} succeeds and {@code pluginReports()} is empty, exactly
   * as for an empty folder; the only trace is PF4J's WARN "No '...' root", visible only with an
   * SLF4J binding. Promised: a missing plugins folder gets one clear line or report (or a clear
   * exception), readable without any SLF4J binding.
   */
  @Test
  void missingPluginsFolder_leavesNoReport() {
    Path missing = plugins.resolve("plugin");
    Throwable thrown = null;
    List<PluginReport> reports = List.of();
    try (Ndp ndp = Ndp.builder().pluginsDir(missing).serviceLoader(false).build()) {
      reports = ndp.pluginReports();
    } catch (RuntimeException e) {
      thrown = e;
    }
    if (thrown != null) {
      assertThat(thrown)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("plugin");
    } else {
      assertThat(reports)
          .as("reports of a runtime built on the missing folder %s", missing)
          .anySatisfy(r -> assertThat(r.path()).isEqualTo(missing));
    }
  }

  /**
   * Two class-path pattern factories (found by ServiceLoader) whose constructors throw ("licence A
   * missing", "licence B missing"): both are keyed {@code classpath:<number of factories found so
   * far>}, so the second report overwrites the first and only one failure is left in {@code
   * pluginReports()}; and each reason is only ServiceConfigurationError's "Provider ... could not
   * be instantiated", without the exception's message (it is in the cause, shown only by the log).
   * Promised: a factory whose constructor throws is FAILED with the exception's message in its
   * report, readable without an SLF4J binding, and the reports count every failure.
   */
  @Test
  void twoClassPathFactoriesThatThrow_oneReportIsLost_andNeitherSaysWhy() throws Exception {
    Path jar =
        new TestPluginJar("cp-broken")
            .factory(
                "cp_a.F",
                factorySource(
                    "cp_a",
                    "public F() { throw new IllegalStateException(\"licence A missing\"); }"))
            .factory(
                "cp_b.F",
                factorySource(
                    "cp_b",
                    "public F() { throw new IllegalStateException(\"licence B missing\"); }"))
            .writeTo(plugins);
    try (java.net.URLClassLoader loader =
            new java.net.URLClassLoader(
                new java.net.URL[] {jar.toUri().toURL()}, getClass().getClassLoader());
        Ndp ndp = Ndp.builder().classLoader(loader).build()) {
      List<PluginReport> failed =
          ndp.pluginReports().stream().filter(r -> r.status() == Status.FAILED).toList();
      assertThat(failed).as("reports %s", ndp.pluginReports()).hasSize(2);
      assertThat(failed)
          .anySatisfy(r -> assertThat(r.reason()).contains("licence A missing"))
          .anySatisfy(r -> assertThat(r.reason()).contains("licence B missing"));
    }
  }

  /**
   * {@code PatternExecutor.Builder.fallbackPatterns("safety", "")} refuses the blank name with an
   * IllegalArgumentException, but has already added "safety": the builder, reused after the
   * failure, holds half of the refused input and builds an executor that falls back to "safety".
   * Promised: a refused call leaves the builder as it was (no partial input).
   */
  @Test
  void executorBuilder_fallbackPatternsRefused_stillKeepsTheNamesBeforeTheBadOne() {
    PatternRegistry registry = PatternRegistry.builder().build();
    registry
        .register(new ScriptedPattern("a", "t", 1.0, OutcomeStatus.FAILED))
        .register(new ScriptedPattern("safety", "other", 0.1, OutcomeStatus.SUCCESS));
    PatternExecutor.Builder b =
        PatternExecutor.builder(registry).selectionPolicy(SelectionPolicy.greedy());

    Throwable refused = catchThrowable(() -> b.fallbackPatterns("safety", ""));
    assertThat(refused).isInstanceOf(IllegalArgumentException.class);

    try (PatternExecutor executor = b.build()) {
      executor.delegates().register("work", in -> in);
      PatternResult r = executor.executeBestPattern(new PatternContext("orders", "t", Map.of()));
      assertThat(r.attempts())
          .as("the refused call must not have configured any fallback")
          .extracting(Attempt::patternName)
          .containsExactly("a");
    }
  }

  /**
   * {@code Ndp.Builder.factories(good, null)} throws (a NullPointerException "factory"), but has
   * already added {@code good}: the builder reused after the failure builds a runtime serving the
   * half of the refused input. Promised: no half-built state, and null reported as the project's
   * IllegalArgumentException (as {@code retry(null)}, {@code circuitBreaker(null)}, {@code
   * pluginTrust(null)} of the same builder do), not a NullPointerException.
   */
  @Test
  void ndpBuilder_factoriesWithANull_keepsTheFactoriesBeforeIt_andThrowsNpe() {
    Ndp.Builder b = Ndp.builder().serviceLoader(false);

    Throwable refused = catchThrowable(() -> b.factories(new TypeOnlyFactory("good"), null));

    SoftAssertions soft = new SoftAssertions();
    try (Ndp ndp = b.build()) {
      soft.assertThat(ndp.factories().types())
          .as("the refused call must not have added a factory")
          .doesNotContain("good");
    }
    soft.assertThat(refused)
        .as("threw %s", refused)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("null");
    soft.assertAll();
  }

  /**
   * Null handed to the core builders' setters: several answer with a NullPointerException (from
   * {@code Objects.requireNonNull}, or from the JDK iterating a null array or collection) while
   * their sibling setters answer null with an IllegalArgumentException naming the setter. Promised:
   * null input reported as the project's typed exception naming the offending value, never a
   * NullPointerException.
   */
  @Test
  void coreBuilders_someSettersAnswerNullWithANullPointerException() {
    PatternRegistry registry = PatternRegistry.builder().build();
    Map<String, Throwable> thrown = new LinkedHashMap<>();
    thrown.put(
        "Ndp.Builder.pluginsDir(null)", catchThrowable(() -> Ndp.builder().pluginsDir(null)));
    thrown.put(
        "Ndp.Builder.factories((PatternFactory[]) null)",
        catchThrowable(() -> Ndp.builder().factories((PatternFactory[]) null)));
    thrown.put(
        "Ndp.Builder.factories((List) null)",
        catchThrowable(() -> Ndp.builder().factories((List<PatternFactory>) null)));
    thrown.put(
        "Ndp.Builder.resourcePool(null)", catchThrowable(() -> Ndp.builder().resourcePool(null)));
    thrown.put("Ndp.Builder.delegates(null)", catchThrowable(() -> Ndp.builder().delegates(null)));
    thrown.put("Ndp.Builder.executor(null)", catchThrowable(() -> Ndp.builder().executor(null)));
    thrown.put(
        "PatternExecutor.Builder.delegates(null)",
        catchThrowable(() -> PatternExecutor.builder(registry).delegates(null)));
    thrown.put(
        "PatternExecutor.Builder.ticker(null)",
        catchThrowable(() -> PatternExecutor.builder(registry).ticker(null)));
    thrown.put(
        "PatternExecutor.Builder.executor(null)",
        catchThrowable(
            () ->
                PatternExecutor.builder(registry).executor((java.util.concurrent.Executor) null)));
    thrown.put(
        "PatternExecutor.Builder.fallbackPatterns((String[]) null)",
        catchThrowable(() -> PatternExecutor.builder(registry).fallbackPatterns((String[]) null)));
    thrown.put("Ndp.Builder.storage(null)", catchThrowable(() -> Ndp.builder().storage(null)));
    thrown.put(
        "Ndp.Builder.definitionStore(null)",
        catchThrowable(() -> Ndp.builder().definitionStore(null)));
    thrown.put(
        "Ndp.Builder.confidenceStore(null)",
        catchThrowable(() -> Ndp.builder().confidenceStore(null)));
    thrown.put(
        "Ndp.Builder.classLoader(null)", catchThrowable(() -> Ndp.builder().classLoader(null)));
    thrown.put(
        "PatternRegistry.Builder.confidenceStore(null)",
        catchThrowable(() -> PatternRegistry.builder().confidenceStore(null)));
    thrown.put(
        "PatternRegistry.Builder.resourcePool(null)",
        catchThrowable(() -> PatternRegistry.builder().resourcePool(null)));
    thrown.put(
        "PatternRegistry.Builder.ticker(null)",
        catchThrowable(() -> PatternRegistry.builder().ticker(null)));
    SoftAssertions soft = new SoftAssertions();
    thrown.forEach(
        (call, t) ->
            soft.assertThat(t)
                .as("%s threw %s", call, t)
                .isNotNull()
                .isNotInstanceOf(NullPointerException.class)
                .isInstanceOf(IllegalArgumentException.class));
    soft.assertAll();
  }

  /** A factory given by hand that only names its type. */
  private record TypeOnlyFactory(String type) implements PatternFactory {
    @Override
    public Set<String> aliases() {
      return Set.of();
    }

    @Override
    public Pattern create(PatternDefinition definition) {
      throw new UnsupportedOperationException();
    }
  }
}
