package io.ndp.examples.optimizer;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** A third-party kind sees the NDP API and nothing else of NDP: no core, no built-in kind. */
class OnlyTheApiTest {

  @Test
  void dependsOnlyOnTheApiThePf4jAnnotationAndTheJdk() {
    JavaClasses classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.ndp.examples.optimizer");
    classes()
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "io.ndp.examples.optimizer..", "io.ndp.api..", "org.pf4j..", "org.jspecify..", "java..")
        .check(classes);
  }
}
