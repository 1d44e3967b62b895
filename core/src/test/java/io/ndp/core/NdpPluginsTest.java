package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternResult;
import io.ndp.api.UnknownAgentTypeException;
import io.ndp.core.PluginReport.Status;
import io.ndp.core.internal.InMemoryDefinitionStore;
import io.ndp.patterns.sequential.SequentialDelegationPatternFactory;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The facade with real plugin JARs, healthy and broken, built in the test. */
class NdpPluginsTest {

  @TempDir Path plugins;

  private static PatternContext echo(String payload) {
    return PatternContext.builder("orders", "echo").payload(payload).build();
  }

  @Test
  void brokenPlugins_neverTakeTheHostDown_andEachIsReported() throws Exception {
    TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    TestPluginJar.echoKind("start-throws", "throwing", "x")
        .pluginClass(
            "test.start_throws.Boom",
            """
            package test.start_throws;
            public class Boom extends org.pf4j.Plugin {
              @Override public void start() { throw new IllegalStateException("licence expired"); }
            }
            """)
        .writeTo(plugins);
    Files.write(plugins.resolve("corrupt.jar"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    java.util.jar.Manifest plain = new java.util.jar.Manifest();
    plain.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
    try (var jar =
        new java.util.jar.JarOutputStream(
            Files.newOutputStream(plugins.resolve("no-descriptor.jar")), plain)) {
      jar.putNextEntry(new java.util.jar.JarEntry("readme.txt"));
      jar.write("a library, not a plugin".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      jar.closeEntry();
    }
    TestPluginJar.echoKind("needs-ghost", "ghostly", "x")
        .dependencies("ghost-plugin")
        .writeTo(plugins);
    TestPluginJar.echoKind("future-api", "future", "x").requires(">=9.0.0").writeTo(plugins);
    new TestPluginJar("empty-plugin").writeTo(plugins);
    TestPluginJar.echoKind("echo-twin", "echo", "twin").writeTo(plugins);
    TestPluginJar.echoKind("bundler", "bundled", "x").bundlingTheApi().writeTo(plugins);

    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      Map<String, PluginReport> r = new java.util.TreeMap<>();
      ndp.pluginReports().forEach(p -> r.put(p.pluginId(), p));

      assertThat(r.get("echo-plugin").status()).isEqualTo(Status.STARTED);
      assertThat(r.get("echo-plugin").types()).containsExactly("echo");
      assertThat(r.get("start-throws").status()).isEqualTo(Status.FAILED);
      assertThat(r.get("start-throws").reason()).contains("licence expired");
      assertThat(r.get("?@corrupt.jar").status()).isEqualTo(Status.INVALID);
      assertThat(r.get("?@corrupt.jar").path().getFileName().toString()).isEqualTo("corrupt.jar");
      assertThat(r.get("?@corrupt.jar").reason()).contains("not a readable JAR");
      assertThat(r.get("?@no-descriptor.jar").status()).isEqualTo(Status.INVALID);
      assertThat(r.get("?@no-descriptor.jar").reason())
          .contains("no plugin descriptor (Plugin-Id or Plugin-Version missing)");
      assertThat(r.get("needs-ghost").status()).isEqualTo(Status.UNRESOLVED);
      assertThat(r.get("needs-ghost").reason())
          .isEqualTo("depends on plugin 'ghost-plugin' (version *), which is missing");
      assertThat(r.get("future-api").status()).isEqualTo(Status.DISABLED);
      assertThat(r.get("future-api").reason()).contains(">=9.0.0").contains("0.2.0");
      assertThat(r.get("empty-plugin").status()).isEqualTo(Status.NO_EXTENSIONS);
      assertThat(r.get("echo-twin").status()).isEqualTo(Status.CONFLICT);
      assertThat(r.get("echo-twin").reason()).contains("'echo'").contains("echo-plugin");
      assertThat(r.get("bundler").status()).isEqualTo(Status.API_CLASH);
      assertThat(ndp.conflicts()).hasSize(1);

      // Only healthy kinds are available, and the healthy one works end to end.
      assertThat(ndp.factories().types())
          .contains("echo", "sequential")
          .doesNotContain("throwing", "ghostly", "future", "bundled");
      ndp.register(new PatternDefinition("echo", "e", "", Map.of()));
      ndp.delegates().register("work", in -> in + "!");
      PatternResult result = ndp.executor().executeBestPattern(echo("hi"));
      assertThat(result.success()).as(result.message()).isTrue();
      assertThat(result.output()).isEqualTo("v1:hi!");
    }
  }

  @Test
  void storedDefinitions_areRebuiltByTheirKind_orKeptAndReported() throws Exception {
    TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    InMemoryDefinitionStore defs = new InMemoryDefinitionStore();
    defs.store(new PatternDefinition("echo", "stored-echo", "", Map.of()));
    defs.store(new PatternDefinition("quantum", "stored-quantum", "", Map.of("qubits", 5)));
    defs.store(
        new PatternDefinition("sequential", "stored-seq", "", Map.of("steps", List.of("a"))));

    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).definitionStore(defs).build()) {
      assertThat(ndp.registry().find("stored-echo")).isPresent();
      assertThat(ndp.registry().find("stored-seq")).isPresent();
      assertThat(ndp.registry().find("stored-quantum")).isEmpty();
      assertThat(ndp.unresolvedDefinitions())
          .extracting(PatternDefinition::name)
          .containsExactly("stored-quantum");
    }
    assertThat(defs.findAll()).hasSize(3);
  }

