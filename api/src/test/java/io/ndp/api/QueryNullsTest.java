package io.ndp.api;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The api's queries answer a null argument with an {@link IllegalArgumentException} that says what
 * was null — not "absent", not the JDK's NullPointerException from inside.
 */
class QueryNullsTest {

  @Test
  void resourcePool_queries() {
    ResourcePool pool = new ResourcePool(Map.of("cpu", 2));
    assertThatThrownBy(() -> pool.capacity(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("resource to look up must not be null");
    assertThatThrownBy(() -> pool.activeResources(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("owner to look up must not be null");
  }

  @Test
  void statsResultAndPrior_queries() {
    ConfidenceStats none = new ConfidenceStats(0, 0);
    assertThatThrownBy(() -> none.plus(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stats to add must not be null");
    PatternResult result =
        new PatternResult(true, "ok", "p", "out", List.of(), Map.of(), Duration.ZERO);
    assertThatThrownBy(() -> result.outputAs(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected output type must not be null");
    assertThatThrownBy(() -> Decision.NONE.entry(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pattern name to look up must not be null");
    assertThatThrownBy(() -> Decision.NONE.why(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entry to explain must not be null");
    assertThatThrownBy(() -> Prior.of(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("definition to read a prior from must not be null");
  }
}
