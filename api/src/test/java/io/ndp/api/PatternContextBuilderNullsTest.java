package io.ndp.api;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The builder reports null and malformed input as the constructor does: an {@link
 * InvalidContextException} naming the value, never a NullPointerException from inside the JDK.
 */
class PatternContextBuilderNullsTest {

  @Test
  void nullAttributesMap_isReportedByBuild() {
    assertThatThrownBy(
            () -> PatternContext.builder("orders", "sequential").attributes(null).build())
        .isInstanceOf(InvalidContextException.class)
        .hasMessageContaining("attributes must be a map but was null");
  }

  @Test
  void nullArrayOfSteps_isReportedByBuild() {
    assertThatThrownBy(
            () ->
                PatternContext.builder("orders", "sequential")
                    .requiredSteps((String[]) null)
                    .build())
        .isInstanceOf(InvalidContextException.class)
        .hasMessageContaining("attribute 'required_steps' must not be null");
  }

  @Test
  void nullStepInTheArray_isReportedByBuild_withItsIndex() {
    assertThatThrownBy(
            () -> PatternContext.builder("orders", "sequential").requiredSteps("a", null).build())
        .isInstanceOf(InvalidContextException.class)
        .hasMessageContaining(
            "required_steps must hold non-blank step names but element 1 was null");
    assertThatThrownBy(
            () -> PatternContext.builder("orders", "x").requiredResources("cpu", null).build())
        .isInstanceOf(InvalidContextException.class)
        .hasMessageContaining("element 1 was null");
    assertThatThrownBy(
            () -> PatternContext.builder("orders", "x").requiredDomains((String) null).build())
        .isInstanceOf(InvalidContextException.class)
        .hasMessageContaining("element 0 was null");
  }

  @Test
  void nullDomainAndAgentType_areReportedByBuild_together() {
    assertThatThrownBy(() -> PatternContext.builder(null, null).build())
        .isInstanceOf(InvalidContextException.class)
        .hasMessageContaining("domain must be a non-blank string but was null")
        .hasMessageContaining("agent_type must be a non-blank string but was null");
  }

  @Test
  void builderAndConstructorProblems_areReportedTogether() {
    assertThatThrownBy(() -> PatternContext.builder(" ", "x").attributes(null).build())
        .isInstanceOf(InvalidContextException.class)
        .satisfies(
            e ->
                org.assertj.core.api.Assertions.assertThat(((InvalidContextException) e).problems())
                    .hasSize(2));
  }

  @Test
  void theArrayIsCopied_soLaterChangesDoNotReachTheContext() {
    String[] steps = {"a", "b"};
    PatternContext.Builder b = PatternContext.builder("orders", "sequential").requiredSteps(steps);
    steps[0] = null;
    org.assertj.core.api.Assertions.assertThat(b.build().requiredSteps())
        .isEqualTo(List.of("a", "b"));
  }
}
