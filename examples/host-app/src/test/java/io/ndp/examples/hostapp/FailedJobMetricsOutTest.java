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
   * and held the metrics page afterwards. A failed run keeps its promise: the page of a failed job
   * is not written into an output folder the run created (that folder is removed again), and the
   * failure says so.
   */
  @Test
  void failedJob_withTheMetricsPageInTheOutputFolder_saysWhatItDid() throws Exception {
    Path plugins = failingPlugins();
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
    assertThat(r.out())
        .contains("nothing was written to fresh, which is as it was before the run")
        .contains(
            "the metrics page fresh/m.prom was not written: it would be in fresh, which this run"
                + " created and removed again")
        .doesNotContain("metrics written to");
    assertThat(dir.resolve("fresh"))
        .as("said to be as it was before the run (it did not exist)")
        .doesNotExist();
  }

  /**
   * When the output folder was there before, the page of a failed job is written into it, and the
   * failure says that the page is the one thing written there.
   */
  @Test
  void failedJob_withTheMetricsPageInAnExistingOutputFolder_writesItAndSaysSo() throws Exception {
    Path plugins = failingPlugins();
    Path input = firstLines(20);
    Path out = Files.createDirectories(dir.resolve("out"));
    Files.writeString(out.resolve("notes.txt"), "the user's");

    Run r =
        AppProcess.run(
            dir,
            "--input",
            input.toString(),
            "--out",
            "out",
            "--plugins",
            plugins.toString(),
            "--in-memory",
            "--metrics-out",
            "out/m.prom");

    assertThat(r.code())
        .as("stdout: %s%nstderr: %s", AppProcess.tail(r.out()), r.err())
        .isEqualTo(1);
    assertThat(r.out())
        .contains(
            "nothing but the metrics page out/m.prom was written to out, which is otherwise as it"
                + " was before the run");
    assertThat(Files.readString(out.resolve("m.prom"))).startsWith("# HELP");
    try (var files = Files.list(out)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrder("notes.txt", "m.prom", HostApp.LOCK);
    }
  }

  /** The page of a failed job outside the output folder is written, and the failure says where. */
  @Test
  void failedJob_withTheMetricsPageElsewhere_writesItAndSaysWhere() throws Exception {
    Path plugins = failingPlugins();
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
            "m.prom");

    assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(1);
    assertThat(r.errLines())
        .singleElement()
        .asString()
        .contains("nothing was written to fresh, which is as it was before the run")
        .endsWith("; the metrics page was written to m.prom");
    assertThat(Files.readString(dir.resolve("m.prom"))).startsWith("# HELP");
    assertThat(dir.resolve("fresh")).doesNotExist();
  }

  private Path failingPlugins() throws Exception {
    Path plugins = Files.createDirectories(dir.resolve("failing-archive"));
    try (var jars = Files.list(PLUGINS)) {
      for (Path jar : jars.filter(j -> !j.toString().contains("evaluator-optimizer")).toList()) {
        Files.copy(jar, plugins.resolve(jar.getFileName()));
      }
    }
    FailingPlugin.write(plugins.resolve("failing-optimizer.jar"), "evaluator-optimizer");
    return plugins;
  }
}
