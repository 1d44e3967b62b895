package io.ndp.micrometer;

import static io.ndp.micrometer.Runtimes.tagValues;
import static io.ndp.micrometer.Runtimes.timerCount;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ndp.api.PatternContext;
import io.ndp.api.ResourcePool;
import io.ndp.core.Ndp;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cardinality guard's overflow value against a host domain of the same name. */
class NdpMetricsOtherDomainTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  /**
   * A host's domain may be called "other": the guard admits it under its own name, and the domains
   * past the guard are tagged "other" too, so two different things become one series (and the
   * per-domain gauges of the admitted "other" sit beside executions it never had).
   */
  @Test
  void aDomainNamedOther_isToldApartFromTheDomainsPastTheGuard() {
    NdpMetrics metrics = NdpMetrics.builder(meters).domainTags(1).build();
    try (Ndp ndp = Runtimes.runtime(metrics, new ResourcePool())) {
      metrics.bindTo(ndp);
      ndp.register(new SequentialDelegationPattern("store", "store", List.of("save")));
      ndp.delegates().register("save", in -> "saved");
      PatternContext other = PatternContext.builder("other", "sequential").build();
      assertThat(ndp.executor().executeBestPattern(other).success()).isTrue();
      for (int i = 0; i < 5; i++) {
        PatternContext past = PatternContext.builder("eu-" + i, "sequential").build();
        assertThat(ndp.executor().executeBestPattern(past).success()).isTrue();
      }
    }

    assertThat(timerCount(meters, NdpMetrics.EXECUTIONS)).isEqualTo(6);
    // The admitted domain "other" ran once; the five past the guard are the overflow.
    assertThat(tagValues(meters, NdpMetrics.EXECUTIONS, "domain"))
        .as("the admitted domain 'other' and the overflow are two series")
        .containsExactly("_other", NdpMetrics.OTHER_DOMAIN);
    assertThat(timerCount(meters, NdpMetrics.EXECUTIONS, "domain", "_other")).isEqualTo(1);
    assertThat(timerCount(meters, NdpMetrics.EXECUTIONS, "domain", NdpMetrics.OTHER_DOMAIN))
        .isEqualTo(5);
  }

  /** The escape keeps every admitted domain's value its own: none is "other", no two are equal. */
  @Test
  void tagValues_ofAdmittedDomains_areInjective_andNeverTheOverflowValue() {
    DomainTags tags = new DomainTags(5);
    assertThat(tags.admit("other")).isEqualTo("_other");
    assertThat(tags.admit("_other")).isEqualTo("__other");
    assertThat(tags.admit("_x")).isEqualTo("__x");
    assertThat(tags.admit("x")).isEqualTo("x");
    assertThat(tags.admit("eu")).isEqualTo("eu");
    assertThat(tags.admit("us")).as("past the guard").isNull();
    assertThat(tags.tag("us")).isEqualTo(NdpMetrics.OTHER_DOMAIN);
    assertThat(tags.tag("other")).as("still admitted, still escaped").isEqualTo("_other");
  }
}
