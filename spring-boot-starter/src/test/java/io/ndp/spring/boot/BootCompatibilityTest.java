package io.ndp.spring.boot;

import static io.ndp.spring.boot.Apps.run;
import static io.ndp.spring.boot.Apps.sequential;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.ndp.core.Ndp;
import io.ndp.micrometer.NdpMetrics;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.health.HealthContributorAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.health.HealthEndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.actuate.health.CompositeHealth;
import org.springframework.boot.actuate.health.HealthComponent;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/**
 * Boot 3.5's own actuator and metrics auto-configurations together with the starter, on the
 * project's Jackson and Micrometer versions (which win over Boot's in this module).
 */
class BootCompatibilityTest {

  @Configuration(proxyBeanMethods = false)
  static class Steps {
    @NdpDelegate("ok")
    String ok(Object in) {
      return "done";
    }
  }

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  MetricsAutoConfiguration.class,
                  SimpleMetricsExportAutoConfiguration.class,
                  CompositeMeterRegistryAutoConfiguration.class,
                  EndpointAutoConfiguration.class,
                  HealthContributorAutoConfiguration.class,
                  HealthEndpointAutoConfiguration.class,
                  NdpAutoConfiguration.class,
                  NdpActuatorAutoConfiguration.class,
                  NdpMetricsAutoConfiguration.class))
          .withUserConfiguration(Steps.class)
          .withPropertyValues(sequential(0, "flow", "ok"))
          .withPropertyValues("management.endpoint.health.show-details=always");

  @Test
  void projectVersions_winOverBoots() {
    assertThat(com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString())
        .startsWith("2.23.");
    assertThat(MeterRegistry.class.getPackage().getImplementationVersion()).startsWith("1.17.");
  }

  @Test
  void bootsMeterRegistry_getsNdpsMeters() {
    runner.run(
        context -> {
          assertThat(context).hasNotFailed().hasSingleBean(NdpMetrics.class);
          run(context.getBean(Ndp.class), "orders", "x");
          MeterRegistry meters = context.getBean(MeterRegistry.class);
          assertThat(meters.get(NdpMetrics.EXECUTIONS).timer().count()).isEqualTo(1);
        });
  }

  @Test
  void bootsHealthEndpoint_showsTheNdpComponent_andJacksonWritesIt() {
    runner.run(
        context -> {
          HealthComponent all = context.getBean(HealthEndpoint.class).health();
          assertThat(all).isInstanceOf(CompositeHealth.class);
          HealthComponent ndp = ((CompositeHealth) all).getComponents().get("ndp");
          assertThat(ndp).isNotNull();
          assertThat(ndp.getStatus()).isEqualTo(Status.UP);
          // Without spring-web, Boot makes no ObjectMapper; the actuator's own is a plain one.
          ObjectMapper mapper = new ObjectMapper().findAndRegisterModules();
          String json = mapper.writeValueAsString(ndp);
          assertThat(json).contains("\"status\":\"UP\"").contains("\"patterns\":1");
          String report = mapper.writeValueAsString(context.getBean(NdpEndpoint.class).report());
          assertThat(report).contains("\"name\":\"flow\"");
        });
  }
}
