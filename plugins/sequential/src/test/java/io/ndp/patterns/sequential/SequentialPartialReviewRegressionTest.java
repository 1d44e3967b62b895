package io.ndp.patterns.sequential;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.DelegateDirectory;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternOutcome;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * "The sequential kind's unsuccessful outcomes carry the outputs of the steps that finished"
 * (commit 276a760): only the TIMED_OUT paths and an interrupt during a step do; a failing step and
 * an interrupt between steps drop them.
 */
/** Regression tests for the defects the last review of the failure policies proved. */
class SequentialPartialReviewRegressionTest {

  @Test
  void aFailingStep_carriesTheOutputsOfTheStepsThatFinished() {
    DelegateDirectory delegates = new DelegateDirectory();
    delegates.register("parse", in -> "parsed");
    delegates.register(
        "store",
        in -> {
          throw new IllegalStateException("disk full");
        });
    SequentialDelegationPattern p =
        new SequentialDelegationPattern("flow", "", List.of("parse", "store"));

    PatternOutcome o =
        p.execute(
            new PatternContext("orders", "sequential", Map.of()), new TestScope(delegates, null));

    assertThat(o.status()).isEqualTo(OutcomeStatus.FAILED);
    assertThat(o.output()).as(o.message()).isEqualTo(Map.of("parse", "parsed"));
  }

  @Test
  void anInterruptBetweenSteps_carriesTheOutputsOfTheStepsThatFinished() {
    DelegateDirectory delegates = new DelegateDirectory();
    delegates.register(
        "parse",
        in -> {
          Thread.currentThread().interrupt(); // the host cancels as parse ends
          return "parsed";
        });
    delegates.register("store", in -> "stored");
    SequentialDelegationPattern p =
        new SequentialDelegationPattern("flow", "", List.of("parse", "store"));

    PatternOutcome o =
        p.execute(
            new PatternContext("orders", "sequential", Map.of()), new TestScope(delegates, null));
    Thread.interrupted();

    assertThat(o.status()).isEqualTo(OutcomeStatus.CANCELLED);
    assertThat(o.output()).as(o.message()).isEqualTo(Map.of("parse", "parsed"));
  }
}
