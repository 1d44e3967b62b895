package io.ndp.storage.jdbc;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The storage module depends on the api only: a host may use it without core's internals. */
class StorageArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // core's test-jar (the contract kits) is on this module's class path
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("io.ndp");
  }

  @Test
  void storage_dependsOnTheApiOnly() {
    noClasses()
        .that()
        .resideInAPackage("io.ndp.storage..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.ndp.core..", "io.ndp.patterns..", "io.ndp.examples..")
        .check(classes);
  }

  @Test
  void nothingButTheStorageDependsOnIt() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.ndp.storage..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.ndp.storage..")
        .check(classes);
  }

  @Test
  void noPackageCycles() {
    slices().matching("io.ndp.storage.(**)").should().beFreeOfCycles().check(classes);
  }
}
