package io.ndp.examples.hostapp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader's line numbers against an independent count, on generated files: every line-end style,
 * blank lines and lines of spaces between records, quoted fields with line ends, records longer
 * than the parser's buffers, an optional byte order mark and a missing final line end.
 */
class OrdersCsvTest {
  @TempDir Path dir;

  @RepeatedTest(200)
  void everyRecord_carriesTheLineItStartsOn(RepetitionInfo repetition) throws Exception {
    Random random = new Random(repetition.getCurrentRepetition());
    String eol = List.of("\n", "\r\n", "\r").get(random.nextInt(3));
    StringBuilder text = new StringBuilder(random.nextBoolean() ? "\uFEFF" : "");
    int line = 1;
    text.append(String.join(",", OrdersCsv.HEADER)).append(eol);
    line++;
    List<Integer> expected = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    int records = 1 + random.nextInt(30);
    for (int r = 0; r < records; r++) {
      for (int blank = random.nextInt(4); blank > 0; blank--) {
        text.append(random.nextBoolean() ? "" : "   ").append(eol);
        line++;
      }
      expected.add(line);
      String id = "O-" + r;
      ids.add(id);
      text.append(id).append(",eu,SKU-0001,1,1.00,");
      int kind = random.nextInt(3);
      if (kind == 0) {
        // A quoted field with line ends in it.
        int breaks = 1 + random.nextInt(3);
        text.append('"');
        for (int b = 0; b < breaks; b++) {
          text.append("part").append(b).append(eol);
          line++;
        }
        text.append("end\"");
      } else if (kind == 1) {
        text.append("x".repeat(random.nextInt(20_000))).append("@example.eu"); // past 8 KB buffers
      } else {
        text.append("a@example.eu");
      }
      boolean last = r == records - 1;
      if (!last || random.nextBoolean()) {
        text.append(eol);
        line++;
      }
    }
    Path file = dir.resolve("orders.csv");
    Files.writeString(file, text, UTF_8);

    List<OrdersCsv.InputRecord> read = OrdersCsv.read(file);

    assertThat(read).extracting(OrdersCsv.InputRecord::line).containsExactlyElementsOf(expected);
    assertThat(read).extracting(rec -> rec.fields().get(0)).containsExactlyElementsOf(ids);
  }
}
