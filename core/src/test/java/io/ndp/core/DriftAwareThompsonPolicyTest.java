package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.ConfidenceStats;
import io.ndp.api.MatchResult;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.core.SelectionPolicy.Candidate;
import java.util.List;
import org.junit.jupiter.api.Test;

class DriftAwareThompsonPolicyTest {

  private static final PatternContext CONTEXT = PatternContext.builder("eu", "agent").build();

  @Test
  void steadyEvidenceIsNotDriftButARecentRateFarFromTheLongRunIs() {
    // 90 % over 1,000 outcomes, and 90 % of the recent weight too.
    assertThat(DriftAwareThompsonPolicy.drifted(new ConfidenceStats(900, 100, 27, 3))).isFalse();
    // 90 % long-run, 15 % lately, on 20 outcomes of recent weight.
    assertThat(DriftAwareThompsonPolicy.drifted(new ConfidenceStats(903, 117, 3, 17))).isTrue();
    // The same departure on too little recent evidence is not read as drift.
    assertThat(DriftAwareThompsonPolicy.drifted(new ConfidenceStats(901, 106, 1, 6))).isFalse();
    // Nothing older to differ from: a young pattern's recent rate is its long-run rate.
    assertThat(DriftAwareThompsonPolicy.drifted(new ConfidenceStats(3, 17, 3, 17))).isFalse();
    assertThat(DriftAwareThompsonPolicy.drifted(ConfidenceStats.EMPTY)).isFalse();
  }

  @Test
  void withoutDriftItDrawsFromEveryOutcomeAndAfterDriftFromTheRecentEvidence() {
    ScriptedPattern a = new ScriptedPattern("a", "agent", 1.0, OutcomeStatus.SUCCESS);
    ScriptedPattern b = new ScriptedPattern("b", "agent", 1.0, OutcomeStatus.SUCCESS);
    // a was excellent for long and is failing lately; b's old failures have faded.
    Candidate drifting =
        new Candidate(a, MatchResult.perfect(), new ConfidenceStats(903, 117, 3, 17));
    Candidate faded =
        new Candidate(b, MatchResult.perfect(), new ConfidenceStats(20, 80, 0.2, 0.8));
    // The same long-run counts without drift: a's recent evidence agrees with its past.
    Candidate steady =
        new Candidate(a, MatchResult.perfect(), new ConfidenceStats(900, 100, 27, 3));

    SelectionPolicy policy = SelectionPolicy.driftAwareThompsonSampling(42);
    int bFirstAfterDrift = 0;
    int bFirstSteady = 0;
    for (int i = 0; i < 200; i++) {
      if (policy.rank(CONTEXT, List.of(drifting, faded)).get(0) == faded) {
        bFirstAfterDrift++;
      }
      if (policy.rank(CONTEXT, List.of(steady, faded)).get(0) == faded) {
        bFirstSteady++;
      }
    }

    // After drift: a's recent 15 % against b's faded, nearly uninformed evidence.
    assertThat(bFirstAfterDrift).isGreaterThan(120);
    // Without drift: 90 % on 1,000 outcomes against 20 % on 100.
    assertThat(bFirstSteady).isZero();
  }

  @Test
  void aSeedMakesTheRankingReproducible() {
    ScriptedPattern a = new ScriptedPattern("a", "agent", 1.0, OutcomeStatus.SUCCESS);
    ScriptedPattern b = new ScriptedPattern("b", "agent", 1.0, OutcomeStatus.SUCCESS);
    List<Candidate> close =
        List.of(
            new Candidate(a, MatchResult.perfect(), new ConfidenceStats(5, 5)),
            new Candidate(b, MatchResult.perfect(), new ConfidenceStats(5, 5)));
    SelectionPolicy one = SelectionPolicy.driftAwareThompsonSampling(7);
    SelectionPolicy two = SelectionPolicy.driftAwareThompsonSampling(7);

    for (int i = 0; i < 50; i++) {
      assertThat(one.rank(CONTEXT, close)).isEqualTo(two.rank(CONTEXT, close));
    }
  }
}
