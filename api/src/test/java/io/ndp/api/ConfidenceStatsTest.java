package io.ndp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfidenceStatsTest {

  @Test
  void unseenPattern_sitsAtTheNeutralPrior() {
    assertThat(ConfidenceStats.EMPTY.score()).isEqualTo(ConfidenceStats.NEUTRAL_PRIOR);
    assertThat(ConfidenceStats.EMPTY.level()).isEqualTo(ConfidenceLevel.MEDIUM);
  }

  @ParameterizedTest
  @CsvSource({
    "0, 0, 0.5, MEDIUM",
    "4, 0, 0.8333, HIGH",
    "3, 0, 0.8, HIGH",
    "2, 0, 0.75, MEDIUM",
    "0, 1, 0.3333, LOW",
    "1, 1, 0.5, MEDIUM",
    "90, 10, 0.8922, HIGH"
  })
  void score_isThePosteriorMean(long s, long f, double score, ConfidenceLevel level) {
    ConfidenceStats stats = new ConfidenceStats(s, f);
    assertThat(stats.score()).isCloseTo(score, within(1e-4));
    assertThat(stats.level()).isEqualTo(level);
  }

  @Test
  void negativeCounts_areRejected() {
    assertThatThrownBy(() -> new ConfidenceStats(-1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("successes=-1");
  }

  @Test
  void levelOf_outOfRange_isRejected() {
    assertThatThrownBy(() -> ConfidenceLevel.of(1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1.5");
  }

  @Test
  void plus_addsCounts() {
    assertThat(new ConfidenceStats(1, 2).plus(new ConfidenceStats(3, 4)))
        .isEqualTo(new ConfidenceStats(4, 6));
  }
}
