package io.ndp.examples.hostapp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.examples.hostapp.AppProcess.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --metrics-out through a folder that does not exist and "..". */
class MetricsOutDotDotTest {
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
   * "nope/m.prom" is refused before the job ("the folder of --metrics-out ... does not exist"), but
   * "nope/../m.prom" passes the check, which looks at the normalized path, while the page is
   * written to the path as given, whose "nope" the file system must walk through: the job runs, its
   * outputs are moved into place, and only then the run fails on the page. Either the check refuses
   * it, one line and exit 2 before any work, or the page is written where the check looked.
   */
  @Test
  void metricsOutThroughAMissingFolderAndDotDot_isRefusedBeforeTheJob_orWritten() throws Exception {
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
            "nope/../m.prom");

    if (r.code() == 2) {
      assertThat(dir.resolve("out")).as("refused before any work").doesNotExist();
    } else {
      assertThat(r.code()).as("stdout: %s%nstderr: %s", AppProcess.tail(r.out()), r.err()).isZero();
      assertThat(dir.resolve("m.prom")).exists();
    }
  }
}
