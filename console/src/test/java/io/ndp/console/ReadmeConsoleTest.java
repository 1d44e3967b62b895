package io.ndp.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.PatternContext;
import io.ndp.core.Ndp;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's "Console (ndp-console)" snippet, as written there (port 0), then what it shows. */
class ReadmeConsoleTest {

  @Test
  void readmeSnippet_startsAConsole_thatShowsTheExecutions() throws Exception {
    String token = "a-token-of-enough-length";
    ConsoleFeed feed = NdpConsole.feed(); // keeps the last 200 executions
    try (Ndp ndp = Ndp.builder().listener(feed).build();
        NdpConsole console =
            NdpConsole.builder(ndp)
                .feed(feed)
                .port(0) // any free port; console.port() says which (or a fixed one)
                .actionsToken(token) // 16 visible ASCII characters at least; leave out: read-only
                .start()) {
      // open http://127.0.0.1:{console.port()}/ ; register patterns, execute
      ndp.register(new SequentialDelegationPattern("store", "store", List.of("save")));
      ndp.delegates().register("save", in -> "saved");
      ndp.executor().executeBestPattern(PatternContext.builder("orders", "sequential").build());

      HttpResponse<String> decisions =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + console.port() + "/api/decisions"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(decisions.statusCode()).isEqualTo(200);
      assertThat(decisions.body()).contains("\"chosenPattern\":\"store\"", "\"domain\":\"orders\"");
      assertThat(console.listener()).isSameAs(feed);
      assertThat(feed.capacity()).isEqualTo(NdpConsole.DEFAULT_RECENT_DECISIONS);
    }
  }

  @Test
  void oneLine_startsAConsoleOnARunningRuntime_thatHearsWhatRunsFromThenOn() throws Exception {
    try (Ndp ndp = Ndp.builder().build()) {
      ndp.register(new SequentialDelegationPattern("store", "store", List.of("save")));
      ndp.delegates().register("save", in -> "saved");
      ndp.executor().executeBestPattern(PatternContext.builder("before", "sequential").build());
      try (NdpConsole console = NdpConsole.start(ndp, 0)) {
        ndp.executor().executeBestPattern(PatternContext.builder("after", "sequential").build());
        HttpResponse<String> decisions =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + console.port() + "/api/decisions"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(decisions.statusCode()).isEqualTo(200);
        assertThat(decisions.body()).contains("\"domain\":\"after\"");
        assertThat(decisions.body()).doesNotContain("\"domain\":\"before\"");
        assertThat(console.actionsEnabled()).isFalse();
      }
    }
  }
}
