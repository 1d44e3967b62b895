package io.ndp.examples.hostapp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.examples.hostapp.AppProcess.Run;
import io.ndp.examples.hostapp.AppProcess.Started;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Defects found in the second review of the host app (streamed input, all-or-nothing publish, one
 * run per folder): each test states the promised behaviour and fails on the current code.
 */
class SecondReviewTest {
  private static final Path PLUGINS = Path.of("target", "plugins").toAbsolutePath();
  private static final String HEADER = String.join(",", OrdersCsv.HEADER);

  @TempDir Path dir;

  private Run run(String... args) throws Exception {
    return start(List.of(), args).await();
  }

  private Started start(List<String> jvmArgs, String... args) throws Exception {
    return AppProcess.start(dir, jvmArgs, args);
  }

  /**
   * "The input is streamed ... never held whole; a 50 MB input runs in a 256 MB heap", and blank
   * lines are skipped. The reader that tracks line numbers keeps one boxed {@code Long} per line
   * start (plus the characters) from the start of a record to the start of the next non-blank one:
   * a run of blank lines between two orders is held whole, at about 40 bytes per blank line, so a
   * 40 MB input that is mostly blank lines dies with an OutOfMemoryError.
   */
  @Test
  void fortyMegabytesOfBlankLinesBetweenTwoOrders_runInA256MegabyteHeap() throws Exception {
    Path input = dir.resolve("blank.csv");
    byte[] blanks = new byte[1 << 20];
    java.util.Arrays.fill(blanks, (byte) '\n');
    try (var w = Files.newOutputStream(input)) {
      w.write((HEADER + "\nO-1,eu,SKU-0001,1,1.00,a@example.eu\n").getBytes(UTF_8));
      for (int i = 0; i < 40; i++) {
        w.write(blanks);
      }
      w.write("O-2,us,SKU-0002,2,2.00,b@example.us\n".getBytes(UTF_8));
    }

    Run r =
        start(
                List.of("-Xmx256m"),
                "--input",
                "blank.csv",
                "--out",
                "out",
                "--plugins",
                PLUGINS.toString(),
                "--in-memory")
            .await();

    assertThat(r.err()).as("stderr").doesNotContain("OutOfMemoryError");
    assertThat(r.code()).as("exit code; stdout tail: %s", AppProcess.tail(r.out())).isZero();
    assertThat(r.out()).contains("records 2, written 2");
  }

