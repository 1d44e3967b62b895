package io.ndp.examples.hostapp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.examples.hostapp.AppProcess.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed job whose --metrics-out lies in the output folder that the run created. */
class FailedJobMetricsOutTest {
  private static final Path PLUGINS = Path.of("target", "plugins").toAbsolutePath();

  @TempDir Path dir;

  private Path firstLines(int n) throws Exception {
    List<String> lines;
    try (var in = HostApp.class.getResourceAsStream("/data/orders.csv")) {
      lines = new String(in.readAllBytes(), UTF_8).lines().limit(n + 1L).toList();
    }
    return Files.write(dir.resolve("first-" + n + ".csv"), lines, UTF_8);
  }

  /**
   * The run prints "nothing was written to fresh, which is as it was before the run" (and promises
   * "a failed run leaves no folder it created behind"), but "fresh" did not exist before the run
   * and now holds the metrics page.
   */
  @Test
  void failedJob_withTheMetricsPageInTheOutputFolder_saysWhatItDid() throws Exception {
    Path plugins = Files.createDirectories(dir.resolve("failing-archive"));
    try (var jars = Files.list(PLUGINS)) {
      for (Path jar : jars.filter(j -> !j.toString().contains("evaluator-optimizer")).toList()) {
        Files.copy(jar, plugins.resolve(jar.getFileName()));
      }
    }
    FailingPlugin.write(plugins.resolve("failing-optimizer.jar"), "evaluator-optimizer");
    Path input = firstLines(20);

    Run r =
        AppProcess.run(
            dir,
            "--input",
            input.toString(),
            "--out",
            "fresh",
            "--plugins",
            plugins.toString(),
            "--in-memory",
            "--metrics-out",
            "fresh/m.prom");

    assertThat(r.code())
        .as("stdout: %s%nstderr: %s", AppProcess.tail(r.out()), r.err())
        .isEqualTo(1);
    if (r.out().contains("nothing was written to fresh, which is as it was before the run")) {
      assertThat(dir.resolve("fresh"))
          .as("said to be as it was before the run (it did not exist)")
          .doesNotExist();
    }
  }
}
