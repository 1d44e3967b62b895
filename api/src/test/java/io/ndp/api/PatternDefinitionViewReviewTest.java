package io.ndp.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Review of c40de1f (PatternDefinition.ImmutableView): tests that fail on the code under review.
 */
class PatternDefinitionViewReviewTest {

  /**
   * ImmutableView promises "Every mutator throws, even when it would change nothing (as the JDK's
   * immutable lists do)", and the lists were JDK immutable lists before c40de1f. The view overrides
   * clear, addAll(Collection), removeAll, retainAll, removeIf, replaceAll and sort, but inherits
   * remove(Object), addAll(int, Collection) and subList(..).clear() from AbstractList /
   * AbstractCollection, which only reach a throwing mutator when there is something to change:
   * remove("absent") returns false, addAll(0, List.of()) returns false, subList(0, 0).clear() and
   * iterator().remove() do not throw UnsupportedOperationException.
   */
  @Test
  void everyMutatorOfADefinitionList_throws_evenWhenItWouldChangeNothing() {
    PatternDefinition shared = new PatternDefinition("t", "n", "", Map.of("steps", List.of("a")));
    PatternDefinition copied =
        new PatternDefinition("t", "n", "", Map.of("steps", new ArrayList<>(List.of("a", "b"))));
    SoftAssertions soft = new SoftAssertions();
    for (PatternDefinition d : List.of(shared, copied)) {
      List<String> steps = d.stringList("steps").orElseThrow();

      soft.assertThatThrownBy(() -> steps.remove("absent"))
          .as("remove(absent) on %s", steps)
          .isInstanceOf(UnsupportedOperationException.class);
      soft.assertThatThrownBy(() -> steps.addAll(0, List.of()))
          .as("addAll(0, empty) on %s", steps)
          .isInstanceOf(UnsupportedOperationException.class);
      soft.assertThatThrownBy(() -> steps.subList(0, 0).clear())
          .as("subList(0, 0).clear() on %s", steps)
          .isInstanceOf(UnsupportedOperationException.class);
      soft.assertThatThrownBy(() -> steps.iterator().remove())
          .as("iterator().remove() on %s", steps)
          .isInstanceOf(UnsupportedOperationException.class);
    }
    soft.assertAll();
  }
}
