package io.ndp.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
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

  @Test
  void noPackageCycles() {
    slices().matching("io.ndp.(**)").should().beFreeOfCycles().check(classes);
  }
}
