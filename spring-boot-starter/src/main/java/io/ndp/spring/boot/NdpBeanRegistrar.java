package io.ndp.spring.boot;

import io.ndp.api.Delegate;
import io.ndp.api.Pattern;
import io.ndp.api.PatternDefinition;
import io.ndp.api.event.NdpListener;
import io.ndp.core.Ndp;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aop.framework.autoproxy.AutoProxyUtils;
import org.springframework.aop.scope.ScopedProxyUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;

/**
 * Registers the application's delegates and patterns in the runtime once every singleton exists (as
 * Spring's {@code @EventListener} methods are found), before the context starts its lifecycles (and
 * so before a web server accepts requests):
 *
 * <ol>
 *   <li>delegates: beans implementing {@link Delegate} annotated with {@link NdpDelegate}, and
 *       {@link NdpDelegate} methods of any bean. A bad signature or a name claimed twice fails the
 *       startup naming the bean and the method;
 *   <li>patterns: {@code ndp.patterns}, then {@link PatternDefinition} beans, then {@link Pattern}
 *       beans. A pattern already restored from durable storage with the same definition is kept
 *       (its confidence too); one stored with another definition is replaced by the configured one
 *       (its statistics stay). Two configured patterns of one name fail the startup naming both.
 * </ol>
 *
 * <p>Not thread-safe: Spring calls it once, on the thread that refreshes the context.
 *
 * @since 0.2.0
 */
public final class NdpBeanRegistrar implements SmartInitializingSingleton {
  private static final Logger log = LoggerFactory.getLogger(NdpBeanRegistrar.class);

  private final Ndp ndp;
  private final NdpProperties properties;
  private final ConfigurableListableBeanFactory beanFactory;
  private final boolean attachListeners;

  /**
   * Creates the registrar.
   *
   * @param ndp the runtime to register in
   * @param properties the properties with {@code ndp.patterns}
   * @param beanFactory the bean factory to scan (and its ancestors without a runtime of their own)
   * @param attachListeners whether the runtime was built elsewhere (the application's own {@code
   *     Ndp} bean): then the starter's listeners (recent decisions, metrics) are added to it
   */
  public NdpBeanRegistrar(
      Ndp ndp,
      NdpProperties properties,
      ConfigurableListableBeanFactory beanFactory,
      boolean attachListeners) {
    this.ndp = ndp;
    this.properties = properties;
    this.beanFactory = beanFactory;
    this.attachListeners = attachListeners;
  }

  @Override
  public void afterSingletonsInstantiated() {
    if (attachListeners) {
      beanFactory
          .getBeansOfType(NdpListener.class)
          .values()
          .forEach(
              l -> {
                String c = l.getClass().getName();
                if (c.equals(RecentDecisions.class.getName())
                    || c.equals("io.ndp.micrometer.NdpMetrics")) {
                  ndp.addListener(l);
                }
              });
    }
    registerDelegates();
    registerPatterns();
  }

  /**
   * This context's bean factory, then its ancestors up to (not including) the first that holds a
   * runtime of its own: their delegates belong to that one.
   */
  private List<ConfigurableListableBeanFactory> scanned() {
    List<ConfigurableListableBeanFactory> out = new ArrayList<>();
    out.add(beanFactory);
    BeanFactory parent = beanFactory.getParentBeanFactory();
    while (parent instanceof ConfigurableListableBeanFactory p
        && p.getBeanNamesForType(Ndp.class, true, false).length == 0) {
      out.add(p);
      parent = p.getParentBeanFactory();
    }
    return out;
  }

  private void registerDelegates() {
    Map<String, Found> found = new LinkedHashMap<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (ConfigurableListableBeanFactory factory : scanned()) {
      for (String beanName : factory.getBeanDefinitionNames()) {
        if (seen.add(beanName)) {
          scan(factory, beanName, found);
        }
      }
    }
    found.forEach(
        (name, f) -> {
          if (ndp.delegates().contains(name)) {
            throw new BeanInitializationException(
                "@NdpDelegate '"
                    + name
                    + "' of "
                    + f.where()
                    + ": the runtime has a delegate of that name already");
          }
          ndp.delegates().register(name, f.delegate());
          log.debug("registered delegate '{}' from {}", name, f.where());
        });
  }

