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
}
