package io.ndp.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ndp.api.PatternContext;
import io.ndp.core.Ndp;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's "Metrics (ndp-micrometer)" snippet, as written there, then what it measured. */
class ReadmeMetricsTest {

  @Test
  void readmeSnippet_bindsTheMetrics_andTheMetersFollowTheExecutions() {
    MeterRegistry meterRegistry = new SimpleMeterRegistry(); // or Prometheus, OTLP, ...
    NdpMetrics metrics = NdpMetrics.builder(meterRegistry).domainTags(50).build();
    try (Ndp ndp = Ndp.builder().listener(metrics).build()) {
      metrics.bindTo(ndp);
      // register delegates and patterns, execute: the meters follow
      ndp.register(new SequentialDelegationPattern("store", "store", List.of("save")));
      ndp.delegates().register("save", in -> "saved");
      for (int i = 0; i < 3; i++) {
        ndp.executor().executeBestPattern(PatternContext.builder("orders", "sequential").build());
      }
    }

    assertThat(
            meterRegistry
                .get(NdpMetrics.EXECUTIONS)
                .tags("pattern", "store", "outcome", "success", "domain", "orders")
                .timer()
                .count())
        .isEqualTo(3);
  }
}
