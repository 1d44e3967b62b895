package io.ndp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Review findings: inputs that reach the API without the project's typed, named error.
 *
 * <ul>
 *   <li>{@link DelegateDirectory}, the host's first API after the context, is outside {@link
 *       NullHostilityTest}: its lookups with a null name throw the JDK's NullPointerException from
 *       inside ConcurrentHashMap, while {@code register(null, ..)} and {@code replace(null, ..)} in
 *       the same class answer with an IllegalArgumentException naming the problem.
 *   <li>A context whose attribute map has a key that is not a String (a raw or unchecked map, as a
 *       deserializer or another JVM language hands over) fails with a bare ClassCastException
 *       instead of the InvalidContextException the class promises for every broken rule; the
 *       definition reports the same input by name ("keys must be strings but found ...").
 *   <li>A definition whose parameters contain themselves fails with a StackOverflowError instead of
 *       an IllegalArgumentException naming the parameter.
 * </ul>
 */
class InputHostilityReviewTest {

  record Case(Method method, int nullAt) {
    @Override
    public String toString() {
      return "DelegateDirectory."
          + method.getName()
          + " "
          + Stream.of(method.getParameterTypes()).map(Class::getSimpleName).toList()
          + " null at "
          + nullAt;
    }
  }

  static Stream<Case> directoryCases() {
    List<Case> cases = new ArrayList<>();
    for (Method m : DelegateDirectory.class.getDeclaredMethods()) {
      if (!Modifier.isPublic(m.getModifiers()) || m.isSynthetic()) {
        continue;
      }
      for (int i = 0; i < m.getParameterCount(); i++) {
        if (!m.getAnnotatedParameterTypes()[i].isAnnotationPresent(Nullable.class)) {
          cases.add(new Case(m, i));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("directoryCases")
  void delegateDirectory_nullIsRefusedByName_notByTheJdk(Case c) throws Exception {
    Method m = c.method();
    Object[] args = new Object[m.getParameterCount()];
    for (int i = 0; i < args.length; i++) {
      if (i != c.nullAt()) {
        args[i] = m.getParameterTypes()[i] == Delegate.class ? (Delegate) in -> in : "x";
      }
    }
    Throwable thrown = null;
    try {
      m.invoke(new DelegateDirectory(), args);
    } catch (InvocationTargetException e) {
      thrown = e.getCause();
    }
    assertThat(thrown)
        .as("%s threw %s", c, thrown)
        .isNotNull()
        .isNotInstanceOf(NullPointerException.class)
        .isInstanceOfAny(IllegalArgumentException.class, NdpException.class);
    assertThat(thrown.getMessage()).as("%s", c).containsIgnoringCase("null");
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  @Test
  void contextWithANonStringAttributeKey_isAnInvalidContext_namingTheKey() {
    Map raw = new HashMap();
    raw.put(42, "x");
    Map<String, ?> attributes = (Map<String, ?>) raw;

    Throwable viaConstructor = catchThrowable(() -> new PatternContext("d", "t", attributes));
    Throwable viaBuilder =
        catchThrowable(() -> PatternContext.builder("d", "t").attributes(attributes).build());

    for (Throwable thrown : List.of(viaConstructor, viaBuilder)) {
      assertThat(thrown)
          .as("threw %s", thrown)
          .isInstanceOf(InvalidContextException.class)
          .hasMessageContaining("42");
    }
  }

  @Test
  void definitionWhoseParametersContainThemselves_isRefusedByName() {
    Map<String, Object> selfMap = new HashMap<>();
    selfMap.put("self", selfMap);
    List<Object> selfList = new ArrayList<>();
    selfList.add(selfList);

    Throwable viaMap = catchThrowable(() -> new PatternDefinition("t", "p", "", selfMap));
    Throwable viaList =
        catchThrowable(() -> new PatternDefinition("t", "p", "", Map.of("steps", selfList)));

    assertThat(viaMap)
        .as("threw %s", viaMap)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("self");
    assertThat(viaList)
        .as("threw %s", viaList)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("steps");
  }
}
