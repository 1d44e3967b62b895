package io.ndp.micrometer;

import static io.ndp.micrometer.Runtimes.gauge;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.api.ResourcePool;
import io.ndp.core.Ndp;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Two runtimes, one NdpMetrics each, one meter registry, no common tag telling them apart. */
class NdpMetricsSharedMeterRegistryTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  /**
   * Nothing refuses the second NdpMetrics, and its counters and timers add up with the first's, but
   * its gauges are silently not there: Micrometer hands back the first one's in-flight gauge, so an
   * execution in flight in the second runtime reads as 0 (either the sum, or a refusal that asks
   * for a common tag, would be honest).
   */
  @Test
  void anExecutionInFlightInTheSecondRuntime_isSeenByTheInFlightGauge() throws Exception {
    NdpMetrics first = NdpMetrics.builder(meters).build();
    NdpMetrics second = NdpMetrics.builder(meters).build();
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    try (Ndp one = Runtimes.runtime(first, new ResourcePool());
        Ndp two = Runtimes.runtime(second, new ResourcePool())) {
      first.bindTo(one);
      second.bindTo(two);
      two.register(new SequentialDelegationPattern("store", "store", List.of("save")));
      two.delegates()
          .register(
              "save",
              in -> {
                running.countDown();
                finish.await(30, TimeUnit.SECONDS);
                return "saved";
              });
      CompletableFuture<PatternResult> run =
          CompletableFuture.supplyAsync(
              () ->
                  two.executor()
                      .executeBestPattern(PatternContext.builder("orders", "sequential").build()));
      try {
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(gauge(meters, NdpMetrics.IN_FLIGHT))
            .as("executions in flight over both runtimes")
            .isEqualTo(1);
      } finally {
        finish.countDown();
        assertThat(run.get(30, TimeUnit.SECONDS).success()).isTrue();
      }
    }
  }
}
