package io.ndp.spring.boot;

import io.ndp.api.NdpStorage;
import io.ndp.api.PatternFactory;
import io.ndp.api.event.NdpListener;
import io.ndp.core.BreakerPolicy;
import io.ndp.core.Ndp;
import io.ndp.core.PatternExecutor;
import io.ndp.core.PatternRegistry;
import io.ndp.core.RetryPolicy;
import io.ndp.core.SelectionPolicy;
import io.ndp.spring.boot.NdpProperties.StorageType;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactoryUtils;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.SearchStrategy;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

/**
 * Builds an NDP runtime from the {@code ndp.*} properties ({@link NdpProperties}) and the
 * application's beans.
 *
 * <ul>
 *   <li>{@link Ndp} (bean {@code ndp}), closed at shutdown after the web server stopped ({@link
 *       NdpLifecycle}): its close drains the executions in flight. Its {@link PatternRegistry}
 *       ({@code ndpPatternRegistry}) and {@link PatternExecutor} ({@code ndpPatternExecutor}) are
 *       beans too, owned and closed by the runtime.
 *   <li>{@link SelectionPolicy}, {@link RetryPolicy} and {@link BreakerPolicy} beans from the
 *       properties, unless the application defines its own; an application's {@link NdpStorage}
 *       bean replaces {@code ndp.storage.type} (the runtime then owns and closes it).
 *   <li>Every {@link NdpListener} bean hears the runtime; every {@link PatternFactory} bean adds a
 *       pattern kind (winning over the class path and plugins).
 *   <li>Delegates from {@link NdpDelegate} beans and methods and patterns from {@code
 *       ndp.patterns}, {@code PatternDefinition} and {@code Pattern} beans are registered once
 *       every singleton exists ({@link NdpBeanRegistrar}).
 * </ul>
 *
 * <p>{@code ndp.enabled=false} turns all of it off.
 *
 * <p>Thread-safe once built: Spring creates its beans on one thread; the runtime is thread-safe.
 *
 * @since 0.2.0
 */
@AutoConfiguration(
    afterName = "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration")
