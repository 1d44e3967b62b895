package io.ndp.examples.hostapp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.examples.hostapp.AppProcess.Run;
import io.ndp.storage.jdbc.JdbcStorage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Defects found in the third review of the host app (command line, data handling, output folder):
 * each test states the promised behaviour and fails on the current code.
 */
class ThirdReviewTest {
  private static final Path PLUGINS = Path.of("target", "plugins").toAbsolutePath();
  private static final String HEADER = String.join(",", OrdersCsv.HEADER);

  @TempDir Path dir;

  private Run run(String... args) throws Exception {
    return AppProcess.run(dir, args);
  }

  /** Writes the header and these lines as {@code name}, in the test folder. */
  private Path input(String name, List<String> lines) throws Exception {
    return AppProcess.input(dir.resolve(name), lines);
  }

  private static List<String> orders(int n) {
    return AppProcess.orders(n);
  }

  private static PrintStream quiet() {
    return new PrintStream(java.io.OutputStream.nullOutputStream(), true, UTF_8);
  }

  /**
   * Invalid CSV is "one clear message" and, as the README's table shows for an unclosed quote,
   * names the line. A character after a closing quote ({@code "eu"x}) on line 502 gives {@code
   * error: input bad.csv is not valid CSV: Invalid character between encapsulate...}: Commons CSV's
   * reason is cut to 40 characters, in the middle of a word, and the line it named ("at line: 502,
   * position: ...") is cut off with it: the user cannot tell what is wrong nor where in the file.
   */
  @Test
  void characterAfterAClosingQuote_isAnInputError_whoseMessageIsWholeAndNamesTheLine()
      throws Exception {
    List<String> lines = orders(500);
    lines.add("O-X,\"eu\"x,SKU-0001,1,1.00,a@example.eu");
    lines.addAll(orders(3).stream().map(l -> l.replace("O-", "P-")).toList());
    input("bad.csv", lines);

    Run r = run("--input", "bad.csv", "--in-memory", "--out", "out");

    assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(2);
    assertThat(r.errLines()).singleElement().asString().contains("not valid CSV");
    assertThat(r.err())
        .as("the reason is not cut off, and it names line 502")
        .doesNotContain("...")
        .containsPattern("line:? 502");
  }

  /**
   * The README: "only those seven names are touched, other files in the folder are left alone"; "a
   * staging folder left by a killed run is removed by the next". The clean-up deletes every entry
   * of {@code --out} whose name starts with {@code .ndp-staging-}, whatever it is and whoever made
   * it: the user's file {@code .ndp-staging-notes.txt} is deleted by a successful run.
   */
  @Test
  void usersFileWhoseNameStartsLikeAStagingFolder_isLeftAlone() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out"));
    Path notes = Files.writeString(out.resolve(".ndp-staging-notes.txt"), "the user's own file");
    input("orders.csv", orders(3));