  private void scan(
      ConfigurableListableBeanFactory factory, String beanName, Map<String, Found> found) {
    if (ScopedProxyUtils.isScopedTarget(beanName) || !isEagerSingleton(factory, beanName)) {
      return;
    }
    // The target class behind a proxy, JDK (interface) proxies included, as Spring finds
    // @EventListener methods.
    Class<?> type = AutoProxyUtils.determineTargetClass(factory, beanName);
    if (type == null) {
      type = factory.getType(beanName);
    }
    if (type != null && org.springframework.aop.scope.ScopedObject.class.isAssignableFrom(type)) {
      // A scoped proxy: the methods are the target bean's (as for @EventListener).
      Class<?> target =
          AutoProxyUtils.determineTargetClass(
              factory, ScopedProxyUtils.getTargetBeanName(beanName));
      if (target != null) {
        type = target;
      }
    }
    if (type == null) {
      return;
    }
    Class<?> userType = ClassUtils.getUserClass(type);
    NdpDelegate onType = AnnotatedElementUtils.findMergedAnnotation(userType, NdpDelegate.class);
    Map<Method, NdpDelegate> methods =
        MethodIntrospector.selectMethods(
            userType,
            (MethodIntrospector.MetadataLookup<NdpDelegate>)
                m -> AnnotatedElementUtils.findMergedAnnotation(m, NdpDelegate.class));
    if (onType == null && methods.isEmpty()) {
      return;
    }
    Object bean = factory.getBean(beanName);
    if (onType != null) {
      if (!(bean instanceof Delegate d)) {
        throw new BeanInitializationException(
            "@NdpDelegate on bean '"
                + beanName
                + "' ("
                + userType.getName()
                + "): a class annotated @NdpDelegate must implement io.ndp.api.Delegate;"
                + " annotate a method of it instead");
      }
      String name = onType.value().isBlank() ? beanName : onType.value();
      claim(found, name, new Found(d, "bean '" + beanName + "' (" + userType.getName() + ")"));
    }
    for (Map.Entry<Method, NdpDelegate> e : methods.entrySet()) {
      Method m = e.getKey();
      String where = "bean '" + beanName + "' method " + m.getName() + describeParameters(m);
      if (Modifier.isStatic(m.getModifiers())) {
        throw new BeanInitializationException(
            "@NdpDelegate " + where + " must not be static: it runs on the bean");
      }
      if (m.getParameterCount() > 1) {
        throw new BeanInitializationException(
            "@NdpDelegate "
                + where
                + " must take one parameter (the input) or none, but takes "
                + m.getParameterCount());
      }
      Method invocable;
      try {
        invocable = AopUtils.selectInvocableMethod(m, bean.getClass());
      } catch (IllegalStateException notOnProxy) {
        throw new BeanInitializationException(
            "@NdpDelegate "
                + where
                + (AopUtils.isJdkDynamicProxy(bean)
                    ? " is not reachable through the bean's JDK proxy: declare it on an"
                        + " interface the bean implements, or proxy the class"
                    : " cannot be called on the bean: " + notOnProxy.getMessage()),
            notOnProxy);
      }
      Object on = bean;
      if (AopUtils.isCglibProxy(bean)
          && (Modifier.isFinal(invocable.getModifiers())
              || Modifier.isPrivate(invocable.getModifiers()))) {
        // A final or private method cannot be proxied: called on the proxy it would see none of
        // the bean's state. It runs on the bean itself (without the proxy's advice).
        Object target = AopProxyUtils.getSingletonTarget(bean);
        if (target == null) {
          throw new BeanInitializationException(
              "@NdpDelegate "
                  + where
                  + " is final or private on a proxied bean whose target is not fixed");
        }
        on = target;
      }
      String name = e.getValue().value().isBlank() ? m.getName() : e.getValue().value();
      claim(found, name, new Found(new MethodDelegate(on, invocable, beanName), where));
    }
  }

  /**
   * Fails a context that declares delegates or patterns for a runtime it does not hold (the runtime
   * is its parent's): registered there, they would outlive this context; ignored, they would be
   * silently missing.
   *
   * @param factory the child context's bean factory
   * @throws BeanInitializationException naming the beans
   */
  static void refuseInChildContext(ConfigurableListableBeanFactory factory) {
    List<String> named = new ArrayList<>();
    for (String beanName : factory.getBeanDefinitionNames()) {
      if (ScopedProxyUtils.isScopedTarget(beanName) || !isEagerSingleton(factory, beanName)) {
        continue;
      }
      Class<?> type = AutoProxyUtils.determineTargetClass(factory, beanName);
      if (type == null) {
        type = factory.getType(beanName);
      }
      if (type == null) {
        continue;
      }
      Class<?> user = ClassUtils.getUserClass(type);
      boolean delegates =
          AnnotatedElementUtils.hasAnnotation(user, NdpDelegate.class)
              || !MethodIntrospector.selectMethods(
                      user,
                      (MethodIntrospector.MetadataLookup<NdpDelegate>)
                          m -> AnnotatedElementUtils.findMergedAnnotation(m, NdpDelegate.class))
                  .isEmpty();
      if (delegates
          || PatternDefinition.class.isAssignableFrom(user)
          || Pattern.class.isAssignableFrom(user)) {
        List<String> names = new ArrayList<>();
        NdpDelegate onType = AnnotatedElementUtils.findMergedAnnotation(user, NdpDelegate.class);
        if (onType != null) {
          names.add(onType.value().isBlank() ? beanName : onType.value());
        }
        MethodIntrospector.selectMethods(
                user,
                (MethodIntrospector.MetadataLookup<NdpDelegate>)
                    m -> AnnotatedElementUtils.findMergedAnnotation(m, NdpDelegate.class))
            .forEach((m, d) -> names.add(d.value().isBlank() ? m.getName() : d.value()));
        named.add(names.isEmpty() ? beanName : beanName + " (@NdpDelegate " + names + ")");
      }
    }
    if (!named.isEmpty()) {
      throw new BeanInitializationException(
          "the NDP runtime is defined in a parent context, so the @NdpDelegate, PatternDefinition"
              + " and Pattern beans "
              + named
              + " of this context would not be registered in it (they would outlive this"
              + " context): declare them in the parent context, or give this context an Ndp bean"
              + " of its own");
    }
  }

