package io.ndp.examples.hostapp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.examples.hostapp.AppProcess.Run;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Defects found in review of the host app's CLI, data handling and outputs: each test states the
 * promised behaviour and fails on the current code.
 */
class ReviewFindingsTest {
  private static final Path PLUGINS = Path.of("target", "plugins").toAbsolutePath();
  private static final String HEADER = String.join(",", OrdersCsv.HEADER);

  @TempDir Path dir;

  private Run run(String... args) throws Exception {
    return AppProcess.run(dir, args);
  }

  private Run runWithJvm(List<String> jvmArgs, String... args) throws Exception {
    return AppProcess.start(dir, jvmArgs, args).await();
  }

  private static List<CSVRecord> csv(Path file) throws Exception {
    try (Reader r = Files.newBufferedReader(file, UTF_8)) {
      return CSVFormat.RFC4180
          .builder()
          .setHeader()
          .setSkipHeaderRecord(true)
          .get()
          .parse(r)
          .getRecords();
    }
  }

  /**
   * A customer address whose domain has a few thousand labels (a 10 KB field) must be one rejected
   * line. The address regex's {@code (\.[A-Za-z0-9-]+)*} recurses once per label, so validation
   * throws StackOverflowError, which the executor treats as fatal: the whole run dies with a JVM
   * stack trace on stderr, and no output and no summary are written.
   */
  @Test
  void addressWithManyDomainLabels_isOneRejectedLine_notAStackOverflowThatKillsTheRun()
      throws Exception {
    String address = "a@" + "a.".repeat(5_000) + "com";
    Files.writeString(
        dir.resolve("labels.csv"),
        HEADER
            + "\n"
            + "O-1,eu,SKU-0001,1,1.00,"
            + address
            + "\n"
            + "O-2,eu,SKU-0001,1,1.00,b@example.eu\n");

    Run r =
        run(
            "--input",
            "labels.csv",
            "--out",
            "out",
            "--plugins",
            PLUGINS.toString(),
            "--in-memory");

    assertThat(r.err()).as("stderr").doesNotContain("StackOverflowError").doesNotContain("\tat ");
    assertThat(r.code()).as("exit code; stderr: %.300s", r.err()).isZero();
    assertThat(r.out()).contains("records 2, written");
    assertThat(dir.resolve("out").resolve(HostApp.MANIFEST)).exists();
  }

  /**
   * A UTF-8 BOM before a quoted header (what many exporters write) is a valid input. The reader
   * replaces the BOM with a space, so the first field becomes {@code "order_id"}: RFC 4180 reads a
   * space before a quote as an unquoted field holding the quotes, and the header is refused with a
   * message that quotes the very header it asks for.
   */
  @Test
  void bomBeforeAQuotedHeader_isAccepted() throws Exception {
    String quotedHeader =
        String.join(",", OrdersCsv.HEADER.stream().map(h -> "\"" + h + "\"").toList());
    Path input = dir.resolve("bom.csv");
    Files.writeString(
        input, "\uFEFF" + quotedHeader + "\r\nO-1,eu,SKU-0001,1,1.00,a@example.eu\r\n");

    List<OrdersCsv.InputRecord> records = OrdersCsv.read(input);

    assertThat(records).singleElement().satisfies(rec -> assertThat(rec.line()).isEqualTo(2));
  }

  /**
   * The exit-code contract says a usage error leaves the output folder as it was. The option checks
   * create {@code --out} first and check {@code --plugins} and {@code --data} after, outside the
   * clean-up that the other input errors get: the new, empty output folder stays behind.
   */
  @Test
  void usageErrorFoundByTheOptionChecks_leavesNoNewOutputFolderBehind() throws Exception {
    Files.writeString(dir.resolve("a-file"), "x");

    Run plugins = run("--plugins", "no-such-folder", "--out", "o1", "--in-memory");
    Run data = run("--data", "a-file", "--out", "o2", "--plugins", PLUGINS.toString());

    assertThat(plugins.code()).isEqualTo(2);
    assertThat(data.code()).isEqualTo(2);
    assertThat(dir.resolve("o1")).as("--out after a missing plugins folder").doesNotExist();
    assertThat(dir.resolve("o2")).as("--out after a --data that is a file").doesNotExist();
  }

  /**
   * A failed report must leave the output folder "as it was before the run", and the summary says
   * so. When {@code --out} did not exist, the run creates it and leaves it behind, empty: the
   * summary's claim is false.
   */
  @Test
  void failedReport_intoANewOutputFolder_leavesNoFolderBehind() throws Exception {
    Path plugins = Files.createDirectories(dir.resolve("failing-archive"));
    try (var jars = Files.list(PLUGINS)) {
      for (Path jar : jars.filter(j -> !j.toString().contains("evaluator-optimizer")).toList()) {
        Files.copy(jar, plugins.resolve(jar.getFileName()));
      }
    }
    FailingPlugin.write(plugins.resolve("failing-optimizer.jar"), "evaluator-optimizer");

    Run r = run("--out", "fresh", "--plugins", plugins.toString(), "--in-memory");

    assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(1);
    assertThat(r.out()).contains("nothing was written to fresh, which is as it was before the run");
    assertThat(dir.resolve("fresh")).as("did not exist before the run").doesNotExist();
  }

