package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ndp.api.MatchResult;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternFactory;
import io.ndp.api.PatternResult;
import io.ndp.api.UnknownAgentTypeException;
import io.ndp.core.PluginReport.Status;
import io.ndp.core.internal.InMemoryDefinitionStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugins fail alone: each finding of the plugin-isolation review as a test with real plugin JARs,
 * and a "zoo" folder holding every kind of broken plugin beside healthy ones.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PluginIsolationTest {

  @TempDir Path plugins;

  private static PatternContext ctx(String agentType, String payload) {
    return PatternContext.builder("orders", agentType).payload(payload).build();
  }

  private static Map<String, PluginReport> reports(Ndp ndp) {
    Map<String, PluginReport> r = new TreeMap<>();
    ndp.pluginReports().forEach(p -> r.put(p.pluginId(), p));
    return r;
  }

  /** A factory source whose type() is given as a Java expression. */
  private static TestPluginJar factoryWithType(String id, String typeExpression) {
    String pkg = "test." + id.replace('-', '_');
    return new TestPluginJar(id)
        .factory(
            pkg + ".OddFactory",
            """
            package PKG;
            import io.ndp.api.*;
            import java.util.*;
            public final class OddFactory implements PatternFactory {
              public String type() { return EXPR; }
              public Set<String> aliases() { return Set.of(); }
              public Pattern create(PatternDefinition d) { throw new IllegalStateException(); }
            }
            """
                .replace("PKG", pkg)
                .replace("EXPR", typeExpression));
  }

  /** A healthy kind whose plugin starts a thread that outlives the plugin. */
  private static TestPluginJar leakingKind(String id, String threadName) {
    String pkg = "test." + id.replace('-', '_');
    return TestPluginJar.echoKind(id, id + "-kind", id, id)
        .pluginClass(
            pkg + ".Leaky",
            """
            package PKG;
            public class Leaky extends org.pf4j.Plugin {
              @Override public void start() {
                Thread t = new Thread(() -> {
                  Object lock = new Object();
                  synchronized (lock) {
                    try { lock.wait(60_000); } catch (InterruptedException e) { }
                  }
                }, "NAME");
                t.setDaemon(true);
                t.start();
              }
            }
            """
                .replace("PKG", pkg)
                .replace("NAME", threadName));
  }

  // ---- 1: one plugin's bad dependency never takes healthy plugins down ----

  @Test
  void finding1_wrongVersionDependencyAndACycle_leaveOutOnlyTheOffenders() throws Exception {
    TestPluginJar.echoKind("base", "base-kind", "base", "base").version("0.1.0").writeTo(plugins);
    TestPluginJar.echoKind("wants-newer", "newer-kind", "n", "newer")
        .dependencies("base@>=0.2.0")
        .writeTo(plugins);
    TestPluginJar.echoKind("cyc-a", "a-kind", "a", "a").dependencies("cyc-b").writeTo(plugins);
    TestPluginJar.echoKind("cyc-b", "b-kind", "b", "b").dependencies("cyc-a").writeTo(plugins);

    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      Map<String, PluginReport> r = reports(ndp);
      assertThat(r.get("base").status()).isEqualTo(Status.STARTED);
      assertThat(r.get("wants-newer").status()).isEqualTo(Status.UNRESOLVED);
      assertThat(r.get("wants-newer").reason())
          .isEqualTo(
              "depends on plugin 'base' version '>=0.2.0', but the plugins folder has version"
                  + " 0.1.0");
      assertThat(r.get("cyc-a").status()).isEqualTo(Status.UNRESOLVED);
      assertThat(r.get("cyc-a").reason()).isEqualTo("dependency cycle: cyc-a -> cyc-b -> cyc-a");
      assertThat(r.get("cyc-b").reason()).isEqualTo("dependency cycle: cyc-a -> cyc-b -> cyc-a");

      ndp.register(new PatternDefinition("base-kind", "b", "", Map.of()));
      ndp.delegates().register("work", in -> in);
      assertThat(ndp.executor().executeBestPattern(ctx("base", "x")).output()).isEqualTo("base:x");
    }
  }

  @Test
  void finding1_hotAddWithAWrongVersionDependency_isRefused_andTheHealthyOneStays()
      throws Exception {
    TestPluginJar.echoKind("base", "base-kind", "base", "base").version("0.1.0").writeTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      Path late =
          TestPluginJar.echoKind("late", "late-kind", "l", "late")
              .dependencies("base@>=0.2.0")
              .writeTo(plugins.resolve("later"));

      PluginReport r = ndp.loadPlugin(late);

      assertThat(r.status()).isEqualTo(Status.UNRESOLVED);
      assertThat(r.reason()).contains("'base' version '>=0.2.0'").contains("0.1.0");
      assertThat(ndp.pluginReport("base").orElseThrow().status()).isEqualTo(Status.STARTED);
      assertThat(ndp.factories().types()).contains("base-kind").doesNotContain("late-kind");
    }
  }

  // ---- 2: dependents are withdrawn with their dependency ----

  @Test
  void finding2_stoppingAndUnloadingADependency_withdrawsItsDependentsToo() throws Exception {
    TestPluginJar.echoKind("base", "base-kind", "base", "base").writeTo(plugins);
    TestPluginJar.echoKind("ext", "ext-kind", "ext", "ext").dependencies("base").writeTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      ndp.register(new PatternDefinition("ext-kind", "e", "", Map.of()));
      ndp.delegates().register("work", in -> in);
      assertThat(ndp.executor().executeBestPattern(ctx("ext", "x")).output()).isEqualTo("ext:x");

      assertThat(ndp.stopPlugin("base", Duration.ofSeconds(5))).isTrue();

      Map<String, PluginReport> r = reports(ndp);
      assertThat(r.get("base").status()).isEqualTo(Status.STOPPED);
      assertThat(r.get("ext").status()).isEqualTo(Status.STOPPED);
      assertThat(r.get("ext").reason()).contains("because it depends on 'base'");
      assertThat(ndp.registry().find("e")).isEmpty();
      assertThatThrownBy(() -> ndp.executor().executeBestPattern(ctx("ext", "x")))
          .isInstanceOf(UnknownAgentTypeException.class);
      assertThat(ndp.unresolvedDefinitions()).extracting(PatternDefinition::name).contains("e");

      assertThat(ndp.unloadPlugin("base", Duration.ofSeconds(5))).isTrue();
      r = reports(ndp);
      assertThat(r.get("base").status()).isIn(Status.UNLOADED, Status.LEAKED);
      assertThat(r.get("ext").status()).isIn(Status.UNLOADED, Status.LEAKED);
      assertThat(r.get("ext").reason()).contains("because it depends on 'base'");
      assertThat(ndp.registry().patterns()).isEmpty();
    }
  }

  // ---- 3: a broken factory never stops the host ----

  @Test
  void finding3_factoriesWithANullOrThrowingType_andAPartialApiBundle_areReported()
      throws Exception {
    TestPluginJar.echoKind("healthy", "healthy-kind", "ok", "healthy").writeTo(plugins);
    factoryWithType("null-type", "null").writeTo(plugins);
    factoryWithType("throwing-type", "(String) Objects.requireNonNull(null, \"no type today\")")
        .writeTo(plugins);
    TestPluginJar.echoKind("partial-api", "partial-kind", "p", "partial")
        .bundlingApiClass(PatternDefinition.class)
        .writeTo(plugins);

    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      Map<String, PluginReport> r = reports(ndp);
      assertThat(r.get("healthy").status()).isEqualTo(Status.STARTED);
      assertThat(r.get("null-type").status()).isEqualTo(Status.FAILED);
      assertThat(r.get("null-type").reason()).contains("its type() returned null");
      assertThat(r.get("throwing-type").status()).isEqualTo(Status.FAILED);
      assertThat(r.get("throwing-type").reason()).contains("threw").contains("no type today");
      assertThat(r.get("partial-api").status()).isEqualTo(Status.API_CLASH);
      assertThat(r.get("partial-api").reason()).contains("io/ndp/api/PatternDefinition.class");
      assertThat(ndp.factories().types()).contains("healthy-kind").doesNotContain("partial-kind");

      ndp.register(new PatternDefinition("healthy-kind", "h", "", Map.of()));
      ndp.delegates().register("work", in -> in);
      assertThat(ndp.executor().executeBestPattern(ctx("healthy", "x")).output()).isEqualTo("ok:x");
    }
  }

  @Test
  void finding3_aHostFactoryWithANullType_isAClearError() {
    PatternFactory broken =
        new PatternFactory() {
          @Override
          public String type() {
            return null;
          }

          @Override
          public Set<String> aliases() {
            return Set.of();
          }

          @Override
          public Pattern create(PatternDefinition definition) {
            throw new IllegalStateException();
          }
        };
    assertThatThrownBy(() -> Ndp.builder().factories(broken).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("of host is unusable: its type() returned null");
  }

  // ---- 4: an Error from one pattern's match() never blocks its agent type ----

  @Test
  void finding4_noClassDefFoundErrorFromOneMatch_rejectsOnlyThatPattern() {
    PatternRegistry registry = new PatternRegistry();
    registry.register(
        new ScriptedPattern("broken", "t", 1.0, OutcomeStatus.SUCCESS) {
          @Override
          public MatchResult match(PatternContext context) {
            throw new NoClassDefFoundError("test/plugin/Gone");
          }
        });
    registry.register(new ScriptedPattern("healthy", "t", 0.5, OutcomeStatus.SUCCESS));
    try (PatternExecutor executor = PatternExecutor.builder(registry).build()) {
      executor.delegates().register("work", in -> in);
      PatternResult r = executor.executeBestPattern(new PatternContext("d", "t", Map.of()));

      assertThat(r.success()).as(r.message()).isTrue();
      assertThat(r.chosenPattern()).isEqualTo("healthy");
      assertThat(r.rejections().get("broken")).contains("NoClassDefFoundError");
      assertThat(executor.explain(new PatternContext("d", "t", Map.of())).rejections())
          .containsKey("broken");
    }
  }

  // ---- 5: stored definitions follow their type to the next provider ----

  @Test
  void finding5_stoppingTheWinnerOfATypeConflict_servesItsDefinitionsWithTheOther()
      throws Exception {
    TestPluginJar.echoKind("echo-a", "echo", "a").writeTo(plugins);
    TestPluginJar.echoKind("echo-b", "echo", "b").writeTo(plugins);
    InMemoryDefinitionStore defs = new InMemoryDefinitionStore();
    defs.store(new PatternDefinition("echo", "stored", "", Map.of()));
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).definitionStore(defs).build()) {
      ndp.delegates().register("work", in -> in);
      assertThat(ndp.pluginReport("echo-b").orElseThrow().status()).isEqualTo(Status.CONFLICT);
      assertThat(ndp.executor().executeBestPattern(ctx("echo", "x")).output()).isEqualTo("a:x");

      assertThat(ndp.stopPlugin("echo-a", Duration.ofSeconds(5))).isTrue();

      assertThat(ndp.pluginReport("echo-b").orElseThrow().status()).isEqualTo(Status.STARTED);
      assertThat(ndp.unresolvedDefinitions()).isEmpty();
      assertThat(ndp.executor().executeBestPattern(ctx("echo", "x")).output()).isEqualTo("b:x");

      assertThat(ndp.stopPlugin("echo-b", Duration.ofSeconds(5))).isTrue();
      assertThat(ndp.unresolvedDefinitions())
          .extracting(PatternDefinition::name)
          .containsExactly("stored");
    }
  }

  // ---- 6: an alias never hides another factory's type id ----

  @Test
  void finding6_anAliasEqualToAnotherTypeId_isAConflict_andTheTypeIdWins() {
    PatternFactory a = new NamedFactory("a", Set.of("b"));
    PatternFactory b = new NamedFactory("b", Set.of());

    PatternFactories f = PatternFactories.of(a, b);

    assertThat(f.find("b")).containsSame(b);
    assertThat(f.find("a")).containsSame(a);
    assertThat(f.conflicts()).singleElement().asString().contains("alias 'b' of type 'a'");
    try (Ndp ndp = Ndp.builder().serviceLoader(false).factories(a, b).build()) {
      assertThat(ndp.conflicts()).singleElement().asString().contains("alias 'b'");
    }
  }

  /** A factory with the given type id and aliases. */
  private record NamedFactory(String type, Set<String> aliases) implements PatternFactory {
    @Override
    public Pattern create(PatternDefinition definition) {
      return new ScriptedPattern(definition.name(), type, 1.0, OutcomeStatus.SUCCESS);
    }
  }

  // ---- 7: reports tell the truth ----

  @Test
  void finding7_aPluginWhoseThreadOutlivesIt_isLeaked_andAZipIsStartedOnlyOnce() throws Exception {
    leakingKind("leaky", "leaky-worker").writeTo(plugins);
    TestPluginJar.echoKind("zipped", "zipped-kind", "z", "zipped").writeZipTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      Map<String, PluginReport> r = reports(ndp);
      assertThat(r.get("zipped").status()).isEqualTo(Status.STARTED);
      assertThat(r.keySet()).containsExactlyInAnyOrder("leaky", "zipped");
      ndp.register(new PatternDefinition("zipped-kind", "z", "", Map.of()));
      ndp.delegates().register("work", in -> in);
      assertThat(ndp.executor().executeBestPattern(ctx("zipped", "x")).output()).isEqualTo("z:x");

      assertThat(ndp.unloadPlugin("leaky", Duration.ofSeconds(5))).isTrue();
      PluginReport leaky = ndp.pluginReport("leaky").orElseThrow();
      assertThat(leaky.status()).isEqualTo(Status.LEAKED);
      assertThat(leaky.reason()).contains("[leaky-worker]");
    }
  }

  @Test
  void finding7_closingTheRuntime_reportsEveryPluginUnloaded_andNamesLeakedThreads()
      throws Exception {
    leakingKind("leaky", "close-leaky-worker").writeTo(plugins);
    TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    Ndp ndp = Ndp.builder().pluginsDir(plugins).build();
    ndp.close();

    Map<String, PluginReport> r = reports(ndp);
    assertThat(r.get("leaky").status()).isEqualTo(Status.LEAKED);
    assertThat(r.get("leaky").reason())
        .startsWith("unloaded when the runtime closed")
        .contains("[close-leaky-worker]");
    assertThat(r.get("echo-plugin").status()).isEqualTo(Status.UNLOADED);
  }

  @Test
  void finding7_anUnloadedPluginWithoutThreads_isReportedCollectedOnceItIs() throws Exception {
    TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      assertThat(ndp.unloadPlugin("echo-plugin", Duration.ofSeconds(5))).isTrue();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                System.gc();
                return ndp.pluginReport("echo-plugin")
                    .orElseThrow()
                    .reason()
                    .endsWith("was collected");
              });
      PluginReport r = ndp.pluginReport("echo-plugin").orElseThrow();
      assertThat(r.status()).isEqualTo(Status.UNLOADED);
      assertThat(r.reason()).isEqualTo("unloaded at runtime; its class loader was collected");
    }
  }

  // ---- the plugin zoo ----

  /**
   * One folder with a healthy plugin, a dependent of it, a plugin with a wrong version range, a
   * cycle of two, a factory with a null type, a partial API bundle, a thread-leaking plugin and a
   * zip: the host builds, every healthy kind serves, every report names the right state and reason;
   * stopping the base of the dependency chain withdraws all of it.
   */
  @Test
  void pluginZoo_everyHealthyKindServes_everyBrokenOneIsReportedTruthfully() throws Exception {
    TestPluginJar.echoKind("base", "base-kind", "base", "base").version("1.0.0").writeTo(plugins);
    TestPluginJar.echoKind("ext", "ext-kind", "ext", "ext").dependencies("base").writeTo(plugins);
    TestPluginJar.echoKind("wrong-range", "wrong-kind", "w", "wrong")
        .dependencies("base@>=2.0.0")
        .writeTo(plugins);
    TestPluginJar.echoKind("cyc-a", "a-kind", "a", "a").dependencies("cyc-b").writeTo(plugins);
    TestPluginJar.echoKind("cyc-b", "b-kind", "b", "b").dependencies("cyc-a").writeTo(plugins);
    factoryWithType("null-type", "null").writeTo(plugins);
    TestPluginJar.echoKind("partial-api", "partial-kind", "p", "partial")
        .bundlingApiClass(PatternDefinition.class)
        .writeTo(plugins);
    leakingKind("leaky", "zoo-leaky-worker").writeTo(plugins);
    TestPluginJar.echoKind("zipped", "zipped-kind", "zip", "zipped").writeZipTo(plugins);

    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      Map<String, PluginReport> r = reports(ndp);
      System.out.println("plugin zoo reports:");
      r.values()
          .forEach(
              p ->
                  System.out.printf(
                      "  %-12s %-11s %s%n",
                      p.pluginId(), p.status(), p.reason().replace('\n', ' ')));
      assertThat(r.keySet())
          .containsExactlyInAnyOrder(
              "base",
              "ext",
              "wrong-range",
              "cyc-a",
              "cyc-b",
              "null-type",
              "partial-api",
              "leaky",
              "zipped");
      assertThat(r.get("base").status()).isEqualTo(Status.STARTED);
      assertThat(r.get("ext").status()).isEqualTo(Status.STARTED);
      assertThat(r.get("leaky").status()).isEqualTo(Status.STARTED);
      assertThat(r.get("zipped").status()).isEqualTo(Status.STARTED);
      assertThat(r.get("wrong-range").status()).isEqualTo(Status.UNRESOLVED);
      assertThat(r.get("wrong-range").reason()).contains("'base' version '>=2.0.0'");
      assertThat(r.get("cyc-a").status()).isEqualTo(Status.UNRESOLVED);
      assertThat(r.get("cyc-b").reason()).contains("dependency cycle");
      assertThat(r.get("null-type").status()).isEqualTo(Status.FAILED);
      assertThat(r.get("partial-api").status()).isEqualTo(Status.API_CLASH);

      ndp.delegates().register("work", in -> in);
      Map<String, String> healthy =
          Map.of("base", "base", "ext", "ext", "leaky", "leaky", "zipped", "zip");
      healthy.forEach(
          (agent, tag) -> {
            ndp.register(new PatternDefinition(agent + "-kind", agent + "-flow", "", Map.of()));
            PatternResult res = ndp.executor().executeBestPattern(ctx(agent, "x"));
            assertThat(res.output()).as(agent).isEqualTo(tag + ":x");
          });
      for (String broken : List.of("wrong", "a", "b", "partial")) {
        assertThatThrownBy(() -> ndp.executor().executeBestPattern(ctx(broken, "x")))
            .isInstanceOf(UnknownAgentTypeException.class);
      }

      // Stop the base of the dependency chain: nothing of it is served any more.
      assertThat(ndp.stopPlugin("base", Duration.ofSeconds(5))).isTrue();
      assertThat(ndp.pluginReport("ext").orElseThrow().status()).isEqualTo(Status.STOPPED);
      for (String gone : List.of("base", "ext")) {
        assertThatThrownBy(() -> ndp.executor().executeBestPattern(ctx(gone, "x")))
            .isInstanceOf(UnknownAgentTypeException.class);
        assertThat(ndp.registry().find(gone + "-flow")).isEmpty();
      }
      assertThat(ndp.executor().executeBestPattern(ctx("zipped", "y")).output()).isEqualTo("zip:y");
    }
  }
}
