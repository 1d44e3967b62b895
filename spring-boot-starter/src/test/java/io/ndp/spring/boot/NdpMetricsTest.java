package io.ndp.spring.boot;

import static io.ndp.spring.boot.Apps.run;
import static io.ndp.spring.boot.Apps.sequential;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ndp.core.Ndp;
import io.ndp.micrometer.NdpMetrics;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.context.annotation.Configuration;

class NdpMetricsTest {

  @Configuration(proxyBeanMethods = false)
  static class Steps {
    @NdpDelegate("ok")
    String ok(Object in) {
      return "done";
    }
  }

  @Test
  void withAMeterRegistry_executionsAreCounted() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Apps.runner()
        .withUserConfiguration(Steps.class)
        .withBean(MeterRegistry.class, () -> meters)
        .withPropertyValues(sequential(0, "flow", "ok"))
        .withPropertyValues("ndp.metrics.domain-tags=3")
        .run(
            context -> {
              assertThat(context).hasSingleBean(NdpMetrics.class);
              assertThat(context.getBean(NdpMetrics.class).domainTags()).isEqualTo(3);
              run(context.getBean(Ndp.class), "orders", "x");
              run(context.getBean(Ndp.class), "orders", "x");
              assertThat(meters.get(NdpMetrics.EXECUTIONS).tag("domain", "orders").timer().count())
                  .isEqualTo(2);
              assertThat(meters.find(NdpMetrics.CONFIDENCE).gauges()).isNotEmpty();
            });
  }

  @Test
  void withoutAMeterRegistry_noMetrics() {
    Apps.runner()
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean(NdpMetrics.class);
            });
  }

  @Test
  void withoutNdpMicrometer_noMetrics() {
    Apps.runner()
        .withClassLoader(new FilteredClassLoader(NdpMetrics.class))
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(Ndp.class);
              assertThat(context).doesNotHaveBean(NdpMetrics.class);
            });
  }

  @Test
  void withoutMicrometer_noMetrics() {
    Apps.runner()
        .withClassLoader(new FilteredClassLoader(MeterRegistry.class))
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(Ndp.class);
              assertThat(context).doesNotHaveBean(NdpMetrics.class);
            });
  }

  @Test
  void metricsDisabled_noMetrics() {
    Apps.runner()
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues("ndp.metrics.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(NdpMetrics.class));
  }
}
