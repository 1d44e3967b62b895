package io.ndp.examples.hostapp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main job's data handling on inputs other than the bundled one: what is accepted, how it is
 * written, why a line is rejected, and that every accepted order is in the report totals.
 */
class DataHandlingTest {
  private static final Path PLUGINS = Path.of("target", "plugins");
  private static final String HEADER = String.join(",", OrdersCsv.HEADER);

  @TempDir Path dir;

  /** Runs the job in memory on the given lines (under the header). */
  private HostApp.Summary run(String name, List<String> lines) throws Exception {
    Path input = dir.resolve(name + ".csv");
    List<String> all = new ArrayList<>();
    all.add(HEADER);
    all.addAll(lines);
    Files.write(input, all, UTF_8);
    return new HostApp()
        .run(
            input,
            dir.resolve(name),
            PLUGINS,
            null,
            new PrintStream(new ByteArrayOutputStream(), true, UTF_8));
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

  /** The reason given for each rejected line, by line number. */
  private Map<Integer, String> rejections(String name) throws Exception {
    Map<Integer, String> m = new TreeMap<>();
    for (CSVRecord r : csv(dir.resolve(name).resolve(HostApp.REJECTED))) {
      m.put(Integer.parseInt(r.get("line")), r.get("reason"));
    }
    return m;
  }

  @Test
  void hostileValues_areRejectedQuickly_withTheValueNamed() throws Exception {
    HostApp.Summary s =
        run(
            "hostile",
            List.of(
                "O-1,eu,SKU-0001,1,1E+10000000,a@example.eu",
                "O-2,eu,SKU-0001,1,1E+100000000,a@example.eu",
                "O-3,eu,SKU-0001,99999999999999999999,1.00,a@example.eu",
                "O-4,eu,SKU-0001,1,12345678.00,a@example.eu",
                "O-5,eu,SKU-0001,1,1.005,a@example.eu",
                "O-6,eu,SKU-0001,0,1.00,a@example.eu",
                "O-7,eu,SKU-0001,1,-1.00,a@example.eu",
                "O-8,eu,SKU-0001,1," + "9".repeat(100_000) + ",a@example.eu"));

    assertThat(s.written()).isZero();
    assertThat(s.report().success()).isTrue();
    Map<Integer, String> why = rejections("hostile");
    assertThat(why.get(2)).contains("unit price '1E+10000000' is not a decimal like 12.34");
    assertThat(why.get(3)).contains("unit price '1E+100000000' is not a decimal");
    assertThat(why.get(4)).contains("quantity '99999999999999999999' is not between 1 and 1000000");
    assertThat(why.get(5)).contains("unit price '12345678.00' has more than 7 integer digits");
    assertThat(why.get(6)).contains("unit price '1.005' has more than 2 decimals");
    assertThat(why.get(7)).contains("quantity '0' is not between 1 and 1000000");
    assertThat(why.get(8)).contains("unit price '-1.00' is not a decimal");
    assertThat(why.get(9)).contains("unit price '999").contains("...'").hasSizeLessThan(200);
  }

  @Test
  void regions_areThoseTheReportKnows_caseRepairedByTheTolerantPattern() throws Exception {
    HostApp.Summary s =
        run(
            "regions",
            List.of(
                "O-1,EU,SKU-0001,1,1.00,a@example.eu",
                "O-2,fr,SKU-0001,1,1.00,a@example.fr",
                "O-3,,SKU-0001,1,1.00,a@example.fr"));

    assertThat(s.written()).isEqualTo(1);
    assertThat(csv(dir.resolve("regions").resolve(HostApp.PROCESSED)))
        .singleElement()
        .satisfies(r -> assertThat(r.get("region")).isEqualTo("eu"));
    Map<Integer, String> why = rejections("regions");
    assertThat(why.get(3)).contains("region 'fr' is not one of apac, eu, us");
    assertThat(why.get(4)).contains("region '' is not one of apac, eu, us");
  }

  @Test
  void repeatedOrEmptyOrderIds_areRejected_namingTheLineOfTheFirst() throws Exception {
    HostApp.Summary s =
        run(
            "ids",
            List.of(
                "O-1,eu,SKU-0001,1,1.00,a@example.eu",
                "",
                "O-1,us,SKU-0002,2,2.00,b@example.com",
                "o-1,eu,SKU-0001,1,1.00,a@example.eu",
                ",eu,SKU-0001,1,1.00,a@example.eu",
                "O 9,eu,SKU-0001,1,1.00,a@example.eu"));

    assertThat(s.written()).isEqualTo(1);
    Map<Integer, String> why = rejections("ids");
    assertThat(why.get(4)).contains("order id 'O-1' repeats the order of line 2");
    assertThat(why.get(5))
        .as("ids are compared in their canonical, upper-case form")
        .contains("order id 'O-1' repeats the order of line 2");
    assertThat(why.get(6)).contains("order id '' is not 1 to 32 letters, digits");
    assertThat(why.get(7)).contains("order id 'O 9' is not");
  }

  @Test
  void rejectionReason_isThatOfTheAttemptThatGotFurthest() throws Exception {
    run(
        "furthest",
        List.of(
            "O-1;apac;SKU-0001;1;1,50;not-an-address",
            "O-2,eu,SKU-0001,1,1.00,not-an-address",
            "O-3;apac;SKU-0001"));

    Map<Integer, String> why = rejections("furthest");
    assertThat(why.get(2))
        .as("the tolerant attempt read the semicolons and got to validation")
        .contains("email 'not-an-address' is not an address")
        .doesNotContain("comma-separated");
    assertThat(why.get(3)).contains("email 'not-an-address' is not an address");
    assertThat(why.get(4)).contains("expected 6 comma-separated fields but found");
  }

  @Test
  void quotedCsv_isRead_andFieldsThatNeedQuotingAreWrittenQuoted() throws Exception {
    HostApp.Summary s =
        run(
            "quoted",
            List.of(
                "\"O-1\",\"eu\",\"SKU-0001\",\"2\",\"2.50\",\"a@example.eu\"",
                "O-2,us,SKU-0002,1,\"3,5\",b@example.com",
                "\"O-3\",\"us\",\"SKU-0003\",1,1.00,\"first\nsecond\"",
                "O-4,us,SKU-0004,1,1.00,c@example.com"));

    assertThat(s.written()).isEqualTo(3);
    List<CSVRecord> out = csv(dir.resolve("quoted").resolve(HostApp.PROCESSED));
    assertThat(out).extracting(r -> r.get("order_id")).containsExactly("O-1", "O-2", "O-4");
    assertThat(out.get(1).get("unit_price"))
        .as("a quoted decimal comma, repaired")
        .isEqualTo("3.50");
    Map<Integer, String> why = rejections("quoted");
    assertThat(why).as("the record with a line break starts on line 4").containsOnlyKeys(4);
    assertThat(why.get(4))
        .as("a line break in a value is escaped in the reason, which stays one line")
        .contains("email 'first\\u000asecond' is not an address");
  }

  @Test
  void unclosedQuote_isAnInputError_namingItsLine() {
    assertThatThrownBy(
            () ->
                run(
                    "unclosed",
                    List.of(
                        "O-1,eu,SKU-0001,1,1.00,a@example.eu",
                        "O-2,eu,SKU-0001,1,\"1.00,a@example.eu",
                        "O-3,eu,SKU-0001,1,1.00,a@example.eu")))
        .isInstanceOf(Cli.InputError.class)
        .hasMessageContaining("is not valid CSV: a quoted field opened on line 3 is not closed");
  }

  @Test
  void sameOrder_hashesTheSame_whicheverFormAndPatternItCameIn() throws Exception {
    run("plain", List.of("O-7,eu,SKU-0001,2,2.5,Ann@Example.EU"));
    run("legacy", List.of(" o-7 ; eu ; sku-0001 ; 2 ; 2,50 ; ann@example.eu "));
    run("quoted", List.of("\"O-7\",\"eu\",\"SKU-0001\",\"02\",\"2.50\",\"ANN@EXAMPLE.EU\""));

    List<String> lines = new ArrayList<>();
    for (String name : List.of("plain", "legacy", "quoted")) {
      List<String> l = Files.readAllLines(dir.resolve(name).resolve(HostApp.PROCESSED), UTF_8);
      assertThat(l).as(name).hasSize(2);
      lines.add(l.get(1));
    }
    assertThat(lines)
        .containsOnly("O-7,eu,SKU-0001,2,2.50,5.00,ann@example.eu," + sha(lines.get(0)));
  }

  private static String sha(String processedLine) throws Exception {
    String canonical = processedLine.substring(0, processedLine.lastIndexOf(','));
    return java.util.HexFormat.of()
        .formatHex(
            java.security.MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(UTF_8)));
  }

