package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternResult;
import io.ndp.api.event.ExecutionFinishedEvent;
import io.ndp.api.event.NdpListener;
import io.ndp.core.PluginReport.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Ndp#reloadPlugin} and {@link Ndp#removeListener}, with real plugin JARs. */
class NdpReloadPluginTest {

  @TempDir Path plugins;

  private static PatternContext echo(String payload) {
    return PatternContext.builder("orders", "echo").payload(payload).build();
  }

  @Test
  void reload_loadsTheJarAtItsPathAnew_andBringsBackThePluginsThatDependOnIt() throws Exception {
    TestPluginJar.echoKind("base-plugin", "echo", "v1").writeTo(plugins);
    TestPluginJar.echoKind("ext-plugin", "echo2", "ext", "echo2")
        .dependencies("base-plugin")
        .writeTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      ndp.delegates().register("work", in -> in);
      ndp.register(new PatternDefinition("echo", "e", "", Map.of()));
      ndp.register(new PatternDefinition("echo2", "e2", "", Map.of()));
      assertThat(ndp.executor().executeBestPattern(echo("a")).output()).isEqualTo("v1:a");

      // A fixed JAR at the same path: the reload serves it.
      TestPluginJar.echoKind("base-plugin", "echo", "v1b").writeTo(plugins);
      PluginReport after = ndp.reloadPlugin("base-plugin");

      assertThat(after.status()).isEqualTo(Status.STARTED);
      assertThat(ndp.pluginReport("ext-plugin").orElseThrow().status())
          .as("unloaded with it, loaded again after it")
          .isEqualTo(Status.STARTED);
      assertThat(ndp.registry().find("e")).isPresent();
      assertThat(ndp.registry().find("e2")).as("the dependent's pattern is back").isPresent();
      assertThat(ndp.executor().executeBestPattern(echo("b")).output()).isEqualTo("v1b:b");
    }
  }

  @Test
  void reload_givesAFailedPluginAnotherTry() throws Exception {
    Path jar =
        TestPluginJar.echoKind("flaky-plugin", "echo", "x")
            .pluginClass(
                "test.flaky.Boom",
                "package test.flaky;\n"
                    + "public class Boom extends org.pf4j.Plugin {\n"
                    + "  @Override public void start() { throw new IllegalStateException(\"nope\"); }\n"
                    + "}\n")
            .writeTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      assertThat(ndp.pluginReport("flaky-plugin").orElseThrow().status()).isEqualTo(Status.FAILED);
      Path fixed = TestPluginJar.echoKind("flaky-plugin", "echo", "ok").writeTo(plugins);
      assertThat(fixed).isEqualTo(jar);

      assertThat(ndp.reloadPlugin("flaky-plugin").status()).isEqualTo(Status.STARTED);
      assertThat(ndp.factories().find("echo")).isPresent();
    }
  }

  @Test
  void reload_givesUpAfterTheRuntimesDrainTimeout_changingNothing_andCanBeRepeated()
      throws Exception {
    TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).drainTimeout(Duration.ofMillis(200)).build()) {
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
      CompletableFuture<PatternResult> inFlight =
          CompletableFuture.supplyAsync(() -> ndp.executor().executeBestPattern(echo("slow")));
      assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();

      long t0 = System.nanoTime();
      assertThatThrownBy(() -> ndp.reloadPlugin("echo-plugin"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("plugin 'echo-plugin' not reloaded")
          .hasMessageContaining("PT0.2S")
          .hasMessageContaining("keeps serving as before");
      assertThat(Duration.ofNanos(System.nanoTime() - t0))
          .as("the runtime's drain timeout, not a default of seconds")
          .isLessThan(Duration.ofSeconds(10));
      // Nothing changed: its type and pattern are back, new executions run on the old version.
      assertThat(ndp.pluginReport("echo-plugin").orElseThrow().status()).isEqualTo(Status.STARTED);
      assertThat(ndp.registry().find("e")).isPresent();
      assertThat(ndp.executor().executeBestPattern(echo("meanwhile")).output())
          .isEqualTo("v1:meanwhile");

      release.countDown();
      assertThat(inFlight.get(30, TimeUnit.SECONDS).success()).isTrue();
      assertThat(ndp.reloadPlugin("echo-plugin").status()).isEqualTo(Status.STARTED);
      assertThat(ndp.registry().find("e")).isPresent();
    }
  }

  @Test
  void loadPlugin_ofTheFileAlreadyLoaded_changesNothing_andPointsToReload() throws Exception {
    Path jar = TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      PluginReport again = ndp.loadPlugin(jar);

      assertThat(again.status()).isEqualTo(Status.INVALID);
      assertThat(again.reason()).contains("already loaded from this file").contains("reloadPlugin");
      assertThat(ndp.pluginReport("echo-plugin").orElseThrow().status())
          .as("the running plugin's report stays")
          .isEqualTo(Status.STARTED);
      assertThat(ndp.pluginReports()).hasSize(1);
    }
  }

  @Test
  void reload_ofAnUnknownIdOrWithoutPluginsFolder_isAClearError() {
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      assertThatThrownBy(() -> ndp.reloadPlugin("nope"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no plugin with id 'nope'");
    }
    try (Ndp ndp = Ndp.builder().build()) {
      assertThatThrownBy(() -> ndp.reloadPlugin("x"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("no plugins folder");
    }
  }

  @Test
  void removeListener_stopsItsEvents_andSaysWhetherItWasThere() {
    List<String> heard = new CopyOnWriteArrayList<>();
    NdpListener listener =
        new NdpListener() {
          @Override
          public void onExecutionFinished(ExecutionFinishedEvent event) {
            heard.add(event.context().domain());
          }
        };
    try (Ndp ndp = Ndp.builder().build()) {
      ndp.delegates().register("ok", in -> "done");
      ndp.register(
          new io.ndp.patterns.sequential.SequentialDelegationPattern("p", "p", List.of("ok")));
      ndp.addListener(listener);
      ndp.executor().executeBestPattern(PatternContext.builder("one", "sequential").build());
      assertThat(ndp.removeListener(listener)).isTrue();
      ndp.executor().executeBestPattern(PatternContext.builder("two", "sequential").build());

      assertThat(heard).containsExactly("one");
      assertThat(ndp.removeListener(listener)).isFalse();
      assertThatThrownBy(() -> ndp.removeListener(null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("must not be null");
    }
  }
}
