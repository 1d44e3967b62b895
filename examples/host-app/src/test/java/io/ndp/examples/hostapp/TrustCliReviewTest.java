package io.ndp.examples.hostapp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review of {@code --trusted-plugins}: a list that cannot be used is a usage error (exit 2) told in
 * one plain line, like the app's other input errors, and nothing is written.
 */
class TrustCliReviewTest {

  private static final Path PLUGINS = Path.of("target", "plugins").toAbsolutePath();

  @TempDir Path dir;

  private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

  private int run(String... extra) {
    String[] base = {
      "--out",
      dir.resolve("out").toString(),
      "--data",
      dir.resolve("data").toString(),
      "--plugins",
      PLUGINS.toString()
    };
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return Cli.execute(
        args, new PrintStream(stdout, true, UTF_8), new PrintStream(stderr, true, UTF_8), () -> {});
  }

  private String err() {
    return stderr.toString(UTF_8);
  }

  @Test
  void missingList_isAUsageError_inOnePlainLine_andNothingIsWritten() throws Exception {
    Path missing = dir.resolve("no-such-list.txt");
    assertThat(run("--trusted-plugins", missing.toString())).isEqualTo(2);
    assertThat(dir.resolve("out")).doesNotExist();
    assertThat(dir.resolve("data")).doesNotExist();
    assertThat(err().strip().lines()).hasSize(1);
    assertThat(err())
        .contains("--trusted-plugins")
        .contains(missing.toString())
        .as("a plain reason, like 'input file not found', not a Java exception class")
        .doesNotContain("Exception");
  }

  @Test
  void aFolderAsList_isAUsageError_inOnePlainLine_andNothingIsWritten() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("lists"));
    assertThat(run("--trusted-plugins", folder.toString())).isEqualTo(2);
    assertThat(dir.resolve("out")).doesNotExist();
    assertThat(dir.resolve("data")).doesNotExist();
    assertThat(err().strip().lines()).hasSize(1);
    assertThat(err())
        .contains("--trusted-plugins")
        .contains(folder.toString())
        .as("a plain reason, not a Java exception class")
        .doesNotContain("Exception");
  }
}