  private static boolean isEagerSingleton(
      ConfigurableListableBeanFactory factory, String beanName) {
    if (!factory.containsBeanDefinition(beanName)) {
      return factory.containsSingleton(beanName);
    }
    BeanDefinition bd = factory.getBeanDefinition(beanName);
    return bd.isSingleton() && !bd.isAbstract() && !bd.isLazyInit();
  }

  private static String describeParameters(Method m) {
    List<String> names = new ArrayList<>();
    for (Class<?> p : m.getParameterTypes()) {
      names.add(p.getSimpleName());
    }
    return "(" + String.join(", ", names) + ")";
  }

  private static void claim(Map<String, Found> found, String name, Found f) {
    Found prior = found.putIfAbsent(name, f);
    if (prior != null) {
      throw new BeanInitializationException(
          "@NdpDelegate '"
              + name
              + "' is declared twice: by "
              + prior.where()
              + " and by "
              + f.where()
              + "; delegate names must be unique");
    }
  }

  private void registerPatterns() {
    Map<String, String> sources = new LinkedHashMap<>();
    List<Configured> configured = new ArrayList<>();
    List<NdpProperties.PatternProperties> listed = properties.getPatterns();
    for (int i = 0; i < listed.size(); i++) {
      configured.add(
          new Configured(listed.get(i).toDefinition(i), null, "ndp.patterns[" + i + "]"));
    }
    // From this context and the ancestors without a runtime of their own, as delegates are.
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (ConfigurableListableBeanFactory factory : scanned()) {
      factory
          .getBeansOfType(PatternDefinition.class)
          .forEach(
              (n, d) -> {
                if (seen.add(n)) {
                  configured.add(new Configured(d, null, "bean '" + n + "'"));
                }
              });
      factory
          .getBeansOfType(Pattern.class)
          .forEach(
              (n, p) -> {
                if (seen.add(n)) {
                  configured.add(new Configured(p.definition(), p, "bean '" + n + "'"));
                }
              });
    }
    for (Configured c : configured) {
      String name = c.definition().name();
      String prior = sources.putIfAbsent(name, c.source());
      if (prior != null) {
        throw new BeanInitializationException(
            "pattern '"
                + name
                + "' is declared twice: by "
                + prior
                + " and by "
                + c.source()
                + "; pattern names must be unique");
      }
      register(c);
    }
  }

  private void register(Configured c) {
    String name = c.definition().name();
    Optional<Pattern> restored = ndp.registry().find(name);
    if (restored.isPresent()) {
      if (c.pattern() == null && restored.get().definition().equals(c.definition())) {
        log.debug("pattern '{}' of {} is restored from storage as configured", name, c.source());
        return;
      }
      log.info(
          "pattern '{}' in storage differs from {}; registering the configured one (its"
              + " statistics stay)",
          name,
          c.source());
      if (c.pattern() == null) {
        // Built first: a definition that cannot be built fails the startup before the stored
        // one is removed (a typo must not cost the stored pattern).
        try {
          ndp.create(c.definition());
        } catch (RuntimeException e) {
          throw new BeanInitializationException(
              "pattern '"
                  + name
                  + "' of "
                  + c.source()
                  + " could not be registered: "
                  + e.getMessage(),
              e);
        }
      }
      ndp.unregister(name);
    }
    try {
      if (c.pattern() != null) {
        ndp.register(c.pattern());
      } else {
        ndp.register(c.definition());
      }
    } catch (RuntimeException e) {
      throw new BeanInitializationException(
          "pattern '" + name + "' of " + c.source() + " could not be registered: " + e.getMessage(),
          e);
    }
  }

  private record Found(Delegate delegate, String where) {}

  private record Configured(
      PatternDefinition definition, @Nullable Pattern pattern, String source) {}
}
