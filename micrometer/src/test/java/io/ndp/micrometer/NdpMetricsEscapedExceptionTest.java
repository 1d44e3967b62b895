package io.ndp.micrometer;

import static io.ndp.micrometer.Runtimes.gauge;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ndp.api.PatternContext;
import io.ndp.api.ResourcePool;
import io.ndp.core.Ndp;
import io.ndp.core.RetryPolicy;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An execution that ends with an exception the runtime lets through to the host. */
class NdpMetricsEscapedExceptionTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  /**
   * RetryPolicy.Builder.retryOn used to say "one that throws ends the execution with that
   * exception": the execution was reported started but never finished, so the in-flight gauge
   * stayed at 1 for good. Now a throwing predicate is logged and the attempt not retried.
   */
  @Test
  void aRetryPredicateThatThrows_leavesNoExecutionInFlight() {
    NdpMetrics metrics = NdpMetrics.builder(meters).build();
    try (Ndp ndp =
        Runtimes.runtime(
            metrics,
            new ResourcePool(),
            b ->
                b.retry(
                    RetryPolicy.builder()
                        .maxRetries(1)
                        .initialBackoff(Duration.ofMillis(1))
                        .retryOn(
                            a -> {
                              throw new IllegalStateException("host predicate broke");
                            })
                        .build()))) {
      metrics.bindTo(ndp);
      ndp.register(new SequentialDelegationPattern("store", "store", List.of("save")));
      ndp.delegates()
          .register(
              "save",
              in -> {
                throw new java.io.IOException("disk full");
              });
      PatternContext c = PatternContext.builder("orders", "sequential").build();
      // The predicate's exception is logged and the attempt not retried: a failed result.
      assertThat(ndp.executor().executeBestPattern(c).success()).isFalse();

      assertThat(gauge(meters, NdpMetrics.IN_FLIGHT))
          .as("executions in flight after the call returned")
          .isZero();
      assertThat(Runtimes.timerCount(meters, NdpMetrics.EXECUTIONS, "outcome", "failure"))
          .isEqualTo(1);
    }
  }
}
