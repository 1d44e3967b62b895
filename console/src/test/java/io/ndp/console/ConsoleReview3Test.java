package io.ndp.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Review 3: defects found by probing the console. */
class ConsoleReview3Test {

  private ConsoleRuntime rt;

  @BeforeEach
  void start() {
    rt = new ConsoleRuntime(b -> b.actionsToken(ConsoleRuntime.TOKEN));
  }

  @AfterEach
  void stop() {
    rt.close();
  }

  private String raw(String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", rt.console.port())) {
      s.setSoTimeout(2000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder sb = new StringBuilder();
      byte[] buf = new byte[8192];
      try {
        int n;
        while ((n = in.read(buf)) > 0) {
          sb.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
      } catch (java.net.SocketTimeoutException e) {
        sb.append("<<TIMEOUT>>");
      }
      return sb.toString();
    }
  }

  @Test
  void bearerScheme_isCaseInsensitive() {
    // RFC 9110 11.1 / RFC 6750: the auth scheme is case-insensitive; "bearer" names the same one.
    HttpResponse<String> r =
        rt.post(
            "/api/actions/reset-domain",
            "{\"domain\":\"eu\"}",
            "Authorization",
            "bearer " + ConsoleRuntime.TOKEN);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  /** Reads a response's status line and headers, up to the blank line. */
  private String headers(Socket s) throws Exception {
    InputStream in = s.getInputStream();
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      sb.append((char) c);
      if (sb.toString().endsWith("\r\n\r\n")) {
        break;
      }
    }
    return sb.toString();
  }

  @Test
  void headOnEvents_opensNoStream() throws Exception {
    // HEAD has no body: it must not register a stream client that no one will ever read.
    try (Socket s = new Socket("127.0.0.1", rt.console.port())) {
      s.setSoTimeout(5000);
      s.getOutputStream()
          .write(
              "HEAD /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                  .getBytes(StandardCharsets.ISO_8859_1));
      String head = headers(s);
      assertThat(head).startsWith("HTTP/1.1 200");

      assertThat(rt.feed.clientCount()).as("stream clients after a HEAD").isZero();
    }
  }

  @Test
  void errorsJettyAnswersItself_areJsonWithNosniff() throws Exception {
    // "Every answer of the API is application/json", "nosniff everywhere": also for a path Jetty
    // refuses before the handler (a path that climbs above the root; an encoded slash in a name
    // reaches the handler, which decodes names segment by segment).
    String answer =
        raw(
            "GET /api/../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Connection: close\r\n\r\n");

    assertThat(answer).startsWith("HTTP/1.1 400");
    assertThat(answer).containsIgnoringCase("X-Content-Type-Options: nosniff");
    assertThat(answer).containsIgnoringCase("Content-Type: application/json");
  }

  @Test
  void aNonAsciiTokenTheBuilderAccepts_canBePresented() throws Exception {
    // HTTP carries header values as ISO-8859-1: a token outside visible ASCII could never be
    // presented by every client, so the builder refuses it, naming the rule.
    String token = "\u20ac-euro-token-\u20ac-x";
    assertThatThrownBy(() -> NdpConsole.builder(rt.ndp).actionsToken(token))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("visible ASCII");
  }

  @Test
  void aClippedEchoInAnError_doesNotSplitACharacter() {
    // 79 letters then an emoji (two UTF-16 units): the clip at 80 must not keep half of it.
    HttpResponse<String> r = rt.get("/api/decisions?outcome=" + "a".repeat(79) + "%F0%9F%98%80x");
    assertThat(r.statusCode()).isEqualTo(400);
    String error = rt.parse(r.body()).get("error").asText();

    for (int i = 0; i < error.length(); i++) {
      char c = error.charAt(i);
      boolean paired =
          Character.isHighSurrogate(c)
              ? i + 1 < error.length() && Character.isLowSurrogate(error.charAt(++i))
              : !Character.isLowSurrogate(c);
      assertThat(paired).as("UTF-16 unit %d of %s is a lone surrogate", i, error).isTrue();
    }
  }

  @Test
  void closingOneConsole_leavesTheStreamsOfAnotherOnTheSameFeed() throws Exception {
    // A feed serves one running console: a second one on it is refused (closing the first used to
    // end the second one's streams), and the first keeps working.
    assertThatThrownBy(() -> NdpConsole.builder(rt.ndp).feed(rt.feed).port(0).start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("feed of its own");
    try (Socket s = new Socket("127.0.0.1", rt.console.port())) {
      s.setSoTimeout(5000);
      s.getOutputStream()
          .write(
              "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                  .getBytes(StandardCharsets.ISO_8859_1));
      assertThat(headers(s)).startsWith("HTTP/1.1 200");
      assertThat(rt.feed.clientCount()).isEqualTo(1);
    }
  }

  @Test
  void a405_namesTheAllowedMethods() throws Exception {
    // RFC 9110 15.5.6: a 405 answer MUST carry an Allow header.
    HttpResponse<String> view =
        rt.post("/api/patterns", "{}", "Authorization", "Bearer " + ConsoleRuntime.TOKEN);
    HttpResponse<String> action =
        rt.http.send(
            java.net.http.HttpRequest.newBuilder(rt.uri("/api/actions/force"))
                .header("Authorization", "Bearer " + ConsoleRuntime.TOKEN)
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(view.statusCode()).isEqualTo(405);
    assertThat(action.statusCode()).isEqualTo(405);
    assertThat(view.headers().firstValue("Allow")).as("Allow on a view").isPresent();
    assertThat(action.headers().firstValue("Allow")).as("Allow on an action").isPresent();
  }
}
