package io.ndp.spring.boot;

import io.ndp.api.Delegate;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.jspecify.annotations.Nullable;
import org.springframework.util.ReflectionUtils;

/**
 * A bean's {@link NdpDelegate} method as a {@link Delegate}: calls it with the input (or with
 * nothing when it takes no parameter) and returns what it returns. An exception the method throws
 * is rethrown as it is, so the step fails with it.
 *
 * <p>Thread-safe when the bean's method is.
 */
final class MethodDelegate implements Delegate {
  private final Object bean;
  private final Method method;
  private final String description;

  MethodDelegate(Object bean, Method method, String beanName) {
    this.bean = bean;
    this.method = method;
    this.description = "bean '" + beanName + "' method " + method.getName();
    ReflectionUtils.makeAccessible(method);
  }

  @Override
  public @Nullable Object execute(@Nullable Object input) throws Exception {
    try {
      return method.getParameterCount() == 0 ? method.invoke(bean) : method.invoke(bean, input);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception ex) {
        throw ex;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(description + " threw " + cause, cause);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(description + " is not accessible", e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          description
              + " takes "
              + method.getParameterTypes()[0].getName()
              + " but the input was "
              + (input == null ? "null" : input.getClass().getName()),
          e);
    }
  }

  @Override
  public String toString() {
    return description;
  }
}
