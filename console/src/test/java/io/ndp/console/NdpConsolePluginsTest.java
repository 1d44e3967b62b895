package io.ndp.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ndp.core.ConsolePluginJars;
import io.ndp.core.Ndp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin view and the plugin actions, against real plugin JARs in a plugins folder. */
class NdpConsolePluginsTest {

  @TempDir Path plugins;

  private final ConsoleFeed feed = NdpConsole.feed();
  private final HttpClient http = HttpClient.newHttpClient();
  private final com.fasterxml.jackson.databind.ObjectMapper json =
      new com.fasterxml.jackson.databind.ObjectMapper();
  private Ndp ndp;
  private NdpConsole console;

  @BeforeEach
  void start() throws Exception {
    ConsolePluginJars.working(plugins, "echo-plugin", "echo");
    ConsolePluginJars.failingToStart(plugins, "start-throws", "throwing");
    ndp = Ndp.builder().pluginsDir(plugins).listener(feed).build();
    console = NdpConsole.builder(ndp).feed(feed).port(0).actionsToken(ConsoleRuntime.TOKEN).start();
  }

  @AfterEach
  void stop() {
    console.close();
    ndp.close();
  }

  @Test
  void plugins_showStateVersionReasonAndPath() throws Exception {
    JsonNode echo = plugin("echo-plugin");
    assertThat(echo.get("state").asText()).isEqualTo("STARTED");
    assertThat(echo.get("healthy").asBoolean()).isTrue();
    assertThat(echo.get("version").asText()).isEqualTo("1.0.0");
    assertThat(echo.get("path").asText()).endsWith(".jar").startsWith(plugins.toString());
    assertThat(echo.get("types").get(0).asText()).isEqualTo("echo");

    JsonNode failed = plugin("start-throws");
    assertThat(failed.get("state").asText()).isEqualTo("FAILED");
    assertThat(failed.get("healthy").asBoolean()).isFalse();
    assertThat(failed.get("reason").asText()).contains("licence expired");
  }

  @Test
  void stopThenStart_withTheToken_changeThePluginsState() throws Exception {
    HttpResponse<String> stopped = action("plugins/echo-plugin/stop");
    assertThat(stopped.statusCode()).as(stopped.body()).isEqualTo(200);
    assertThat(json.readTree(stopped.body()).get("stopped").asBoolean()).isTrue();
    assertThat(plugin("echo-plugin").get("state").asText()).isNotEqualTo("STARTED");
    assertThat(ndp.factories().find("echo")).isEmpty();

    HttpResponse<String> started = action("plugins/echo-plugin/start");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
    assertThat(json.readTree(started.body()).get("plugin").get("state").asText())
        .isEqualTo("STARTED");
    assertThat(plugin("echo-plugin").get("state").asText()).isEqualTo("STARTED");
    assertThat(ndp.factories().find("echo")).isPresent();

    assertThat(action("plugins/echo-plugin/start").statusCode())
        .as("already started")
        .isEqualTo(409);
  }

  @Test
  void reload_givesAFailedPluginAnotherTry_andReloadsARunningOne() throws Exception {
    // The operator fixes the failed plugin's JAR in place, then reloads it from the page.
    ConsolePluginJars.working(plugins, "start-throws", "throwing");
    HttpResponse<String> reloaded = action("plugins/start-throws/reload");
    assertThat(reloaded.statusCode()).as(reloaded.body()).isEqualTo(200);
    assertThat(json.readTree(reloaded.body()).get("plugin").get("state").asText())
        .isEqualTo("STARTED");
    assertThat(plugin("start-throws").get("state").asText()).isEqualTo("STARTED");
    assertThat(ndp.factories().find("throwing")).isPresent();

    HttpResponse<String> again = action("plugins/echo-plugin/reload");
    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    assertThat(plugin("echo-plugin").get("state").asText()).isEqualTo("STARTED");
    assertThat(ndp.factories().find("echo")).isPresent();

    assertThat(action("plugins/nope/reload").statusCode()).isEqualTo(404);
  }

  @Test
  void pluginAction_withoutToken_is401_andThePluginKeepsRunning() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(uri("/api/actions/plugins/echo-plugin/stop"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(plugin("echo-plugin").get("state").asText()).isEqualTo("STARTED");
  }

  private HttpResponse<String> action(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri("/api/actions/" + path))
            .header("Authorization", "Bearer " + ConsoleRuntime.TOKEN)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode plugin(String id) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(uri("/api/plugins")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    for (JsonNode p : json.readTree(r.body()).get("plugins")) {
      if (p.get("id").asText().equals(id)) {
        return p;
      }
    }
    throw new AssertionError("no plugin " + id + " in " + r.body());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + console.port() + path);
  }
}
