package io.ndp.examples.hostapp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.examples.hostapp.AppProcess.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The command line as a user meets it: a separate process, its exit code, what it prints on each
 * stream. A mistake is one line on standard error and exit code 2, never a stack trace.
 */
class CliProcessTest {
  private static final Path PLUGINS = Path.of("target", "plugins").toAbsolutePath();
  private static final String HEADER = String.join(",", OrdersCsv.HEADER);

  @TempDir Path dir;

  private Run run(String... args) throws Exception {
    return AppProcess.run(dir, args);
  }

  private static void assertUsageError(Run r, String message) {
    assertThat(r.code()).as("exit code; stderr: %s", r.err()).isEqualTo(2);
    assertThat(r.errLines()).as("one line on stderr").singleElement().asString().contains(message);
    assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void help_listsTheOptionsAndTheExitCodes() throws Exception {
    Run r = run("--help");

    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains("Usage: ndp-host-app")
        .contains("--input=FILE")
        .contains("--in-memory")
        .contains("--metrics-out=FILE")
        .contains("Exit codes:")
        .contains("2   usage or input error");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void version_namesTheApi() throws Exception {
    Run r = run("--version");

    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("NDP API 0.2.0");
  }

  @Test
  void unknownOption_isAUsageError() throws Exception {
    assertUsageError(run("--bogus"), "Unknown option: '--bogus' (see --help)");
  }

  @Test
  void optionWithoutItsValue_isAUsageError() throws Exception {
    assertUsageError(run("--input"), "Missing required parameter for option '--input'");
  }

  @Test
  void missingInputFile_isAnInputError_andWritesNothing() throws Exception {
    Run r = run("--input", "nope.csv", "--out", "out", "--in-memory");

    assertUsageError(r, "input file not found: nope.csv");
    assertThat(dir.resolve("out")).doesNotExist();
  }

  @Test
  void inputThatIsAFolder_isAnInputError() throws Exception {
    Files.createDirectories(dir.resolve("folder"));
    assertUsageError(run("--input", "folder", "--in-memory"), "input is not a file: folder");
  }

  @Test
  void outputThatIsAFile_isAnInputError() throws Exception {
    Files.writeString(dir.resolve("taken"), "x");
    assertUsageError(
        run("--out", "taken", "--in-memory"), "--out must be a folder, but taken is a file");
  }

  @Test
  void outputThatCannotBeCreated_isAnInputError() throws Exception {
    assertUsageError(
        run("--out", "/proc/ndp-x", "--in-memory"), "cannot create the output folder /proc/ndp-x");
  }

  @Test
  void folderInTheWayOfAnOutput_isAnInputError_beforeAnyWork() throws Exception {
    Files.createDirectories(dir.resolve("out").resolve("report-eu.csv").resolve("x"));
    assertUsageError(
        run("--out", "out", "--in-memory", "--plugins", PLUGINS.toString()),
        "holds a folder named like an output file, in the way: report-eu.csv");
    try (var left = Files.list(dir.resolve("out"))) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("report-eu.csv");
    }
  }

  @Test
  void inputThatIsOneOfTheOutputs_isAnInputError() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out"));
    String orders = HEADER + "\nO-1,eu,SKU-0001,1,1.00,a@example.eu\n";
    Files.writeString(out.resolve("orders-processed.csv"), orders);

    assertUsageError(
        run("--input", "out/orders-processed.csv", "--out", "out", "--in-memory"),
        "the input out/orders-processed.csv is the output out/orders-processed.csv");
    assertThat(out.resolve("orders-processed.csv")).hasContent(orders);
  }