  /**
   * A {@code --data} folder that cannot be created is a usage error of the same sort as an output
   * folder that cannot be created (exit code 2, "an output or plugins folder that cannot be used").
   * It exits with 1, "the job failed (the report or the ingest)", though no job ran, with an
   * exception class name in the message, and leaves the new output folder behind.
   */
  @Test
  void dataFolderThatCannotBeCreated_isAUsageError_exitCodeTwo() throws Exception {
    Run r = run("--data", "/proc/ndp-x", "--out", "out", "--plugins", PLUGINS.toString());

    assertThat(r.code()).as("exit code; stderr: %s", r.err()).isEqualTo(2);
    assertThat(r.err()).doesNotContain("Exception");
    assertThat(dir.resolve("out")).doesNotExist();
  }

  /**
   * The clean-up of an earlier run's files deletes every {@code report-*.csv} in {@code --out} that
   * this run did not write, whoever wrote it: here, the very input file of the run. The user's data
   * is destroyed, and the summary does not mention it.
   */
  @Test
  void inputFileInTheOutputFolder_namedLikeAReport_isNotDeleted() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out"));
    String orders = HEADER + "\nO-1,eu,SKU-0001,1,1.00,a@example.eu\n";
    Path input = Files.writeString(out.resolve("report-q3.csv"), orders);

