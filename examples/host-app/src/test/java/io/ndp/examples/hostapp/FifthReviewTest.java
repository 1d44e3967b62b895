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
 * Defects found in the fifth review of the host app (the record limiter of the input reader): each
 * test states the promised behaviour and fails on the current code.
 */
class FifthReviewTest {
  private static final Path PLUGINS = Path.of("target", "plugins").toAbsolutePath();
  private static final String HEADER = String.join(",", OrdersCsv.HEADER);
  private static final int LIMIT = OrdersCsv.RECORD_LIMIT;

  @TempDir Path dir;

  /** Writes {@code text} (line ends as given) as {@code name} and runs the app on it. */
  private Run runOn(String name, String text) throws Exception {
    Files.writeString(dir.resolve(name), text, UTF_8);
    return AppProcess.run(
        dir, "--input", name, "--in-memory", "--out", "out", "--plugins", PLUGINS.toString());
  }

  private List<String> rejected() throws Exception {
    return Files.readAllLines(dir.resolve("out").resolve(HostApp.REJECTED), UTF_8);
  }

  /**
   * "Lines no pattern can ingest go to orders-rejected.csv with their line number in the file"; the
   * rest of a record longer than 262,144 characters "is dropped as it is read, following RFC 4180
   * quoting so that the records after it and their line numbers stay right". A quoted field whose
   * CRLF (one line end) falls across the cut, the CR its 262,144th character and the LF the
   * 262,145th, reaches the parser as CR, the inserted closing quote, LF: two line ends. Every later
   * record is numbered one too high: O-2, which starts on line 4, is rejected as line {@code 5}.
   */
  @Test
  void crlfSplitByTheCut_keepsTheLineNumbersOfTheRecordsAfterIt() throws Exception {
    String start = "O-1,eu,SKU-0001,1,1.00,\"";
    String text =
        HEADER
            + "\n"
            + start
            + "a".repeat(LIMIT - 1 - start.length())
            + "\r\n\"\n" // line 2 ends inside the quotes, line 3 closes them
            + "O-2,eu,SKU-0001,2,1.00,not-an-address\n";

    Run r = runOn("split.csv", text);

    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    List<String> rejected = rejected();
    assertThat(rejected).hasSize(3);
    assertThat(rejected.get(1)).as("the record cut short").startsWith("2,");
    assertThat(rejected.get(2)).as("O-2 starts on line 4").startsWith("4,").contains("not-an");
  }

  /**
   * The same promise, with a CR, a character and an LF (two line ends, as Commons CSV and the
   * limiter itself count them) in the dropped part of a quoted field: the limiter drops the
   * character and passes CR LF on, which the parser counts as one line end. Every later record is
   * numbered one too low: O-2, which starts on line 5, is rejected as line {@code 4}.
   */
  @Test
  void crTextLfInTheDroppedPartOfAQuotedField_keepsTheLineNumbersOfTheRecordsAfterIt()
      throws Exception {
    String text =
        HEADER
            + "\nO-1,eu,SKU-0001,1,1.00,\""
            + "a".repeat(300_000)
            + "\rX\n\"\n" // lines 2, 3 and 4
            + "O-2,eu,SKU-0001,2,1.00,not-an-address\n";

    Run r = runOn("mixed.csv", text);

    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    List<String> rejected = rejected();
    assertThat(rejected).hasSize(3);
    assertThat(rejected.get(1)).as("the record cut short").startsWith("2,");
    assertThat(rejected.get(2)).as("O-2 starts on line 5").startsWith("5,").contains("not-an");
  }

  /**
   * "A record is read up to 262,144 characters (...) and its line is rejected as not read whole"
   * (it is "never cut into a valid value"), and a rejected line gets "the reason of the attempt
   * that got furthest". The limiter remembers a cut record by the line it starts on, the parser's
   * count, which the case above shifts by one: O-2 (line 5), a valid order padded with 300,000
   * spaces, is not recognised as cut, trimmed, and written to orders-processed.csv; O-3 (line 6, a
   * bad address) is numbered 5, found in the limiter's list, and rejected as "not read whole".
   */
  @Test
  void recordCutShortAfterAShiftedLineCount_isRejected_andTheNextOneKeepsItsReason()
      throws Exception {
    String text =
        HEADER
            + "\nO-1,eu,SKU-0001,1,1.00,\""
            + "a".repeat(300_000)
            + "\rX\n\"\n" // lines 2, 3 and 4
            + "O-2,eu,SKU-0001,2,1.00,a@example.eu"
            + " ".repeat(300_000)
            + "\nO-3,eu,SKU-0001,3,1.00,not-an-address\n";

    Run r = runOn("padded.csv", text);

    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    assertThat(Files.readString(dir.resolve("out").resolve(HostApp.PROCESSED), UTF_8))
        .as("orders-processed.csv: O-2 was not read whole")
        .doesNotContain("O-2,");
    List<String> rejected = rejected();
    assertThat(rejected).hasSize(4);
    assertThat(rejected.get(2)).as("O-2, line 5").startsWith("5,").contains("not read whole");
    assertThat(rejected.get(3)).as("O-3, line 6").startsWith("6,").contains("not-an-address");
  }

