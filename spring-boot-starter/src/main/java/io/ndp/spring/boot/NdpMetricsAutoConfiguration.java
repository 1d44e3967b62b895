package io.ndp.spring.boot;

import io.micrometer.core.instrument.MeterRegistry;
import io.ndp.core.Ndp;
import io.ndp.micrometer.NdpMetrics;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;

/**
 * NDP's meters ({@link NdpMetrics}) in the application's {@link MeterRegistry}, when {@code
 * io.ndp:ndp-micrometer} is on the class path and a registry bean exists (e.g. from Spring Boot
 * Actuator). Off with {@code ndp.metrics.enabled=false}; {@code ndp.metrics.domain-tags} bounds the
 * domain tag's values.
 *
 * <p>Thread-safe: its beans are thread-safe.
 *
 * @since 0.2.0
 */
@AutoConfiguration(
    after = NdpAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
      "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration"
    })
@ConditionalOnClass({NdpMetrics.class, MeterRegistry.class})
@ConditionalOnBean(Ndp.class)
// Two registries and no primary one (Actuator's composite is primary): which to bind is the
// application's choice, so none is bound rather than the startup failing.
@ConditionalOnSingleCandidate(MeterRegistry.class)
@ConditionalOnProperty(prefix = "ndp.metrics", name = "enabled", matchIfMissing = true)
public class NdpMetricsAutoConfiguration {

  /** Creates the auto-configuration; Spring calls it. */
  public NdpMetricsAutoConfiguration() {}

  /**
   * The metrics; a listener of the runtime as every listener bean is.
   *
   * @param registry the meter registry
   * @param properties the properties
   * @return the metrics
   */
  @Bean
  @ConditionalOnMissingBean
  public NdpMetrics ndpMetrics(MeterRegistry registry, NdpProperties properties) {
    return NdpMetrics.builder(registry).domainTags(properties.getMetrics().getDomainTags()).build();
  }

  /**
   * Binds the metrics' gauges to the runtime once both exist.
   *
   * @param metrics the metrics
   * @param ndp the runtime
   * @return the binder
   */
  @Bean
  public SmartInitializingSingleton ndpMetricsBinder(NdpMetrics metrics, ObjectProvider<Ndp> ndp) {
    return () -> ndp.ifUnique(metrics::bindTo);
  }
}