    Run r = run("--input", "orders.csv", "--in-memory", "--out", "out");

    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    assertThat(notes)
        .as("not a staging folder: a file, the user's")
        .hasContent("the user's own file");
  }

  /**
   * An input inside {@code --out} is never replaced (the input named like an output is refused). An
   * input in a folder of {@code --out} whose name starts with {@code .ndp-staging-} (say the user
   * copied a killed run's leftovers aside to feed them back) is deleted, with its folder, by the
   * run before it reads it; the run then fails with exit code 1 and the bare message {@code error:
   * out/.ndp-staging-kept/orders.csv} (a {@code NoSuchFileException}'s text): the user's data is
   * gone, and nothing says why.
   */
  @Test
  void inputInAFolderOfOutNamedLikeAStagingFolder_isNotDeleted() throws Exception {
    Path kept = Files.createDirectories(dir.resolve("out").resolve(".ndp-staging-kept"));
    Path input = kept.resolve("orders.csv");
    Files.write(input, List.of(HEADER, "O-1,eu,SKU-0001,2,1.50,a@example.eu"), UTF_8);

    Run r = run("--input", "out/.ndp-staging-kept/orders.csv", "--in-memory", "--out", "out");

    assertThat(input)
        .as("the input, exit code %d, stderr: %s", r.code(), r.err())
        .exists()
        .hasContent(HEADER + "\nO-1,eu,SKU-0001,2,1.50,a@example.eu");
    assertThat(r.code()).as("stderr: %s", r.err()).isIn(0, 2);
  }

  /**
   * Exit code 1 is "the job failed ...: nothing is written, the output folder is as it was" (the
   * help and the README). A {@code --metrics-out} page that passes the checks but cannot be written
   * (here a valid 250-character file name: the temporary file beside it, {@code
   * .NAME.<random>.tmp}, is longer than the 255 the file system allows) fails the run with exit
   * code 1 and {@code error: cannot write the metrics page ...: File name too long} after all seven
   * outputs were published into {@code --out}, and the summary says they were: the exit code says
   * the opposite of what was written.
   */
  @Test
  void metricsPageThatCannotBeWritten_neverGivesExitCodeOneAfterTheOutputsWerePublished()
      throws Exception {
    input("orders.csv", orders(3));
    String page = "m".repeat(245) + ".prom";

    Run r = run("--input", "orders.csv", "--in-memory", "--out", "out", "--metrics-out", page);

    Path out = dir.resolve("out");
    if (r.code() == 0) {
      assertThat(dir.resolve(page)).as("exit code 0: the page was written").exists();
    } else {
      assertThat(Files.exists(out.resolve(HostApp.MANIFEST)))
          .as(
              "exit code %d says nothing was written, but out holds the outputs; stdout: %s%n"
                  + "stderr: %s",
              r.code(), AppProcess.tail(r.out()), r.err())
          .isFalse();
    }
  }

  /**
   * The README, exit codes: "1 the job failed (the report or the ingest): nothing was written, the
   * summary ends with a {@code FAILED:} line saying why, that the output folder is as it was ...
   * and whether the metrics page was written". When the ingest fails (here the input changes
   * between the check and the ingest) the run ends with exit code 1 and one {@code error:} line
   * about the input, but prints no summary and no {@code FAILED:} line: nothing says what was and
   * was not written to {@code --out}; and the {@code --metrics-out} page ("written for a failed job
   * too") is not written, without a word.
   */
  @Test
  void failedIngest_endsWithAFailedLineSayingNothingWasWritten() throws Exception {
    Path input = input("orders.csv", orders(2));
    Path page = dir.resolve("failed.prom");
    String[] args = {
      "--input",
      input.toString(),
      "--out",
      dir.resolve("out").toString(),
      "--plugins",
      PLUGINS.toString(),
      "--in-memory",
      "--metrics-out",
      page.toString()
    };
    // Between the check and the ingest (the progress line printed after the check), one more
    // order is appended to the input.
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    PrintStream progress =
        new PrintStream(text, true, UTF_8) {
          @Override
          public void println(String x) {
            if (x.startsWith("confidence in memory")) {
              try {
                Files.writeString(
                    input,
                    "O-3,eu,SKU-0001,1,1.00,a@example.eu\n",
                    java.nio.file.StandardOpenOption.APPEND);
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            }
            super.println(x);
          }
        };
    ByteArrayOutputStream errors = new ByteArrayOutputStream();

    int code = Cli.execute(args, progress, new PrintStream(errors, true, UTF_8));

    String stdout = text.toString(UTF_8);
    assertThat(code).as("stderr: %s", errors.toString(UTF_8)).isEqualTo(Cli.JOB_FAILED);
    assertThat(stdout)
        .as("stdout of a failed ingest; stderr: %s", errors.toString(UTF_8))
        .contains("FAILED:")
        .contains("nothing was written to");
    assertThat(page).as("the metrics page of a failed job").exists();
  }

  /**
   * Exit code 2 is "a usage or input error, found before any work" (like another run writing to the
   * same {@code --out}: exit code 2, "another run is writing to ..."); exit code 1 is "the job
   * failed (the report or the ingest) ... the summary ends with a {@code FAILED:} line". A {@code
   * --data} folder that another run holds open (two nightly runs overlapping) is found before any
   * work, yet exits with code 1, no summary and no {@code FAILED:} line, only H2's text: {@code
   * error: cannot open H2 data: Failed to initialize pool: Database may be already in use: ...
   * Possible solutions: close all other connection(s); use the server mode [90020-252]
   * (org.h2.mvstore.MVStoreException: The file is locked: ...)}.
   */
  @Test
  void dataFolderHeldByAnotherRun_isAUsageError_exitCodeTwo_inOnePlainLine() throws Exception {
    input("orders.csv", orders(3));
    Path data = dir.resolve("data");
    try (JdbcStorage other = JdbcStorage.h2(data)) {
      Run r = run("--input", "orders.csv", "--data", "data", "--out", "out");

      assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(Cli.USAGE);
      assertThat(r.errLines()).singleElement().asString().doesNotContain("Exception");
    }
  }

  /**
   * One run at a time writes to a folder: "it locks {@code .ndp-lock}, an empty file that stays
   * there (a second run gets exit code 2)", and the lock file is never deleted while held
   * ("deleting it while locked would let a run that opened it meanwhile lock a file no one else can
   * see"). Two runs started together into a new {@code --out}: the second one, which found the
   * folder missing when it started, gets exit code 2 because the first holds the lock, and then, as
   * a run that "leaves no folder it created behind", deletes {@code .ndp-lock}, the file the first
   * run holds, and the folder with it: a third run now locks a new file and writes beside the
   * first. (The allowlist is read through a named pipe only to pause the second run at the right
   * moment.)
   */
  @Test
  void runRefusedBecauseAnotherHoldsTheLock_doesNotDeleteTheOtherRunsLockFile() throws Exception {
    input("orders.csv", orders(3));
    Path fifo = dir.resolve("trusted.fifo");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    List<String> allowlist = AppProcess.allowlistOf(PLUGINS);
    Path out = dir.resolve("out");

    AppProcess.Started second =
        AppProcess.start(
            dir,
            List.of(),
            "--input",
            "orders.csv",
            "--in-memory",
            "--out",
            "out",
            "--plugins",
            PLUGINS.toString(),
            "--trusted-plugins",
            fifo.toString());
    try {
      // The second run has found out missing and created it; it now waits for its allowlist. The
      // first run takes the folder's lock meanwhile.
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
      while (!Files.isDirectory(out)
          && second.process().isAlive()
          && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(out).as("the second run created the output folder").isDirectory();
      Path lock = out.resolve(HostApp.LOCK);
      try (java.nio.channels.FileChannel first =
              java.nio.channels.FileChannel.open(
                  lock,
                  java.nio.file.StandardOpenOption.CREATE,
                  java.nio.file.StandardOpenOption.WRITE);
          java.nio.channels.FileLock held = first.tryLock()) {
        assertThat(held).as("the first run holds the lock").isNotNull();
        Object key =
            Files.readAttributes(lock, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        AppProcess.feed(fifo, allowlist);

        Run r = second.await();

        assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(Cli.USAGE);
        assertThat(r.err()).contains("another run is writing to");
        assertThat(lock).as("the lock file the first run holds").exists();
        assertThat(
                Files.readAttributes(lock, java.nio.file.attribute.BasicFileAttributes.class)
                    .fileKey())
            .as("the very file the first run holds")
            .isEqualTo(key);
      }
    } finally {
      second.process().destroyForcibly();
    }
  }

  /**
   * The seven outputs are one set of files a user hands on (to a report reader, a backup running as
   * another user). Six are created the usual way (mode {@code rw-r--r--} under the usual umask);
   * the archive {@code orders-processed.csv.gz} is a renamed {@code Files.createTempFile}, mode
   * {@code rw-------}: readable by its owner only, unlike its six siblings and unlike the metrics
   * page, which the app deliberately makes "readable by a collector running as another user".
   */
  @Test
  void archive_hasTheSamePermissionsAsTheOtherOutputs() throws Exception {
    input("orders.csv", orders(3));

    Run r = run("--input", "orders.csv", "--in-memory", "--out", "out");

    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    Path out = dir.resolve("out");
    assertThat(Files.getPosixFilePermissions(out.resolve(HostApp.PROCESSED + ".gz")))
        .as("the archive's permissions, beside orders-processed.csv's")
        .isEqualTo(Files.getPosixFilePermissions(out.resolve(HostApp.PROCESSED)));
  }

  /**
   * The README: lines no pattern can ingest go to {@code orders-rejected.csv} with "the reason of
   * the attempt that got furthest (a semicolon line with a bad address is rejected for the address,
   * not for its separators)". For a semicolon line with a bad quantity, the tolerant attempt read
   * the semicolons and got to the quantity, the strict one stopped at the separators; both fail in
   * the stage PARSE, and the tie goes to whichever pattern the executor happened to try first.
   * Twelve identical lines {@code O-n;eu;SKU-0001;x;1,50;a@example.eu} are rejected, some for
   * "quantity 'x' is not a whole number", the others for "expected 6 comma-separated fields but
   * found 2": the same defect, two reasons, and one of them blames the separators.
   */
  @Test
  void semicolonLineWithABadQuantity_isRejectedForTheQuantity_notForItsSeparators()
      throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 1; i <= 12; i++) {
      lines.add("O-" + i + ";eu;SKU-0001;x;1,50;a@example.eu");
    }
    Path input = input("semicolons.csv", lines);
    Path out = dir.resolve("out");

    HostApp.Summary s = new HostApp().run(input, out, PLUGINS, null, quiet());

    assertThat(s.rejected()).isEqualTo(12);
    List<String> reasons = new ArrayList<>();
    try (var parser =
        OrdersCsv.IN
            .builder()
            .setHeader()
            .setSkipHeaderRecord(true)
            .get()
            .parse(Files.newBufferedReader(out.resolve(HostApp.REJECTED), UTF_8))) {
      parser.forEach(r -> reasons.add(r.get("line") + ": " + r.get("reason")));
    }
    assertThat(reasons).hasSize(12);
    assertThat(reasons)
        .as("the reasons: %s", reasons)
        .allMatch(reason -> reason.contains("quantity 'x' is not a whole number"));
  }

  /**
   * The README's synopsis: {@code [--data DIR | --in-memory]}, one or the other. Given both, the
   * run silently takes {@code --in-memory}: exit code 0, "confidence in memory (--in-memory): this
   * run starts from nothing", and the {@code --data} folder the user named is neither read nor
   * written, so what the run learned is lost without a word. Options that contradict each other are
   * a usage error (exit code 2, one line).
   */
  @Test
  void dataAndInMemoryTogether_isAUsageError() throws Exception {
    input("orders.csv", orders(3));

    Run r = run("--input", "orders.csv", "--data", "data", "--in-memory", "--out", "out");

    assertThat(r.code())
        .as(
            "exit code; data folder created: %s; stdout: %s",
            Files.exists(dir.resolve("data")), AppProcess.tail(r.out()))
        .isEqualTo(Cli.USAGE);
    assertThat(r.errLines()).singleElement().asString().contains("--data").contains("--in-memory");
  }

  /**
   * "2 a usage or input error ... no output folder left behind": a run that created {@code --data}
   * and stops with exit code 2 deletes that folder with everything in it ({@code deleteTree}),
   * assuming only it could have put something there. Two runs started together with a new {@code
   * --data}: the first opens its database there, the second (which found the folder missing when it
   * started) stops on a usage error of its own, here a malformed {@code --trusted-plugins} list,
   * and deletes the first run's open database {@code ndp.mv.db}: what the first run learns is lost.
   * (The list is read through a named pipe only to pause the second run at the right moment.)
   */
  @Test
  void usageErrorOfARunThatCreatedData_doesNotDeleteADatabaseAnotherRunOpenedThere()
      throws Exception {
    input("orders.csv", orders(3));
    Path fifo = dir.resolve("trusted.fifo");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    Path data = dir.resolve("data");

    AppProcess.Started second =
        AppProcess.start(
            dir,
            List.of(),
            "--input",
            "orders.csv",
            "--data",
            "data",
            "--out",
            "out",
            "--plugins",
            PLUGINS.toString(),
            "--trusted-plugins",
            fifo.toString());
    try {
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
      while (!Files.isDirectory(dir.resolve("out"))
          && second.process().isAlive()
          && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(data).as("the second run created the data folder").isDirectory();
      // The first run opens its database in the folder meanwhile.
      try (JdbcStorage first = JdbcStorage.h2(data)) {
        Path db = data.resolve("ndp.mv.db");
        assertThat(db).exists();
        AppProcess.feed(fifo, List.of("not an allowlist"));

        Run r = second.await();

        assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(Cli.USAGE);
        assertThat(db).as("the first run's open database").exists();
      }
    } finally {
      second.process().destroyForcibly();
    }
  }

  /**
   * "The input is streamed ... never held whole ... a 50 MB input runs in a 256 MB heap", and an
   * error is one line without a stack trace. A 50 MB input whose one order line holds a 50 MB
   * address (a runaway export) is held many times over while that record is checked, joined into
   * its text, repaired (a copy per case repair) and parsed again: the run dies with {@code
   * Exception in thread "main" java.lang.OutOfMemoryError: Java heap space} and its stack trace,
   * exit code 1. One over-long field is one rejected line (as a 100,000-digit price is).
   */
  @Test
  void fiftyMegabyteInputOfOneLongLine_underA256MegabyteHeap_rejectsThatLine() throws Exception {
    Path input = dir.resolve("long-line.csv");
    try (var w = Files.newBufferedWriter(input, UTF_8)) {
      w.write(HEADER + "\n");
      w.write("O-1,eu,SKU-0001,1,1.00,a@example.eu\n");
      w.write("O-2,eu,SKU-0001,1,1.00,");
      String chunk = "b".repeat(1_000_000);
      for (int i = 0; i < 50; i++) {
        w.write(chunk);
      }
      w.write("@example.eu\n");
      w.write("O-3,eu,SKU-0001,1,1.00,a@example.eu\n");
    }
    assertThat(Files.size(input)).isGreaterThan(50_000_000L);

    Run r =
        AppProcess.start(
                dir,
                List.of("-Xmx256m"),
                "--input",
                "long-line.csv",
                "--out",
                "out",
                "--plugins",
                PLUGINS.toString(),
                "--in-memory")
            .await();

    assertThat(r.err()).as("stderr").doesNotContain("OutOfMemoryError").doesNotContain("\tat ");
    assertThat(r.code()).as("exit code; stdout tail: %s", AppProcess.tail(r.out())).isZero();
    assertThat(r.out()).contains("records 3, written 2, rejected 1");
  }

  /**
   * "A binary file ... exit 2 ... one line on standard error without a stack trace"; "never held
   * whole". NUL bytes are valid UTF-8, and a binary file (a disk image, a core dump, a preallocated
   * file) may hold no line end and no comma for hundreds of megabytes: the NUL check looks at a
   * field only once Commons CSV has gathered the whole of it in memory. A 400 MB file of NUL bytes
   * under a 256 MB heap ends with {@code Exception in thread "main" java.lang.OutOfMemoryError:
   * Java heap space} and its stack trace, exit code 1, instead of {@code error: input ... is not a
   * text file (it holds NUL characters)}, exit code 2, which a 100 MB one gets.
   */
  @Test
  void largeFileOfNulBytes_isOneLineInputError_notAnOutOfMemoryError() throws Exception {
    Path input = dir.resolve("disk.img");
    try (var f = new java.io.RandomAccessFile(input.toFile(), "rw")) {
      f.setLength(400_000_000L); // sparse: NUL bytes that take no disk space
    }

    Run r =
        AppProcess.start(
                dir,
                List.of("-Xmx256m"),
                "--input",
                "disk.img",
                "--out",
                "out",
                "--plugins",
                PLUGINS.toString(),
                "--in-memory")
            .await();

    assertThat(r.err()).as("stderr").doesNotContain("OutOfMemoryError").doesNotContain("\tat ");
    assertThat(r.code()).as("exit code; stderr: %s", r.err()).isEqualTo(Cli.USAGE);
    assertThat(r.errLines()).singleElement().asString().contains("not a text file");
  }

  /**
   * {@code --metrics-out} may not replace what the run reads: "a --metrics-out that would replace
   * an output, the input or a file of the data or plugins folder" is exit code 2. The {@code
   * --trusted-plugins} list is read by the run too, and is the one file that decides which code
   * runs; {@code --trusted-plugins trusted.txt --metrics-out trusted.txt} exits 0 and replaces the
   * allowlist with a Prometheus page: the next run with the same command line is refused
   * ("malformed list"), and the trust configuration is gone.
   */
  @Test
  void metricsOutThatIsTheTrustedPluginsList_isAUsageError_andTheListIsKept() throws Exception {
    input("orders.csv", orders(3));
    Path list = Files.write(dir.resolve("trusted.txt"), AppProcess.allowlistOf(PLUGINS), UTF_8);
    List<String> before = Files.readAllLines(list, UTF_8);

    Run r =
        run(
            "--input",
            "orders.csv",
            "--in-memory",
            "--out",
            "out",
            "--plugins",
            PLUGINS.toString(),
            "--trusted-plugins",
            "trusted.txt",
            "--metrics-out",
            "trusted.txt");

    assertThat(Files.readAllLines(list, UTF_8))
        .as("the allowlist after the run (exit code %d)", r.code())
        .isEqualTo(before);
    assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(Cli.USAGE);
  }

  /**
   * Exit code 2 leaves "no output folder left behind": a run removes the {@code --data} folder only
   * when it created it. Whether it did is decided on the path with {@code ..} removed as text
   * ({@code normalize()}), while the file system walks {@code ..} from where a link points. With
   * {@code link -> real/sub} and the database of earlier runs in {@code real/d}, {@code --data
   * link/../d} names {@code real/d}, but as text {@code d}, which does not exist: a plain usage
   * error ({@code --input nope.csv}, exit code 2) then deletes {@code real/d} and everything the
   * runs learned.
   */
  @Test
  void usageError_doesNotDeleteAnExistingDataFolderNamedThroughALinkAndDotDot() throws Exception {
    input("orders.csv", orders(3));
    Path real = Files.createDirectories(dir.resolve("real").resolve("sub")).getParent();
    Files.createSymbolicLink(dir.resolve("link"), Path.of("real", "sub"));
    Run first = run("--input", "orders.csv", "--data", "real/d", "--out", "out");
    assertThat(first.code()).as("stderr: %s", first.err()).isZero();
    Path db = real.resolve("d").resolve("ndp.mv.db");
    assertThat(db).exists();

    Run r = run("--input", "nope.csv", "--data", "link/../d", "--out", "out");

    assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(Cli.USAGE);
    assertThat(r.err()).contains("input file not found: nope.csv");
    assertThat(db).as("the earlier runs' database, which this run did not create").exists();
  }

  /**
   * The README: "The input is streamed, read twice (checked, then ingested; an input that changed
   * in between fails the job)". Only the number of records is compared: an input rewritten between
   * the check and the ingest with as many records (here every quantity 1 becomes 9, as an export
   * being rewritten in place would) is ingested as it now reads, exit code 0, and the report is
   * built from data the check never saw.
   */
  @Test
  void inputThatChangesBetweenCheckAndIngest_failsTheJob_evenWithAsManyRecords() throws Exception {
    Path input = input("orders.csv", orders(3));
    String[] args = {
      "--input",
      input.toString(),
      "--out",
      dir.resolve("out").toString(),
      "--plugins",
      PLUGINS.toString(),
      "--in-memory"
    };
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    PrintStream progress =
        new PrintStream(text, true, UTF_8) {
          @Override
          public void println(String x) {
            if (x.startsWith("confidence in memory")) {
              try {
                Files.writeString(
                    input, Files.readString(input, UTF_8).replace(",1,1.00,", ",9,1.00,"), UTF_8);
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            }
            super.println(x);
          }
        };
    ByteArrayOutputStream errors = new ByteArrayOutputStream();

    int code = Cli.execute(args, progress, new PrintStream(errors, true, UTF_8));

    assertThat(Files.readString(input, UTF_8)).contains(",9,1.00,");
    assertThat(code)
        .as(
            "exit code of a run whose input changed after the check; report-eu.csv: %s",
            Files.exists(dir.resolve("out").resolve("report-eu.csv"))
                ? Files.readString(dir.resolve("out").resolve("report-eu.csv"), UTF_8)
                : "(none)")
        .isEqualTo(Cli.JOB_FAILED);
  }

  /**
   * "Plugin folder problems: missing or empty folder → one clear line": {@code --plugins nope} says
   * {@code error: plugins folder not found: nope}. When the default folder, {@code plugins} next to
   * the application, is missing (the JAR copied without it), the run goes on, prints {@code plugins
   * from .../plugins ...: none found} and ends with {@code error: the plugins folder .../plugins
   * provides no pattern kind sequential, parallel, ...}: it never says that the folder does not
   * exist, and sends the user looking for JARs in a folder that is not there.
   */
  @Test
  void missingDefaultPluginsFolder_isReportedAsNotFound() throws Exception {
    input("orders.csv", orders(3));
    // The application's classes in a folder with no plugins folder beside it.
    Path classes = Path.of("target", "classes").toAbsolutePath();
    Path app = Files.createDirectories(dir.resolve("app"));
    Path copy = app.resolve("classes");
    try (var files = Files.walk(classes)) {
      for (Path f : files.toList()) {
        Files.copy(f, copy.resolve(classes.relativize(f).toString()));
      }
    }
    List<String> path = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      path.add(Path.of(e).toAbsolutePath().equals(classes) ? copy.toString() : e);
    }
    String javaCommand = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(
                javaCommand,
                "-cp",
                String.join(java.io.File.pathSeparator, path),
                HostApp.class.getName(),
                "--input",
                "orders.csv",
                "--in-memory",
                "--out",
                "out")
            .directory(dir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectOutput(dir.resolve("stdout.txt").toFile())
            .redirectError(dir.resolve("stderr.txt").toFile())
            .start();
    assertThat(p.waitFor(3, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
    String err = Files.readString(dir.resolve("stderr.txt"), UTF_8);

    assertThat(p.exitValue()).as("stderr: %s", err).isEqualTo(Cli.USAGE);
    assertThat(err.lines().toList())
        .singleElement()
        .asString()
        .contains(app.resolve("plugins").toString())
        .containsAnyOf("not found", "does not exist", "is missing");
  }

  /**
   * Errors are "clear one-line errors". An input that disappears between the check and the ingest
   * (moved away by a log rotation, deleted by a clean-up job) fails the run with exit code 1 and
   * the line {@code error: /tmp/.../orders.csv}: a {@code NoSuchFileException}'s message, which is
   * only the path, so the user is shown their own file name and nothing about what went wrong.
   */
  @Test
  void inputThatDisappearsBeforeTheIngest_isAnErrorThatSaysWhat() throws Exception {
    Path input = input("orders.csv", orders(3));
    String[] args = {
      "--input",
      input.toString(),
      "--out",
      dir.resolve("out").toString(),
      "--plugins",
      PLUGINS.toString(),
      "--in-memory"
    };
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    PrintStream progress =
        new PrintStream(text, true, UTF_8) {
          @Override
          public void println(String x) {
            if (x.startsWith("confidence in memory")) {
              try {
                Files.move(input, dir.resolve("orders.csv.1"));
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            }
            super.println(x);
          }
        };
    ByteArrayOutputStream errors = new ByteArrayOutputStream();

    int code = Cli.execute(args, progress, new PrintStream(errors, true, UTF_8));

    String err = errors.toString(UTF_8);
    assertThat(code).as("stderr: %s", err).isEqualTo(Cli.JOB_FAILED);
    assertThat(err.strip())
        .as("the error line")
        .isNotEqualTo("error: " + input)
        .containsAnyOf("not found", "no longer", "disappeared", "No such file", "does not exist");
  }

  /**
   * "Any input size works"; "a 50 MB input runs" (README). The report's aggregation is three tasks
   * over two {@code cpu} units, "so one waits", but the waiting task gives up after a fixed 2,000
   * ms while each task reads the whole processed file, which grows with the input (the report's own
   * timeout does grow, by a second per megabyte). A 100 MB input of 2.4 million valid short orders
   * is ingested in full, then the report fails: {@code 'region_aggregation' CONFLICT: ... task
   * 'aggregate_us' ... could not acquire {cpu=1} within 2000 ms (in use {cpu=2} of capacities
   * {cpu=2})}, exit code 1, nothing written. (On a 2-core machine: 600,000 lines and 50 MB fail
   * most runs, 300,000 lines pass; 100 MB failed every run.)
   */
  @Test
  @org.junit.jupiter.api.Tag("large-input") // about a minute: runs with -Plarge-inputs (.ci/run)
  void hundredMegabytesOfShortValidOrders_getTheirReport() throws Exception {
    Path input = dir.resolve("many.csv");
    String[] regions = {"eu", "us", "apac"};
    long lines = 0;
    try (var w = Files.newBufferedWriter(input, UTF_8)) {
      w.write(HEADER + "\n");
      long size = HEADER.length() + 1;
      while (size < 101_000_000L) {
        String line =
            String.format(
                java.util.Locale.ROOT,
                "O-%d,%s,SKU-%04d,1,1.00,a@example.eu%n",
                lines,
                regions[(int) (lines % 3)],
                lines % 10_000);
        w.write(line);
        size += line.length();
        lines++;
      }
    }

    Run r =
        run("--input", "many.csv", "--out", "out", "--plugins", PLUGINS.toString(), "--in-memory");

    String report =
        r.out().lines().filter(l -> l.startsWith("report:")).findFirst().orElse("(no report line)");
    assertThat(r.code()).as("exit code; %s", report).isZero();
    assertThat(r.out()).contains("records " + lines + ", written " + lines);
  }

  /**
   * "Another CSV → one clear message" naming what line 1 is. The line is quoted cut to 40
   * characters, and the six expected columns take 56: a header that differs only in its last column
   * (here {@code email} for {@code customer_email}, the likeliest mistake) gives {@code error:
   * input h.csv does not start with the header
   * order_id,region,sku,quantity,unit_price,customer_email (line 1 is
   * 'order_id,region,sku,quantity,unit_pri...')}: what is shown of line 1 is exactly the expected
   * header, and the column that is wrong is never named.
   */
  @Test
  void headerWrongInItsLastColumn_isAnInputErrorThatShowsTheWrongColumn() throws Exception {
    Files.write(
        dir.resolve("h.csv"),
        List.of(
            "order_id,region,sku,quantity,unit_price,email", "O-1,eu,SKU-0001,1,1.00,a@example.eu"),
        UTF_8);

    Run r = run("--input", "h.csv", "--in-memory", "--out", "out");

    assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(Cli.USAGE);
    assertThat(r.errLines())
        .singleElement()
        .asString()
        .contains("does not start with the header")
        .containsAnyOf("unit_price,email", "'email'");
  }
}
