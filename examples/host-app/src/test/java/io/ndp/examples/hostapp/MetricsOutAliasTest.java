package io.ndp.examples.hostapp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.examples.hostapp.AppProcess.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --metrics-out naming one of the job's outputs by another path than --out's. */
class MetricsOutAliasTest {
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
   * "out/MANIFEST.sha256" is refused as --metrics-out, but the same file reached through the folder
   * that --out links to is not: the check compares path strings. The page is then renamed over the
   * manifest after the job moved its outputs into place, and the output folder no longer verifies.
   */
  @Test
  void metricsOutThatIsAnOutput_throughTheFolderOutLinksTo_isAnInputError() throws Exception {
    Path real = Files.createDirectories(dir.resolve("real"));
    Files.createSymbolicLink(dir.resolve("out"), real);
    Path input = firstLines(20);

    Run r =
        AppProcess.run(
            dir,
            "--input",
            input.toString(),
            "--out",
            "out",
            "--plugins",
            PLUGINS.toString(),
            "--in-memory",
            "--metrics-out",
            "real/MANIFEST.sha256");

    assertThat(r.code())
        .as(
            "exit code; MANIFEST now starts: %s%nstdout: %s%nstderr: %s",
            Files.exists(real.resolve("MANIFEST.sha256"))
                ? Files.readString(real.resolve("MANIFEST.sha256")).lines().limit(2).toList()
                : "(none)",
            AppProcess.tail(r.out()),
            r.err())
        .isEqualTo(2);
    assertThat(r.err()).contains("is the job's output MANIFEST.sha256");
  }
}