    Run r =
        run(
            "--input",
            "out/report-q3.csv",
            "--out",
            "out",
            "--plugins",
            PLUGINS.toString(),
            "--in-memory");

    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    assertThat(input).as("the run's own input").exists().hasContent(orders);
  }

  /**
   * Amounts have "one canonical form": the quantity {@code 0000000001} is read as 1, but the unit
   * price {@code 00000001.00}, the amount 1.00, is refused as having "more than 7 integer digits":
   * the precision is counted on the text, leading zeros included, not on the value.
   */
  @Test
  void unitPriceWithLeadingZeros_isReadAsItsValue_likeTheQuantity() {
    OrdersCsv.InputRecord rec =
        new OrdersCsv.InputRecord(
            2,
            List.of("O-1", "eu", "SKU-0001", "0000000001", "00000001.00", "a@example.eu"),
            "O-1,eu,SKU-0001,0000000001,00000001.00,a@example.eu");

    Order o = OrderSteps.parse(rec);

    assertThat(o.quantity()).isEqualTo(1);
    assertThat(o.unitPrice().toPlainString()).isEqualTo("1.00");
  }

  /**
   * The tolerant pattern's case repair (upper case for ids and SKUs, lower case for addresses) runs
   * before validation with full Unicode case mapping, so characters the validation refuses become
   * ASCII that it accepts: {@code O-ı} (dotless i) becomes order {@code O-I}, {@code ſku-0001}
   * (long s) becomes {@code SKU-0001}, {@code K@…} (Kelvin sign) becomes {@code k@…}. The strict
   * pattern rejects all three; the fallback silently rewrites and accepts them.
   */
  @Test
  void caseRepair_doesNotTurnNonAsciiIntoAValidIdSkuOrAddress() throws Exception {
    Path input = dir.resolve("unicode.csv");
    Files.write(
        input,
        List.of(
            HEADER,
            "O-\u0131,eu,SKU-0001,1,1.00,a@example.eu",
            "O-2,eu,\u017Fku-0001,1,1.00,a@example.eu",
            "O-3,eu,SKU-0001,1,1.00,\u212A@example.eu"),
        UTF_8);

    HostApp.Summary s =
        new HostApp()
            .run(
                input,
                dir.resolve("out"),
                PLUGINS,
                null,
                new PrintStream(new ByteArrayOutputStream(), true, UTF_8));

    Map<Integer, String> why = new TreeMap<>();
    for (CSVRecord rec : csv(dir.resolve("out").resolve(HostApp.REJECTED))) {
      why.put(Integer.parseInt(rec.get("line")), rec.get("reason"));
    }
    assertThat(csv(dir.resolve("out").resolve(HostApp.PROCESSED)))
        .as("accepted after a Unicode case mapping")
        .extracting(rec -> rec.get("order_id") + " " + rec.get("sku") + " " + rec.get("email"))
        .isEmpty();
    assertThat(s.written()).isZero();
    assertThat(why).containsOnlyKeys(2, 3, 4);
  }

  /**
   * An input error is "one clear line" on the terminal. The header message quotes the input's first
   * line as it is, control characters included: a file can make the app write terminal escape
   * sequences (here one that clears the screen and retitles the window) or extra lines (a vertical
   * tab, a form feed) to the user's terminal.
   */
  @Test
  void inputErrorMessage_doesNotCarryTheInputsControlCharactersToTheTerminal() throws Exception {
    Files.writeString(dir.resolve("esc.csv"), "\u001b]0;pwned\u0007\u001b[2J\u000bx\n1,2\n");

    Run r = run("--input", "esc.csv", "--out", "out", "--in-memory");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("does not start with the header");
    assertThat(r.err().chars().filter(c -> c < 0x20 && c != '\n'))
        .as("control characters on stderr: %s", r.err().replace("\u001b", "<ESC>"))
        .isEmpty();
  }

  /**
   * "Any input size works": a 50 MB input under a 256 MB heap fails. Every stage holds whole files
   * in memory, several times over (the input as bytes, as decoded characters, as a string, as
   * parsed records and as record texts; the archive candidates each keep the processed file's
   * bytes; the manifest reads each output whole), so the largest input is a fraction of the heap,
   * and the failure is an OutOfMemoryError with a stack trace on stderr, not one line.
   */
  @Test
  void fiftyMegabyteInput_underA256MegabyteHeap_succeeds() throws Exception {
    Path input = dir.resolve("wide.csv");
    // Valid orders padded to 1 KB a line (the tolerant pattern trims the padding).
    String padding = " ".repeat(1_000);
    try (var w = Files.newBufferedWriter(input, UTF_8)) {
      w.write(HEADER + "\n");
      for (int i = 0; i < 50_000; i++) {
        w.write(
            "O-"
                + i
                + ",eu,SKU-"
                + String.format("%04d", i % 1000)
                + ",1,"
                + padding
                + "1.00,c"
                + i
                + "@example.eu\n");
      }
    }
    assertThat(Files.size(input)).isGreaterThan(50_000_000L);

    Run r =
        runWithJvm(
            List.of("-Xmx256m"),
            "--input",
            "wide.csv",
            "--out",
            "out",
            "--plugins",
            PLUGINS.toString(),
            "--in-memory");

    assertThat(r.err()).as("stderr").doesNotContain("OutOfMemoryError");
    assertThat(r.code()).as("exit code; stdout tail: %s", AppProcess.tail(r.out())).isZero();
    assertThat(r.out()).contains("records 50000, written 50000");
  }

  /**
   * "A reused --out never mixes old and new files": publishing moves the seven outputs one by one,
   * so a failure part-way (here a folder that appears in the way of {@code report-us.csv} while the
   * job runs, after the up-front check) leaves the new processed, rejected and archive files and
   * two new reports next to the previous run's manifest, which no longer verifies; the message does
   * not say which files were replaced.
   */
  @Test
  void publishFailingPartWay_leavesTheEarlierRunsFilesAsTheyWere() throws Exception {
    Path out = dir.resolve("out");
    Files.write(
        dir.resolve("small.csv"),
        List.of(HEADER, "O-1,eu,SKU-0001,1,1.00,a@example.eu", "O-2,us,SKU-0002,2,2.00,b@x.io"),
        UTF_8);
    Run first =
        run("--input", "small.csv", "--out", "out", "--plugins", PLUGINS.toString(), "--in-memory");
    assertThat(first.code()).as(first.err()).isZero();
    Map<String, String> before = AppProcess.contents(out);

    String java = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                HostApp.class.getName(),
                "--out",
                "out",
                "--plugins",
                PLUGINS.toString(),
                "--in-memory")
            .directory(dir.toFile())
            .redirectOutput(dir.resolve("second.out").toFile())
            .redirectError(dir.resolve("second.err").toFile())
            .start();
    // Once the job is under way (its staging folder exists), something appears in the way.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    boolean staged = false;
    while (!staged && p.isAlive() && System.nanoTime() < deadline) {
      try (var entries = Files.list(out)) {
        staged = entries.anyMatch(e -> e.getFileName().toString().startsWith(".ndp-staging-"));
      }
      Thread.onSpinWait();
    }
    assertThat(staged).as("the second run started staging").isTrue();
    Files.delete(out.resolve("report-us.csv"));
    Files.createDirectories(out.resolve("report-us.csv").resolve("in-the-way"));
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();

    assertThat(p.exitValue()).as("the job failed").isNotZero();
    Map<String, String> after = AppProcess.contents(out);
    after.remove("report-us.csv");
    before.remove("report-us.csv");
    assertThat(after)
        .as(
            "the earlier run's files, as they were; stderr: %s",
            Files.readString(dir.resolve("second.err"), UTF_8))
        .isEqualTo(before);
  }
}
