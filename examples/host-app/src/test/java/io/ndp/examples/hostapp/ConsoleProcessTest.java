package io.ndp.examples.hostapp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --console} as a user runs it: a separate JVM that serves after the job until it is sent
 * SIGTERM, then closes the console and the runtime (an H2 file here) and exits with the job's code.
 */
class ConsoleProcessTest {
  private static final Path PLUGINS = Path.of("target", "plugins").toAbsolutePath();
  private static final java.util.regex.Pattern CONSOLE_LINE =
      java.util.regex.Pattern.compile(
          "console: http://127\\.0\\.0\\.1:(\\d+)/ \\(Ctrl-C to stop\\)");

  @TempDir Path dir;

  @Test
  void sigterm_endsTheServing_closesCleanly_andExitsWithTheJobsCode() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path err = dir.resolve("err.txt");
    Process p =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                HostApp.class.getName(),
                "--console",
                "0",
                "--out",
                "out",
                "--data",
                "data",
                "--plugins",
                PLUGINS.toString())
            .directory(dir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectError(err.toFile())
            .start();
    try {
      // Read standard output up to the summary's last line: the job is done, the app serves.
      List<String> lines = new ArrayList<>();
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8));
      String line;
      while ((line = out.readLine()) != null) {
        lines.add(line);
        if (line.startsWith("took ")) {
          break;
        }
      }
      assertThat(line).as("stdout: %s; stderr: %s", lines, Files.readString(err)).isNotNull();
      Matcher m = CONSOLE_LINE.matcher(String.join("\n", lines));
      assertThat(m.find()).as("stdout: %s", lines).isTrue();
      int port = Integer.parseInt(m.group(1));
      HttpResponse<String> patterns =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/patterns"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(patterns.statusCode()).isEqualTo(200);
      assertThat(patterns.body()).contains("\"strict_ingest\"", "\"nightly_report\"");
      assertThat(p.isAlive()).as("serving after the job").isTrue();

      p.destroy(); // SIGTERM

      assertThat(p.waitFor(1, TimeUnit.MINUTES)).as("the app ends").isTrue();
      assertThat(p.exitValue()).as("stderr: %s", Files.readString(err)).isZero();
      assertThat(Files.readString(err)).isEmpty();
      // H2 writes a trace file when a statement meets a database closed under it (by the JVM's
      // shutdown hooks racing the runtime's close): none here.
      try (var files = Files.list(dir.resolve("data"))) {
        assertThat(files.map(f -> f.getFileName().toString())).containsExactly("ndp.mv.db");
      }
    } finally {
      p.destroyForcibly();
    }
  }
}
