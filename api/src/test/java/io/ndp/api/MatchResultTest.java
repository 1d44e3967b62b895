package io.ndp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MatchResultTest {

  @Test
  void noMatch_needsAReason() {
    assertThatThrownBy(() -> MatchResult.noMatch(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must say why");
    assertThat(MatchResult.noMatch("lacks step x").isMatch()).isFalse();
  }

  @Test
  void scoreOutsideUnitInterval_isRejected() {
    assertThatThrownBy(() -> MatchResult.matches(1.2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1.2");
    assertThatThrownBy(() -> MatchResult.matches(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("above 0");
  }

  @Test
  void coverage_ranksACloseFitAboveAMereContainer() {
    assertThat(MatchResult.coverage(2, 2).score()).isEqualTo(1.0);
    assertThat(MatchResult.coverage(2, 4).score()).isEqualTo(0.75);
    assertThat(MatchResult.coverage(0, 4).score()).isEqualTo(0.5);
    assertThatThrownBy(() -> MatchResult.coverage(3, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3 of 2");
  }
}