  /**
   * Generates orders with known totals, mixed with lines that must be rejected, and recomputes the
   * expected per-region, per-SKU totals from the generator alone: the reports must match them.
   */
  @Test
  void everyAcceptedOrder_isInTheReportTotals_recomputedIndependently() throws Exception {
    Random random = new Random(7);
    List<String> regions = List.of("apac", "eu", "us");
    Map<String, Map<String, BigDecimal>> expectedTotal = new TreeMap<>();
    Map<String, Map<String, Long>> expectedQuantity = new TreeMap<>();
    List<String> lines = new ArrayList<>();
    int valid = 0;
    for (int i = 0; i < 3_000; i++) {
      String region = regions.get(random.nextInt(3));
      String sku = String.format("SKU-%04d", random.nextInt(40));
      int quantity = 1 + random.nextInt(50);
      long cents = random.nextInt(1_000_000);
      String price = BigDecimal.valueOf(cents, 2).toPlainString();
      String id = "G-" + i;
      switch (random.nextInt(6)) {
        case 0 -> lines.add(String.join(";", id, region, sku, "" + quantity, price, "x@y.io"));
        case 1 -> lines.add(String.join(",", id, "mars", sku, "" + quantity, price, "x@y.io"));
        case 2 -> lines.add(String.join(",", id, region, sku, "" + quantity, price, "x-at-y"));
        default -> {
          lines.add(
              String.join(",", id, region.toUpperCase(), sku, "" + quantity, price, "x@y.io"));
          valid++;
          expectedTotal
              .computeIfAbsent(region, k -> new TreeMap<>())
              .merge(
                  sku,
                  new BigDecimal(price).multiply(BigDecimal.valueOf(quantity)),
                  BigDecimal::add);
          expectedQuantity
              .computeIfAbsent(region, k -> new TreeMap<>())
              .merge(sku, (long) quantity, Long::sum);
        }
      }
      if (lines.get(lines.size() - 1).contains(";")) {
        // Legacy lines are valid too (the tolerant pattern reads them).
        valid++;
        expectedTotal
            .computeIfAbsent(region, k -> new TreeMap<>())
            .merge(
                sku, new BigDecimal(price).multiply(BigDecimal.valueOf(quantity)), BigDecimal::add);
        expectedQuantity
            .computeIfAbsent(region, k -> new TreeMap<>())
            .merge(sku, (long) quantity, Long::sum);
      }
    }

    HostApp.Summary s = run("generated", lines);

    assertThat(s.written()).isEqualTo(valid);
    assertThat(s.rejected()).isEqualTo(lines.size() - valid);
    for (String region : regions) {
      Map<String, BigDecimal> total = new HashMap<>();
      Map<String, Long> quantity = new HashMap<>();
      for (CSVRecord r : csv(dir.resolve("generated").resolve("report-" + region + ".csv"))) {
        total.put(r.get("sku"), new BigDecimal(r.get("total")));
        quantity.put(r.get("sku"), Long.parseLong(r.get("quantity")));
      }
      assertThat(total.keySet()).as(region).isEqualTo(expectedTotal.get(region).keySet());
      expectedTotal
          .get(region)
          .forEach(
              (sku, t) ->
                  assertThat(total.get(sku)).as(region + " " + sku).isEqualByComparingTo(t));
      assertThat(quantity).as(region).isEqualTo(expectedQuantity.get(region));
    }
  }
}
