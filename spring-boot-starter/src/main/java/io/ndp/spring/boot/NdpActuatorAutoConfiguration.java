package io.ndp.spring.boot;

import io.ndp.core.Ndp;
import java.time.Clock;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The actuator's view of the runtime, when Spring Boot Actuator is on the class path: the {@code
 * ndp} health indicator ({@link NdpHealthIndicator}, off with {@code
 * management.health.ndp.enabled=false}) and the {@code ndp} endpoint ({@link NdpEndpoint}, exposed
 * like any endpoint, e.g. {@code management.endpoints.web.exposure.include=health,ndp}) with the
 * recent decisions a {@link RecentDecisions} listener keeps.
 *
 * <p>Thread-safe: its beans are thread-safe.
 *
 * @since 0.2.0
 */
@AutoConfiguration(after = NdpAutoConfiguration.class)
@ConditionalOnClass({HealthIndicator.class, Endpoint.class})
@ConditionalOnBean(Ndp.class)
public class NdpActuatorAutoConfiguration {

  /** Creates the auto-configuration; Spring calls it. */
  public NdpActuatorAutoConfiguration() {}

  /**
   * The {@code ndp} health indicator.
   *
   * @param ndp the runtime
   * @param beanFactory the bean factory, whose class loader is the application's
   * @return the indicator
   */
  @Bean
  @ConditionalOnMissingBean(name = "ndpHealthIndicator")
  @ConditionalOnEnabledHealthIndicator("ndp")
  public NdpHealthIndicator ndpHealthIndicator(
      Ndp ndp, ConfigurableListableBeanFactory beanFactory) {
    return new NdpHealthIndicator(ndp, beanFactory.getBeanClassLoader());
  }

  /**
   * The listener that keeps the last {@code ndp.actuator.recent-decisions} decisions.
   *
   * @param properties the properties
   * @return the listener, added to the runtime as every listener bean is
   */
  @Bean
  @ConditionalOnMissingBean
  public RecentDecisions ndpRecentDecisions(NdpProperties properties) {
    return new RecentDecisions(properties.getActuator().getRecentDecisions(), Clock.systemUTC());
  }

  /**
   * The {@code ndp} endpoint.
   *
   * @param ndp the runtime
   * @param recent the recent decisions
   * @return the endpoint
   */
  @Bean
  @ConditionalOnMissingBean
  public NdpEndpoint ndpEndpoint(Ndp ndp, RecentDecisions recent) {
    return new NdpEndpoint(ndp, recent);
  }
}
