package io.ndp.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.api.ResourcePool;
import io.ndp.core.Ndp;
import io.ndp.core.SelectionPolicy;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A scripted runtime behind a console on a free port: pattern {@code good} always succeeds, {@code
 * bad} always fails; resource {@code db} has 2 units. Closes both.
 */
final class ConsoleRuntime implements AutoCloseable {

  static final String TOKEN = "console-test-token-0123456789";

  final ConsoleFeed feed = NdpConsole.feed(50);
  final ResourcePool pool = new ResourcePool(Map.of("db", 2));
  final Ndp ndp;
  final NdpConsole console;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final ObjectMapper json = new ObjectMapper();

  ConsoleRuntime(UnaryOperator<NdpConsole.Builder> settings) {
    ndp =
        Ndp.builder()
            .listener(feed)
            .resourcePool(pool)
            .executor(b -> b.selectionPolicy(SelectionPolicy.greedy()).maxAttempts(1))
            .build();
    ndp.register(new SequentialDelegationPattern("good", "always works", List.of("ok")));
    ndp.register(new SequentialDelegationPattern("bad", "always fails", List.of("boom")));
    ndp.delegates().register("ok", in -> "done");
    ndp.delegates()
        .register(
            "boom",
            in -> {
              throw new IllegalStateException("boom");
            });
    console = settings.apply(NdpConsole.builder(ndp).feed(feed).port(0)).start();
  }

  ConsoleRuntime() {
    this(b -> b);
  }

  PatternResult run(String pattern, String domain) {
    return ndp.executor()
        .execute(
            ndp.registry().getPattern(pattern),
            PatternContext.builder(domain, "sequential").build());
  }

  PatternResult runBest(String domain) {
    return ndp.executor().executeBestPattern(PatternContext.builder(domain, "sequential").build());
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + console.port() + path);
  }

  HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET().build());
  }

  JsonNode getJson(String path) {
    HttpResponse<String> r = get(path);
    assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
    return parse(r.body());
  }

  HttpResponse<String> post(String path, String body, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.build());
  }

  HttpResponse<String> action(String path, String body) {
    return post("/api/actions/" + path, body, "Authorization", "Bearer " + TOKEN);
  }

  JsonNode parse(String body) {
    try {
      return json.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    console.close();
    ndp.close();
  }
}
