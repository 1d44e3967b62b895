package io.ndp.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternResult;
import io.ndp.core.ConsolePluginJars;
import io.ndp.core.ConsoleReview4PluginJars;
import io.ndp.core.Ndp;
import io.ndp.core.PluginReport;
import java.lang.reflect.Proxy;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/** Review 4: defects of the cell panel, the reload action, the dispatcher and the page. */
class ConsoleReview4Test {

  @TempDir Path plugins;

  private final HttpClient http = HttpClient.newHttpClient();

  // ------------------------------------------------------------------ cell endpoint and names

  @Test
  void cellOfADomainWithASpace_isThatDomainsCell() {
    // The page asks for a cell with encodeURIComponent(domain): "eu west" goes as "eu%20west".
    // The answer must be the cell of "eu west" (one success), not of a domain named "eu%20west".
    try (ConsoleRuntime rt = new ConsoleRuntime()) {
      rt.run("good", "eu west");

      JsonNode cell = rt.getJson("/api/patterns/good/domains/eu%20west");

      assertThat(cell.get("domain").asText()).isEqualTo("eu west");
      assertThat(cell.get("successes").asLong()).isEqualTo(1);
      assertThat(cell.get("lastOutcomes")).hasSize(1);
    }
  }

  @Test
  void cellOfADomainWithASlashOrAPercentSign_canBeOpened() {
    // Domains are free text ("eu/orders", "50%"): every cell the heatmap shows must open in the
    // cell panel, which asks for it as encodeURIComponent(domain).
    try (ConsoleRuntime rt = new ConsoleRuntime()) {
      rt.run("good", "eu/orders");
      rt.run("good", "50%");

      HttpResponse<String> slash = rt.get("/api/patterns/good/domains/eu%2Forders");
      HttpResponse<String> percent = rt.get("/api/patterns/good/domains/50%25");

      assertThat(slash.statusCode()).as(slash.body()).isEqualTo(200);
      assertThat(rt.parse(slash.body()).get("domain").asText()).isEqualTo("eu/orders");
      assertThat(percent.statusCode()).as(percent.body()).isEqualTo(200);
      assertThat(rt.parse(percent.body()).get("domain").asText()).isEqualTo("50%");
    }
  }