  @Test
  void sameTypeOnClassPathAndInPlugin_classPathWins_andThePluginIsReported() throws Exception {
    TestPluginJar.echoKind("fake-sequential", "sequential", "fake").writeTo(plugins);

    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      assertThat(ndp.factories().find("sequential").orElseThrow())
          .isInstanceOf(SequentialDelegationPatternFactory.class);
      assertThat(ndp.pluginReport("fake-sequential").orElseThrow().status())
          .isEqualTo(Status.CONFLICT);
      assertThat(ndp.conflicts()).singleElement().asString().contains("classpath");
    }
  }

  @Test
  void twoVersionsOfOnePlugin_theHighestIsLoaded_theOtherReportedAsSuperseded() throws Exception {
    // Written in an order where the folder listing puts the older one first or last alike.
    TestPluginJar.echoKind("echo-plugin", "echo", "v10").version("1.10.0").writeTo(plugins);
    TestPluginJar.echoKind("echo-plugin", "echo", "v9").version("1.9.0").writeTo(plugins);

    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      assertThat(ndp.pluginReport("echo-plugin").orElseThrow().status()).isEqualTo(Status.STARTED);
      PluginReport older = ndp.pluginReport("echo-plugin@echo-plugin-1.9.0.jar").orElseThrow();
      assertThat(older.status()).isEqualTo(Status.SUPERSEDED);
      assertThat(older.reason()).contains("1.9.0").contains("superseded by 1.10.0");

      ndp.register(new PatternDefinition("echo", "e", "", Map.of()));
      ndp.delegates().register("work", in -> in);
      assertThat(ndp.executor().executeBestPattern(echo("x")).output()).isEqualTo("v10:x");
    }
  }

  @Test
  void hostFactories_winOverTheClassPath() {
    var mine = new SequentialDelegationPatternFactory();
    try (Ndp ndp = Ndp.builder().factories(mine).build()) {
      assertThat(ndp.factories().find("sequential")).containsSame(mine);
      assertThat(ndp.conflicts()).isEmpty(); // same class on both sides: not a conflict
    }
  }

  @Test
  void stop_waitsForInFlightExecutions_unloadReleases_andANewVersionLoads() throws Exception {
    TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    Ndp ndp = Ndp.builder().pluginsDir(plugins).build();
    try {
      ndp.register(new PatternDefinition("echo", "e", "", Map.of()));
      CountDownLatch entered = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      ndp.delegates()
          .register(
              "work",
              in -> {
                if ("slow".equals(in)) {
                  entered.countDown();
                  assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
                }
                return in;
              });
      WeakReference<ClassLoader> v1Loader =
          new WeakReference<>(ndp.registry().getPattern("e").getClass().getClassLoader());

      CompletableFuture<PatternResult> inFlight =
          CompletableFuture.supplyAsync(() -> ndp.executor().executeBestPattern(echo("slow")));
      assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Boolean> stopping =
          CompletableFuture.supplyAsync(() -> ndp.stopPlugin("echo-plugin"));

      // The pattern leaves the registry at once, but the stop waits for the running execution.
      await().atMost(Duration.ofSeconds(10)).until(() -> ndp.registry().find("e").isEmpty());
      assertThat(stopping).isNotDone();
      assertThatThrownBy(() -> ndp.executor().executeBestPattern(echo("new")))
          .isInstanceOf(UnknownAgentTypeException.class);

      release.countDown();
      assertThat(stopping.get(30, TimeUnit.SECONDS)).isTrue();
      assertThat(inFlight.get(30, TimeUnit.SECONDS).output()).isEqualTo("v1:slow");
      assertThat(ndp.pluginReport("echo-plugin").orElseThrow().status()).isEqualTo(Status.STOPPED);

      assertThat(ndp.unloadPlugin("echo-plugin", Duration.ofSeconds(5))).isTrue();
      assertThat(ndp.pluginReport("echo-plugin").orElseThrow().status()).isEqualTo(Status.UNLOADED);
      assertThat(ndp.storage().findDefinition("e")).isPresent();
      assertThat(ndp.unresolvedDefinitions())
          .extracting(PatternDefinition::name)
          .containsExactly("e");

      // Nothing in core keeps the unloaded plugin's classes alive.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                System.gc();
                return v1Loader.get() == null;
              });

      // A new version dropped in: the stored definition is served by it.
      Path v2 =
          TestPluginJar.echoKind("echo-plugin", "echo", "v2").version("2.0.0").writeTo(plugins);
      assertThat(ndp.loadPlugin(v2).status()).isEqualTo(Status.STARTED);
      PatternResult r = ndp.executor().executeBestPattern(echo("again"));
      assertThat(r.output()).isEqualTo("v2:again");
    } finally {
      ndp.close();
    }
  }

  @Test
  void lifecycleCalls_withoutPluginsFolderOrWithUnknownId_areClearErrors() throws Exception {
    try (Ndp ndp = Ndp.builder().build()) {
      assertThatThrownBy(() -> ndp.stopPlugin("x"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("pluginsDir");
    }
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      assertThatThrownBy(() -> ndp.stopPlugin("nope"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'nope'");
    }
  }
}
