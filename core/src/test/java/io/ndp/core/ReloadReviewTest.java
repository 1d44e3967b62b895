package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.ndp.api.BreakerState;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternResult;
import io.ndp.api.event.NdpListener;
import io.ndp.api.event.PluginFailedEvent;
import io.ndp.api.event.PluginLoadedEvent;
import io.ndp.api.event.PluginStoppedEvent;
import io.ndp.core.PluginReport.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Review of {@link Ndp#reloadPlugin} and its restore-on-timeout path, with real plugin JARs. */
class ReloadReviewTest {

  @TempDir Path plugins;

  private static PatternContext ctx(String agentType, String payload) {
    return PatternContext.builder("orders", agentType).payload(payload).build();
  }

  /** Delegate {@code work}: returns its input; the payload "slow" blocks until released. */
  private static final class Gate {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    void install(Ndp ndp) {
      ndp.delegates()
          .register(
              "work",
              in -> {
                if ("slow".equals(in)) {
                  entered.countDown();
                  if (!release.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("never released");
                  }
                }
                return in;
              });
    }
  }

  private static CompletableFuture<PatternResult> hold(Ndp ndp, Gate gate, String agentType)
      throws InterruptedException {
    CompletableFuture<PatternResult> f =
        CompletableFuture.supplyAsync(
            () -> ndp.executor().executeBestPattern(ctx(agentType, "slow")));
    assertThat(gate.entered.await(30, TimeUnit.SECONDS)).as("the execution is in flight").isTrue();
    return f;
  }

  @Test
  void reload_bringsBackEveryTransitiveDependent_notOnlyTheDirectOnes() throws Exception {
    TestPluginJar.echoKind("a-plugin", "echo", "a").writeTo(plugins);
    TestPluginJar.echoKind("b-plugin", "echo2", "b", "echo2")
        .dependencies("a-plugin")
        .writeTo(plugins);
    TestPluginJar.echoKind("c-plugin", "echo3", "c", "echo3")
        .dependencies("b-plugin")
        .writeTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      ndp.delegates().register("work", in -> in);
      ndp.register(new PatternDefinition("echo3", "e3", "", Map.of()));
      assertThat(ndp.pluginReport("c-plugin").orElseThrow().status()).isEqualTo(Status.STARTED);

      assertThat(ndp.reloadPlugin("a-plugin").status()).isEqualTo(Status.STARTED);

      assertThat(ndp.pluginReport("b-plugin").orElseThrow().status()).isEqualTo(Status.STARTED);
      // Dependents are loaded again in reverse BFS order (the stop order): c before b, whose
      // dependency is not there yet.
      assertThat(ndp.pluginReport("c-plugin").orElseThrow().status())
          .as("c depends on b, which depends on a: unloaded with a, it must come back too")
          .isEqualTo(Status.STARTED);
      assertThat(ndp.registry().find("e3")).isPresent();
    }
  }

  @Test
  void reload_ofAPluginWhoseJarWasReplacedByACorruptFile_leavesItAndItsDependentsServing()
      throws Exception {
    Path baseJar = TestPluginJar.echoKind("base-plugin", "echo", "v1").writeTo(plugins);
    TestPluginJar.echoKind("ext-plugin", "echo2", "ext", "echo2")
        .dependencies("base-plugin")
        .writeTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      ndp.delegates().register("work", in -> in);
      ndp.register(new PatternDefinition("echo", "e", "", Map.of()));
      ndp.register(new PatternDefinition("echo2", "e2", "", Map.of()));
      Files.write(baseJar, new byte[] {'n', 'o', 't', ' ', 'a', ' ', 'j', 'a', 'r'});

      // A reload that cannot load the JAR must not first unload what works (and what depends on
      // it): refused (thrown or reported), nothing changed.
      catchThrowable(() -> ndp.reloadPlugin("base-plugin"));

      assertThat(ndp.pluginReport("base-plugin").orElseThrow().status()).isEqualTo(Status.STARTED);
      assertThat(ndp.pluginReport("ext-plugin").orElseThrow().status())
          .as("the dependent is not lost")
          .isEqualTo(Status.STARTED);
      assertThat(ndp.executor().executeBestPattern(ctx("echo2", "x")).output()).isEqualTo("ext:x");
    }
  }

  @Test
  void reload_ofAPluginWhoseJarWasDeleted_leavesItAndItsDependentsServing() throws Exception {
    Path baseJar = TestPluginJar.echoKind("base-plugin", "echo", "v1").writeTo(plugins);
    TestPluginJar.echoKind("ext-plugin", "echo2", "ext", "echo2")
        .dependencies("base-plugin")
        .writeTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      ndp.delegates().register("work", in -> in);
      ndp.register(new PatternDefinition("echo", "e", "", Map.of()));
      ndp.register(new PatternDefinition("echo2", "e2", "", Map.of()));
      Files.delete(baseJar);

      // No JAR to reload from: refused (thrown or reported), nothing changed.
      catchThrowable(() -> ndp.reloadPlugin("base-plugin"));

      assertThat(ndp.pluginReport("base-plugin").orElseThrow().status()).isEqualTo(Status.STARTED);
      assertThat(ndp.pluginReport("ext-plugin").orElseThrow().status())
          .as("the dependent is not lost")
          .isEqualTo(Status.STARTED);
      assertThat(ndp.registry().find("e2")).isPresent();
    }
  }

  @Test
  void reload_afterADependentsStopTimedOut_stillWaitsForThatDependentsExecutions()
      throws Exception {
    TestPluginJar.echoKind("base-plugin", "echo", "v1").writeTo(plugins);
    TestPluginJar.echoKind("ext-plugin", "echo2", "ext", "echo2")
        .dependencies("base-plugin")
        .writeTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).drainTimeout(Duration.ofMillis(200)).build()) {
      Gate gate = new Gate();
      gate.install(ndp);
      ndp.register(new PatternDefinition("echo", "e", "", Map.of()));
      ndp.register(new PatternDefinition("echo2", "e2", "", Map.of()));
      CompletableFuture<PatternResult> inFlight = hold(ndp, gate, "echo2"); // runs e2 (ext)
      try {
        assertThat(ndp.stopPlugin("ext-plugin")).as("e2 still runs: not stopped yet").isFalse();

        // e2 still runs: unloading base unloads ext too, under that execution's feet.
        assertThatThrownBy(() -> ndp.reloadPlugin("base-plugin"))
            .as("the dependent's execution still runs after the drain timeout: refused")
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("not reloaded");
      } finally {
        gate.release.countDown();
        inFlight.get(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void reload_thatTimesOut_keepsServingPatternsRegisteredStraightInTheRegistry() throws Exception {
    TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).drainTimeout(Duration.ofMillis(200)).build()) {
      Gate gate = new Gate();
      gate.install(ndp);
      // Built by the plugin's kind, registered (not stored): the registry's own API allows it.
      ndp.registry().register(ndp.create(new PatternDefinition("echo", "adhoc", "", Map.of())));
      CompletableFuture<PatternResult> inFlight = hold(ndp, gate, "echo");
      try {
        assertThatThrownBy(() -> ndp.reloadPlugin("echo-plugin"))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("keeps serving as before");

        assertThat(ndp.registry().find("adhoc"))
            .as("'keeps serving as before': the pattern it served is still registered")
            .isPresent();
      } finally {
        gate.release.countDown();
        inFlight.get(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void reload_thatTimesOut_endsWithTheOtherPluginInConflictAgain_andSaysSoLast() throws Exception {
    TestPluginJar.echoKind("a-plugin", "echo", "a").writeTo(plugins);
    TestPluginJar.echoKind("b-plugin", "echo", "b").writeTo(plugins);
    List<String> heard = new CopyOnWriteArrayList<>();
    NdpListener listener =
        new NdpListener() {
          @Override
          public void onPluginLoaded(PluginLoadedEvent event) {
            heard.add("loaded " + event.pluginId());
          }

          @Override
          public void onPluginFailed(PluginFailedEvent event) {
            heard.add("failed " + event.pluginId() + " " + event.state());
          }

          @Override
          public void onPluginStopped(PluginStoppedEvent event) {
            heard.add("stopped " + event.pluginId());
          }
        };
    try (Ndp ndp =
        Ndp.builder()
            .pluginsDir(plugins)
            .listener(listener)
            .drainTimeout(Duration.ofMillis(200))
            .build()) {
      assertThat(ndp.pluginReport("b-plugin").orElseThrow().status()).isEqualTo(Status.CONFLICT);
      Gate gate = new Gate();
      gate.install(ndp);
      ndp.register(new PatternDefinition("echo", "e", "", Map.of()));
      CompletableFuture<PatternResult> inFlight = hold(ndp, gate, "echo");
      try {
        heard.clear();
        assertThatThrownBy(() -> ndp.reloadPlugin("a-plugin"))
            .isInstanceOf(IllegalStateException.class);

        assertThat(ndp.pluginReport("b-plugin").orElseThrow().status()).isEqualTo(Status.CONFLICT);
        // Adjusted by the owner: during the drain a's type was withdrawn and b really served it,
        // so listeners hear that window truthfully (b loaded, then in conflict again); what must
        // hold is that it ends as it began and says so last.
        assertThat(heard).containsExactly("loaded b-plugin", "failed b-plugin CONFLICT");
        assertThat(ndp.factories().find("echo").orElseThrow().getClass().getClassLoader())
            .as("a serves the type again")
            .isSameAs(ndp.registry().getPattern("e").getClass().getClassLoader());
      } finally {
        gate.release.countDown();
        inFlight.get(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void reload_thatTimesOut_keepsThePluginPatternsOpenBreakers() throws Exception {
    TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    try (Ndp ndp =
        Ndp.builder()
            .pluginsDir(plugins)
            .drainTimeout(Duration.ofMillis(200))
            .circuitBreaker(
                BreakerPolicy.builder()
                    .window(1)
                    .minimumCalls(1)
                    .coolDown(Duration.ofMinutes(10))
                    .build())
            .build()) {
      Gate gate = new Gate();
      ndp.delegates()
          .register(
              "work",
              in -> {
                if ("fail".equals(in)) {
                  throw new IllegalStateException("down in eu");
                }
                if ("slow".equals(in)) {
                  gate.entered.countDown();
                  if (!gate.release.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("never released");
                  }
                }
                return in;
              });
      ndp.register(new PatternDefinition("echo", "e", "", Map.of()));
      ndp.executor()
          .executeBestPattern(PatternContext.builder("eu", "echo").payload("fail").build());
      assertThat(ndp.registry().breakerState("e", "eu")).isEqualTo(BreakerState.OPEN);
      CompletableFuture<PatternResult> inFlight = hold(ndp, gate, "echo"); // domain "orders"
      try {
        assertThatThrownBy(() -> ndp.reloadPlugin("echo-plugin"))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("keeps serving as before");

        // "Nothing changed": the pattern failing in eu must not get eu's traffic again.
        assertThat(ndp.registry().breakerState("e", "eu"))
            .as("the breaker opened by eu's failures, after a reload that did not happen")
            .isEqualTo(BreakerState.OPEN);
      } finally {
        gate.release.countDown();
        inFlight.get(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void reload_interruptedWhileDraining_putsThePluginsTypeAndPatternsBack() throws Exception {
    TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).drainTimeout(Duration.ofSeconds(30)).build()) {
      Gate gate = new Gate();
      gate.install(ndp);
      ndp.register(new PatternDefinition("echo", "e", "", Map.of()));
      CompletableFuture<PatternResult> inFlight = hold(ndp, gate, "echo");
      try {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread reloader =
            new Thread(
                () -> {
                  try {
                    ndp.reloadPlugin("echo-plugin");
                  } catch (Throwable t) {
                    thrown.set(t);
                  }
                },
                "reloader");
        reloader.start();
        // Draining: its pattern has left the registry; the host gives up on the reload.
        await().atMost(Duration.ofSeconds(10)).until(() -> ndp.registry().find("e").isEmpty());
        reloader.interrupt();
        reloader.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(reloader.isAlive()).isFalse();

        // Not reloaded (the in-flight execution still runs): then nothing may have changed.
        assertThat(thrown.get()).as("not reloaded").isNotNull();
        assertThat(ndp.factories().find("echo")).as("its type is back").isPresent();
        assertThat(ndp.registry().find("e")).as("its stored pattern is back").isPresent();
      } finally {
        gate.release.countDown();
        inFlight.get(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void reload_ofAJarReportedUnreadable_thatIsFixedNow_leavesNoStaleReportOfThatJar()
      throws Exception {
    Path jar = plugins.resolve("late-plugin-1.0.0.jar");
    Files.write(jar, new byte[] {'n', 'o', 't', ' ', 'a', ' ', 'j', 'a', 'r'});
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      String broken = "?@late-plugin-1.0.0.jar";
      assertThat(ndp.pluginReport(broken).orElseThrow().status()).isEqualTo(Status.INVALID);
      assertThat(TestPluginJar.echoKind("late-plugin", "echo", "ok").writeTo(plugins))
          .isEqualTo(jar);

      // The console's reload (or start) of the listed broken JAR.
      assertThat(ndp.reloadPlugin(broken).status()).isEqualTo(Status.STARTED);

      assertThat(ndp.pluginReports())
          .as("the same file cannot be both a started plugin and an unreadable JAR")
          .filteredOn(r -> r.path().equals(jar))
          .extracting(PluginReport::status)
          .containsExactly(Status.STARTED);
    }
  }

  /** Records the plugin events it hears as "loaded id", "failed id STATE", "stopped id". */
  private static final class PluginEvents implements NdpListener {
    final List<String> heard = new CopyOnWriteArrayList<>();

    @Override
    public void onPluginLoaded(PluginLoadedEvent event) {
      heard.add("loaded " + event.pluginId());
    }

    @Override
    public void onPluginFailed(PluginFailedEvent event) {
      heard.add("failed " + event.pluginId() + " " + event.state());
    }

    @Override
    public void onPluginStopped(PluginStoppedEvent event) {
      heard.add("stopped " + event.pluginId());
    }
  }

  @Test
  void removeListener_duringAReloadsDrain_leavesNoOldEventForTheNextListener() throws Exception {
    TestPluginJar.echoKind("a-plugin", "echo", "a").writeTo(plugins);
    TestPluginJar.echoKind("b-plugin", "echo", "b").writeTo(plugins); // CONFLICT: a wins 'echo'
    PluginEvents first = new PluginEvents();
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).listener(first).build()) {
      Gate gate = new Gate();
      gate.install(ndp);
      ndp.register(new PatternDefinition("echo", "e", "", Map.of()));
      CompletableFuture<PatternResult> inFlight = hold(ndp, gate, "echo");
      CompletableFuture<PluginReport> reload =
          CompletableFuture.supplyAsync(() -> ndp.reloadPlugin("a-plugin"));
      // Draining: a's type is withdrawn, b's report flipped to STARTED (its event is queued).
      await().atMost(Duration.ofSeconds(10)).until(() -> ndp.registry().find("e").isEmpty());
      assertThat(ndp.removeListener(first)).isTrue(); // e.g. a console closed meanwhile
      gate.release.countDown();
      inFlight.get(30, TimeUnit.SECONDS);
      assertThat(reload.get(30, TimeUnit.SECONDS).status()).isEqualTo(Status.STARTED);

      PluginEvents next = new PluginEvents();
      ndp.addListener(next); // "everything the runtime reports from now on"
      assertThat(ndp.stopPlugin("b-plugin")).isTrue();

      assertThat(next.heard)
          .as("only what happened after it was added")
          .containsExactly("stopped b-plugin");
    }
  }

  @Test
  void reload_ofAZippedPlugin_servesTheFixedZipDroppedAtItsPath() throws Exception {
    Path zip = TestPluginJar.echoKind("zipped", "zipped-kind", "z1", "zipped").writeZipTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      ndp.delegates().register("work", in -> in);
      ndp.register(new PatternDefinition("zipped-kind", "z", "", Map.of()));
      assertThat(ndp.executor().executeBestPattern(ctx("zipped", "x")).output()).isEqualTo("z1:x");
      // A fixed zip at the same path, newer than the folder PF4J unpacked the first one into.
      assertThat(
              TestPluginJar.echoKind("zipped", "zipped-kind", "z2", "zipped").writeZipTo(plugins))
          .isEqualTo(zip);
      Files.setLastModifiedTime(
          zip, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));

      assertThat(ndp.reloadPlugin("zipped").status()).isEqualTo(Status.STARTED);

      assertThat(ndp.executor().executeBestPattern(ctx("zipped", "y")).output())
          .as("'a fixed or newer JAR at the same path': the plugin dropped in is the one served")
          .isEqualTo("z2:y");
    }
  }

  @Test
  void reloadOfADependent_afterItsDependencysStopTimedOut_stillWaitsForItsExecutions()
      throws Exception {
    TestPluginJar.echoKind("base-plugin", "echo", "v1").writeTo(plugins);
    TestPluginJar.echoKind("ext-plugin", "echo2", "ext", "echo2")
        .dependencies("base-plugin")
        .writeTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).drainTimeout(Duration.ofMillis(200)).build()) {
      Gate gate = new Gate();
      gate.install(ndp);
      ndp.register(new PatternDefinition("echo", "e", "", Map.of()));
      ndp.register(new PatternDefinition("echo2", "e2", "", Map.of()));
      CompletableFuture<PatternResult> inFlight = hold(ndp, gate, "echo2"); // runs e2 (ext)
      try {
        // Stopping base stops ext too: it waits for e2, which still runs.
        assertThat(ndp.stopPlugin("base-plugin")).isFalse();

        // The same e2 still runs: ext cannot be unloaded (and loaded anew) under its feet.
        assertThatThrownBy(() -> ndp.reloadPlugin("ext-plugin"))
            .as("ext's execution still runs after the drain timeout: refused")
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("not reloaded");
      } finally {
        gate.release.countDown();
        inFlight.get(30, TimeUnit.SECONDS);
      }
    }
  }
}
