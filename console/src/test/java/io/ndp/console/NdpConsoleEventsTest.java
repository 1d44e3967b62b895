package io.ndp.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The event stream: what a reader receives, and what a slow or gone reader cannot do. */
class NdpConsoleEventsTest {

  private ConsoleRuntime rt;

  @BeforeEach
  void start() {
    rt = new ConsoleRuntime(b -> b.actionsToken(ConsoleRuntime.TOKEN));
  }

  @AfterEach
  void stop() {
    rt.close();
  }

  @Test
  void aReader_receivesALinePerExecutionFinished_resourceChange_andAction() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    CompletableFuture<HttpResponse<Stream<String>>> open = openStream(lines);
    await().atMost(Duration.ofSeconds(10)).until(() -> rt.feed.clientCount() == 1);
    assertThat(open.get(10, TimeUnit.SECONDS).headers().firstValue("Content-Type").orElseThrow())
        .startsWith("text/event-stream");

    rt.run("good", "eu");
    rt.run("bad", "us");
    rt.action("reset-domain", "{\"domain\":\"us\"}");
    rt.pool.tryAcquireAll(java.util.Map.of("db", 1), Duration.ZERO).orElseThrow().close();

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(lines)
                    .contains("event: execution-finished", "event: statistics-reset")
                    .contains("event: action")
                    .contains("event: resource-acquired", "event: resource-released")
                    .anyMatch(
                        l -> l.startsWith("data: ") && l.contains("\"chosenPattern\":\"good\""))
                    .anyMatch(
                        l ->
                            l.startsWith("data: ")
                                && l.contains("\"domain\":\"us\"")
                                && l.contains("\"success\":false")));
  }

  @Test
  void aClientThatNeverReads_doesNotBlockExecutions() throws Exception {
    try (Socket silent = new Socket()) {
      silent.setReceiveBufferSize(1024);
      silent.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), rt.console.port()));
      OutputStream out = silent.getOutputStream();
      out.write(
          ("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:" + rt.console.port() + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      await().atMost(Duration.ofSeconds(10)).until(() -> rt.feed.clientCount() == 1);

      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<Boolean>> runs =
            Stream.generate(() -> pool.submit(() -> rt.run("good", "eu").success()))
                .limit(1_000)
                .toList();
        for (Future<Boolean> f : runs) {
          // Generous: 1,000 trivial executions take well under a second.
          assertThat(f.get(20, TimeUnit.SECONDS)).isTrue();
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(rt.feed.executionsSeen()).isEqualTo(1_000);
      assertThat(rt.getJson("/api/patterns/good/domains/eu").get("successes").asLong())
          .isEqualTo(1_000);
    }
  }

  @Test
  void aClosedConnection_isRemoved() throws Exception {
    Socket gone = new Socket();
    gone.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), rt.console.port()));
    gone.getOutputStream()
        .write(
            ("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:" + rt.console.port() + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    await().atMost(Duration.ofSeconds(10)).until(() -> rt.feed.clientCount() == 1);
    gone.close();

    // Writes to the closed connection fail; each execution writes, so the client goes away.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              rt.run("good", "eu");
              return rt.feed.clientCount() == 0;
            });
  }

  @Test
  void close_endsTheStreams_andFreesThePort() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    CompletableFuture<HttpResponse<Stream<String>>> open = openStream(lines);
    await().atMost(Duration.ofSeconds(10)).until(() -> rt.feed.clientCount() == 1);
    int port = rt.console.port();

    rt.console.close();

    assertThat(rt.feed.clientCount()).isZero();
    assertThatCode(
            () -> {
              try (ServerSocket again =
                  new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
                assertThat(again.getLocalPort()).isEqualTo(port);
              }
            })
        .doesNotThrowAnyException();
    open.cancel(true);
  }

  /** A site whose name resolves to 127.0.0.1 (DNS rebinding) is answered 421, not with data. */
  @Test
  void aRequestNamingAnotherHost_isRefused() throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), rt.console.port()));
      s.getOutputStream()
          .write(
              ("GET /api/patterns HTTP/1.1\r\nHost: evil.example:"
                      + rt.console.port()
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 421").doesNotContain("\"patterns\"");
    }
  }

  private CompletableFuture<HttpResponse<Stream<String>>> openStream(List<String> lines) {
    HttpRequest request = HttpRequest.newBuilder(rt.uri("/api/events")).GET().build();
    CompletableFuture<HttpResponse<Stream<String>>> open =
        rt.http.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
    open.thenAcceptAsync(r -> r.body().forEach(lines::add));
    return open;
  }
}
