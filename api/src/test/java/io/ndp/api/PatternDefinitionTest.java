package io.ndp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PatternDefinitionTest {

  @Test
  void parameters_areDeepCopied() {
    List<String> steps = new ArrayList<>(List.of("a", "b"));
    PatternDefinition d = new PatternDefinition("sequential", "flow", "", Map.of("steps", steps));
    steps.add("c");

    assertThat(d.stringList("steps")).contains(List.of("a", "b"));
    assertThatThrownBy(() -> d.stringList("steps").orElseThrow().add("x"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void equalDefinitions_areEqual() {
    assertThat(new PatternDefinition("t", "n", "d", Map.of("k", List.of(1, 2))))
        .isEqualTo(new PatternDefinition("t", "n", "d", Map.of("k", List.of(1, 2))));
  }

  @Test
  void nonJsonValue_isRejectedWithItsPath() {
    assertThatThrownBy(
            () -> new PatternDefinition("t", "n", "d", Map.of("tasks", List.of(new Object()))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("parameters.tasks[0] must hold only strings");
  }

  @Test
  void blankNameAndType_areBothReported() {
    assertThatThrownBy(() -> new PatternDefinition(" ", "", "d", Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("type must be non-blank")
        .hasMessageContaining("name must be non-blank");
  }

  @Test
  void stringList_ofWrongType_namesParameterAndPattern() {
    PatternDefinition d = new PatternDefinition("t", "flow", "", Map.of("steps", "validate"));
    assertThatThrownBy(() -> d.stringList("steps"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("parameter 'steps' of pattern 'flow' must be a list of strings")
        .hasMessageContaining("String 'validate'");
  }

  @Test
  void mutableNumber_isRejected_soTheDefinitionStaysImmutable() {
    // Found by PatternDefinitionProperties: an AtomicLong is a Number, was kept as it was, and
    // changed the "immutable" definition (and its equals) whenever the caller changed it.
    AtomicLong retries = new AtomicLong(3);

    assertThatThrownBy(
            () ->
                new PatternDefinition("t", "n", "d", Map.of("limits", Map.of("retries", retries))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("parameters.limits.retries must hold only strings")
        .hasMessageContaining("AtomicLong 3");
  }

  @Test
  void jdkValueNumbers_areKept() {
    Map<String, Object> numbers =
        Map.of(
            "byte",
            (byte) 1,
            "short",
            (short) 2,
            "int",
            3,
            "long",
            4L,
            "float",
            5.5f,
            "double",
            6.5,
            "bigInteger",
            BigInteger.TEN,
            "bigDecimal",
            new BigDecimal("0.25"));

    assertThat(new PatternDefinition("t", "n", "d", numbers).parameters()).isEqualTo(numbers);
  }
}
