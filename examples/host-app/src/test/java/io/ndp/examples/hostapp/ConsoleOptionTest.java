package io.ndp.examples.hostapp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ndp.console.NdpConsole;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * {@code --console [PORT]}: the live console serves the job's runtime from before the job until the
 * wait ends, then closes; a port that cannot be used stops the run before the job.
 */
class ConsoleOptionTest {
  private static final Path PLUGINS = Path.of("target", "plugins").toAbsolutePath();
  private static final java.util.regex.Pattern CONSOLE_LINE =
      java.util.regex.Pattern.compile(
          "console: http://127\\.0\\.0\\.1:(\\d+)/ \\(Ctrl-C to stop\\)");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

  @Test
  void consoleOnAnyFreePort_servesTheJobsPatternsAndDecisionsUntilReleased() throws Exception {
    Path out = dir.resolve("out");
    CompletableFuture<Void> serving = new CompletableFuture<>();
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Integer> run =
        CompletableFuture.supplyAsync(
            () ->
                execute(
                    () -> {
                      serving.complete(null);
                      release.await();
                    },
                    "--console",
                    "0",
                    "--out",
                    out.toString(),
                    "--plugins",
                    PLUGINS.toString(),
                    "--in-memory"));
    try {
      CompletableFuture.anyOf(serving, run).get(3, TimeUnit.MINUTES);
      assertThat(run).as("the app still serves after the job; stderr: %s", err()).isNotDone();

      // One console line, printed before the first record was processed.
      List<String> lines = out().lines().toList();
      List<Integer> consoleLines = new ArrayList<>();
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).startsWith("console:")) {
          consoleLines.add(i);
        }
      }
      assertThat(consoleLines).as("stdout: %s", out()).hasSize(1);
      int consoleLine = consoleLines.get(0);
      assertThat(lines.subList(0, consoleLine)).noneMatch(l -> l.contains("processed"));
      assertThat(lines.subList(consoleLine, lines.size())).anyMatch(l -> l.contains("processed"));
      Matcher m = CONSOLE_LINE.matcher(lines.get(consoleLine));
      assertThat(m.matches()).as(lines.get(consoleLine)).isTrue();
      int port = Integer.parseInt(m.group(1));
      assertThat(port).isPositive();
      // The job ran to its end and printed its summary before the wait.
      assertThat(out()).contains("NDP host app: order ingest", "written to");
      assertThat(out.resolve(HostApp.MANIFEST)).isRegularFile();

      HttpClient http = HttpClient.newHttpClient();
      JsonNode patterns = get(http, port, "/api/patterns").get("patterns");
      List<String> names =
          StreamSupport.stream(patterns.spliterator(), false)
              .map(p -> p.get("name").asText())
              .toList();
      assertThat(names)
          .contains(
              "strict_ingest",
              "tolerant_ingest",
              "region_aggregation",
              "archive_max",
              "archive_small",
              "nightly_report");
      // The learned statistics are read from the runtime, still open after the job.
      JsonNode strict =
          StreamSupport.stream(patterns.spliterator(), false)
              .filter(p -> p.get("name").asText().equals("strict_ingest"))
              .findFirst()
              .orElseThrow();
      assertThat(strict.get("domains").has("eu")).as("strict_ingest: %s", strict).isTrue();
      assertThat(strict.get("overall").get("successes").asLong()).isPositive();

      JsonNode decisions = get(http, port, "/api/decisions").get("decisions");
      // The bundled data has thousands of records: the feed is full, and its newest entry is the
      // report, the job's last execution.
      assertThat(decisions).hasSize(NdpConsole.DEFAULT_RECENT_DECISIONS);
      JsonNode newest = decisions.get(0);
      assertThat(newest.get("domain").asText()).as("newest: %s", newest).isEqualTo("reporting");
      assertThat(newest.get("chosenPattern").asText()).isEqualTo("nightly_report");
      assertThat(newest.get("success").asBoolean()).isTrue();
      // The ingest's decisions, filtered by region: each one chose one of the two ingest patterns
      // or, for a line neither can ingest, tried them.
      JsonNode eu = get(http, port, "/api/decisions?domain=eu").get("decisions");
      assertThat(eu).isNotEmpty();
      for (JsonNode d : eu) {
        assertThat(d.get("domain").asText()).isEqualTo("eu");
        for (JsonNode a : d.get("attempts")) {
          assertThat(a.get("pattern").asText()).isIn("strict_ingest", "tolerant_ingest");
        }
      }
      HttpResponse<String> page =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);

      release.countDown();
      assertThat(run.get(1, TimeUnit.MINUTES)).as("exit code; stderr: %s", err()).isZero();
      assertThat(err()).isEmpty();
      assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
          .as("the console is closed once the wait ends")
          .isInstanceOf(ConnectException.class);
    } finally {
      release.countDown();
    }
  }

  /**
   * A job whose report fails is still shown (the page is where one looks for why), and the exit
   * code after the wait is the job's: 1.
   */
  @Test
  void failedJob_keepsServing_andExitsWithTheJobsCode() throws Exception {
    Path plugins = Files.createDirectories(dir.resolve("failing-archive"));
    try (var jars = Files.list(PLUGINS)) {
      for (Path jar : jars.filter(j -> !j.toString().contains("evaluator-optimizer")).toList()) {
        Files.copy(jar, plugins.resolve(jar.getFileName()));
      }
    }
    FailingPlugin.write(plugins.resolve("failing-optimizer.jar"), "evaluator-optimizer");
    List<String> lines;
    try (var in = HostApp.class.getResourceAsStream("/data/orders.csv")) {
      lines = new String(in.readAllBytes(), UTF_8).lines().limit(21).toList();
    }
    Path input = Files.write(dir.resolve("first-20.csv"), lines, UTF_8);
    CompletableFuture<Void> serving = new CompletableFuture<>();
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Integer> run =
        CompletableFuture.supplyAsync(
            () ->
                execute(
                    () -> {
                      serving.complete(null);
                      release.await();
                    },
                    "--console",
                    "0",
                    "--input",
                    input.toString(),
                    "--out",
                    dir.resolve("out").toString(),
                    "--plugins",
                    plugins.toString(),
                    "--in-memory"));
    try {
      CompletableFuture.anyOf(serving, run).get(3, TimeUnit.MINUTES);
      assertThat(run).as("still serving after a failed job; stderr: %s", err()).isNotDone();
      assertThat(out()).contains("FAILED: the report failed");
      Matcher m = CONSOLE_LINE.matcher(out());
      assertThat(m.find()).as(out()).isTrue();
      int port = Integer.parseInt(m.group(1));

      JsonNode newest =
          get(HttpClient.newHttpClient(), port, "/api/decisions").get("decisions").get(0);
      assertThat(newest.get("domain").asText()).as("newest: %s", newest).isEqualTo("reporting");
      assertThat(newest.get("success").asBoolean()).isFalse();

      release.countDown();
      assertThat(run.get(1, TimeUnit.MINUTES)).isEqualTo(Cli.JOB_FAILED);
      assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
          .isInstanceOf(ConnectException.class);
    } finally {
      release.countDown();
    }
  }

  @Test
  void portInUse_isAnInputErrorNamingThePort_beforeTheJob() throws Exception {
    Path out = dir.resolve("out");
    Path data = dir.resolve("data");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();

      int code =
          execute(
              () -> {
                throw new AssertionError("no console, nothing to wait for");
              },
              "--console",
              String.valueOf(port),
              "--out",
              out.toString(),
              "--data",
              data.toString(),
              "--plugins",
              PLUGINS.toString());

      assertThat(code).as("stdout: %s; stderr: %s", out(), err()).isEqualTo(Cli.USAGE);
      assertThat(err().lines().toList())
          .containsExactly(
              "error: the console cannot listen on 127.0.0.1:" + port + ": the port is in use");
      assertThat(out()).doesNotContain("processed", "console:");
      // Nothing was run: the folders this run created are gone again.
      assertThat(out).doesNotExist();
      assertThat(data).doesNotExist();
    }
  }

  @Test
  void portInUse_leavesAnExistingOutputFolderAsItWas() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out"));
    Files.writeString(out.resolve("keep.txt"), "mine");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int code =
          execute(
              () -> {
                throw new AssertionError("no console, nothing to wait for");
              },
              "--console",
              String.valueOf(taken.getLocalPort()),
              "--out",
              out.toString(),
              "--plugins",
              PLUGINS.toString(),
              "--in-memory");

      assertThat(code).as("stderr: %s", err()).isEqualTo(Cli.USAGE);
      try (var files = Files.list(out)) {
        assertThat(files.map(f -> f.getFileName().toString()))
            .as("no output written")
            .noneMatch(HostApp::isOutputName)
            .noneMatch(n -> n.startsWith(HostApp.STAGING_PREFIX))
            .contains("keep.txt");
      }
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "abc   | error: Invalid value for option '--console': 'abc' is not an int (see --help)",
        "70000 | error: --console must be a port from 0 to 65535 (0: any free port), but was 70000",
        "-1    | error: --console must be a port from 0 to 65535 (0: any free port), but was -1"
      })
  void badPort_isAUsageErrorInOneLine(String value, String message) throws Exception {
    Path out = dir.resolve("out");

    int code =
        execute(
            () -> {
              throw new AssertionError("no console, nothing to wait for");
            },
            "--console",
            value,
            "--out",
            out.toString(),
            "--plugins",
            PLUGINS.toString(),
            "--in-memory");

    assertThat(code).isEqualTo(Cli.USAGE);
    assertThat(err().lines().toList()).containsExactly(message);
    assertThat(out).doesNotExist();
  }

  @Test
  void consoleWithoutAPort_uses8080_andOtherOptionsStillFollow() {
    Cli cli = new Cli(quiet(), quiet(), () -> {});
    new CommandLine(cli).parseArgs("--console", "--in-memory");
    assertThat(cli.console).isEqualTo(Cli.DEFAULT_CONSOLE_PORT).isEqualTo(8080);
    assertThat(cli.inMemory).isTrue();

    Cli none = new Cli(quiet(), quiet(), () -> {});
    new CommandLine(none).parseArgs("--in-memory");
    assertThat(none.console).as("no console unless asked").isNull();
  }

  @Test
  void help_documentsTheConsole() {
    assertThat(execute(() -> {}, "--help")).isZero();
    assertThat(out())
        .contains("--console[=PORT]", "0 for any free port", "Ctrl-C")
        .contains("exits with the job's code (0 or 1)");
  }

  private int execute(Cli.UntilStopped untilStopped, String... args) {
    return Cli.execute(
        args,
        new PrintStream(stdout, true, UTF_8),
        new PrintStream(stderr, true, UTF_8),
        untilStopped);
  }

  private String out() {
    return stdout.toString(UTF_8);
  }

  private String err() {
    return stderr.toString(UTF_8);
  }

  private static JsonNode get(HttpClient http, int port, String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("%s: %s", path, r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static PrintStream quiet() {
    return new PrintStream(java.io.OutputStream.nullOutputStream(), true, UTF_8);
  }
}
