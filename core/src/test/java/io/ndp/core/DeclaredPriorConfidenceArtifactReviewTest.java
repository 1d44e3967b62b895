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

  /**
   * The threshold events compare the scores a host reads: a pattern declared Beta(9, 1) starts HIGH
   * (0.9); one failure leaves it at 9/11 (HIGH), the second at 9/12 = 0.75, MEDIUM. Under the
   * neutral score the events would have said it fell from MEDIUM to LOW on the first failure.
   */
  @Test
  void thresholdEvents_readTheScoreUnderTheDeclaredPrior() {
    List<io.ndp.api.event.ConfidenceThresholdCrossedEvent> events =
        new java.util.concurrent.CopyOnWriteArrayList<>();
    PatternRegistry registry =
        PatternRegistry.builder()
            .listener(
                new io.ndp.api.event.NdpListener() {
                  @Override
                  public void onConfidenceThresholdCrossed(
                      io.ndp.api.event.ConfidenceThresholdCrossedEvent e) {
                    events.add(e);
                  }
                })
            .build();
    registry.register(
        new SequentialDelegationPattern("trusted", "", List.of("validate", "store"), BELIEVED));
    PatternExecutor executor = PatternExecutor.builder(registry).maxAttempts(1).build();
    executor
        .delegates()
        .register(
            "validate",
            in -> {
              throw new IllegalStateException("down");
            })
        .register("store", in -> in);
    PatternContext context = PatternContext.builder("eu", "sequential").payload("order").build();

    assertThat(executor.executeBestPattern(context).success()).isFalse();
    assertThat(events).as("9/11 is still HIGH").isEmpty();
    assertThat(executor.executeBestPattern(context).success()).isFalse();

    assertThat(events).hasSize(1);
    assertThat(events.get(0).oldConfidence())
        .isCloseTo(9.0 / 11, within(1e-3)); // forgetting: half-life 100
    assertThat(events.get(0).newConfidence()).isCloseTo(9.0 / 12, within(1e-3));
    assertThat(events.get(0).oldLevel()).isEqualTo(ConfidenceLevel.HIGH);
    assertThat(events.get(0).newLevel()).isEqualTo(ConfidenceLevel.MEDIUM);
  }
}
