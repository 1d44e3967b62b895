package io.ndp.micrometer;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
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

/** The metrics module uses core's public entry points only and holds no static state. */
class MicrometerArchitectureTest {

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.ndp.micrometer");
  }

  @Test
  void metrics_useNoInternalsOfCore_norAnyKind() {
    noClasses()
        .that()
        .resideInAPackage("io.ndp.micrometer..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.ndp.core.internal..", "io.ndp.patterns..", "io.ndp.examples..")
        .check(classes);
  }

  /** Static fields are constants: strings, numbers, a logger. State belongs to an NdpMetrics. */
  @Test
  void noMutableStaticState() {
    List<String> offenders = new ArrayList<>();
    for (JavaClass jc : classes) {
      for (Field f : jc.reflect().getDeclaredFields()) {
        int m = f.getModifiers();
        if (!Modifier.isStatic(m) || f.isSynthetic() || f.isEnumConstant()) {
          continue;
        }
        Class<?> t = f.getType();
        boolean constant =
            Modifier.isFinal(m)
                && (t.isPrimitive()
                    || t == String.class
                    || t == org.slf4j.Logger.class
                    || f.getName().equals("RESERVED") && t == List.class);
        if (!constant) {
          offenders.add(jc.getName() + "." + f.getName() + " of " + t.getName());
        }
      }
    }
    assertThat(offenders).isEmpty();
  }
}
