package io.ndp.micrometer;

import static io.ndp.micrometer.Runtimes.timerCount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ndp.api.PatternContext;
import io.ndp.api.ResourcePool;
import io.ndp.core.Ndp;
import io.ndp.core.PatternRegistry;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What an application-wide meter registry keeps of a runtime that is gone. */
class NdpMetricsRetentionTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  /**
   * A meter registry usually lives as long as the application, runtimes (e.g. one per job) less:
   * once a runtime is closed and dropped, the meters must not keep its registry (patterns,
   * statistics, delegates, resource pool) reachable. The confidence gauges' function holds the
   * NdpMetrics, whose {@code bound} field holds the registry, strongly.
   */
  @Test
  void aClosedAndDroppedRuntime_isNotKeptAliveByTheMeterRegistry() throws Exception {
    WeakReference<PatternRegistry> registry = runAndDrop();

    // Collected at some garbage collection: ask for one until it happens (a generous bound).
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              System.gc();
              return registry.get() == null;
            });
    // The meters are still there to be scraped after the runtime is gone.
    assertThat(timerCount(meters, NdpMetrics.EXECUTIONS)).isEqualTo(3);
    assertThat(registry.get()).as("the closed runtime's registry, collected").isNull();
  }

  private WeakReference<PatternRegistry> runAndDrop() {
    NdpMetrics metrics = NdpMetrics.builder(meters).build();
    PatternRegistry registry;
    try (Ndp ndp = Runtimes.runtime(metrics, new ResourcePool())) {
      metrics.bindTo(ndp);
      ndp.register(new SequentialDelegationPattern("store", "store", List.of("save")));
      ndp.delegates().register("save", in -> "saved");
      for (int i = 0; i < 3; i++) {
        PatternContext c = PatternContext.builder("orders", "sequential").build();
        assertThat(ndp.executor().executeBestPattern(c).success()).isTrue();
      }
      registry = ndp.registry();
    }
    return new WeakReference<>(registry);
  }
}
