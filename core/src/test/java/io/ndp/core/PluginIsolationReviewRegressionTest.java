package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.ndp.api.PatternDefinition;
import io.ndp.core.PluginReport.Status;
import io.ndp.core.internal.InMemoryDefinitionStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression tests for the defects a review of plugin isolation proved, one per defect, each named
 * after what broke; real plugin JARs built in the test.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PluginIsolationReviewRegressionTest {

  @TempDir Path plugins;

  private static final String PATTERN =
      """
      package PKG;
      import io.ndp.api.*;
      import java.util.*;
      public final class P extends AbstractPattern {
        public P(String name) { super(name, ""); }
        public String type() { return "TYPE"; }
        public Set<String> typeAliases() { return Set.of(); }
        public Set<String> agentTypes() { AGENTS }
        public MatchResult match(PatternContext c) { return MatchResult.perfect(); }
        public PatternOutcome execute(PatternContext c, ExecutionScope s) {
          return PatternOutcome.success("ok", "ok");
        }
        public PatternDefinition definition() {
          return new PatternDefinition("TYPE", name(), "", Map.of());
        }
      }
      """;

  private static final String FACTORY =
      """
      package PKG;
      import io.ndp.api.*;
      import java.util.*;
      public final class F implements PatternFactory {
        public String type() { return "TYPE"; }
        public Set<String> aliases() { return Set.of(); }
        public Pattern create(PatternDefinition d) { return new PCLASS(d.name()); }
      }
      """;

  /** A kind whose pattern is {@code P} with the given agentTypes() body. */
  private static TestPluginJar kind(String id, String type, String agentsBody) {
    String pkg = "test." + id.replace('-', '_');
    return new TestPluginJar(id)
        .source(
            pkg + ".P",
            PATTERN.replace("PKG", pkg).replace("TYPE", type).replace("AGENTS", agentsBody))
        .factory(
            pkg + ".F", FACTORY.replace("PKG", pkg).replace("TYPE", type).replace("PCLASS", "P"));
  }

  private static TestPluginJar kind(String id, String type) {
    return kind(id, type, "return Set.of(\"" + id + "\");");
  }

  // A: a stored definition whose plugin pattern fails to link in agentTypes() breaks build().
  @Test
  void A_buildNeverThrows_whenAStoredPatternsAgentTypesFailsToLink() throws Exception {
    kind("linkbad", "linkbad-kind", "throw new NoClassDefFoundError(\"test/linkbad/Gone\");")
        .writeTo(plugins);
    kind("healthy-a", "healthy-a-kind").writeTo(plugins);
    InMemoryDefinitionStore defs = new InMemoryDefinitionStore();
    defs.store(new PatternDefinition("linkbad-kind", "stored-bad", "", Map.of()));
    defs.store(new PatternDefinition("healthy-a-kind", "stored-ok", "", Map.of()));

    assertThatCode(
            () -> {
              try (Ndp ndp = Ndp.builder().pluginsDir(plugins).definitionStore(defs).build()) {
                assertThat(ndp.registry().find("stored-ok")).isPresent();
              }
            })
        .doesNotThrowAnyException();
  }

  // B: "Plugin-Requires: 0.1.0" means ">=0.1.0" to PF4J (the plugin starts), but the resolver
  // calls it disabled and leaves its dependents out.
  @Test
  void B_aDependencyWithAnExactStyleRequires_isStarted_soItsDependentIsNotLeftOut()
      throws Exception {
    kind("req-base", "req-base-kind").requires("0.1.0").writeTo(plugins);
    kind("req-ext", "req-ext-kind").dependencies("req-base").writeTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      PluginReport base = ndp.pluginReport("req-base").orElseThrow();
      PluginReport ext = ndp.pluginReport("req-ext").orElseThrow();
      assertThat(base.status()).isEqualTo(Status.STARTED);
      assertThat(ext.status()).as(ext.reason()).isEqualTo(Status.STARTED);
    }
  }

  // C: a plugin disabled by the operator (disabled.txt) is enabled and started because a
  // dependent asks for it.
  @Test
  void C_aPluginDisabledInDisabledTxt_staysDisabled_evenWithADependent() throws Exception {
    kind("dis-base", "dis-base-kind").writeTo(plugins);
    kind("dis-ext", "dis-ext-kind").dependencies("dis-base").writeTo(plugins);
    Files.writeString(plugins.resolve("disabled.txt"), "dis-base\n");
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      assertThat(ndp.pluginReport("dis-base").orElseThrow().status()).isEqualTo(Status.DISABLED);
      assertThat(ndp.factories().types()).doesNotContain("dis-base-kind");
      assertThat(ndp.pluginReport("dis-ext").orElseThrow().status()).isNotEqualTo(Status.STARTED);
    }
    assertThat(Files.readString(plugins.resolve("disabled.txt"))).contains("dis-base");
  }

  // D: a plugin whose start() failed is started again once per dependent.
  @Test
  void D_aFailedPluginsStart_isNotRetriedForEachDependent() throws Exception {
    String pkg = "test.fail_base";
    kind("fail-base", "fail-base-kind")
        .pluginClass(pkg + ".Counting", countingPlugin(pkg, "r3fail", true))
        .writeTo(plugins);
    kind("fail-ext1", "fail-ext1-kind").dependencies("fail-base").writeTo(plugins);
    kind("fail-ext2", "fail-ext2-kind").dependencies("fail-base").writeTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      assertThat(ndp.pluginReport("fail-base").orElseThrow().status()).isEqualTo(Status.FAILED);
      assertThat(Integer.getInteger("r3fail.start")).isEqualTo(1);
    }
  }

  // E: loading a dependent at runtime silently restarts its STOPPED dependency.
  @Test
  void E_loadingADependentOfAStoppedPlugin_doesNotRestartItBehindTheReportsBack() throws Exception {
    String pkg = "test.stop_base";
    kind("stop-base", "stop-base-kind")
        .pluginClass(pkg + ".Counting", countingPlugin(pkg, "r3stop", false))
        .writeTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      assertThat(ndp.stopPlugin("stop-base", Duration.ofSeconds(5))).isTrue();
      assertThat(Integer.getInteger("r3stop.start")).isEqualTo(1);
      Path late =
          kind("stop-ext", "stop-ext-kind")
              .dependencies("stop-base")
              .writeTo(plugins.resolve("later"));

      PluginReport ext = ndp.loadPlugin(late);

      PluginReport base = ndp.pluginReport("stop-base").orElseThrow();
      boolean baseRunning = Integer.getInteger("r3stop.start") > Integer.getInteger("r3stop.stop");
      // Either the dependent is refused, or its dependency is started and reported as such.
      assertThat(baseRunning)
          .as("stop-base's start() ran again (ext %s), report says %s", ext.status(), base.status())
          .isEqualTo(base.status() == Status.STARTED);
    }
  }

  /** A kind whose factory builds the pattern class {@code patternClass} found by reflection. */
  private static TestPluginJar reflectiveKind(String id, String type, String patternClass) {
    String pkg = "test." + id.replace('-', '_');
    return new TestPluginJar(id)
        .factory(
            pkg + ".F",
            """
            package PKG;
            import io.ndp.api.*;
            import java.util.*;
            public final class F implements PatternFactory {
              public String type() { return "TYPE"; }
              public Set<String> aliases() { return Set.of(); }
              public Pattern create(PatternDefinition d) {
                try {
                  return (Pattern) Class.forName("CLS", true, F.class.getClassLoader())
                      .getConstructor(String.class).newInstance(d.name());
                } catch (ReflectiveOperationException e) {
                  throw new IllegalStateException(e);
                }
              }
            }
            """
                .replace("PKG", pkg)
                .replace("TYPE", type)
                .replace("CLS", patternClass));
  }

  // F: a pattern whose class comes from a library plugin (no factories: NO_EXTENSIONS) that the
  // building plugin depends on is refused as "its plugin is not started".
  @Test
  void F_aPatternWhoseClassLivesInALibraryDependency_canBeRegistered() throws Exception {
    new TestPluginJar("lib")
        .source(
            "test.lib.P",
            PATTERN
                .replace("PKG", "test.lib")
                .replace("TYPE", "user-kind")
                .replace("AGENTS", "return Set.of(\"user\");"))
        .writeTo(plugins);
    reflectiveKind("user", "user-kind", "test.lib.P").dependencies("lib").writeTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      assertThat(ndp.pluginReport("lib").orElseThrow().status()).isEqualTo(Status.NO_EXTENSIONS);
      assertThat(ndp.pluginReport("user").orElseThrow().status()).isEqualTo(Status.STARTED);

      assertThatCode(() -> ndp.register(new PatternDefinition("user-kind", "u", "", Map.of())))
          .doesNotThrowAnyException();
    }
  }

  // G: a dependent of an API_CLASH plugin loads the clashing API copy through it: reported
  // STARTED with its types, yet it can never build a pattern.
  @Test
  void G_aDependentOfAnApiClashPlugin_isNotReportedHealthyWhenItCannotBuild() throws Exception {
    kind("clash-base", "clash-base-kind")
        .bundlingApiClass(PatternDefinition.class)
        .writeTo(plugins);
    kind("clash-ext", "clash-ext-kind").dependencies("clash-base").writeTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      assertThat(ndp.pluginReport("clash-base").orElseThrow().status()).isEqualTo(Status.API_CLASH);
      PluginReport ext = ndp.pluginReport("clash-ext").orElseThrow();
      Throwable t =
          org.assertj.core.api.Assertions.catchThrowable(
              () -> ndp.register(new PatternDefinition("clash-ext-kind", "c", "", Map.of())));
      // Either it is healthy and builds, or it is not reported healthy.
      assertThat(t == null || ext.status() != Status.STARTED)
          .as(
              "clash-ext is %s with types %s, but register() throws %s",
              ext.status(), ext.types(), t)
          .isTrue();
    }
  }

  // H: after close(), a plugin whose thread outlives it is still reported STARTED.
  @Test
  void H_afterClose_aPluginWhoseThreadLivesOn_isReportedLeaked() throws Exception {
    String pkg = "test.close_leak";
    kind("close-leak", "close-leak-kind")
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
                }, "r3-close-leak-worker");
                t.setDaemon(true);
                t.start();
              }
            }
            """
                .replace("PKG", pkg))
        .writeTo(plugins);
    Ndp ndp = Ndp.builder().pluginsDir(plugins).build();
    ndp.close();
    PluginReport r = ndp.pluginReport("close-leak").orElseThrow();
    assertThat(r.status()).as(r.reason()).isEqualTo(Status.LEAKED);
  }

  // I: two JARs of one id where one has a version jSemVer cannot parse: PF4J alone would load the
  // rest of the folder; the resolver's version comparison throws and nothing loads at all.
  @Test
  void I_anUnparsableVersionInADuplicateId_doesNotTakeTheWholeFolderDown() throws Exception {
    kind("dup", "dup-kind").version("1.0").writeTo(plugins);
    kind("dup", "dup-kind").version("2.0.0").writeTo(plugins);
    kind("bystander", "bystander-kind").writeTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      assertThat(ndp.pluginReport("bystander").map(PluginReport::status))
          .as("%s", ndp.pluginReports())
          .contains(Status.STARTED);
    }
  }

  // J: a plugin pattern whose definition() fails to link: register() fails, yet the pattern
  // stays registered (and served) with nothing stored.
  @Test
  void J_aPatternWhoseDefinitionFailsToLink_doesNotStayRegistered() throws Exception {
    String pkg = "test.defbad";
    new TestPluginJar("defbad")
        .source(
            pkg + ".P",
            PATTERN
                .replace("PKG", pkg)
                .replace("TYPE", "defbad-kind")
                .replace("AGENTS", "return Set.of(\"defbad\");")
                .replace(
                    "return new PatternDefinition(\"defbad-kind\", name(), \"\", Map.of());",
                    "throw new NoClassDefFoundError(\"test/defbad/Gone\");"))
        .factory(
            pkg + ".F",
            FACTORY.replace("PKG", pkg).replace("TYPE", "defbad-kind").replace("PCLASS", "P"))
        .writeTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      Throwable t =
          org.assertj.core.api.Assertions.catchThrowable(
              () -> ndp.register(new PatternDefinition("defbad-kind", "d", "", Map.of())));
      assertThat(t).isNotNull();
      assertThat(ndp.storage().findDefinition("d")).isEmpty();
      assertThat(ndp.registry().find("d")).as("register() threw %s", t).isEmpty();
    }
  }

  /** A plugin whose started/stopped counts go to system properties "ID.start"/"ID.stop". */
  private static String countingPlugin(String pkg, String id, boolean startThrows) {
    return """
        package PKG;
        public class Counting extends org.pf4j.Plugin {
          @Override public void start() {
            System.setProperty("ID.start",
                String.valueOf(Integer.getInteger("ID.start", 0) + 1));
            if (THROWS) throw new IllegalStateException("licence expired");
          }
          @Override public void stop() {
            System.setProperty("ID.stop", String.valueOf(Integer.getInteger("ID.stop", 0) + 1));
          }
        }
        """
        .replace("PKG", pkg)
        .replace("ID", id)
        .replace("THROWS", String.valueOf(startThrows));
  }
}
