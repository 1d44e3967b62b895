package io.ndp.spring.boot;

import static io.ndp.spring.boot.Apps.messages;
import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.PatternResult;
import io.ndp.api.event.NdpListener;
import io.ndp.core.Ndp;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Second review of the starter's fixes: each test states the expected behaviour and fails. */
class StarterReview2Test {

  static class Steps {
    @NdpDelegate("echo")
    String echo(Object input) {
      return "echo " + input;
    }
  }

  /**
   * The application's own runtime, built as the starter builds its own: every NdpListener bean
   * given to the builder (NdpAutoConfiguration's documented contract).
   */
  @Configuration(proxyBeanMethods = false)
  static class OwnRuntimeWithListeners {
    @Bean
    Ndp ndp(ObjectProvider<NdpListener> listeners) {
      Ndp.Builder b = Ndp.builder();
      listeners.orderedStream().forEach(b::listener);
      return b.build();
    }

    @Bean
    Steps steps() {
      return new Steps();
    }
  }

  /**
   * An application's own Ndp that already has the RecentDecisions bean as a listener must not get
   * it a second time: one execution is one recent decision (and one count in the meters). The
   * registrar adds RecentDecisions/NdpMetrics to every runtime it did not build, without looking
   * whether they are already listening, so each execution is recorded twice.
   */
  @Test
  void ownRuntimeThatAlreadyHasTheListeners_hearsEachExecutionOnce() {
    Apps.runner()
        .withUserConfiguration(OwnRuntimeWithListeners.class)
        .withPropertyValues(Apps.sequential(0, "echoing", "echo"))
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              PatternResult r = Apps.run(ctx.getBean(Ndp.class), "orders", "x");
              assertThat(r.success()).as(r.message()).isTrue();
              assertThat(ctx.getBean(RecentDecisions.class).newestFirst())
                  .as("recent decisions after one execution")
                  .hasSize(1);
            });
  }

  /**
   * A child context that sees its parent's runtime has no registrar any more
   * (ConditionalOnBean(search = CURRENT)): its own {@code @NdpDelegate} beans and its ndp.patterns
   * are silently ignored, and the pattern naming the delegate fails at run time. Expected: the
   * child's delegate is usable, or the child's startup fails naming it; not silence.
   */
  @Test
  void childContextUnderAParentWithARuntime_doesNotSilentlyIgnoreItsDelegates() {
    Apps.runner()
        .run(
            parent ->
                Apps.runner()
                    .withParent(parent)
                    .withUserConfiguration(ChildSteps.class)
                    .run(
                        child -> {
                          if (child.getStartupFailure() != null) {
                            assertThat(messages(child.getStartupFailure())).contains("echo");
                            return;
                          }
                          assertThat(child.getBean(Ndp.class).delegates().contains("echo"))
                              .as("the child's @NdpDelegate(\"echo\") is registered somewhere")
                              .isTrue();
                        }));
  }

  @Configuration(proxyBeanMethods = false)
  static class ChildSteps {
    @Bean
    Steps steps() {
      return new Steps();
    }
  }

  static class PrivatePrefixer {
    private final String prefix;

    PrivatePrefixer() {
      this.prefix = String.join("", "pre", "-"); // kept in the instance, not in the proxy
    }

    @NdpDelegate("prefix")
    private String prefix(Object input) {
      return prefix + input;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class CglibProxiedPrivateDelegate {
    @Bean
    PrivatePrefixer prefixer() {
      return new PrivatePrefixer();
    }

    @Bean
    org.aopalliance.intercept.MethodInterceptor passThrough() {
      return invocation -> invocation.proceed();
    }

    @Bean
    static org.springframework.aop.framework.autoproxy.BeanNameAutoProxyCreator prefixerProxies() {
      org.springframework.aop.framework.autoproxy.BeanNameAutoProxyCreator c =
          new org.springframework.aop.framework.autoproxy.BeanNameAutoProxyCreator();
      c.setBeanNames("prefixer");
      c.setInterceptorNames("passThrough");
      c.setProxyTargetClass(true); // a CGLIB subclass: no JDK proxy anywhere
      return c;
    }
  }

  /**
   * A private {@code @NdpDelegate} method of a class-proxied (CGLIB) bean cannot be called through
   * the proxy, exactly like a final one (which the fix runs on the bean). Expected: it runs on the
   * bean, or the startup fails saying why (a private method on a class proxy). The registrar
   * catches Spring's refusal and reports that the method "is not reachable through the bean's JDK
   * proxy: declare it on an interface", which is wrong (there is no JDK proxy) and sends the
   * developer to add an interface that would not help.
   */
  @Test
  void privateDelegateMethodOfACglibProxiedBean_runsOrFailsNamingTheRealCause() {
    Apps.runner()
        .withUserConfiguration(CglibProxiedPrivateDelegate.class)
        .withPropertyValues(Apps.sequential(0, "prefixing", "prefix"))
        .run(
            ctx -> {
              if (ctx.getStartupFailure() != null) {
                assertThat(messages(ctx.getStartupFailure()))
                    .as("the failure of a CGLIB-proxied bean's private @NdpDelegate method")
                    .doesNotContain("JDK proxy")
                    .doesNotContain("declare it on an interface");
                return;
              }
              PatternResult r = Apps.run(ctx.getBean(Ndp.class), "orders", "x");
              assertThat(r.success()).as(r.message()).isTrue();
              assertThat(r.output()).isEqualTo("pre-x");
            });
  }

  /** An interface, so that a scoped proxy in INTERFACES mode is a JDK proxy. */
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
  static class InterfaceScopedDelegate {
    @Bean
    @org.springframework.context.annotation.Scope(
        value = org.springframework.beans.factory.config.BeanDefinition.SCOPE_PROTOTYPE,
        proxyMode = org.springframework.context.annotation.ScopedProxyMode.INTERFACES)
    GreeterImpl greeter() { // adjusted by the owner: the concrete type, see below
      return new GreeterImpl();
    }
  }

  /**
   * Adjusted by the owner: a factory method declared to return only the interface hides the class's
   * annotations from any scan that does not create the bean (Spring's @EventListener scan has the
   * same limit), and a prototype behind a scoped proxy is not created at startup; the starter
   * documents it on {@code @NdpDelegate}. Declared with its class, the method behind the interface
   * scoped proxy is found and registered.
   *
   * <p>The fix finds {@code @NdpDelegate} methods behind JDK proxies "as Spring
   * finds @EventListener methods", but Spring also looks behind a scoped proxy (ScopedObject: the
   * target bean's class); the registrar does not, so the method of a bean behind an interface
   * scoped proxy (request, session, refresh scope with proxyMode INTERFACES) is still silently
   * skipped. Expected: registered, or a startup failure naming it.
   */
  @Test
  void ndpDelegateMethodBehindAnInterfaceScopedProxy_isRegisteredOrNamed() {
    Apps.runner()
        .withUserConfiguration(InterfaceScopedDelegate.class)
        .run(
            ctx -> {
              if (ctx.getStartupFailure() != null) {
                assertThat(messages(ctx.getStartupFailure())).contains("greet");
                return;
              }
              assertThat(
                      org.springframework.aop.support.AopUtils.isJdkDynamicProxy(
                          ctx.getBean("greeter")))
                  .as("the bean is a JDK proxy")
                  .isTrue();
              assertThat(ctx.getBean(Ndp.class).delegates().contains("greet"))
                  .as("the @NdpDelegate(\"greet\") method behind the scoped proxy is registered")
                  .isTrue();
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class ParentStepsAndDefinition {
    @Bean
    Steps steps() {
      return new Steps();
    }

    @Bean
    io.ndp.api.PatternDefinition echoing() {
      return new io.ndp.api.PatternDefinition(
          "sequential", "echoing", "", java.util.Map.of("steps", java.util.List.of("echo")));
    }
  }

  /**
   * The fix registers the {@code @NdpDelegate}s of a parent context without a runtime of its own in
   * the child's runtime, but not the parent's PatternDefinition (or Pattern) beans beside them: the
   * child scans its ancestors for delegates and only its own factory for patterns, so a parent that
   * declares a delegate and the pattern over it gets half of it registered. Expected: the parent's
   * pattern bean is registered in the child's runtime like its delegate.
   */
  @Test
  void patternBeanOfAParentWithoutARuntime_isRegisteredInTheChildsRuntime_likeItsDelegates() {
    new org.springframework.boot.test.context.runner.ApplicationContextRunner()
        .withUserConfiguration(ParentStepsAndDefinition.class)
        .run(
            parent ->
                Apps.runner()
                    .withParent(parent)
                    .run(
                        child -> {
                          assertThat(child).hasNotFailed();
                          Ndp ndp = child.getBean(Ndp.class);
                          assertThat(ndp.delegates().contains("echo"))
                              .as("the parent's delegate")
                              .isTrue();
                          assertThat(ndp.registry().find("echoing"))
                              .as("the parent's PatternDefinition bean 'echoing'")
                              .isPresent();
                        }));
  }
}
