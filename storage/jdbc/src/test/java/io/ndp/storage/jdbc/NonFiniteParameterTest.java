package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.PatternDefinition;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PatternDefinition accepts any Double as a parameter, NaN and the infinities included. The JDBC
 * store promises that parameters come back as JSON types, "other numbers as Double"; Jackson writes
 * a non-finite double as a JSON string, so it comes back as the String "NaN" or "Infinity": a
 * number parameter silently changes type across a restart, and the kind that reads it as a number
 * fails (or worse, treats it as absent).
 */
class NonFiniteParameterTest {
  @TempDir Path dir;

  @Test
  void nonFiniteDoubleParameters_comeBackAsNumbers() {
    Map<String, Object> params = Map.of("threshold", Double.NaN, "limit", Double.POSITIVE_INFINITY);
    try (JdbcStorage storage = JdbcStorage.h2(dir)) {
      storage.definitions().store(new PatternDefinition("sequential", "flow", "", params));
    }
    try (JdbcStorage reopened = JdbcStorage.h2(dir)) {
      Map<String, Object> back = reopened.definitions().find("flow").orElseThrow().parameters();
      assertThat(back.get("threshold"))
          .as("parameter threshold stored as Double.NaN, read back after reopening")
          .isInstanceOf(Double.class);
      assertThat(back.get("limit"))
          .as("parameter limit stored as Double.POSITIVE_INFINITY, read back after reopening")
          .isInstanceOf(Double.class);
    }
  }
}
