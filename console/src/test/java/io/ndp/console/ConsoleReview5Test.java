package io.ndp.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.event.NdpListener;
import io.ndp.api.event.PluginStoppedEvent;
import io.ndp.core.ConsolePluginJars;
import io.ndp.core.Ndp;
import io.ndp.core.PluginReport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Review 5: the plugin actions through Ndp.reloadPlugin. */
class ConsoleReview5Test {

  @TempDir Path plugins;

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> action(NdpConsole console, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + console.port() + "/api/actions/" + path))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + ConsoleRuntime.TOKEN)
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void startOfAPluginThatRunsButLostItsType_isRefusedAndStopsNothing() throws Exception {
    // Both provide type 'echo': a-plugin serves it, b-plugin runs too but is CONFLICT (not
    // "healthy"). The page shows a Start button on every row.
    ConsolePluginJars.working(plugins, "a-plugin", "echo");
    ConsolePluginJars.working(plugins, "b-plugin", "echo");
    List<String> stopped = new CopyOnWriteArrayList<>();
    NdpListener listener =
        new NdpListener() {
          @Override
          public void onPluginStopped(PluginStoppedEvent event) {
            stopped.add(event.pluginId() + (event.unloaded() ? " unloaded" : " stopped"));
          }
        };
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).listener(listener).build();
        NdpConsole console =
            NdpConsole.builder(ndp).port(0).actionsToken(ConsoleRuntime.TOKEN).start()) {
      assertThat(ndp.pluginReport("b-plugin").orElseThrow().status())
          .isEqualTo(PluginReport.Status.CONFLICT);

      HttpResponse<String> r = action(console, "plugins/b-plugin/start");

      // "start" is for a plugin that is not running (stopped, failed, unloaded): b-plugin runs.
      assertThat(stopped).as("a start stops (and unloads) nothing").isEmpty();
      assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
    }
  }
}
