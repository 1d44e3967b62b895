package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ndp.api.ConfidenceLevel;
import io.ndp.api.Decision;
import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.api.Prior;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Review of the README, "How it chooses: cold start and ties": "A new pattern starts from its prior
 * — Prior.NEUTRAL, Beta(1, 1), a confidence of 0.5, unless its definition declares another", and
 * "The integration guide in Java": "Confidence per pattern and domain is the posterior mean of its
 * prior (Beta(1,1) unless declared) updated by its effective outcomes". Decision.Entry's Javadoc
 * says the same ("posteriorMean: its confidence in the domain: the mean of its prior updated by
 * what it ..."). But the confidence a host reads — {@code pattern.confidenceScore(domain)}, {@code
 * confidenceScore()}, and the bands {@code storage.getPatternsByConfidence(level)} (the guide's
 * "Monitoring: confidence" step) — is {@code ConfidenceStats.score()}, {@code (s' + 1) / (n' + 2)},
 * which ignores a declared prior. So a pattern declared Beta(9, 1) starts at a confidence of 0.5
 * (MEDIUM), not 0.9, and after the one success of the README's "Why this pattern" run the decision
 * shows its posterior 0.909 while its confidence says 0.667: two "confidences" of one pattern in
 * one domain that disagree.
 */
class DeclaredPriorConfidenceArtifactReviewTest {

  private static final Prior BELIEVED = new Prior(9, 1);

  @Test
  void aNewPatternWithADeclaredPrior_startsAtThatPriorsConfidence() {
    PatternRegistry registry = new PatternRegistry();
    PatternStorage storage = new PatternStorage(registry);
    SequentialDelegationPattern trusted =
        new SequentialDelegationPattern("trusted", "", List.of("validate", "store"), BELIEVED);
    registry.register(trusted);
    storage.storePattern(trusted);

    assertThat(trusted.prior()).isEqualTo(BELIEVED);
    assertThat(trusted.confidenceScore("eu"))
        .as("README: a new pattern starts at its declared prior's confidence, 9 / (9 + 1)")
        .isCloseTo(0.9, within(1e-9));
    assertThat(trusted.confidenceScore()).isCloseTo(0.9, within(1e-9));
    assertThat(storage.getPatternsByConfidence(ConfidenceLevel.HIGH))
        .as("a confidence of 0.9 is HIGH (from 0.8)")
        .extracting(Pattern::name)
        .containsExactly("trusted");
  }

  @Test
  void theConfidenceAHostReads_isTheDecisionsPosteriorMean() {
    PatternRegistry registry = new PatternRegistry();
    SequentialDelegationPattern trusted =
        new SequentialDelegationPattern("trusted", "", List.of("validate", "store"), BELIEVED);
    registry.register(trusted);
    PatternExecutor executor = new PatternExecutor(registry);
    executor.delegates().register("validate", in -> in).register("store", in -> in);
    PatternContext context = PatternContext.builder("eu", "sequential").payload("order").build();

    PatternResult first = executor.executeBestPattern(context); // one success, as in the README
    assertThat(first.success()).as(first.message()).isTrue();
    Decision next = executor.explain(context).decision();
    double posterior = next.entry("trusted").orElseThrow().posteriorMean();

    assertThat(posterior).as("(1 + 9) / (1 + 9 + 1)").isCloseTo(10.0 / 11, within(1e-9));
    assertThat(trusted.confidenceScore("eu"))
        .as("its confidence in eu, by the README and Decision.Entry: the same posterior mean")
        .isCloseTo(posterior, within(1e-9));
  }
}
