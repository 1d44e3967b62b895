package io.ndp.opentelemetry;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.opentelemetry.api.common.AttributeKey;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/**
 * The module depends on the api and the OpenTelemetry API only (a host may use it without core),
 * and holds no mutable static state.
 */
class OpenTelemetryArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.ndp.opentelemetry");
  }

  @Test
  void module_dependsOnTheApiAndOpenTelemetryApiOnly() {
    noClasses()
        .that()
        .resideInAPackage("io.ndp.opentelemetry..")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages(
            "io.ndp.api..",
            "io.ndp.opentelemetry..",
            "io.opentelemetry.api..",
            "io.opentelemetry.context..",
            "java..",
            "org.slf4j..",
            "org.jspecify..")
        .check(classes);
  }

  /**
   * Every static field is final and of an immutable type: state belongs to an {@link NdpTracing},
   * never to the process (per-thread state lives in an instance's ThreadLocal).
   */
  @Test
  void noMutableStaticState() {
    Set<Class<?>> immutable = Set.of(String.class, AttributeKey.class, Logger.class);
    List<String> offenders = new ArrayList<>();
    assertThat(classes).isNotEmpty();
    for (JavaClass jc : classes) {
      for (Field f : jc.reflect().getDeclaredFields()) {
        if (!Modifier.isStatic(f.getModifiers()) || f.isSynthetic() || f.isEnumConstant()) {
          continue;
        }
        String where = jc.getName() + "." + f.getName();
        if (!Modifier.isFinal(f.getModifiers())) {
          offenders.add(where + " is not final");
        } else if (!f.getType().isPrimitive() && !immutable.contains(f.getType())) {
          offenders.add(where + " is a " + f.getType().getName() + ", which may be mutable");
        }
      }
    }
    assertThat(offenders).isEmpty();
  }
}
