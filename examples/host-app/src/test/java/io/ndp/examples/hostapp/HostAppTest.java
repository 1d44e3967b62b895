package io.ndp.examples.hostapp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostAppTest {

  @Test
  void bundledInput_isIngestedWithFallbacksRejectsAndLearning(@TempDir Path out) throws Exception {
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    HostApp.Summary s =
        new HostApp()
            .run(
                null,
                out,
                Path.of("target", "plugins"),
                new PrintStream(progress, true, StandardCharsets.UTF_8));

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
  }

  @Test
  void regionOf_readsMalformedLinesToo() {
    assertThat(HostApp.regionOf("O-1,eu,SKU-0001,1,1.00,a@b.eu")).isEqualTo("eu");
    assertThat(HostApp.regionOf("O-1;apac;SKU-0001;1;1,00;a@b.jp")).isEqualTo("apac");
    assertThat(HostApp.regionOf(" O-1 , us , sku")).isEqualTo("us");
    assertThat(HostApp.regionOf("garbage")).isEqualTo("unknown");
  }
}
