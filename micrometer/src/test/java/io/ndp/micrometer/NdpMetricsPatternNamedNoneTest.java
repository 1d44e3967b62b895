package io.ndp.micrometer;

import static io.ndp.micrometer.Runtimes.timerCount;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ndp.api.PatternContext;
import io.ndp.api.ResourcePool;
import io.ndp.core.Ndp;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A pattern named "none" is told apart from the executions no pattern served. */
class NdpMetricsPatternNamedNoneTest {

  @Test
  void aPatternNamedNone_hasASeriesOfItsOwn() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    NdpMetrics metrics = NdpMetrics.builder(meters).build();
    try (Ndp ndp = Runtimes.runtime(metrics, new ResourcePool())) {
      metrics.bindTo(ndp);
      ndp.register(new SequentialDelegationPattern("none", "named none", List.of("step")));
      ndp.delegates().register("step", in -> "ok");
      assertThat(
              ndp.executor()
                  .executeBestPattern(PatternContext.builder("d", "sequential").build())
                  .success())
          .isTrue();
      // No pattern offers the step "missing": no pattern serves this one.
      assertThat(
              ndp.executor()
                  .executeBestPattern(
                      PatternContext.builder("d", "sequential").requiredSteps("missing").build())
                  .success())
          .isFalse();

      assertThat(
              timerCount(meters, NdpMetrics.EXECUTIONS, "pattern", "_none", "outcome", "success"))
          .isEqualTo(1);
      assertThat(timerCount(meters, NdpMetrics.EXECUTIONS, "pattern", "none", "outcome", "failure"))
          .isEqualTo(1);
      assertThat(timerCount(meters, NdpMetrics.EXECUTIONS, "pattern", "none", "outcome", "success"))
          .isZero();
      assertThat(Runtimes.tagValues(meters, NdpMetrics.ATTEMPTS, "pattern")).containsOnly("_none");
    }
  }
}