  @Test
  void aSecondRunIntoTheSameFolder_whileTheFirstHoldsIt_isAnInputError() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out"));
    try (var channel =
            java.nio.channels.FileChannel.open(
                out.resolve(HostApp.LOCK),
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE);
        var lock = channel.lock()) {
      assertUsageError(
          run("--out", "out", "--in-memory", "--plugins", PLUGINS.toString()),
          "another run is writing to out");
    }
  }

  @Test
  void missingPluginsFolder_isAnInputError() throws Exception {
    assertUsageError(
        run("--plugins", "no-such-folder", "--in-memory"),
        "plugins folder not found: no-such-folder");
  }

  @Test
  void emptyPluginsFolder_isAnInputError_namingTheMissingKinds() throws Exception {
    Files.createDirectories(dir.resolve("empty"));

    assertUsageError(
        run("--plugins", "empty", "--in-memory", "--out", "out"),
        "the plugins folder empty provides no pattern kind sequential, parallel,"
            + " meta-orchestration, evaluator-optimizer");
  }

  @Test
  void emptyHeaderOnlyBinaryOrForeignInput_isAnInputError_andLeavesNothing() throws Exception {
    Files.writeString(dir.resolve("empty.csv"), "");
    Files.writeString(dir.resolve("header.csv"), HEADER + "\n\n");
    Files.write(dir.resolve("binary.csv"), new byte[] {0x7f, 'E', 'L', 'F', 0, (byte) 0xff, 2});
    Files.writeString(dir.resolve("other.csv"), "name,age\nbob,3\n");

    assertUsageError(run("--input", "empty.csv", "--in-memory", "--out", "o1"), "is empty");
    assertUsageError(
        run("--input", "header.csv", "--in-memory", "--out", "o2"),
        "has no order lines, only the header");
    assertUsageError(
        run("--input", "binary.csv", "--in-memory", "--out", "o3"), "is not UTF-8 text");
    assertUsageError(
        run("--input", "other.csv", "--in-memory", "--out", "o4"),
        "does not start with the header order_id,region,sku,quantity,unit_price,customer_email"
            + " (line 1 is 'name,age'; column 1 is 'name', expected 'order_id')");
    for (String o : List.of("o1", "o2", "o3", "o4")) {
      assertThat(dir.resolve(o)).as("no output folder left behind").doesNotExist();
    }
  }

  @Test
  void rejectedLines_carryTheirLineNumberInTheFile_blankLinesIncluded() throws Exception {
    Files.writeString(
        dir.resolve("gaps.csv"),
        HEADER
            + "\n\n"
            + "O-1,eu,SKU-0001,1,10.00,a@example.eu\n"
            + "\n\n"
            + "this line is broken\n");

    Run r =
        run("--input", "gaps.csv", "--out", "out", "--plugins", PLUGINS.toString(), "--in-memory");

    assertThat(r.out()).contains("records 2");
    List<String> rejected = Files.readAllLines(dir.resolve("out").resolve("orders-rejected.csv"));
    assertThat(rejected).hasSize(2);
    assertThat(rejected.get(1)).startsWith("6,");
  }

  /** The first {@code n} order lines of the bundled data, under the header. */
  private Path firstLines(int n) throws Exception {
    List<String> lines;
    try (var in = HostApp.class.getResourceAsStream("/data/orders.csv")) {
      lines = new String(in.readAllBytes(), UTF_8).lines().limit(n + 1L).toList();
    }
    return Files.write(dir.resolve("first-" + n + ".csv"), lines, UTF_8);
  }

  @ParameterizedTest(name = "{0} order lines")
  @ValueSource(ints = {1, 10, 1_000, 6_000})
  void anyInputSize_succeeds_andItsOutputsVerify(int n) throws Exception {
    Path input = firstLines(n);
    String out = "out-" + n;

    Run r =
        run(
            "--input",
            input.toString(),
            "--out",
            out,
            "--plugins",
            PLUGINS.toString(),
            "--in-memory");

    assertThat(r.code()).as("stdout: %s%nstderr: %s", r.out(), r.err()).isZero();
    assertThat(r.out()).contains("records " + n + ",").contains("report: succeeded");
    AppProcess.assertVerifies(dir.resolve(out));
    assertThat(dir.resolve(out)).isDirectoryNotContaining("glob:**/.ndp-staging-*");
    // Every output is created the usual way: the archive has the permissions of the CSV files,
    // not a temporary file's owner-only ones.
    java.util.Set<java.nio.file.attribute.PosixFilePermission> csv =
        Files.getPosixFilePermissions(dir.resolve(out).resolve("orders-processed.csv"));
    assertThat(Files.getPosixFilePermissions(dir.resolve(out).resolve("orders-processed.csv.gz")))
        .isEqualTo(csv);
  }

  /** One sample of a Prometheus text page: {@code name{k="v",...} value}. */
  private record Sample(String name, java.util.Map<String, String> labels, double value) {}

  private static final java.util.regex.Pattern SAMPLE =
      java.util.regex.Pattern.compile(
          "([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (-?[0-9.]+(?:[eE][-+]?[0-9]+)?|NaN|[-+]Inf)");
  private static final java.util.regex.Pattern LABEL =
      java.util.regex.Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

  /** Parses a Prometheus text page, failing on any line that is neither a comment nor a sample. */
  private static List<Sample> parsePrometheus(Path page) throws Exception {
    List<Sample> samples = new java.util.ArrayList<>();
    for (String line : Files.readAllLines(page, UTF_8)) {
      if (line.isBlank() || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
        continue;
      }
      java.util.regex.Matcher m = SAMPLE.matcher(line);
      assertThat(m.matches()).as("a sample line: %s", line).isTrue();
      java.util.Map<String, String> labels = new java.util.TreeMap<>();
      if (m.group(2) != null) {
        java.util.regex.Matcher l = LABEL.matcher(m.group(2));
        int end = 0;
        while (l.find() && l.start() == end) {
          labels.put(l.group(1), l.group(2));
          end = l.end();
        }
        assertThat(end).as("labels of %s", line).isEqualTo(m.group(2).length());
      }
      samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
    }
    return samples;
  }

  private static double sum(List<Sample> samples, String name, String... labels) {
    return samples.stream()
        .filter(x -> x.name().equals(name))
        .filter(
            x -> {
              for (int i = 0; i < labels.length; i += 2) {
                if (!labels[i + 1].equals(x.labels().get(labels[i]))) {
                  return false;
                }
              }
              return true;
            })
        .mapToDouble(Sample::value)
        .sum();
  }

  @Test
  void metricsOut_writesAPrometheusPage_whoseCountsEqualTheJobs() throws Exception {
    Path input = firstLines(1_000);
    Files.writeString(dir.resolve("metrics.prom"), "an earlier page");

    Run r =
        run(
            "--input",
            input.toString(),
            "--out",
            "out",
            "--plugins",
            PLUGINS.toString(),
            "--in-memory",
            "--metrics-out",
            "metrics.prom");

    assertThat(r.code()).as("stdout: %s%nstderr: %s", r.out(), r.err()).isZero();
    java.util.regex.Matcher job =
        java.util.regex.Pattern.compile("records (\\d+), written (\\d+), rejected (\\d+)")
            .matcher(r.out());
    assertThat(job.find()).as(r.out()).isTrue();
    long records = Long.parseLong(job.group(1));
    long written = Long.parseLong(job.group(2));
    long rejected = Long.parseLong(job.group(3));
    assertThat(records).isEqualTo(1_000);
    assertThat(r.out())
        .contains("metrics (ndp-micrometer):")
        .contains("executions " + (records + 1) + " (and ")
        .contains("metrics written to metrics.prom");

    List<Sample> page = parsePrometheus(dir.resolve("metrics.prom"));
    assertThat(page)
        .extracting(Sample::name)
        .contains(
            "ndp_executions_seconds_count",
            "ndp_executions_seconds_sum",
            "ndp_executions_seconds_max",
            "ndp_attempts_seconds_count",
            "ndp_fallbacks_total",
            "ndp_executions_in_flight",
            "ndp_resource_units_in_use",
            "ndp_confidence");
    assertThat(sum(page, "ndp_executions_seconds_count", "nested", "false")).isEqualTo(records + 1);
    assertThat(sum(page, "ndp_executions_seconds_count", "outcome", "failure")).isEqualTo(rejected);
    assertThat(
            sum(
                    page,
                    "ndp_executions_seconds_count",
                    "pattern",
                    "strict_ingest",
                    "outcome",
                    "success")
                + sum(
                    page,
                    "ndp_executions_seconds_count",
                    "pattern",
                    "tolerant_ingest",
                    "outcome",
                    "success"))
        .isEqualTo(written);
    assertThat(sum(page, "ndp_executions_seconds_count", "pattern", "nightly_report")).isEqualTo(1);
    assertThat(sum(page, "ndp_executions_in_flight")).isZero();
    assertThat(sum(page, "ndp_resource_units_in_use", "resource", "cpu")).isZero();
    assertThat(sum(page, "ndp_plugin_events_total", "event", "loaded")).isEqualTo(4);
    // Replaced in one rename: no temporary file is left beside it.
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  @Test
  void metricsOutThatIsAFolder_isAnInputError_andWritesNothing() throws Exception {
    Files.createDirectories(dir.resolve("m"));
    assertUsageError(
        run("--metrics-out", "m", "--out", "out", "--in-memory"),
        "--metrics-out must be a file, but m is a folder");
    assertThat(dir.resolve("out")).doesNotExist();
  }

  @Test
  void metricsOutInAMissingFolder_isAnInputError_andWritesNothing() throws Exception {
    assertUsageError(
        run("--metrics-out", "nope/m.prom", "--out", "out", "--in-memory"),
        "the folder of --metrics-out nope/m.prom does not exist");
    assertThat(dir.resolve("out")).doesNotExist();
    assertThat(dir.resolve("nope")).doesNotExist();
  }

  @Test
  void metricsOutThatIsAnOutputOrTheInput_isAnInputError() throws Exception {
    assertUsageError(
        run("--metrics-out", "out/MANIFEST.sha256", "--out", "out", "--in-memory"),
        "--metrics-out out/MANIFEST.sha256 is the job's output MANIFEST.sha256 in out");
    Path input = firstLines(1);
    assertUsageError(
        run("--input", input.toString(), "--metrics-out", input.toString(), "--in-memory"),
        "is the --metrics-out file");
    assertThat(input).content().startsWith(HEADER);
  }

  @Test
  void noOrderLines_isAnInputError() throws Exception {
    assertUsageError(
        run("--input", firstLines(0).toString(), "--in-memory", "--out", "o"),
        "has no order lines, only the header");
    assertThat(dir.resolve("o")).doesNotExist();
  }

  @Test
  void failedReport_exitsWithOne_writesNothing_andLeavesTheEarlierRunAsItWas() throws Exception {
    Path out = dir.resolve("out");
    Run first = run("--out", "out", "--plugins", PLUGINS.toString(), "--in-memory");
    assertThat(first.code()).as(first.err()).isZero();
    java.util.Map<String, String> before = AppProcess.contents(out);
    // The same kinds, but the archive's kind is one whose every pattern fails.
    Path plugins = Files.createDirectories(dir.resolve("failing-archive"));
    try (var jars = Files.list(PLUGINS)) {
      for (Path jar : jars.filter(j -> !j.toString().contains("evaluator-optimizer")).toList()) {
        Files.copy(jar, plugins.resolve(jar.getFileName()));
      }
    }
    FailingPlugin.write(plugins.resolve("failing-optimizer.jar"), "evaluator-optimizer");

    Run r =
        run(
            "--out",
            "out",
            "--plugins",
            plugins.toString(),
            "--in-memory",
            "--metrics-out",
            "failed.prom");

    assertThat(r.code()).as("stdout: %s%nstderr: %s", r.out(), r.err()).isEqualTo(1);
    // The page of a failed job is what an operator wants to see: it is written all the same.
    assertThat(
            sum(
                parsePrometheus(dir.resolve("failed.prom")),
                "ndp_executions_seconds_count",
                "domain",
                "reporting",
                "outcome",
                "failure"))
        .isEqualTo(1);
    assertThat(r.out())
        .contains("records 6000")
        .contains("FAILED: the report failed")
        .contains("nothing was written to out, which is as it was before the run");
    assertThat(AppProcess.contents(out)).as("the earlier run's files, unchanged").isEqualTo(before);
    AppProcess.assertVerifies(out);
  }

  @Test
  void reusedOutputFolder_holdsThisRunsOutputs_whichVerify_andNoLinkIsFollowed() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out"));
    Files.writeString(out.resolve("report-atlantis.csv"), "left over from an earlier run");
    Files.writeString(out.resolve("report-eu.csv"), "an earlier run's report");
    Files.createDirectories(out.resolve(".ndp-staging-123").resolve("candidates"));
    Path target = Files.writeString(dir.resolve("precious.txt"), "must stay");
    Files.createSymbolicLink(out.resolve("MANIFEST.sha256"), target);
    Files.writeString(out.resolve("notes.txt"), "the user's own file");

    Run r = run("--out", "out", "--plugins", PLUGINS.toString(), "--in-memory");

    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    assertThat(out.resolve("report-atlantis.csv"))
        .as("not an output name: the user's file, left alone")
        .hasContent("left over from an earlier run");
    assertThat(Files.readString(out.resolve("report-eu.csv"))).startsWith("sku,quantity,total");
    try (var hidden = Files.list(out)) {
      assertThat(hidden.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")))
          .as("a killed run's staging folder is cleaned up; the (empty) lock file stays")
          .containsExactly(HostApp.LOCK);
    }
    assertThat(Files.isSymbolicLink(out.resolve("MANIFEST.sha256"))).isFalse();
    assertThat(target).hasContent("must stay");
    assertThat(out.resolve("notes.txt")).hasContent("the user's own file");
    List<String> manifest = Files.readAllLines(out.resolve("MANIFEST.sha256"));
    assertThat(manifest).anyMatch(l -> l.endsWith("  orders-rejected.csv"));
    AppProcess.assertVerifies(out);
  }

  @Test
  void corruptPluginJar_isOneLine_countedAsInvalid_andNoStackTraceReachesTheConsole()
      throws Exception {
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    try (var jars = Files.list(PLUGINS)) {
      for (Path jar : jars.toList()) {
        Files.copy(jar, plugins.resolve(jar.getFileName()));
      }
    }
    Files.writeString(plugins.resolve("corrupt.jar"), "not a zip");

    Run r = run("--plugins", "plugins", "--in-memory", "--out", "out");

    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    assertThat(r.out()).contains("4 started, 1 invalid");
    assertThat(r.out() + r.err()).doesNotContain("\tat ").doesNotContain("ZipException");
    assertThat(r.err().lines().filter(l -> l.contains("corrupt.jar")).count()).isEqualTo(1);
  }

  @Test
  void bundledData_succeeds_withExitCodeZero() throws Exception {
    Run r = run("--out", "out", "--plugins", PLUGINS.toString(), "--in-memory");

    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    assertThat(r.out())
        .contains("records 6000, written 5936, rejected 64")
        .contains("report: succeeded");
    assertThat(dir.resolve("out").resolve("MANIFEST.sha256")).exists();
    assertThat(dir.resolve("ndp-data")).as("--in-memory keeps nothing").doesNotExist();
  }
}