  /**
   * "An unclosed quote" is an input error, exit code 2: {@code error: input unclosed.csv is not
   * valid CSV: a quoted field opened on line 2 is not closed} (the check reads "balanced quotes").
   * It is, when little follows the quote; but when more than 262,144 characters follow it, the
   * limiter cuts the open field and closes the quote itself: the parser never sees the quote
   * unclosed, the 10,000 orders after it vanish as part of one line "not read whole", and the run
   * exits 0 with {@code records 1, written 0, rejected 1}.
   */
  @Test
  void unclosedQuoteFollowedByMoreThanTheLimit_isAnInputError_notTenThousandOrdersLost()
      throws Exception {
    StringBuilder text = new StringBuilder(HEADER + "\nO-1,eu,SKU-0001,1,1.00,\"a@example.eu\n");
    for (int i = 3; i < 10_003; i++) {
      text.append("O-").append(i).append(",eu,SKU-0001,1,1.00,a@example.eu\n");
    }

    Run r = runOn("unclosed.csv", text.toString());

    assertThat(r.out()).as("stdout").doesNotContain("records 1,");
    assertThat(r.code()).as("exit code; stdout: %s", AppProcess.tail(r.out())).isEqualTo(2);
    assertThat(r.errLines())
        .containsExactly(
            "error: input unclosed.csv is not valid CSV: a quoted field opened on line 2 is not"
                + " closed");
  }

  /**
   * "A character after a closing quote ({@code "eu"x} on line 502)" is an input error, exit code 2:
   * {@code error: input bad.csv is not valid CSV: Invalid character between encapsulated token and
   * delimiter ...}. After a quoted field longer than 262,144 characters the limiter drops the
   * closing quote and the {@code x}, so the parser never sees them: the file passes the check and
   * the run exits 0.
   */
  @Test
  void characterAfterTheClosingQuoteOfALongField_isAnInputError() throws Exception {
    String text =
        HEADER
            + "\nO-1,eu,SKU-0001,1,1.00,\""
            + "a".repeat(300_000)
            + "\"x\nO-2,eu,SKU-0001,2,1.00,a@example.eu\n";

    Run r = runOn("bad.csv", text);

    assertThat(r.code()).as("exit code; stdout: %s", AppProcess.tail(r.out())).isEqualTo(2);
    assertThat(r.err())
        .startsWith("error: input bad.csv is not valid CSV: Invalid character between");
  }

  /**
   * "Lines no pattern can ingest go to orders-rejected.csv"; "blank lines are skipped"; a record
   * longer than 262,144 characters "is rejected as not read whole". A record that starts with more
   * than 262,144 spaces ({@code O-1} padded on the left, line 2) is cut to its spaces, which the
   * reader then takes for a blank line and skips: the record is neither written nor rejected, and
   * the run reports {@code records 1, written 1, rejected 0} for two order lines. The same happens
   * to a record whose first field is a quoted run of 300,000 line ends.
   */
  @Test
  void recordCutToItsLeadingSpaces_isRejected_notSkippedAsABlankLine() throws Exception {
    String text =
        HEADER
            + "\n"
            + " ".repeat(300_000)
            + "O-1,eu,SKU-0001,1,1.00,a@example.eu\nO-2,eu,SKU-0001,2,1.00,a@example.eu\n";

    Run r = runOn("leading.csv", text);

    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    assertThat(r.out()).contains("records 2, written 1, rejected 1");
    List<String> rejected = rejected();
    assertThat(rejected).hasSize(2);
    assertThat(rejected.get(1)).startsWith("2,").contains("not read whole");
  }

  /**
   * Exit code 2 is "a usage or input error, found before any work, one line on standard error
   * (...), no output folder left behind" (the README's row: "an empty plugins folder | 2"); "a run
   * that fails removes only what is its own: a folder it created, the lock file when it held the
   * lock". With a new {@code --out o} and the data folder inside it, {@code --data o/d}, the run
   * creates {@code o} on the way to the data folder, so it does not count {@code o} as the output
   * folder it created: the empty plugins folder is found after the lock was taken, the data folder
   * is removed, and {@code o} is left behind holding only {@code .ndp-lock}. (With {@code --data
   * o}, the same folder, nothing is left.)
   */
  @Test
  void usageErrorWithTheDataFolderInsideANewOutputFolder_leavesNoOutputFolderBehind()
      throws Exception {
    Files.writeString(
        dir.resolve("orders.csv"), HEADER + "\nO-1,eu,SKU-0001,1,1.00,a@example.eu\n", UTF_8);
    Files.createDirectory(dir.resolve("empty"));

    Run r =
        AppProcess.run(
            dir, "--input", "orders.csv", "--out", "o", "--data", "o/d", "--plugins", "empty");

    assertThat(r.code()).as("stdout: %s", r.out()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).startsWith("error: the plugins folder empty provides no");
    assertThat(dir.resolve("o")).as("the output folder this run created").doesNotExist();
  }
}
