package io.ndp.examples.hostapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternFactory;
import io.ndp.api.PatternResult;
import io.ndp.core.Ndp;
import io.ndp.core.PluginReport;
import io.ndp.storage.jdbc.JdbcStorage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostAppTest {

  /** Filled by the build (dependency:copy) with the four plugin JARs. */
  private static final Path PLUGINS = Path.of("target", "plugins");

  @Test
  void bundledInput_isIngestedWithFallbacksRejectsAndLearning(@TempDir Path out) throws Exception {
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    HostApp.Summary s =
        new HostApp()
            .run(null, out, PLUGINS, null, new PrintStream(progress, true, StandardCharsets.UTF_8));

    assertThat(s.records()).isEqualTo(6_000);
    assertThat(s.written() + s.rejected()).isEqualTo(s.records());
    assertThat(s.rejected()).isPositive();
    assertThat(s.fallbacks()).isPositive();
    assertThat(progress.toString(StandardCharsets.UTF_8)).contains("processed 6,000 / 6,000");

    // Every written record carries the SHA-256 of its canonical form.
    List<String> processed = Files.readAllLines(out.resolve("orders-processed.csv"));
    assertThat(processed).hasSize((int) s.written() + 1);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (String line : processed.subList(1, processed.size())) {
      int cut = line.lastIndexOf(',');
      String expected =
          HexFormat.of()
              .formatHex(sha.digest(line.substring(0, cut).getBytes(StandardCharsets.UTF_8)));
      assertThat(line.substring(cut + 1)).isEqualTo(expected);
    }

    // Rejected lines say which step failed and why.
    List<String> rejected = Files.readAllLines(out.resolve("orders-rejected.csv"));
    assertThat(rejected).hasSize((int) s.rejected() + 1);
    assertThat(rejected.subList(1, rejected.size())).allMatch(l -> l.contains("step '"));

    // The legacy apac exports taught the executor to prefer the tolerant pattern there.
    assertThat(s.storage().statistics("tolerant_ingest").successes()).isPositive();
    assertThat(s.storage().statisticsByDomain("strict_ingest").get("apac").score())
        .isLessThan(s.storage().statisticsByDomain("tolerant_ingest").get("apac").score());
    assertThat(s.table()).contains("strict_ingest").contains("tolerant_ingest").contains("p95");

    // The report stage used the three other kinds. Both archive patterns are new to the domain,
    // so the default policy tries either first: archive_max cannot reach its bar on this data
    // (when tried, it fails and the executor falls back), archive_small serves the archive.
    assertThat(s.report().success()).as(s.report().message()).isTrue();
    assertThat(s.storage().statistics("nightly_report").successes()).isEqualTo(1);
    assertThat(s.storage().statistics("region_aggregation").successes()).isEqualTo(1);
    assertThat(s.storage().statistics("archive_max").successes()).isZero();
    assertThat(s.storage().statistics("archive_max").failures()).isLessThanOrEqualTo(1);
    assertThat(s.storage().statistics("archive_small").successes()).isEqualTo(1);

    // Every file in the manifest has the hash written there.
    List<String> manifest = Files.readAllLines(out.resolve("MANIFEST.sha256"));
    assertThat(manifest).hasSize(6); // 3 reports, processed, rejected, archive
    for (String entry : manifest) {
      String[] parts = entry.split("  ");
      byte[] bytes = Files.readAllBytes(out.resolve(parts[1]));
      assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)))
          .as(parts[1])
          .isEqualTo(parts[0]);
    }
    // The archive holds the processed file.
    try (var gz =
        new GZIPInputStream(Files.newInputStream(out.resolve("orders-processed.csv.gz")))) {
      assertThat(gz.readAllBytes())
          .isEqualTo(Files.readAllBytes(out.resolve("orders-processed.csv")));
    }
    // Per-region reports add up to the processed records of that region.
    for (String region : List.of("apac", "eu", "us")) {
      BigDecimal expected =
          processed.subList(1, processed.size()).stream()
              .map(l -> l.split(","))
              .filter(f -> f[1].equals(region))
              .map(f -> new BigDecimal(f[5]))
              .reduce(BigDecimal.ZERO, BigDecimal::add);
      List<String> report = Files.readAllLines(out.resolve("report-" + region + ".csv"));
      BigDecimal reported =
          report.subList(1, report.size()).stream()
              .map(l -> new BigDecimal(l.split(",")[2]))
              .reduce(BigDecimal.ZERO, BigDecimal::add);
      assertThat(reported).as(region).isEqualByComparingTo(expected);
    }
  }

  /** The executions table of the metrics: "pattern outcome" to its executions and max ms. */
  private static Map<String, double[]> executionRows(String table) {
    Map<String, double[]> rows = new java.util.TreeMap<>();
    boolean inExecutions = false;
    for (String line : table.lines().toList()) {
      String[] f = line.trim().split("\\s+");
      if (line.startsWith("pattern ") && line.contains("executions")) {
        inExecutions = true;
      } else if (line.startsWith("pattern ")) {
        inExecutions = false;
      } else if (inExecutions && f.length == 5) {
        rows.put(f[0] + " " + f[1], new double[] {Long.parseLong(f[2]), Double.parseDouble(f[4])});
      }
    }
    return rows;
  }

  @Test
  void metricsTable_countsEqualTheJobsSummary(@TempDir Path out) throws Exception {
    HostApp.Summary s =
        new HostApp()
            .run(null, out, PLUGINS, null, new PrintStream(new ByteArrayOutputStream(), true));
    String table = s.metrics().table();
    assertThat(s.table()).contains(table);
    Map<String, double[]> rows = executionRows(table);

    // Each ingested record is one execution: won by the pattern that wrote it, or rejected.
    Map<String, Long> ingest = new java.util.TreeMap<>();
    rows.forEach(
        (key, row) -> {
          if (key.startsWith("strict_ingest ")
              || key.startsWith("tolerant_ingest ")
              || key.startsWith("none ")) {
            ingest.put(key, (long) row[0]);
          }
        });
    Map<String, Long> expected = new java.util.TreeMap<>();
    s.wins().forEach((pattern, won) -> expected.put(pattern + " success", won.sum()));
    expected.put("none failure", s.rejected());
    assertThat(ingest).isEqualTo(expected);
    assertThat(expected.get("strict_ingest success") + expected.get("tolerant_ingest success"))
        .isEqualTo(s.written());
    assertThat(rows.get("nightly_report success")[0]).isEqualTo(1);
    assertThat(rows.get("region_aggregation success")[0]).isEqualTo(1);

    // The totals line: every record and the report at the top level.
    java.util.regex.Matcher totals =
        java.util.regex.Pattern.compile(
                "executions (\\d+) \\(and (\\d+) nested\\), attempts (\\d+), fallbacks (\\d+),"
                    + " retries (\\d+)")
            .matcher(table);
    assertThat(totals.find()).as(table).isTrue();
    assertThat(Long.parseLong(totals.group(1))).isEqualTo(s.records() + 1);
    long attempts = Long.parseLong(totals.group(3));
    long fallbacks = Long.parseLong(totals.group(4));
    // A record that succeeded after a fallback moved once (two attempts at most per record).
    assertThat(fallbacks).isGreaterThanOrEqualTo(s.fallbacks());
    assertThat(attempts).isGreaterThanOrEqualTo(s.records() + s.fallbacks());

    // An execution's own time is within what the job measured around the call.
    double ingestMax =
        java.util.stream.Stream.of("strict_ingest success", "tolerant_ingest success")
            .mapToDouble(k -> rows.get(k)[1])
            .max()
            .orElseThrow();
    assertThat(ingestMax).isLessThanOrEqualTo(s.perf().max().toNanos() / 1e6 + 0.001);
  }

  @Test
  void secondRun_startsFromWhatTheFirstLearned(@TempDir Path out, @TempDir Path data)
      throws Exception {
    ByteArrayOutputStream first = new ByteArrayOutputStream();
    new HostApp()
        .run(null, out, PLUGINS, data, new PrintStream(first, true, StandardCharsets.UTF_8));
    assertThat(first.toString(StandardCharsets.UTF_8))
        .contains("confidence for 0 patterns in 0 domains from " + data);
    long learned;
    Map<String, Object> strictParameters;
    try (JdbcStorage storage = JdbcStorage.h2(data)) {
      learned = ingestOutcomes(storage);
      strictParameters =
          storage.definitions().findStored("strict_ingest").orElseThrow().definition().parameters();
      assertThat(storage.definitions().findAll()).hasSize(6);
      // Where each kind came from: the plugin JARs in the plugins folder.
      var stored = storage.definitions().findStored("strict_ingest").orElseThrow();
      assertThat(stored.pluginId()).contains("ndp-sequential");
      assertThat(stored.pluginVersion()).isPresent();
      assertThat(storage.definitions().findStored("archive_max").orElseThrow().pluginId())
          .contains("evaluator-optimizer");
    }
    assertThat(learned).isGreaterThanOrEqualTo(6_000);

    ByteArrayOutputStream second = new ByteArrayOutputStream();
    new HostApp()
        .run(null, out, PLUGINS, data, new PrintStream(second, true, StandardCharsets.UTF_8));

    // 6 patterns ran in the first run (archive_max may not have been tried), in the three
    // regions and the report's domains.
    assertThat(second.toString(StandardCharsets.UTF_8))
        .containsPattern("confidence for [56] patterns in [4-7] domains from " + data);
    try (JdbcStorage storage = JdbcStorage.h2(data)) {
      assertThat(ingestOutcomes(storage)).isGreaterThanOrEqualTo(learned + 6_000);
      // The stored definitions were reused, not replaced.
      assertThat(storage.definitions().findAll()).hasSize(6);
      assertThat(
              storage
                  .definitions()
                  .findStored("strict_ingest")
                  .orElseThrow()
                  .definition()
                  .parameters())
          .isEqualTo(strictParameters);
    }
  }

  private static long ingestOutcomes(JdbcStorage storage) {
    return storage.confidence().stats("strict_ingest").total()
        + storage.confidence().stats("tolerant_ingest").total();
  }

  @Test
  void everyKind_isLoadedFromThePluginsFolder() throws Exception {
    try (Ndp ndp = Ndp.builder().pluginsDir(PLUGINS).build()) {
      assertThat(ndp.pluginReports())
          .extracting(PluginReport::pluginId, PluginReport::status)
          .containsExactlyInAnyOrder(
              tuple("ndp-sequential", PluginReport.Status.STARTED),
              tuple("ndp-parallel", PluginReport.Status.STARTED),
              tuple("ndp-meta-orchestration", PluginReport.Status.STARTED),
              tuple("evaluator-optimizer", PluginReport.Status.STARTED));
      assertThat(ndp.factories().types())
          .containsExactlyInAnyOrder(
              "sequential", "parallel", "meta-orchestration", "evaluator-optimizer");
      // Not on the class path: every kind's classes come from its plugin's class loader.
      for (PatternFactory f : ndp.factories().factories()) {
        assertThat(f.getClass().getClassLoader()).isNotSameAs(HostAppTest.class.getClassLoader());
      }
    }
  }

  @Test
  void pluginJars_holdTheDescriptorAndTheIndex_butNoApiClasses() throws Exception {
    List<Path> jars;
    try (var s = Files.list(PLUGINS)) {
      jars = s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
    }
    assertThat(jars).hasSize(4);
    for (Path jar : jars) {
      try (JarFile jf = new JarFile(jar.toFile())) {
        Attributes a = jf.getManifest().getMainAttributes();
        assertThat(a.getValue("Plugin-Id")).as(jar.toString()).isNotBlank();
        assertThat(a.getValue("Plugin-Version")).as(jar.toString()).isNotBlank();
        assertThat(a.getValue("Plugin-Requires")).as(jar.toString()).isEqualTo(">=0.2.0 & <0.3.0");
        assertThat(jf.getEntry("META-INF/services/io.ndp.api.PatternFactory"))
            .as(jar.toString())
            .isNotNull();
        assertThat(jf.stream().map(JarEntry::getName))
            .as(jar.toString())
            .noneMatch(n -> n.startsWith("io/ndp/api/") || n.startsWith("org/pf4j/"));
      }
    }
  }

  @Test
  void thirdPartyJar_droppedIntoAnEmptyFolder_servesAContextEndToEnd(@TempDir Path dir)
      throws Exception {
    Path jar;
    try (var s = Files.list(PLUGINS)) {
      jar =
          s.filter(p -> p.getFileName().toString().startsWith("ndp-example-evaluator"))
              .findFirst()
              .orElseThrow();
    }
    Files.copy(jar, dir.resolve(jar.getFileName()));
    try (Ndp ndp = Ndp.builder().pluginsDir(dir).build()) {
      assertThat(ndp.pluginReport("evaluator-optimizer").orElseThrow().status())
          .isEqualTo(PluginReport.Status.STARTED);
      ndp.register(
          new PatternDefinition(
              "evaluator-optimizer",
              "shrink",
              "",
              Map.of(
                  "generator", "gzip_fast",
                  "evaluator", "gzip_quality",
                  "refiner", "gzip_harder",
                  "qualityBar", 0.9,
                  "maxIterations", 3)));
      ArchiveSteps.registerIn(ndp.delegates());
      Path text = dir.resolve("repetitive.txt");
      Files.writeString(text, "the same line again\n".repeat(5_000));

      PatternResult r =
          ndp.executor()
              .executeBestPattern(
                  PatternContext.builder("archive", "optimizer").payload(text).build());

      assertThat(r.success()).as(r.message()).isTrue();
      assertThat(r.chosenPattern()).isEqualTo("shrink");
      Map<?, ?> out = (Map<?, ?>) r.output();
      assertThat((Double) out.get("quality")).isGreaterThanOrEqualTo(0.9);
      assertThat(ndp.registry().getPattern("shrink").getClass().getClassLoader())
          .isNotSameAs(HostAppTest.class.getClassLoader());
    }
  }

  @Test
  void regionOf_readsMalformedAndLegacyRecordsToo() {
    assertThat(HostApp.regionOf(record("O-1,eu,SKU-0001,1,1.00,a@b.eu"))).isEqualTo("eu");
    assertThat(HostApp.regionOf(record("O-1;apac;SKU-0001;1;1,00;a@b.jp"))).isEqualTo("apac");
    assertThat(HostApp.regionOf(record(" O-1 , US , sku"))).isEqualTo("us");
    assertThat(HostApp.regionOf(record("garbage"))).isEqualTo("unknown");
    assertThat(HostApp.regionOf(record("O-1,atlantis,SKU-0001,1,1.00,a@b.eu")))
        .as("junk never becomes a domain")
        .isEqualTo("unknown");
  }

  private static OrdersCsv.InputRecord record(String text) {
    return new OrdersCsv.InputRecord(2, List.of(text.split(",", -1)), text);
  }
}
