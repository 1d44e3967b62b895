package io.ndp.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Registers a delegate in the runtime's {@link io.ndp.api.DelegateDirectory} at startup.
 *
 * <ul>
 *   <li>On a bean class that implements {@link io.ndp.api.Delegate}: the bean is the delegate,
 *       named by {@link #value()}, or by the bean's name when the value is empty.
 *   <li>On a method of any bean: the method is the delegate, named by {@link #value()}, or by the
 *       method's name when the value is empty. It takes one parameter (the step's input, of any
 *       type the input is assignable to) or none, and returns the output ({@code void} returns
 *       {@code null}). A checked exception it throws fails the step as any delegate's does.
 * </ul>
 *
 * <p>A method with more than one parameter, a static method, or a name that two delegates claim is
 * a startup failure naming the bean and the method.
 *
 * <p>Beans are scanned by the class their definition declares, without creating them: a
 * {@code @Bean} method declared to return only an interface (e.g. behind a scoped proxy) shows the
 * interface's methods; annotate the interface's method, or declare the class as the return type.
 * Eager singleton beans are scanned (once every singleton exists); lazy and non-singleton beans are
 * not, so that registering delegates never creates a bean the application wanted later or many
 * times.
 *
 * <pre>{@code
 * @Component
 * class Orders {
 *   @NdpDelegate("validate")
 *   Order validate(Order order) { ... }
 * }
 * }</pre>
 *
 * @since 0.2.0
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface NdpDelegate {

  /**
   * The delegate's name in the directory.
   *
   * @return the name; empty for the bean's name (on a class) or the method's name (on a method)
   */
  String value() default "";
}
