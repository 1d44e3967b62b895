package io.ndp.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Review of PatternDefinition's compact copies: tests that fail on the code under review. */
class PatternDefinitionReviewTest {

  /**
   * Lists in a definition's parameters used to be {@code Collections.unmodifiableList} copies,
   * which answer {@code contains(null)} with false like any List. They are now JDK immutable lists
   * ({@code List.copyOf}, or the caller's {@code List.of} shared as is), which throw
   * NullPointerException from contains/indexOf(null): a caller's {@code
   * definition.stringList("steps").get().contains(name)} with a null name now blows up.
   */
  @Test
  void listParameters_answerContainsNullLikeAnyList() {
    PatternDefinition copied =
        new PatternDefinition("t", "n", "", Map.of("steps", new ArrayList<>(List.of("a", "b"))));
    PatternDefinition shared = new PatternDefinition("t", "n", "", Map.of("steps", List.of("a")));

    List<String> fromCopy = copied.stringList("steps").orElseThrow();
    List<String> fromShared = shared.stringList("steps").orElseThrow();

    assertThat(fromCopy.contains(null)).isFalse();
    assertThat(fromCopy.indexOf(null)).isEqualTo(-1);
    assertThat(fromShared.contains(null)).isFalse();
  }
}
