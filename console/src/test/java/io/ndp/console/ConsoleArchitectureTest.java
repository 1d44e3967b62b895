package io.ndp.console;

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
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The console uses core's public entry points only and holds no static state. */
class ConsoleArchitectureTest {

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.ndp.console");
  }

  @Test
  void console_usesNoInternalsOfCore_norAnyKind() {
    noClasses()
        .that()
        .resideInAPackage("io.ndp.console..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.ndp.core.internal..", "io.ndp.patterns..", "io.ndp.examples..")
        .check(classes);
  }

  @Test
  void console_usesJettyCore_notServlets() {
    noClasses()
        .that()
        .resideInAPackage("io.ndp.console..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("jakarta.servlet..", "javax.servlet..", "org.eclipse.jetty.ee..")
        .check(classes);
  }

  /** Static fields are constants: strings, numbers, a logger. State belongs to a console. */
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
                    || t == Set.class && f.getName().equals("LOOPBACK_HOSTS"));
        if (!constant) {
          offenders.add(jc.getName() + "." + f.getName() + " of " + t.getName());
        }
      }
    }
    assertThat(offenders).isEmpty();
  }
}
