package io.ndp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.lang.reflect.AnnotatedType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every public constructor and method of the context, its builder, the definition and the delegate
 * directory, called with {@code null} in each parameter not marked {@code @Nullable}: the answer is
 * the project's typed exception ({@link InvalidContextException} for a context, {@link
 * IllegalArgumentException} for a definition) whose message names what was wrong — never a
 * NullPointerException from inside the JDK, found by reflection so that a method added later is
 * checked too.
 */
class NullHostilityTest {

  /** One call: an executable, and which of its parameters gets the null. */
  record Case(Executable executable, int nullAt) {
    @Override
    public String toString() {
      return executable.getDeclaringClass().getSimpleName()
          + "."
          + (executable instanceof Constructor<?> ? "<init>" : executable.getName())
          + " "
          + List.of(executable.getParameterTypes()).stream().map(Class::getSimpleName).toList()
          + " null at "
          + nullAt;
    }
  }

  static Stream<Case> cases() {
    List<Executable> all = new ArrayList<>();
    for (Class<?> c :
        List.of(
            PatternContext.class,
            PatternContext.Builder.class,
            PatternDefinition.class,
            DelegateDirectory.class)) {
      all.addAll(List.of(c.getConstructors()));
      for (Method m : c.getDeclaredMethods()) {
        if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic() && !isObjectMethod(m)) {
          all.add(m);
        }
      }
    }
    List<Case> cases = new ArrayList<>();
    for (Executable e : all) {
      AnnotatedType[] types = e.getAnnotatedParameterTypes();
      for (int i = 0; i < types.length; i++) {
        if (!e.getParameterTypes()[i].isPrimitive()
            && !types[i].isAnnotationPresent(Nullable.class)) {
          cases.add(new Case(e, i));
        }
      }
    }
    return cases.stream();
  }

  private static boolean isObjectMethod(Method m) {
    return m.getName().equals("equals") && m.getParameterCount() == 1;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void nullIsReportedAsTheProjectsTypedException_namingTheProblem(Case c) throws Exception {
    Executable e = c.executable();
    Object[] args = new Object[e.getParameterCount()];
    for (int i = 0; i < args.length; i++) {
      args[i] = i == c.nullAt() ? null : sample(e.getParameterTypes()[i]);
    }
    Throwable thrown = null;
    try {
      Object result = invoke(e, args);
      if (result instanceof PatternContext.Builder b) {
        b.build(); // a builder may defer the check to build(), as the constructor would
      }
    } catch (InvocationTargetException ite) {
      thrown = ite.getCause();
    } catch (RuntimeException direct) {
      thrown = direct;
    }
    if (thrown == null) {
      fail("%s accepted null without a word", c);
    }
    assertThat(thrown)
        .as("%s threw %s", c, thrown)
        .isNotInstanceOf(NullPointerException.class)
        .isInstanceOfAny(InvalidContextException.class, IllegalArgumentException.class);
    if (buildsAContext(e)) {
      assertThat(thrown).as("%s", c).isInstanceOf(InvalidContextException.class);
    }
    assertThat(thrown.getMessage()).as("%s", c).isNotBlank().containsIgnoringCase("null");
  }

  /** A constructor of the context, or a method of its builder (or the one that makes one). */
  private static boolean buildsAContext(Executable e) {
    return e.getDeclaringClass() == PatternContext.Builder.class
        || (e.getDeclaringClass() == PatternContext.class
            && (e instanceof Constructor<?> || e.getName().equals("builder")));
  }

  private static Object invoke(Executable e, Object[] args) throws Exception {
    if (e instanceof Constructor<?> k) {
      return k.newInstance(args);
    }
    Method m = (Method) e;
    Object target = null;
    if (!Modifier.isStatic(m.getModifiers())) {
      target =
          m.getDeclaringClass() == PatternContext.Builder.class
              ? PatternContext.builder("orders", "sequential")
              : m.getDeclaringClass() == PatternContext.class
                  ? PatternContext.builder("orders", "sequential").build()
                  : m.getDeclaringClass() == DelegateDirectory.class
                      ? new DelegateDirectory()
                      : new PatternDefinition("sequential", "p", "", Map.of());
    }
    return m.invoke(target, args);
  }

  private static Object sample(Class<?> type) {
    if (type == int.class) {
      return 0;
    }
    if (type == String.class) {
      return "x";
    }
    if (type == Map.class) {
      return Map.of();
    }
    if (type == Collection.class || type == List.class) {
      return List.of("a");
    }
    if (type == String[].class) {
      return new String[] {"a"};
    }
    if (type == Delegate.class) {
      return (Delegate) in -> in;
    }
    if (type == Duration.class) {
      return Duration.ofSeconds(1);
    }
    return new Object();
  }
}
