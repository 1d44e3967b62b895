package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One {@link PerformanceMeasurement} run over 10,000 executions of the best pattern, with real
 * delegates (parse, hash, format). Prints the figures; asserts only counts, never timings.
 */
class MeasuredExecutionRunTest {

  @Test
  void tenThousandMeasuredExecutions_areAllCounted() {
    PatternRegistry registry = new PatternRegistry();
    registry.register(
        new SequentialDelegationPattern("checksum", "", List.of("parse", "hash", "format")));
    registry.register(new SequentialDelegationPattern("plain", "", List.of("parse", "format")));
    PerformanceMeasurement perf = new PerformanceMeasurement();
    try (PatternExecutor executor = new PatternExecutor(registry)) {
      executor.delegates().register("parse", in -> ((String) in).split(","));
      executor
          .delegates()
          .register(
              "hash",
              in ->
                  HexFormat.of()
                      .formatHex(
                          MessageDigest.getInstance("SHA-256")
                              .digest(
                                  String.join("|", (String[]) in)
                                      .getBytes(StandardCharsets.UTF_8))));
      executor.delegates().register("format", in -> "record:" + in);

      for (int i = 0; i < 10_000; i++) {
        PatternContext ctx =
            PatternContext.builder("d" + (i % 4), "sequential")
                .requiredSteps("parse", "hash", "format")
                .payload("order-" + i + ",sku-" + (i % 97) + "," + i * 3)
                .build();
        PatternResult r =
            perf.measure("execute_best_pattern", () -> executor.executeBestPattern(ctx));
        assertThat(r.success()).isTrue();
      }
    }
    perf.printStats("execute_best_pattern");
    PerformanceStats stats = perf.stats("execute_best_pattern");
    assertThat(stats.count()).isEqualTo(10_000);
    assertThat(stats.errors()).isZero();
  }
}
