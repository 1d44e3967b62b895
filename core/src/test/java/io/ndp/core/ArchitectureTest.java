package io.ndp.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module rules of DESIGN.md as tests, over every NDP class on the test class path (api, core
 * and the built-in kinds).
 */
class ArchitectureTest {

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.ndp");
  }

  @Test
  void api_dependsOnNoProjectModule() {
    noClasses()
        .that()
        .resideInAPackage("io.ndp.api..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.ndp.core..", "io.ndp.patterns..", "io.ndp.examples..")
        .check(classes);
  }

  @Test
  void api_dependsOnlyOnTheJdkPf4jAndJspecify() {
    noClasses()
        .that()
        .resideInAPackage("io.ndp.api..")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("io.ndp.api..", "java..", "org.pf4j..", "org.jspecify..")
        .check(classes);
  }

  @Test
  void plugins_dependOnlyOnApi() {
    noClasses()
        .that()
        .resideInAPackage("io.ndp.patterns..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.ndp.core..", "io.ndp.examples..")
        .check(classes);
  }

  @Test
  void kinds_doNotDependOnEachOther() {
    slices().matching("io.ndp.patterns.(*)..").should().notDependOnEachOther().check(classes);
  }

  @Test
  void nothingDependsOnExamples() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.ndp.examples..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.ndp.examples..")
        .check(classes);
  }

  @Test
  void internal_isUsedOnlyByCore() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.ndp.core..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.ndp.core.internal..")
        .check(classes);
  }

  /**
   * No mutable static state in main code: every static field is final and holds a deeply immutable
   * value (JDK values, immutable collections, empty arrays, loggers, or objects whose fields are
   * all final and hold such values). State belongs to a runtime, never to the process.
   */
  @Test
  void noMutableStaticState() throws Exception {
    List<String> offenders = new ArrayList<>();
    for (JavaClass jc : classes) {
      Class<?> c = jc.reflect();
      for (Field f : c.getDeclaredFields()) {
        if (!Modifier.isStatic(f.getModifiers()) || f.isSynthetic() || f.isEnumConstant()) {
          continue;
        }
        String where = c.getName() + "." + f.getName();
        if (!Modifier.isFinal(f.getModifiers())) {
          offenders.add(where + " is not final");
          continue;
        }
        f.setAccessible(true);
        String why = mutability(f.get(null), 0);
        if (why != null) {
          offenders.add(where + " holds " + why);
        }
      }
    }
    assertThat(offenders).isEmpty();
  }

  @Test
  void noMutableStaticState_wouldCatchAStaticPoolOrMap() throws Exception {
    assertThat(mutability(new java.util.HashMap<String, Integer>(), 0)).contains("HashMap");
    assertThat(mutability(new io.ndp.api.ResourcePool(), 0)).contains("ResourcePool");
    assertThat(mutability(new int[] {1}, 0)).contains("array");
    assertThat(mutability(java.util.Map.of("a", List.of(1)), 0)).isNull();
    assertThat(mutability(io.ndp.api.ConfidenceStats.EMPTY, 0)).isNull();
  }

  /** Why {@code value} is mutable, or null when it is deeply immutable. */
  private static String mutability(Object value, int depth) throws IllegalAccessException {
    if (value == null
        || value instanceof String
        || value instanceof Number && value.getClass().getName().startsWith("java.lang.")
        || value instanceof Boolean
        || value instanceof Character
        || value instanceof Enum<?>
        || value instanceof Class<?>
        || value instanceof java.time.Duration
        || value instanceof java.time.Instant
        || value instanceof java.util.Locale
        || value instanceof java.util.regex.Pattern
        // Immutable: a handle to a field, the JDK's idiom for atomic updates of it.
        || value instanceof java.lang.invoke.VarHandle
        || value instanceof org.slf4j.Logger) {
      return null;
    }
    Class<?> c = value.getClass();
    if (c.isArray()) {
      return java.lang.reflect.Array.getLength(value) == 0 ? null : "a non-empty array";
    }
    if (depth > 5) {
      return "an object graph too deep to check: " + c.getName();
    }
    String n = c.getName();
    if (n.startsWith("java.util.ImmutableCollections")
        || n.startsWith("java.util.Collections$Unmodifiable")
        || n.startsWith("java.util.Collections$Empty")
        || n.startsWith("java.util.Collections$Singleton")
        || n.startsWith("com.google.common.collect.Immutable")
        || n.startsWith("com.google.common.collect.Regular")
        || n.startsWith("com.google.common.collect.Singleton")) {
      for (Object e : elements(value)) {
        String why = mutability(e, depth + 1);
        if (why != null) {
          return "an element that is " + why;
        }
      }
      return null;
    }
    // A lambda (a hidden class) is judged by what it captured, like any other object.
    if (!c.isHidden()
        && (n.startsWith("java.") || n.startsWith("com.google.") || n.startsWith("com.github."))) {
      return "a " + n + ", which may be mutable";
    }
    for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
      for (Field f : k.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers())) {
          continue;
        }
        if (!Modifier.isFinal(f.getModifiers())) {
          return "a " + n + " with the non-final field " + f.getName();
        }
        if (!f.trySetAccessible()) {
          // A JDK combinator (e.g. Comparator.comparing) capturing another function: closed to
          // reflection, and holding only what it was built from, which the JDK keeps final.
          if (c.isHidden() && f.getType().isInterface()) {
            continue;
          }
          return "a " + n + " whose field " + f.getName() + " cannot be inspected";
        }
        String why = mutability(f.get(value), depth + 1);
        if (why != null) {
          return "a " + n + " whose field " + f.getName() + " holds " + why;
        }
      }
    }
    return null;
  }

  private static Iterable<?> elements(Object collection) {
    if (collection instanceof java.util.Map<?, ?> m) {
      List<Object> all = new ArrayList<>(m.keySet());
      all.addAll(m.values());
      return all;
    }
    if (collection instanceof Iterable<?> i) {
      return i;
    }
    return List.of();
  }

  @Test
  void noPackageCycles() {
    slices().matching("io.ndp.(**)").should().beFreeOfCycles().check(classes);
  }
}
