package io.ndp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PatternContextTest {

  @Test
  void guideConstructor_readsAllThreeKeys() {
    PatternContext ctx =
        new PatternContext(
            "your_domain",
            "sequential",
            Map.of(
                "required_steps", List.of("validate", "store"),
                "required_resources", List.of("cpu", "memory"),
                "required_domains", List.of("auth", "data")));

    assertThat(ctx.requiredSteps()).containsExactly("validate", "store");
    assertThat(ctx.requiredResources()).containsExactlyInAnyOrder("cpu", "memory");
    assertThat(ctx.requiredDomains()).containsExactly("auth", "data");
    assertThat(ctx.priority()).isEqualTo(PatternContext.DEFAULT_PRIORITY);
    assertThat(ctx.payload()).isNull();
    assertThat(ctx.findTimeout()).isEmpty();
  }

  @Test
  void builder_setsEveryField() {
    PatternContext ctx =
        PatternContext.builder("orders", "sequential")
            .requiredSteps("validate")
            .attribute("region", "eu")
            .priority(7)
            .payload("order-1")
            .timeout(Duration.ofSeconds(2))
            .build();

    assertThat(ctx.requiredSteps()).containsExactly("validate");
    assertThat(ctx.attribute("region")).contains("eu");
    assertThat(ctx.priority()).isEqualTo(7);
    assertThat(ctx.payload()).isEqualTo("order-1");
    assertThat(ctx.findTimeout()).contains(Duration.ofSeconds(2));
    assertThat(ctx.toBuilder().build()).isEqualTo(ctx);
  }

  @Test
  void attributes_areCopiedAndImmutable() {
    List<String> steps = new ArrayList<>(List.of("a"));
    Map<String, Object> attrs = new HashMap<>();
    attrs.put("required_steps", steps);
    PatternContext ctx = new PatternContext("d", "sequential", attrs);

    steps.add("b");
    attrs.put("other", 1);

    assertThat(ctx.requiredSteps()).containsExactly("a");
    assertThat(ctx.attributes()).doesNotContainKey("other");
    assertThatThrownBy(() -> ctx.attributes().put("x", 1))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void nullDomain_isRejectedNamingTheField() {
    assertThatThrownBy(() -> new PatternContext(null, "sequential", Map.of()))
        .isInstanceOf(InvalidContextException.class)
        .hasMessageContaining("domain must be a non-blank string but was null");
  }

  @Test
  void blankDomain_isRejectedShowingTheValue() {
    assertThatThrownBy(() -> new PatternContext("  ", "sequential", Map.of()))
        .isInstanceOf(InvalidContextException.class)
        .hasMessageContaining("domain must be a non-blank string but was '  '");
  }

  @Test
  void wrongAttributeType_namesKeyAndValue() {
    assertThatThrownBy(() -> new PatternContext("d", "sequential", Map.of("required_steps", 3)))
        .isInstanceOf(InvalidContextException.class)
        .hasMessageContaining("required_steps must be a list of step names but was Integer 3");
  }

  @Test
  void wrongElementType_namesIndexAndValue() {
    assertThatThrownBy(
            () ->
                new PatternContext(
                    "d", "parallel", Map.of("required_resources", List.of("cpu", 42))))
        .isInstanceOf(InvalidContextException.class)
        .hasMessageContaining("required_resources must hold non-blank resource names")
        .hasMessageContaining("element 1 was Integer 42");
  }

  @Test
  void severalProblems_areReportedAtOnce() {
    InvalidContextException e =
        catchInvalid(
            () ->
                new PatternContext(
                    "", null, Map.of("required_domains", "auth", "required_steps", List.of(" "))));

    assertThat(e.problems()).hasSize(4);
    assertThat(e.getMessage())
        .contains("domain")
        .contains("agent_type")
        .contains("required_domains must be a list of domain names but was String 'auth'")
        .contains("required_steps must hold non-blank step names but element 0 was String ' '");
  }

  @Test
  void nonPositiveTimeout_isRejected() {
    assertThatThrownBy(
            () -> PatternContext.builder("d", "sequential").timeout(Duration.ZERO).build())
        .isInstanceOf(InvalidContextException.class)
        .hasMessageContaining("timeout must be positive but was PT0S");
  }

  @Test
  void nullAttributeValue_isRejectedNamingTheKey() {
    Map<String, Object> attrs = new HashMap<>();
    attrs.put("region", null);
    assertThatThrownBy(() -> new PatternContext("d", "sequential", attrs))
        .isInstanceOf(InvalidContextException.class)
        .hasMessageContaining("attribute 'region' must not be null");
  }

  private static InvalidContextException catchInvalid(Runnable r) {
    try {
      r.run();
    } catch (InvalidContextException e) {
      return e;
    }
    throw new AssertionError("expected InvalidContextException");
  }
}
