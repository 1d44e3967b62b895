package io.ndp.micrometer;

import static io.ndp.micrometer.Runtimes.gauge;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.api.ResourcePool;
import io.ndp.api.event.ExecutionStartedEvent;
import io.ndp.core.Ndp;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Two runtimes, one NdpMetrics each, one meter registry. */
class NdpMetricsSharedMeterRegistryTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  /**
   * Micrometer hands back the gauge already registered under an id, so a second NdpMetrics with the
   * same common tags would silently have none of its own gauges (an execution in flight in its
   * runtime read as 0 on the first one's in-flight gauge). It is refused at build, with the fix in
   * the message, and the meter registry keeps the first one's gauge.
   */
  @Test
  void aSecondNdpMetrics_withTheSameCommonTags_isRefused() {
    NdpMetrics first = NdpMetrics.builder(meters).build();
    assertThatThrownBy(() -> NdpMetrics.builder(meters).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(NdpMetrics.IN_FLIGHT)
        .hasMessageContaining("distinguishing common tag")
        .hasMessageContaining("tags(\"runtime\", \"a\")");

    NdpMetrics east = NdpMetrics.builder(meters).tags("runtime", "east").build();
    assertThatThrownBy(() -> NdpMetrics.builder(meters).tags("runtime", "east").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("runtime=east");

    // The refusals registered nothing: one in-flight gauge per accepted NdpMetrics, theirs.
    assertThat(meters.find(NdpMetrics.IN_FLIGHT).gauges()).hasSize(2);
    ExecutionStartedEvent started =
        new ExecutionStartedEvent(PatternContext.builder("orders", "sequential").build(), 0);
    first.onExecutionStarted(started);
    east.onExecutionStarted(started);
    east.onExecutionStarted(started);
    assertThat(meters.get(NdpMetrics.IN_FLIGHT).tags("runtime", "east").gauge().value())
        .isEqualTo(2);
    assertThat(
            meters.find(NdpMetrics.IN_FLIGHT).gauges().stream()
                .filter(g -> g.getId().getTag("runtime") == null)
                .findFirst()
                .orElseThrow()
                .value())
        .isEqualTo(1);
  }

  /** Told apart by a common tag, each runtime's in-flight gauge shows its own executions. */
  @Test
  void withDistinctTags_anExecutionInFlightInTheSecondRuntime_isSeenByItsOwnGauge()
      throws Exception {
    NdpMetrics first = NdpMetrics.builder(meters).tags("runtime", "one").build();
    NdpMetrics second = NdpMetrics.builder(meters).tags("runtime", "two").build();
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
        assertThat(gauge(meters, NdpMetrics.IN_FLIGHT, "runtime", "two"))
            .as("the second runtime's execution in flight")
            .isEqualTo(1);
        assertThat(gauge(meters, NdpMetrics.IN_FLIGHT, "runtime", "one"))
            .as("none in the first")
            .isEqualTo(0);
      } finally {
        finish.countDown();
        assertThat(run.get(30, TimeUnit.SECONDS).success()).isTrue();
      }
      assertThat(gauge(meters, NdpMetrics.IN_FLIGHT, "runtime", "two")).isEqualTo(0);
    }
  }
}
