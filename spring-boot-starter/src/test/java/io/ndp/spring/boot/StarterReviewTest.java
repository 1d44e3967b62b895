package io.ndp.spring.boot;

import static io.ndp.spring.boot.Apps.messages;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternResult;
import io.ndp.core.Ndp;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.aopalliance.intercept.MethodInterceptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.aop.framework.autoproxy.BeanNameAutoProxyCreator;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Defects of the starter found in review: each test states the expected behaviour and fails. */
class StarterReviewTest {

  @TempDir Path dir;

  // --- lifecycle -------------------------------------------------------------------------------

  /**
   * A child context (SpringApplicationBuilder.child, a bootstrap context...) sees the parent's
   * runtime, so it builds none; closing the child must leave the parent's runtime alone. The child
   * still gets its own ndpLifecycle bean (unconditional) over the parent's Ndp, and its stop closes
   * the runtime the parent owns.
   */
  @Test
  void closingAChildContext_leavesTheParentsRuntimeOpen() {
    Apps.runner()
        .run(
            parent -> {
              assertThat(parent).hasNotFailed();
              Ndp ndp = parent.getBean(Ndp.class);
              Apps.runner()
                  .withParent(parent)
                  .run(
                      child -> {
                        assertThat(child).hasNotFailed();
                        assertThat(child.getBean(Ndp.class)).isSameAs(ndp);
                      });
              // the child context is closed now; the parent is still running
              assertThat(ndp.isClosed())
                  .as("the parent's runtime after a child context closed")
                  .isFalse();
            });
  }

  // --- @NdpDelegate ----------------------------------------------------------------------------

  /** An interface, so that an auto-proxy creator without proxyTargetClass makes a JDK proxy. */
  interface Greeter {
    String greet(String name);
  }

  static class GreeterImpl implements Greeter {
    @Override
    @NdpDelegate("greet")
    public String greet(String name) {
      return "hello " + name;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class JdkProxiedDelegate {
    @Bean
    Greeter greeter() {
      return new GreeterImpl();
    }

    @Bean
    MethodInterceptor passThrough() {
      return invocation -> invocation.proceed();
    }

    @Bean
    static BeanNameAutoProxyCreator greeterProxies() {
      BeanNameAutoProxyCreator c = new BeanNameAutoProxyCreator();
      c.setBeanNames("greeter");
      c.setInterceptorNames("passThrough"); // proxyTargetClass=false: a JDK proxy of Greeter
      return c;
    }
  }

  /**
   * An {@code @NdpDelegate} method of a bean behind a JDK proxy (an interface-based
   * {@code @Transactional}/AOP proxy, spring.aop.proxy-target-class=false) must be registered as on
   * any bean ("NdpDelegate methods of any bean"), or fail the startup naming it. The registrar
   * scans ClassUtils.getUserClass(proxy class), which for a JDK proxy is the proxy class itself (no
   * annotations), so the delegate is silently missing and the first execution fails at run time.
   */
  @Test
  void ndpDelegateMethodOfAJdkProxiedBean_isRegistered() {
    Apps.runner()
        .withUserConfiguration(JdkProxiedDelegate.class)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(AopUtils.isJdkDynamicProxy(ctx.getBean("greeter")))
                  .as("the bean is a JDK proxy")
                  .isTrue();
              assertThat(ctx.getBean(Ndp.class).delegates().contains("greet"))
                  .as("the @NdpDelegate(\"greet\") method of the JDK-proxied bean is registered")
                  .isTrue();
            });
  }

  // --- properties ------------------------------------------------------------------------------