  /**
   * "One run at a time writes to a folder": a run deletes {@code .ndp-lock} before it releases the
   * lock. A second run that opened the lock file while the first was running (and was descheduled
   * before its {@code tryLock}) then locks the deleted file and goes on; a third run creates a new
   * {@code .ndp-lock}, locks that, and goes on too: two runs write to the same folder at once.
   */
  @Test
  void runThatOpenedTheLockFileDuringAnEarlierRun_stillExcludesALaterRun() throws Exception {
    Path out = dir.resolve("out");
    Started first =
        start(List.of(), "--out", "out", "--plugins", PLUGINS.toString(), "--in-memory");
    // While the first run works (its staging folder exists), a second one opens the lock file.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    boolean staged = false;
    while (!staged && first.process().isAlive() && System.nanoTime() < deadline) {
      if (Files.isDirectory(out)) {
        try (var entries = Files.list(out)) {
          staged = entries.anyMatch(e -> e.getFileName().toString().startsWith(".ndp-staging-"));
        }
      }
      Thread.onSpinWait();
    }
    assertThat(staged).as("the first run started staging").isTrue();
    try (FileChannel second =
        FileChannel.open(
            out.resolve(HostApp.LOCK),
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      Run firstRun = first.await();
      assertThat(firstRun.code()).as(firstRun.err()).isZero();
      // The second run now reaches its tryLock, as HostApp.run does.
      FileLock secondLock = second.tryLock();
      assertThat(secondLock).as("the second run holds the folder's lock").isNotNull();

      Run third = run("--out", "out", "--plugins", PLUGINS.toString(), "--in-memory");

      assertThat(third.code())
          .as("a third run while the second holds the lock; stderr: %s", third.err())
          .isEqualTo(Cli.USAGE);
      assertThat(third.err()).contains("another run is writing to");
      secondLock.release();
    }
  }

  /**
   * Exit code 2 leaves "no output folder left behind", and "a failed run leaves the folders it
   * created behind only when it wrote into them". {@code --out a/b} and {@code --data c/d} are
   * created with their parents, but only the last folder of each is removed after an input error:
   * the empty {@code a} and {@code c} stay.
   */
  @Test
  void inputError_removesTheParentFoldersItCreatedForOutAndData() throws Exception {
    Path input = dir.resolve("header-only.csv");
    Files.writeString(input, HEADER + "\n");

    int code =
        Cli.execute(
            new String[] {
              "--input",
              input.toString(),
              "--out",
              dir.resolve("a").resolve("b").toString(),
              "--data",
              dir.resolve("c").resolve("d").toString(),
              "--plugins",
              PLUGINS.toString()
            },
            new PrintStream(new ByteArrayOutputStream(), true, UTF_8),
            new PrintStream(new ByteArrayOutputStream(), true, UTF_8));

    assertThat(code).isEqualTo(Cli.USAGE);
    assertThat(dir.resolve("a").resolve("b")).doesNotExist();
    assertThat(dir.resolve("c").resolve("d")).doesNotExist();
    assertThat(dir.resolve("a")).as("the parent of --out the run created").doesNotExist();
    assertThat(dir.resolve("c")).as("the parent of --data the run created").doesNotExist();
  }

  /**
   * An input with only the header is an input error (exit 2, nothing written), and exit code 1
   * means "nothing was written, the output folder is as it was". The input is read twice and only
   * the first read is checked: when the file changes between the check and the ingest (an exporter
   * still writing it, a file replaced), the second read is trusted. Here it is cut to its header
   * after the check: the run ingests 0 records, publishes empty outputs over the previous run's,
   * and only then fails building its summary ({@code IllegalArgumentException: no operation named
   * 'ingest_record' was measured}), exit 1: the folder is not as it was.
   */
  @Test
  void inputThatChangesBetweenCheckAndIngest_failsAndLeavesTheOutputFolderAsItWas()
      throws Exception {
    Path input = dir.resolve("orders.csv");
    Files.writeString(
        input,
        HEADER + "\nO-1,eu,SKU-0001,1,1.00,a@example.eu\nO-2,us,SKU-0002,2,2.00,b@example.us\n");
    Path out = dir.resolve("out");
    String[] args = {
      "--input",
      input.toString(),
      "--out",
      out.toString(),
      "--plugins",
      PLUGINS.toString(),
      "--in-memory"
    };
    assertThat(Cli.execute(args, quiet(), quiet())).isZero();
    Map<String, String> before = AppProcess.contents(out);

    // Between the check and the ingest (the progress line printed after the check), the input
    // is cut to its header.
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    PrintStream progress =
        new PrintStream(text, true, UTF_8) {
          @Override
          public void println(String x) {
            if (x.startsWith("confidence in memory")) {
              try {
                Files.writeString(input, HEADER + "\n");
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            }
            super.println(x);
          }
        };
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    int code = Cli.execute(args, progress, new PrintStream(errors, true, UTF_8));

    assertThat(code).as("exit code; stdout: %s", AppProcess.tail(text.toString(UTF_8))).isNotZero();
    assertThat(AppProcess.contents(out))
        .as(
            "exit code %d means nothing was written; the previous run's outputs; stderr: %s",
            code, errors.toString(UTF_8))
        .isEqualTo(before);
  }

  private static PrintStream quiet() {
    return new PrintStream(java.io.OutputStream.nullOutputStream(), true, UTF_8);
  }

  /**
   * The README: a unit price is "a plain decimal with at most 7 integer digits (leading zeros
   * aside)", and a quantity's leading zeros are ignored whatever their number. A unit price longer
   * than 64 characters is refused before it is read, so {@code 000…0001.00} (one integer digit
   * after 61 zeros) is rejected as "not a decimal like 12.34" although it is exactly that.
   */
  @Test
  void unitPriceWithManyLeadingZeros_isReadAsItsValue_likeTheQuantity() {
    String zeros = "0".repeat(61);
    OrdersCsv.InputRecord record =
        new OrdersCsv.InputRecord(
            2, List.of("O-1", "eu", "SKU-0001", zeros + "1", zeros + "1.00", "a@example.eu"), "");

    Order order = OrderSteps.parse(record);

    assertThat(order.quantity()).isEqualTo(1);
    assertThat(order.unitPrice()).isEqualByComparingTo("1.00");
  }

  /**
   * The publish step promises "No REPLACE_EXISTING: whatever appeared there meanwhile is not
   * overwritten", but it moves with ATOMIC_MOVE, which on Linux is a plain rename(2) and replaces
   * an existing target. A file another process creates under an output's name after the earlier
   * output was set aside is silently overwritten, and publish reports success.
   */
  @Test
  void publish_doesNotOverwriteAFileThatAppearedUnderAnOutputsName() throws Exception {
    byte[] theirs = "written by someone else\n".getBytes(UTF_8);
    for (int attempt = 0; attempt < 2_000; attempt++) {
      Path out = Files.createDirectories(dir.resolve("out-" + attempt));
      Path staging = Files.createDirectories(out.resolve(HostApp.STAGING_PREFIX + "x"));
      for (String name : HostApp.OUTPUTS) {
        Files.writeString(out.resolve(name), "old " + name);
        Files.writeString(staging.resolve(name), "new " + name);
      }
      Path target = out.resolve(HostApp.PROCESSED);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicBoolean created = new AtomicBoolean();
      Thread other =
          new Thread(
              () -> {
                while (!stop.get() && !created.get()) {
                  try {
                    Files.write(target, theirs, StandardOpenOption.CREATE_NEW);
                    created.set(true);
                  } catch (java.io.IOException e) {
                    // still there
                  }
                }
              });
      other.start();
      Thread.yield();
      boolean published;
      try {
        HostApp.publish(staging, out);
        published = true;
      } catch (java.io.IOException e) {
        published = false;
      }
      stop.set(true);
      other.join();
      if (created.get()) {
        if (published) {
          assertThat(Files.readString(target, UTF_8))
              .as("the file that appeared after the earlier output was set aside")
              .isEqualTo(new String(theirs, UTF_8));
        }
        return;
      }
    }
    // No file appeared during a publish in 2,000 tries: each publish still placed the new outputs.
    assertThat(Files.readString(dir.resolve("out-1999").resolve(HostApp.PROCESSED), UTF_8))
        .isEqualTo("new " + HostApp.PROCESSED);
  }

  /**
   * A {@code .ndp-lock} in the output folder that is a symbolic link (the lock is opened with
   * NOFOLLOW_LINKS) makes an output folder that cannot be used, found before any work: exit code 2
   * and a line naming the file. The run ends with exit code 1 ("the job failed") and {@code error:
   * Too many levels of symbolic links (NOFOLLOW_LINKS specified)}, which names neither the file nor
   * the folder.
   */
  @Test
  void lockFileThatIsALink_isAUsageErrorThatNamesIt() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out"));
    Files.createSymbolicLink(out.resolve(HostApp.LOCK), dir.resolve("elsewhere"));
    ByteArrayOutputStream errors = new ByteArrayOutputStream();

    int code =
        Cli.execute(
            new String[] {"--out", out.toString(), "--plugins", PLUGINS.toString(), "--in-memory"},
            quiet(),
            new PrintStream(errors, true, UTF_8));

    assertThat(code).as("exit code; stderr: %s", errors.toString(UTF_8)).isEqualTo(Cli.USAGE);
    assertThat(errors.toString(UTF_8)).contains(HostApp.LOCK);
  }
}
