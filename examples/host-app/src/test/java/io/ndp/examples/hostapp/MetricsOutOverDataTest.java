package io.ndp.examples.hostapp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.examples.hostapp.AppProcess.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --metrics-out naming a file of the --data folder (what the next run learns from). */
class MetricsOutOverDataTest {
  private static final Path PLUGINS = Path.of("target", "plugins").toAbsolutePath();

  @TempDir Path dir;

  private Path firstLines(int n) throws Exception {
    List<String> lines;
    try (var in = HostApp.class.getResourceAsStream("/data/orders.csv")) {
      lines = new String(in.readAllBytes(), UTF_8).lines().limit(n + 1L).toList();
    }
    return Files.write(dir.resolve("first-" + n + ".csv"), lines, UTF_8);
  }

  private Run run(Path input, String... more) throws Exception {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "--input",
                input.toString(),
                "--out",
                "out",
                "--plugins",
                PLUGINS.toString(),
                "--data",
                "data"));
    args.addAll(List.of(more));
    return AppProcess.run(dir, args.toArray(String[]::new));
  }

  /**
   * The output folder's files and the input are refused as --metrics-out, the data folder's are
   * not: the page is renamed over the H2 database once the job closed it, and what the runs learned
   * is gone (or the next run cannot open its data).
   */
  @Test
  void metricsOutThatIsTheDataFoldersDatabase_isRefused_andTheDataSurvives() throws Exception {
    Path input = firstLines(20);
    Run first = run(input);
    assertThat(first.code()).as("first run; stderr: %s", first.err()).isZero();
    Path db;
    try (var files = Files.list(dir.resolve("data"))) {
      db =
          files
              .filter(f -> f.getFileName().toString().endsWith(".db"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no database file in data"));
    }
    String dbName = "data/" + db.getFileName();

    Run second = run(input, "--metrics-out", dbName);

    assertThat(Files.readString(db, java.nio.charset.StandardCharsets.ISO_8859_1))
        .as("the database after a run with --metrics-out %s (exit %d)", dbName, second.code())
        .doesNotStartWith("# HELP");
    assertThat(second.code()).as("stderr: %s", second.err()).isEqualTo(2);
    assertThat(second.err()).contains("--metrics-out " + dbName + " is in the data folder data");
    Run third = run(input);
    assertThat(third.code()).as("the next run; stderr: %s", third.err()).isZero();
  }

  /** A page in the plugins folder would be a file the next run's plugin manager looks at. */
  @Test
  void metricsOutInThePluginsFolder_isRefused() throws Exception {
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    try (var jars = Files.list(PLUGINS)) {
      for (Path jar : jars.toList()) {
        Files.copy(jar, plugins.resolve(jar.getFileName()));
      }
    }
    Files.createSymbolicLink(dir.resolve("plugins-link"), plugins);

    Run r =
        AppProcess.run(
            dir,
            "--input",
            firstLines(5).toString(),
            "--out",
            "out",
            "--plugins",
            "plugins-link",
            "--in-memory",
            "--metrics-out",
            "plugins/m.prom");

    assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(2);
    assertThat(r.err())
        .contains("--metrics-out plugins/m.prom is in the plugins folder plugins-link");
    assertThat(plugins.resolve("m.prom")).doesNotExist();
    assertThat(dir.resolve("out")).doesNotExist();
  }
}