  /**
   * NdpProperties promises that every setter checks its value with the rule of the core builder it
   * feeds and names the property when it refuses one. ndp.storage.pool-size accepts 1 ("at least
   * 1"), JdbcStorage.Builder.poolSize refuses it ("at least 2"), and JdbcStorages.open calls
   * poolSize(...) outside the try that renames builder settings, so the startup fails with
   * "poolSize must be at least 2" and no property name.
   */
  /** A plugins folder that does not exist (a typo) fails the startup naming the property. */
  @Test
  void missingPluginsDir_failsNamingTheProperty() {
    Apps.runner()
        .withPropertyValues("ndp.plugins-dir=" + dir.resolve("no-such-folder"))
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(messages(ctx.getStartupFailure()))
                  .contains("ndp.plugins-dir must be an existing folder")
                  .contains("no-such-folder");
            });
  }

  @Test
  void storagePoolSizeOne_failsNamingTheProperty() {
    Apps.runner()
        .withPropertyValues(
            "ndp.storage.type=h2",
            "ndp.storage.h2-directory=" + dir.resolve("db"),
            "ndp.storage.pool-size=1")
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(messages(ctx.getStartupFailure())).contains("ndp.storage.pool-size");
            });
  }

  /**
   * Binding's Javadoc: maps whose keys are 0, 1, 2... (a bound list) become lists. A parameter map
   * keyed by other numbers (HTTP statuses here) is a map, and must stay one; it comes out as a list
   * of its values, its keys lost.
   */
  @Test
  void parameterMapWithNumericKeysThatAreNotAListsIndexes_staysAMap() {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("ndp.patterns[0].type", "sequential");
    props.put("ndp.patterns[0].name", "calls");
    props.put("ndp.patterns[0].parameters.steps[0]", "call");
    props.put("ndp.patterns[0].parameters.retry-after.429", "5");
    props.put("ndp.patterns[0].parameters.retry-after.503", "30");
    NdpProperties p =
        new Binder(new MapConfigurationPropertySource(props))
            .bind("ndp", NdpProperties.class)
            .get();
    PatternDefinition d = p.getPatterns().get(0).toDefinition(0);
    assertThat(d.parameters().get("retry-after"))
        .as("retry-after keyed by status")
        .isEqualTo(Map.of("429", 5L, "503", 30L));
  }

  // --- metrics ---------------------------------------------------------------------------------

  /**
   * Two MeterRegistry beans without a primary (no actuator's composite) are a legitimate setup;
   * NDP's metrics must not stop the application from starting. ndpMetrics(MeterRegistry) asks for a
   * single registry, so the startup fails with NoUniqueBeanDefinitionException.
   */
  @Test
  void twoMeterRegistries_doNotFailTheStartup() {
    Apps.runner()
        .withBean("prometheusLike", MeterRegistry.class, SimpleMeterRegistry::new)
        .withBean("jmxLike", MeterRegistry.class, SimpleMeterRegistry::new)
        .run(ctx -> assertThat(ctx).hasNotFailed());
  }

  // --- a runtime the application defines ---------------------------------------------------------

  static class Steps {
    @NdpDelegate("echo")
    String echo(Object input) {
      return "echo " + input;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnRuntime {
    @Bean
    Ndp ndp() {
      return Ndp.builder().build();
    }

    @Bean
    Steps steps() {
      return new Steps();
    }
  }

  /**
   * The auto-configuration backs off from its Ndp for the application's own (it is
   * {@code @ConditionalOnMissingBean}) but still registers the delegates and patterns in it, and
   * the actuator's auto-configuration still creates RecentDecisions (and the metrics NdpMetrics)
   * for it. NdpAutoConfiguration promises that every NdpListener bean hears the runtime; these are
   * only ever given to the builder of its own Ndp, never added (Ndp.addListener) to the
   * application's, so the ndp endpoint shows no decisions and the meters count nothing, silently.
   */
  @Test
  void withTheApplicationsOwnNdp_listenerBeansStillHearIt() {
    Apps.runner()
        .withUserConfiguration(OwnRuntime.class)
        .withPropertyValues(Apps.sequential(0, "echoing", "echo"))
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              PatternResult r = Apps.run(ctx.getBean(Ndp.class), "orders", "x");
              assertThat(r.success()).as(r.message()).isTrue();
              assertThat(ctx.getBean(RecentDecisions.class).newestFirst())
                  .as("the RecentDecisions listener bean heard the execution")
                  .hasSize(1);
            });
  }

  // --- @NdpDelegate on a class-proxied (CGLIB) bean -------------------------------------------

  static class Prefixer {
    private final String prefix;

    Prefixer() {
      this.prefix = String.join("", "pre", "-"); // not a constant: kept in the instance
    }

    @NdpDelegate("prefix")
    public final String prefix(Object input) {
      return prefix + input;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class CglibProxiedDelegate {
    @Bean
    Prefixer prefixer() {
      return new Prefixer();
    }

    @Bean
    MethodInterceptor passThrough() {
      return invocation -> invocation.proceed();
    }

    @Bean
    static BeanNameAutoProxyCreator prefixerProxies() {
      BeanNameAutoProxyCreator c = new BeanNameAutoProxyCreator();
      c.setBeanNames("prefixer");
      c.setInterceptorNames("passThrough");
      c.setProxyTargetClass(true); // a CGLIB subclass, as @Transactional/@Async classes get
      return c;
    }
  }

  /**
   * A final {@code @NdpDelegate} method of a CGLIB-proxied bean cannot be intercepted, so calling
   * it on the proxy runs it on the proxy instance, whose fields were never initialised. The
   * delegate must run on the bean (the target), or the startup must refuse the method naming it;
   * MethodDelegate invokes it on the proxy and the step silently computes with null fields.
   */
  @Test
  void finalNdpDelegateMethodOfACglibProxiedBean_runsOnTheBean() {
    Apps.runner()
        .withUserConfiguration(CglibProxiedDelegate.class)
        .withPropertyValues(Apps.sequential(0, "prefixing", "prefix"))
        .run(
            ctx -> {
              if (ctx.getStartupFailure() != null) {
                assertThat(messages(ctx.getStartupFailure())).contains("prefix");
                return;
              }
              assertThat(AopUtils.isCglibProxy(ctx.getBean("prefixer"))).isTrue();
              PatternResult r = Apps.run(ctx.getBean(Ndp.class), "orders", "x");
              assertThat(r.success()).as(r.message()).isTrue();
              assertThat(r.output()).isEqualTo("pre-x");
            });
  }

  // --- a failed startup and durable storage ----------------------------------------------------

  /**
   * A startup that fails must leave the durable storage as it was. The registrar, finding a stored
   * pattern whose configured definition differs, withdraws the stored one (Ndp.unregister, which
   * deletes it from storage) before it registers the configured one; when that registration fails
   * (here a typo in the type), the startup fails, as it should, but the stored definition is gone:
   * the next start no longer restores the pattern.
   */
  @Test
  void aFailedStartup_leavesTheStoredPatternsAsTheyWere() {
    String[] h2 = {"ndp.storage.type=h2", "ndp.storage.h2-directory=" + dir.resolve("db")};
    Apps.runner()
        .withUserConfiguration(Steps.class)
        .withPropertyValues(Apps.concat(h2, Apps.sequential(0, "p", "echo")))
        .run(ctx -> assertThat(ctx).hasNotFailed());
    Apps.runner() // control: without ndp.patterns the stored pattern is restored
        .withUserConfiguration(Steps.class)
        .withPropertyValues(h2)
        .run(ctx -> assertThat(ctx.getBean(Ndp.class).registry().find("p")).isPresent());
    Apps.runner()
        .withUserConfiguration(Steps.class)
        .withPropertyValues(
            Apps.concat(
                h2,
                new String[] {
                  "ndp.patterns[0].type=sequentail",
                  "ndp.patterns[0].name=p",
                  "ndp.patterns[0].parameters.steps[0]=echo"
                }))
        .run(ctx -> assertThat(ctx).hasFailed());
    Apps.runner()
        .withUserConfiguration(Steps.class)
        .withPropertyValues(h2)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx.getBean(Ndp.class).registry().find("p"))
                  .as("pattern 'p' stored by the first start, after a later start failed")
                  .isPresent();
            });
  }

  // --- @NdpDelegate beans of a parent context --------------------------------------------------

  /**
   * A child context whose runtime the starter builds can use the parent's beans (getBean resolves
   * them), but the registrar scans beanFactory.getBeanDefinitionNames(), the child's own beans
   * only: an {@code @NdpDelegate} method of a parent's bean is silently not registered, and the
   * pattern naming it fails at run time. Expected: registered, or a startup failure naming it.
   */
  @Test
  void ndpDelegateOfABeanInTheParentContext_isRegisteredInTheChildsRuntime() {
    new org.springframework.boot.test.context.runner.ApplicationContextRunner()
        .withUserConfiguration(Steps.class)
        .run(
            parent ->
                Apps.runner()
                    .withParent(parent)
                    .withPropertyValues(Apps.sequential(0, "e", "echo"))
                    .run(
                        child -> {
                          if (child.getStartupFailure() != null) {
                            assertThat(messages(child.getStartupFailure())).contains("echo");
                            return;
                          }
                          PatternResult r = Apps.run(child.getBean(Ndp.class), "orders", "x");
                          assertThat(r.success()).as(r.message()).isTrue();
                          assertThat(r.output()).isEqualTo("echo x");
                        }));
  }
}