@ConditionalOnProperty(prefix = "ndp", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(NdpProperties.class)
public class NdpAutoConfiguration {

  /** Creates the auto-configuration; Spring calls it. */
  public NdpAutoConfiguration() {}

  /** The runtime this configuration built, if any (not one the application defined). */
  private volatile @Nullable Ndp built;

  /**
   * The selection policy {@code ndp.selection.policy} names.
   *
   * @param properties the properties
   * @return the policy
   */
  @Bean
  @ConditionalOnMissingBean
  public SelectionPolicy ndpSelectionPolicy(NdpProperties properties) {
    return properties.getSelection().toPolicy();
  }

  /**
   * The retry policy of {@code ndp.retry.*}: none unless {@code ndp.retry.enabled}.
   *
   * @param properties the properties
   * @return the policy
   */
  @Bean
  @ConditionalOnMissingBean
  public RetryPolicy ndpRetryPolicy(NdpProperties properties) {
    return properties.getRetry().toPolicy();
  }

  /**
   * The circuit breaker policy of {@code ndp.breaker.*}: none unless {@code ndp.breaker.enabled}.
   *
   * @param properties the properties
   * @return the policy
   */
  @Bean
  @ConditionalOnMissingBean
  public BreakerPolicy ndpBreakerPolicy(NdpProperties properties) {
    return properties.getBreaker().toPolicy();
  }

  /**
   * The runtime.
   *
   * @param properties the properties
   * @param selectionPolicy the selection policy
   * @param retryPolicy the retry policy
   * @param breakerPolicy the circuit breaker policy
   * @param storages the application's storage, if it defines one
   * @param dataSources the application's data source, for {@code ndp.storage.type=jdbc}
   * @param listeners the listeners, in their order
   * @param factories pattern kinds the application defines, in their order
   * @param beanFactory the bean factory, whose class loader says what is on the class path
   * @return the runtime, closed by the context
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public Ndp ndp(
      NdpProperties properties,
      SelectionPolicy selectionPolicy,
      RetryPolicy retryPolicy,
      BreakerPolicy breakerPolicy,
      ObjectProvider<NdpStorage> storages,
      ObjectProvider<DataSource> dataSources,
      ObjectProvider<NdpListener> listeners,
      ObjectProvider<PatternFactory> factories,
      ConfigurableListableBeanFactory beanFactory) {
    Ndp.Builder b =
        Ndp.builder()
            .drainTimeout(properties.getDrainTimeout())
            .retry(retryPolicy)
            .circuitBreaker(breakerPolicy);
    if (properties.getPluginsDir() != null) {
      java.nio.file.Path dir = properties.getPluginsDir();
      if (!java.nio.file.Files.isDirectory(dir)) {
        // Said here, naming the property: a typo must not start a service without its kinds.
        throw NdpProperties.invalid(
            "ndp.plugins-dir",
            java.nio.file.Files.exists(dir) ? "must be a folder" : "must be an existing folder",
            dir);
      }
      b.pluginsDir(dir);
    }
    properties.getConfidenceAlerts().forEach(b::confidenceAlert);
    listeners.orderedStream().forEach(b::listener);
    List<PatternFactory> given = factories.orderedStream().toList();
    if (!given.isEmpty()) {
      b.factories(given);
    }
    NdpProperties.Executor e = properties.getExecutor();
    NdpProperties.Selection s = properties.getSelection();
    b.executor(
        x -> {
          x.selectionPolicy(selectionPolicy)
              .guardrails(s.toGuardrails())
              .borrowAcrossDomains(s.isBorrowAcrossDomains())
              .maxAttempts(e.getMaxAttempts())
              .maxDepth(e.getMaxDepth())
              .nestedBudget(e.getNestedBudget())
              .fallbackPatterns(e.getFallbackPatterns().toArray(String[]::new));
          if (s.getSeed() != null) {
            x.seed(s.getSeed());
          }
          Duration timeout = e.getDefaultTimeout();
          if (timeout != null) {
            x.defaultTimeout(timeout);
          }
          Duration budget = e.getLatencyBudget();
          if (budget != null) {
            x.latencyBudget(budget);
          }
          return x;
        });
    Double halfLife = properties.getHalfLife();
    if (halfLife != null) {
      if (storages.getIfUnique() != null) {
        throw new IllegalArgumentException(
            "ndp.half-life applies to the in-memory statistics only; the application's NdpStorage"
                + " bean decides how its statistics forget");
      }
      if (properties.getStorage().getType() != StorageType.MEMORY) {
        throw new IllegalArgumentException(
            "ndp.half-life applies to the in-memory statistics only; with ndp.storage.type="
                + properties.getStorage().getType().name().toLowerCase(Locale.ROOT)
                + " set ndp.storage.half-life");
      }
      b.halfLife(halfLife);
    }
    NdpStorage given0 = storages.getIfUnique();
    if (given0 != null) {
      b.storage(given0);
    } else if (properties.getStorage().getType() != StorageType.MEMORY) {
      b.storage(openJdbc(properties, dataSources, beanFactory.getBeanClassLoader()));
    }
    Ndp ndp = b.build();
    built = ndp;
    return ndp;
  }

  private static NdpStorage openJdbc(
      NdpProperties properties,
      ObjectProvider<DataSource> sources,
      @Nullable ClassLoader classLoader) {
    String type = properties.getStorage().getType().name().toLowerCase(Locale.ROOT);
    if (!ClassUtils.isPresent(JdbcStorages.JDBC_STORAGE_CLASS, classLoader)) {
      throw new IllegalStateException(
          "ndp.storage.type="
              + type
              + " needs io.ndp:ndp-storage-jdbc on the class path; add it, or set"
              + " ndp.storage.type=memory");
    }
    DataSource dataSource = null;
    if (properties.getStorage().getType() == StorageType.JDBC) {
      dataSource = sources.getIfUnique();
      if (dataSource == null) {
        throw new IllegalStateException(
            "ndp.storage.type=jdbc needs a single DataSource bean (e.g. spring.datasource.url)"
                + " but the application has "
                + (sources.stream().findAny().isPresent() ? "several" : "none")
                + "; define one, or set ndp.storage.type=h2 or memory");
      }
    }
    return JdbcStorages.open(properties.getStorage(), dataSource);
  }

  /**
   * The runtime's registry; owned by the runtime, so the context does not close it.
   *
   * @param ndp the runtime
   * @return its registry
   */
  @Bean(destroyMethod = "")
  @ConditionalOnMissingBean
  public PatternRegistry ndpPatternRegistry(Ndp ndp) {
    return ndp.registry();
  }

  /**
   * The runtime's executor; owned by the runtime, so the context does not close it.
   *
   * @param ndp the runtime
   * @return its executor
   */
  @Bean(destroyMethod = "")
  @ConditionalOnMissingBean
  public PatternExecutor ndpPatternExecutor(Ndp ndp) {
    return ndp.executor();
  }

  /**
   * Registers delegates and patterns once every singleton exists.
   *
   * @param ndp the runtime
   * @param properties the properties
   * @param beanFactory the bean factory it scans
   * @return the registrar
   */
  @Bean
  @ConditionalOnBean(value = Ndp.class, search = SearchStrategy.CURRENT)
  public NdpBeanRegistrar ndpBeanRegistrar(
      Ndp ndp, NdpProperties properties, ConfigurableListableBeanFactory beanFactory) {
    // A runtime of the application's own did not hear the starter's listeners at build time.
    return new NdpBeanRegistrar(ndp, properties, beanFactory, ndp != built);
  }

  /**
   * Closes the runtime at shutdown, after the web server stopped and before beans are destroyed.
   *
   * @param ndp the runtime
   * @return the lifecycle
   */
  /**
   * In a child context whose runtime is its parent's: refuses delegates and pattern beans declared
   * here, which would otherwise be silently missing.
   *
   * @param beanFactory this context's bean factory
   * @return the check, run once every singleton exists
   */
  @Bean
  @ConditionalOnMissingBean(value = Ndp.class, search = SearchStrategy.CURRENT)
  public static SmartInitializingSingleton ndpChildContextCheck(
      ConfigurableListableBeanFactory beanFactory) {
    return () -> {
      if (beanFactory.getParentBeanFactory() instanceof ListableBeanFactory parent
          && BeanFactoryUtils.beanNamesForTypeIncludingAncestors(parent, Ndp.class).length > 0) {
        NdpBeanRegistrar.refuseInChildContext(beanFactory);
      }
    };
  }

  @Bean
  // Only the context that holds the runtime closes it: a child context sees its parent's
  // runtime but must not close it with itself.
  @ConditionalOnBean(value = Ndp.class, search = SearchStrategy.CURRENT)
  public NdpLifecycle ndpLifecycle(Ndp ndp) {
    return new NdpLifecycle(ndp);
  }
}
