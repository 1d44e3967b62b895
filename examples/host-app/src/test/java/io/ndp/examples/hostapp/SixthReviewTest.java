package io.ndp.examples.hostapp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.examples.hostapp.AppProcess.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Defects found in the sixth review of the host app (the record limiter of the input reader): each
 * test states the promised behaviour and fails on the current code.
 */
class SixthReviewTest {
  private static final Path PLUGINS = Path.of("target", "plugins").toAbsolutePath();
  private static final String HEADER = String.join(",", OrdersCsv.HEADER);

  @TempDir Path dir;

  /** Writes {@code text} as {@code name} and runs the app on it, writing to {@code out}. */
  private Run runOn(String name, String text, String out) throws Exception {
    Files.writeString(dir.resolve(name), text, UTF_8);
    return AppProcess.run(
        dir, "--input", name, "--in-memory", "--out", out, "--plugins", PLUGINS.toString());
  }

  private List<String> rejected() throws Exception {
    return Files.readAllLines(dir.resolve("out").resolve(HostApp.REJECTED), UTF_8);
  }

  /**
   * The parser (Commons CSV, RFC 4180) accepts white space between a closing quote and the next
   * delimiter or line end: {@code "a@example.eu" } followed by a line end is a valid record, and a
   * short one is read (control, passes). The limiter's "character after a closing quote" check,
   * added so the dropped part of a long record fails as the parser would, takes that space for an
   * invalid character: a record longer than 262,144 characters whose quoted field ends with {@code
   * " } (quote, space) makes the whole input "not valid CSV" (exit 2, no order processed) instead
   * of the one record being rejected as too long while the others are processed.
   */
  @Test
  void spaceAfterTheClosingQuoteOfALongField_isNotAnInputError() throws Exception {
    String shortText =
        HEADER
            + "\nO-1,eu,SKU-0001,1,1.00,\"a@example.eu\" \nO-2,eu,SKU-0001,2,1.00,a@example.eu\n";
    Run control = runOn("short.csv", shortText, "out-short");
    assertThat(control.code())
        .as("the parser accepts a space after a closing quote; stderr: %s", control.err())
        .isZero();

    String text =
        HEADER
            + "\nO-1,eu,SKU-0001,1,1.00,\""
            + "a".repeat(300_000)
            + "\" \nO-2,eu,SKU-0001,2,1.00,a@example.eu\n";

    Run r = runOn("long.csv", text, "out");

    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    List<String> rejected = rejected();
    assertThat(rejected).hasSize(2);
    assertThat(rejected.get(1)).as("the record cut short, line 2").startsWith("2,");
  }

  /**
   * "A failed run leaves no folder it created behind". The fifth review's fix creates the output
   * folder before the data folder; with a new data folder and the output folder inside it, {@code
   * --data d --out d/o}, creating {@code d/o} creates {@code d} on the way, so the run no longer
   * counts {@code d} as the data folder it created: the empty plugins folder is a usage error (exit
   * 2), and {@code d} is left behind.
   */
  @Test
  void usageErrorWithTheOutputFolderInsideANewDataFolder_leavesNoDataFolderBehind()
      throws Exception {
    Files.writeString(
        dir.resolve("orders.csv"), HEADER + "\nO-1,eu,SKU-0001,1,1.00,a@example.eu\n", UTF_8);
    Files.createDirectory(dir.resolve("empty"));

    Run r =
        AppProcess.run(
            dir, "--input", "orders.csv", "--out", "d/o", "--data", "d", "--plugins", "empty");

    assertThat(r.code()).as("stdout: %s", r.out()).isEqualTo(2);
    assertThat(r.errLines().get(0)).startsWith("error: the plugins folder empty provides no");
    try (var left = Files.walk(dir.resolve("d"))) {
      assertThat(dir.resolve("d"))
          .as("the data folder this run created; left: %s", left.toList())
          .doesNotExist();
    } catch (java.nio.file.NoSuchFileException gone) {
      // removed: as promised
    }
  }
}