  @Test
  void heatmap_rendersWhenADomainIsNamedLikeAnObjectProperty() {
    // Domains are data: a domain named "constructor" must not break the page. console.js looks
    // pins up with forbidden[d].includes(...) on a plain object, where forbidden["constructor"]
    // is Object itself: the heatmap and the pattern table never render.
    try (ConsoleRuntime rt = new ConsoleRuntime()) {
      rt.run("good", "constructor");
      rt.run("good", "eu");
      WebDriver browser = Chromium.start();
      try {
        browser.get("http://127.0.0.1:" + rt.console.port() + "/#patterns");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(10));
        wait.until(d -> d.findElement(By.id("live")).getText().equals("live"));
        // The page loads its views 250 ms after the stream opens; give it ample time.
        wait.withMessage("the heatmap shows the cell of good in eu")
            .until(
                d ->
                    !d.findElements(
                            By.cssSelector(
                                "#heatmap td.cell[data-pattern='good'][data-domain='eu']"))
                        .isEmpty());
      } finally {
        browser.quit();
      }
    }
  }

  // ------------------------------------------------------------------ close and a second console

  @Test
  void closingAClosedConsoleAgain_leavesTheNextConsoleOnTheFeedRunning() throws Exception {
    // close() is idempotent for its own resources; called again (a try-with-resources after an
    // explicit close) it must not stop the dispatcher or the streams of the console that now
    // serves the same feed.
    try (ConsoleRuntime rt = new ConsoleRuntime()) {
      rt.console.close();
      try (NdpConsole second = NdpConsole.builder(rt.ndp).feed(rt.feed).port(0).start();
          Socket s = new Socket("127.0.0.1", second.port())) {
        s.getOutputStream()
            .write(
                "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
        await().atMost(Duration.ofSeconds(10)).until(() -> rt.feed.clientCount() == 1);

        rt.console.close(); // the first console, again

        assertThat(rt.feed.dispatching()).as("the second console's dispatcher runs").isTrue();
        assertThat(rt.feed.clientCount()).as("the second console's open stream").isEqualTo(1);
      }
    }
  }

  @Test
  void aStartThatFails_leavesNoServerOrThreadsBehind() {
    // NdpConsole.start(ndp, port) on a closed runtime: the server, the dispatcher and the
    // heartbeat are started before the feed is added to the runtime (Ndp.addListener), which
    // refuses; the start throws, and nothing it started may stay behind.
    try (ConsoleRuntime rt = new ConsoleRuntime()) {
      rt.ndp.close();
      Set<Thread> before = consoleThreads();

      assertThatThrownBy(() -> NdpConsole.start(rt.ndp, 0))
          .isInstanceOf(IllegalStateException.class);

      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(consoleThreads())
                      .as("console threads started by the failed start")
                      .isSubsetOf(before));
    }
  }

  private static Set<Thread> consoleThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> t.getName().startsWith("ndp-console-"))
        .collect(Collectors.toSet());
  }

  @Test
  void startCloseCycles_leaveNoFeedRecordingInTheRuntime() {
    // NdpConsole.start(ndp, port) adds its own feed to the runtime; after close() that feed must
    // cost the runtime nothing. It stays a listener and keeps recording every execution: its ring
    // and up to 4096 cells of 20 outcomes each, once more for every start/close cycle.
    try (ConsoleRuntime rt = new ConsoleRuntime()) {
      List<ConsoleFeed> closed = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        try (NdpConsole c = NdpConsole.start(rt.ndp, 0)) {
          closed.add(c.consoleFeed());
        }
      }

      for (int d = 0; d < 50; d++) {
        rt.run("good", "tenant-" + d);
      }

      for (ConsoleFeed f : closed) {
        assertThat(f.executionsSeen()).as("executions a closed console's feed recorded").isZero();
        assertThat(f.cells()).as("cells a closed console's feed follows").isEmpty();
      }
    }
  }

  // ------------------------------------------------------------------ the dispatcher

  @Test
  void anErrorWhileFormatting_doesNotEndEveryStream() {
    // "what happens when format throws": a RuntimeException skips the one event; an Error (e.g.
    // a StackOverflowError from Jackson) must not end the one thread that writes every stream.
    ConsoleFeed feed = NdpConsole.feed(10);
    List<String> written = new CopyOnWriteArrayList<>();
    feed.addClient(
        new EventClient(16, feed.droppedCounter(), recording(written), Callback.NOOP, c -> {}));
    feed.attach(
        (type, event) -> {
          if (type.equals("poison")) {
            throw new StackOverflowError("too deep");
          }
          return "event: " + type + "\n\n";
        });
    try {
      feed.publish("poison", "x");
      feed.publish("after", "y");

      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(() -> assertThat(written).contains("event: after\n\n"));
      assertThat(feed.dispatching()).isTrue();
    } finally {
      feed.attach(null);
    }
  }

  /** A Jetty response that records what is written to it and completes each write at once. */
  private static Response recording(List<String> written) {
    return (Response)
        Proxy.newProxyInstance(
            Response.class.getClassLoader(),
            new Class<?>[] {Response.class},
            (proxy, method, args) -> {
              if (method.getName().equals("write")) {
                ByteBuffer b = (ByteBuffer) args[1];
                written.add(StandardCharsets.UTF_8.decode(b).toString());
                ((Callback) args[2]).succeeded();
                return null;
              }
              if (method.getName().equals("toString")) {
                return "recording response";
              }
              return method.getReturnType() == boolean.class ? false : null;
            });
  }

  // ------------------------------------------------------------------ plugins/{id}/reload

  @Test
  void reload_ofAPluginOthersDependOn_bringsTheDependentsBack() throws Exception {
    // PF4J unloads the dependents with the plugin; a reload must load them again, else their
    // kinds and patterns are lost while the answer says "reloaded: STARTED".
    ConsolePluginJars.working(plugins, "base", "base-kind");
    ConsoleReview4PluginJars.dependingOn(plugins, "ext", "ext-kind", "base");
    ConsoleFeed feed = NdpConsole.feed();
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).listener(feed).build();
        NdpConsole console =
            NdpConsole.builder(ndp).feed(feed).port(0).actionsToken(ConsoleRuntime.TOKEN).start()) {
      assertThat(ndp.pluginReport("ext").orElseThrow().status())
          .isEqualTo(PluginReport.Status.STARTED);
      ndp.register(new PatternDefinition("ext-kind", "ext-pattern", "of the dependent", Map.of()));

      HttpResponse<String> r = action(console, "plugins/base/reload");

      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(ndp.pluginReport("base").orElseThrow().status())
          .isEqualTo(PluginReport.Status.STARTED);
      assertThat(ndp.pluginReport("ext").orElseThrow().status())
          .as("the dependent after the reload: %s", ndp.pluginReport("ext"))
          .isEqualTo(PluginReport.Status.STARTED);
      assertThat(ndp.factories().find("ext-kind")).isPresent();
      assertThat(ndp.registry().find("ext-pattern")).isPresent();
    }
  }

  @Test
  void reload_waitsTheRuntimesDrainTimeout_notThirtySeconds() throws Exception {
    // The stop action drains for the runtime's drain timeout (Ndp.stopPlugin(id)); reload (and
    // start) drain for Ndp.DEFAULT_DRAIN_TIMEOUT, 30 s, holding a server thread meanwhile,
    // whatever the host configured.
    ConsolePluginJars.working(plugins, "echo-plugin", "echo");
    ConsoleFeed feed = NdpConsole.feed();
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (Ndp ndp =
            Ndp.builder()
                .pluginsDir(plugins)
                .listener(feed)
                .drainTimeout(Duration.ofMillis(200))
                .build();
        NdpConsole console =
            NdpConsole.builder(ndp).feed(feed).port(0).actionsToken(ConsoleRuntime.TOKEN).start()) {
      ndp.register(new PatternDefinition("echo", "e1", "", Map.of()));
      ndp.delegates()
          .register(
              "work",
              in -> {
                entered.countDown();
                release.await(30, TimeUnit.SECONDS);
                return "late";
              });
      CompletableFuture<PatternResult> running =
          CompletableFuture.supplyAsync(
              () ->
                  ndp.executor()
                      .execute(
                          ndp.registry().getPattern("e1"),
                          PatternContext.builder("eu", "echo").build()));
      try {
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<HttpResponse<String>> reload =
            http.sendAsync(
                actionRequest(console, "plugins/echo-plugin/reload"),
                HttpResponse.BodyHandlers.ofString());

        assertThat(reload)
            .as("answered after the runtime's 200 ms drain timeout")
            .succeedsWithin(Duration.ofSeconds(5))
            .satisfies(r -> assertThat(r.statusCode()).as(r.body()).isEqualTo(409));
      } finally {
        release.countDown();
        running.join();
      }
    }
  }

  @Test
  void aRefusedReload_leavesThePluginServingItsPatterns() throws Exception {
    // A reload answered "409 not reloaded: executions still running" must leave the plugin as it
    // was. unloadPlugin has already withdrawn its kinds and patterns before the drain timed out,
    // while its report still says STARTED and healthy (so the start action answers "already
    // started"). Slow (30 s) only because reload drains for Ndp.DEFAULT_DRAIN_TIMEOUT; see
    // reload_waitsTheRuntimesDrainTimeout_notThirtySeconds.
    ConsolePluginJars.working(plugins, "echo-plugin", "echo");
    ConsoleFeed feed = NdpConsole.feed();
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (Ndp ndp =
            Ndp.builder()
                .pluginsDir(plugins)
                .listener(feed)
                .drainTimeout(Duration.ofMillis(200))
                .build();
        NdpConsole console =
            NdpConsole.builder(ndp).feed(feed).port(0).actionsToken(ConsoleRuntime.TOKEN).start()) {
      ndp.register(new PatternDefinition("echo", "e1", "", Map.of()));
      ndp.delegates()
          .register(
              "work",
              in -> {
                entered.countDown();
                release.await(90, TimeUnit.SECONDS);
                return "late";
              });
      CompletableFuture<PatternResult> running =
          CompletableFuture.supplyAsync(
              () ->
                  ndp.executor()
                      .execute(
                          ndp.registry().getPattern("e1"),
                          PatternContext.builder("eu", "echo").build()));
      try {
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

        HttpResponse<String> r = action(console, "plugins/echo-plugin/reload");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
        assertThat(ndp.pluginReport("echo-plugin").orElseThrow().isHealthy()).isTrue();
        assertThat(ndp.registry().find("e1"))
            .as("the plugin's pattern after a refused reload")
            .isPresent();
        assertThat(ndp.factories().find("echo"))
            .as("the plugin's kind after a refused reload")
            .isPresent();
      } finally {
        release.countDown();
        running.join();
      }
    }
  }

  private HttpRequest actionRequest(NdpConsole console, String path) {
    return HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + console.port() + "/api/actions/" + path))
        .header("Authorization", "Bearer " + ConsoleRuntime.TOKEN)
        .POST(HttpRequest.BodyPublishers.noBody())
        .build();
  }

  private HttpResponse<String> action(NdpConsole console, String path) throws Exception {
    return http.send(actionRequest(console, path), HttpResponse.BodyHandlers.ofString());
  }
}
