package io.ndp.examples.optimizer;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.Pattern;
import io.ndp.api.PatternDefinition;
import io.ndp.api.Prior;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Review: a host declares a prior in any definition's parameters under "prior" (Prior's Javadoc;
 * PatternDefinition reserves and validates the key for every kind), and {@code
 * Ndp.register(definition)} builds the pattern with the kind's factory, then stores the pattern's
 * own {@code definition()}. The project's example third-party kind was not updated: its factory
 * ignores the key and its definition() rebuilds the parameters without it. So the prior a host
 * declared is silently dropped (the pattern is judged by the neutral prior) and is lost from
 * storage on the round trip, with no error or warning anywhere.
 */
class DeclaredPriorReviewTest {

  @Test
  void aPriorDeclaredInTheDefinition_isKeptByTheFactoryAndTheDefinition() {
    Prior declared = new Prior(9, 1);
    PatternDefinition definition =
        new PatternDefinition(
            EvaluatorOptimizerPattern.TYPE,
            "tuned",
            "believed to reach the bar 90% of the time",
            Map.of(
                "generator",
                "gen",
                "evaluator",
                "eval",
                "refiner",
                "refine",
                "qualityBar",
                0.9,
                "maxIterations",
                5,
                "prior",
                Map.of("alpha", 9, "beta", 1)));
    assertThat(definition.prior()).isEqualTo(declared); // accepted and validated for this kind

    Pattern created = new EvaluatorOptimizerFactory().create(definition);

    assertThat(created.prior()).as("the prior selection uses").isEqualTo(declared);
    assertThat(created.definition().prior())
        .as("the prior in the definition storage keeps (what Ndp.register stores)")
        .isEqualTo(declared);
  }
}
