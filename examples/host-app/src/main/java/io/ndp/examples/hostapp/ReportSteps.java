package io.ndp.examples.hostapp;

import io.ndp.api.DelegateDirectory;
import java.io.BufferedWriter;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * The report stage's delegates: per-region aggregation (tasks of the parallel kind, each holding
 * one cpu unit), and the manifest that writes the archive chosen by the evaluator-optimizer kind
 * and the SHA-256 of every output. Thread-safe: each delegate writes its own file.
 */
final class ReportSteps {
  static final List<String> REGIONS = List.of("apac", "eu", "us");

  private final Path outDir;

  ReportSteps(Path outDir) {
    this.outDir = outDir;
  }

  void registerIn(DelegateDirectory delegates) {
    for (String region : REGIONS) {
      delegates.register("aggregate_" + region, in -> aggregate((Path) in, region));
    }
    delegates.register("manifest", in -> manifest((Map<?, ?>) in));
  }

  /**
   * Sums quantity and total per SKU for one region and writes {@code report-<region>.csv}. Every
   * processed record is in exactly one region's report: validation accepts no other region.
   */
  Path aggregate(Path processed, String region) throws IOException {
    Map<String, long[]> quantities = new TreeMap<>();
    Map<String, BigDecimal> totals = new TreeMap<>();
    try (CSVParser in =
        OrdersCsv.IN
            .builder()
            .setHeader()
            .setSkipHeaderRecord(true)
            .get()
            .parse(Files.newBufferedReader(processed, StandardCharsets.UTF_8))) {
      for (CSVRecord r : in) {
        if (!r.get("region").equals(region)) {
          continue;
        }
        quantities.computeIfAbsent(r.get("sku"), k -> new long[1])[0] +=
            Long.parseLong(r.get("quantity"));
        totals.merge(r.get("sku"), new BigDecimal(r.get("total")), BigDecimal::add);
      }
    }
    Path report = outDir.resolve("report-" + region + ".csv");
    try (CSVPrinter w =
        OrdersCsv.OUT.print(
            Files.newBufferedWriter(
                report, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW))) {
      w.printRecord("sku", "quantity", "total");
      for (Map.Entry<String, BigDecimal> e : totals.entrySet()) {
        w.printRecord(e.getKey(), quantities.get(e.getKey())[0], e.getValue().toPlainString());
      }
    }
    return report;
  }

  /**
   * Writes the archive the optimizer settled on, then {@code MANIFEST.sha256} (sha256sum format)
   * over every other output: the reports, the processed and rejected files and the archive.
   */
  Path manifest(Map<?, ?> inputs) throws IOException, NoSuchAlgorithmException {
    Map<?, ?> archive = (Map<?, ?>) inputs.get("archive");
    ArchiveSteps.Compressed best = (ArchiveSteps.Compressed) archive.get("candidate");
    Path processed = (Path) inputs.get("@payload");
    Path gz = outDir.resolve(processed.getFileName() + ".gz");
    Files.move(best.gzip(), gz); // the chosen candidate, renamed; the others go with staging

    List<Path> files = new ArrayList<>();
    ((Map<?, ?>) inputs.get("aggregate")).values().forEach(p -> files.add((Path) p));
    files.add(processed);
    files.add(outDir.resolve("orders-rejected.csv"));
    files.add(gz);
    files.sort(null);
    Path manifest = outDir.resolve("MANIFEST.sha256");
    try (BufferedWriter w =
        Files.newBufferedWriter(manifest, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW)) {
      for (Path f : files) {
        byte[] hash = sha256(f);
        w.write(
            String.format(Locale.ROOT, "%s  %s", HexFormat.of().formatHex(hash), f.getFileName()));
        w.newLine();
      }
    }
    return manifest;
  }

  /** The SHA-256 of a file, read as a stream. */
  static byte[] sha256(Path file) throws IOException, NoSuchAlgorithmException {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    try (var in = new java.security.DigestInputStream(Files.newInputStream(file), sha)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return sha.digest();
  }
}
