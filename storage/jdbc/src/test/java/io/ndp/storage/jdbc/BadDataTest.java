package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.ConfidenceStats;
import io.ndp.api.PatternDefinition;
import io.ndp.api.StorageException;
import io.ndp.api.StorageUnavailableException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows that cannot be read are skipped and reported, never deleted; a schema newer than the code
 * and a half-life another host disagrees with are refused with a clear message; a database that
 * cannot be reached at start is a typed exception with the driver's cause.
 */
class BadDataTest {
  @TempDir Path dir;

  @Test
  void unreadableDefinitionRows_areSkippedReportedAndKept_untilReplaced() throws Exception {
    try (JdbcStorage storage = JdbcStorage.h2(dir)) {
      storage.definitions().store(new PatternDefinition("sequential", "good", "", Map.of()));
      storage.definitions().store(new PatternDefinition("sequential", "bad-json", "", Map.of()));
      storage.definitions().store(new PatternDefinition("sequential", "bad-prior", "", Map.of()));
      storage.definitions().store(new PatternDefinition("sequential", "no-type", "", Map.of()));
    }
    execute(
        "UPDATE ndp_definition SET parameters = '{\"steps\": [' WHERE name = 'bad-json'",
        "UPDATE ndp_definition SET parameters = '{\"prior\": {\"alpha\": -1, \"beta\": 1}}'"
            + " WHERE name = 'bad-prior'",
        "UPDATE ndp_definition SET type = '' WHERE name = 'no-type'");

    try (JdbcStorage storage = JdbcStorage.h2(dir)) {
      assertThat(storage.definitions().findAll())
          .extracting(PatternDefinition::name)
          .containsExactly("good");
      assertThat(storage.definitions().findByType("sequential")).hasSize(1);
      assertThat(storage.definitions().find("bad-json")).isEmpty();
      assertThat(storage.unreadableRows())
          .extracting(UnreadableRow::table, UnreadableRow::key)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("ndp_definition", "bad-json"),
              org.assertj.core.groups.Tuple.tuple("ndp_definition", "bad-prior"),
              org.assertj.core.groups.Tuple.tuple("ndp_definition", "no-type"));
      assertThat(storage.unreadableRows().get(1).reason()).contains("alpha");

      // Storing the name again replaces the row, and it is no longer reported.
      storage.definitions().store(new PatternDefinition("sequential", "bad-json", "", Map.of()));
      assertThat(storage.definitions().find("bad-json")).isPresent();
      assertThat(storage.unreadableRows())
          .extracting(UnreadableRow::key)
          .doesNotContain("bad-json");
    }
    assertThat(count("SELECT COUNT(*) FROM ndp_definition")).isEqualTo(4);
  }

  @Test
  void unreadableStatisticsRows_areSkippedAndReported_theOthersRead() throws Exception {
    try (JdbcStorage storage = JdbcStorage.h2(dir)) {
      storage.confidence().recordOutcome("flow", "orders", true);
      storage.confidence().recordOutcome("flow", "billing", true);
    }
    execute("UPDATE ndp_confidence SET successes = -5 WHERE domain = 'billing'");

    try (JdbcStorage storage = JdbcStorage.h2(dir)) {
      assertThat(storage.confidence().statsByDomain("flow")).containsOnlyKeys("orders");
      assertThat(storage.confidence().stats("flow", "billing")).isEqualTo(ConfidenceStats.EMPTY);
      assertThat(storage.unreadableRows())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.table()).isEqualTo("ndp_confidence");
                assertThat(r.key()).isEqualTo("flow/billing");
                assertThat(r.reason()).contains("-5");
              });
    }
    assertThat(count("SELECT COUNT(*) FROM ndp_confidence")).isEqualTo(2);
  }

  @Test
  void schemaNewerThanTheCode_isRefused_andLeftAsItIs() throws Exception {
    JdbcStorage.h2(dir).close();
    execute(
        // Flyway quotes its lower-case names in H2.
        "INSERT INTO \"ndp_schema_history\" (\"installed_rank\", \"version\","
            + " \"description\", \"type\", \"script\", \"checksum\", \"installed_by\","
            + " \"execution_time\", \"success\") VALUES (99, '2', 'future', 'SQL',"
            + " 'V2__future.sql', 0, 'test', 0, TRUE)");
    long rows = count("SELECT COUNT(*) FROM \"ndp_schema_history\"");

    assertThatThrownBy(() -> JdbcStorage.h2(dir))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("schema of H2 ")
        .hasMessageContaining("at version 2, newer than this code understands (1)")
        .hasMessageContaining("nothing was changed");
    assertThat(count("SELECT COUNT(*) FROM \"ndp_schema_history\"")).isEqualTo(rows);
  }

  @Test
  void anotherHalfLife_isRefused_namingBoth() {
    JdbcStorage.builder().h2File(dir).halfLife(50).open().close();

    assertThatThrownBy(() -> JdbcStorage.builder().h2File(dir).halfLife(100).open())
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("half-life of 50.0 outcomes")
        .hasMessageContaining("configured with 100.0");
    JdbcStorage.builder().h2File(dir).halfLife(50).open().close();
  }

  @Test
  void databaseDownAtStart_isATypedExceptionWithTheCause() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/ndp?user=ndp&password=secret";

    assertThatThrownBy(
            () -> JdbcStorage.builder().url(url).connectionTimeout(Duration.ofMillis(500)).open())
        .isInstanceOf(StorageUnavailableException.class)
        .hasMessageContaining("127.0.0.1:" + port)
        .hasMessageNotContaining("secret")
        .hasRootCauseInstanceOf(java.net.ConnectException.class);
  }

  @Test
  void badSettings_areRefusedAtTheCall_namingTheValue() {
    assertThatThrownBy(() -> JdbcStorage.builder().url("postgres://x"))
        .hasMessageContaining("postgres://x");
    assertThatThrownBy(() -> JdbcStorage.builder().halfLife(0.5)).hasMessageContaining("0.5");
    assertThatThrownBy(() -> JdbcStorage.builder().maxUnflushedOutcomes(0))
        .hasMessageContaining("0");
    assertThatThrownBy(() -> JdbcStorage.builder().staleness(Duration.ZERO))
        .hasMessageContaining("PT0S");
    assertThatThrownBy(() -> JdbcStorage.builder().poolSize(1)).hasMessageContaining("1");
    assertThatThrownBy(() -> JdbcStorage.builder().open())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("h2File");
    assertThatThrownBy(
            () ->
                JdbcStorage.builder()
                    .h2File(dir)
                    .durability(Durability.BATCHED)
                    .bufferLimit(10)
                    .maxUnflushedOutcomes(20)
                    .open())
        .hasMessageContaining("20")
        .hasMessageContaining("10");
    try (JdbcStorage storage = JdbcStorage.h2(dir)) {
      assertThatThrownBy(() -> storage.confidence().recordOutcome("x".repeat(2000), "d", true))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("2000 characters");
      assertThatThrownBy(() -> storage.confidence().recordOutcome(null, "d", true))
          .hasMessageContaining("patternName");
      assertThat(storage.confidence().stats("x", "d")).isEqualTo(ConfidenceStats.EMPTY);
    }
  }

  @Test
  void password_isNotInTheDescription() {
    assertThat(
            JdbcStorage.Builder.redact(
                "jdbc:postgresql://db:5432/ndp?user=ndp&password=s3cret&ssl=true"))
        .isEqualTo("jdbc:postgresql://db:5432/ndp?user=ndp&password=***&ssl=true");
    assertThat(JdbcStorage.Builder.redact("jdbc:h2:file:/x;PASSWORD=abc"))
        .isEqualTo("jdbc:h2:file:/x;PASSWORD=***");
  }

  private void execute(String... sql) throws Exception {
    try (Connection c = DurableRuntimeTest.h2(dir);
        Statement s = c.createStatement()) {
      for (String q : sql) {
        s.execute(q);
      }
    }
  }

  private long count(String sql) throws Exception {
    try (Connection c = DurableRuntimeTest.h2(dir);
        Statement s = c.createStatement();
        var rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static List<String> names(List<PatternDefinition> defs) {
    return defs.stream().map(PatternDefinition::name).toList();
  }
}
