package io.ndp.micrometer;

import static io.ndp.micrometer.Runtimes.gauge;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ndp.api.PatternContext;
import io.ndp.api.ResourcePool;
import io.ndp.core.Ndp;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The confidence gauge of a bound runtime, scraped after the runtime closed. */
class NdpMetricsClosedRuntimeTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  /**
   * NdpMetrics.confidenceOf promises "a scrape after the runtime closed: its last known value". A
   * closed registry has no patterns any more, so the gauge falls back to the last threshold
   * crossing's value (or NaN when there was none): neither the live figure nor the last one shown.
   */
  @Test
  void confidenceGauge_afterTheRuntimeClosed_keepsItsLastKnownValue() {
    NdpMetrics metrics = NdpMetrics.builder(meters).build();
    double before;
    try (Ndp ndp = Runtimes.runtime(metrics, new ResourcePool())) {
      metrics.bindTo(ndp);
      ndp.register(new SequentialDelegationPattern("store", "store", List.of("save")));
      ndp.delegates().register("save", in -> "saved");
      for (int i = 0; i < 5; i++) {
        PatternContext c = PatternContext.builder("orders", "sequential").build();
        assertThat(ndp.executor().executeBestPattern(c).success()).isTrue();
      }
      before = gauge(meters, NdpMetrics.CONFIDENCE, "pattern", "store", "domain", "orders");
      assertThat(before).isEqualTo(ndp.registry().getPattern("store").confidenceScore("orders"));
      assertThat(gauge(meters, NdpMetrics.CONFIDENCE, "pattern", "store", "domain", "orders"))
          .as("stable while nothing runs")
          .isEqualTo(before);
    }

    assertThat(gauge(meters, NdpMetrics.CONFIDENCE, "pattern", "store", "domain", "orders"))
        .as("scraped after close")
        .isEqualTo(before);
  }

  /**
   * With a single execution no threshold was crossed, so there is no crossing to fall back to: the
   * value the gauge read live before close is what it shows after (it read NaN before the fix).
   */
  @Test
  void confidenceGauge_afterTheRuntimeClosed_isNotNaN() {
    NdpMetrics metrics = NdpMetrics.builder(meters).build();
    try (Ndp ndp = Runtimes.runtime(metrics, new ResourcePool())) {
      metrics.bindTo(ndp);
      ndp.register(new SequentialDelegationPattern("store", "store", List.of("save")));
      ndp.delegates().register("save", in -> "saved");
      PatternContext c = PatternContext.builder("orders", "sequential").build();
      assertThat(ndp.executor().executeBestPattern(c).success()).isTrue();
      assertThat(gauge(meters, NdpMetrics.CONFIDENCE, "pattern", "store", "domain", "orders"))
          .isBetween(0.0, 1.0);
    }

    assertThat(gauge(meters, NdpMetrics.CONFIDENCE, "pattern", "store", "domain", "orders"))
        .as("scraped after close")
        .isBetween(0.0, 1.0);
  }

  /**
   * The one case with no value to show: a gauge never scraped while the runtime was live and that
   * heard no crossing. It reads NaN, Micrometer's "no value", rather than a made-up figure; scraped
   * while live it would have kept that value (the test above).
   */
  @Test
  void confidenceGauge_neverReadAndNoCrossing_afterTheRuntimeClosed_isNaN() {
    NdpMetrics metrics = NdpMetrics.builder(meters).build();
    try (Ndp ndp = Runtimes.runtime(metrics, new ResourcePool())) {
      metrics.bindTo(ndp);
      ndp.register(new SequentialDelegationPattern("store", "store", List.of("save")));
      ndp.delegates().register("save", in -> "saved");
      PatternContext c = PatternContext.builder("orders", "sequential").build();
      assertThat(ndp.executor().executeBestPattern(c).success()).isTrue();
    }

    assertThat(gauge(meters, NdpMetrics.CONFIDENCE, "pattern", "store", "domain", "orders"))
        .as("never read live, no crossing: no value")
        .isNaN();
  }
}
