package io.ndp.spring.boot;

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
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The starter uses core's public entry points only and holds no static state. */
class StarterArchitectureTest {

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.ndp.spring.boot");
  }

  @Test
  void starter_usesNoInternalsOfCore_norAnyKind() {
    noClasses()
        .that()
        .resideInAPackage("io.ndp.spring.boot..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.ndp.core.internal..", "io.ndp.patterns..", "io.ndp.examples..")
        .check(classes);
  }

  /** Only JdbcStorages may touch the optional JDBC module, and only after a class-path check. */
  @Test
  void onlyJdbcStorages_touchesTheOptionalJdbcModule() {
    noClasses()
        .that()
        .resideInAPackage("io.ndp.spring.boot..")
        .and()
        .doNotHaveSimpleName("JdbcStorages")
        .and()
        .doNotHaveSimpleName("JdbcStorages$StoreState")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.ndp.storage.jdbc..")
        .check(classes);
  }

  /** Static fields are constants: strings, numbers, a logger, an immutable set, a regex. */
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
                    || t == Pattern.class
                    || t == org.slf4j.Logger.class
                    || (t == java.util.Set.class && f.getName().equals("FAILED")));
        if (!constant && !f.getName().equals("$VALUES")) {
          offenders.add(jc.getName() + "." + f.getName() + " of " + t.getName());
        }
      }
    }
    assertThat(offenders).isEmpty();
  }
}
