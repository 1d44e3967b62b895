package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.ConfidenceStats;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternResult;
import io.ndp.core.Ndp;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime over the durable storage, closed and reopened: definitions, statistics and resets are
 * all there, and a second run starts from what the first learned.
 */
class DurableRuntimeTest {
  @TempDir Path dir;

  private static final PatternDefinition FLOW =
      new PatternDefinition(
          "sequential", "flow", "validates then stores", Map.of("steps", List.of("check", "keep")));
  private static final PatternDefinition AUDITED =
      new PatternDefinition(
          "sequential", "audited", "also audits", Map.of("steps", List.of("check", "keep")));

  private static PatternContext orders() {
    return PatternContext.builder("orders", "sequential")
        .attributes(Map.of("required_steps", List.of("check", "keep")))
        .payload("x")
        .build();
  }

  private static Ndp runtime(JdbcStorage storage) {
    Ndp ndp = Ndp.builder().storage(storage).executor(b -> b.seed(7)).build();
    ndp.delegates().register("check", in -> in);
    ndp.delegates().register("keep", in -> in);
    return ndp;
  }

  @Test
  void restart_keepsDefinitionsStatisticsAndResets() throws Exception {
    ConfidenceStats flowBefore;
    ConfidenceStats auditedBilling;
    JdbcStorage first = JdbcStorage.h2(dir);
    try (Ndp ndp = runtime(first)) {
      ndp.register(FLOW);
      ndp.register(AUDITED);
      for (int i = 0; i < 30; i++) {
        PatternResult r = ndp.executor().executeBestPattern(orders());
        assertThat(r.success()).as(r.message()).isTrue();
      }
      first.confidence().recordOutcome("audited", "billing", false);
      first.confidence().recordOutcome("audited", "billing", true);
      ndp.registry().resetStatistics("audited");
      first.confidence().recordOutcome("audited", "billing", true);
      first.confidence().recordOutcome("flow", "returns", true);
      ndp.registry().resetDomainStatistics("returns");
      flowBefore = ndp.registry().statistics("flow", "orders");
      auditedBilling = ndp.registry().statistics("audited", "billing");
    }
    assertThat(flowBefore.total()).isPositive();
    assertThat(auditedBilling).isEqualTo(new ConfidenceStats(1, 0));

    first = JdbcStorage.h2(dir);
    try (Ndp ndp = runtime(first)) {
      // Definitions rebuilt from the file, without registering them again.
      assertThat(ndp.registry().find("flow")).isPresent();
      assertThat(ndp.registry().find("audited")).isPresent();
      assertThat(ndp.storage().getPattern("flow").definition()).isEqualTo(FLOW);
      // The kind came from the class path (ServiceLoader), and the row says so.
      StoredDefinition stored = first.definitions().findStored("flow").orElseThrow();
      assertThat(stored.pluginId()).contains("classpath");
      assertThat(stored.createdAt()).isEqualTo(stored.updatedAt());
      // Statistics as they were, and the resets still in effect.
      assertThat(ndp.registry().statistics("flow", "orders")).isEqualTo(flowBefore);
      assertThat(ndp.registry().statistics("audited", "billing")).isEqualTo(auditedBilling);
      assertThat(ndp.registry().statistics("audited", "orders")).isEqualTo(ConfidenceStats.EMPTY);
      assertThat(ndp.registry().statistics("flow", "returns")).isEqualTo(ConfidenceStats.EMPTY);
      // The second run goes on from the first: its outcomes add to the stored counts.
      ndp.executor().executeBestPattern(orders());
      assertThat(
              ndp.registry().statistics("flow").total()
                  + ndp.registry().statistics("audited", "orders").total())
          .isEqualTo(flowBefore.total() + 1);
    }

    try (Connection c = h2(dir);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pattern, domain FROM ndp_reset ORDER BY id")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("audited");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(2)).isEqualTo("returns");
      assertThat(rs.next()).isFalse();
    }
  }

  @Test
  void batchedOutcomes_areCommittedWhenTheRuntimeCloses() {
    long recorded;
    try (Ndp ndp =
        runtime(
            JdbcStorage.builder()
                .h2File(dir)
                .durability(Durability.BATCHED)
                .maxUnflushedTime(java.time.Duration.ofHours(1))
                .maxUnflushedOutcomes(10_000)
                .open())) {
      ndp.register(FLOW);
      for (int i = 0; i < 50; i++) {
        ndp.executor().executeBestPattern(orders());
      }
      recorded = ndp.registry().statistics("flow", "orders").total();
      assertThat(((JdbcStorage) ndp.ownedStorage().orElseThrow()).health().bufferedOutcomes())
          .as("nothing committed yet: the window is an hour")
          .isEqualTo(recorded);
    }
    assertThat(recorded).isEqualTo(50);
    try (JdbcStorage again = JdbcStorage.h2(dir)) {
      assertThat(again.confidence().stats("flow", "orders").total()).isEqualTo(50);
    }
  }

  @Test
  void storage_conflictsWithStoresAndHalfLifeGivenOneByOne_andIsClosedWhenBuildFails() {
    try (JdbcStorage storage = JdbcStorage.h2(dir)) {
      assertThatThrownBy(() -> Ndp.builder().storage(storage).halfLife(10))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("halfLife conflicts with storage(H2 ");
      assertThatThrownBy(() -> Ndp.builder().confidenceStore(storage.confidence()).storage(storage))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("do not also set");
    }
  }

  @Test
  void closedStorage_refusesReadsAndWrites_ratherThanAnsweringStaleFigures() {
    JdbcStorage storage = JdbcStorage.h2(dir);
    storage.confidence().recordOutcome("flow", "orders", true);
    assertThat(storage.confidence().stats("flow", "orders").total()).isEqualTo(1);
    storage.close();
    storage.close(); // idempotent

    assertThatThrownBy(() -> storage.confidence().stats("flow", "orders"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is closed");
    assertThatThrownBy(() -> storage.confidence().recordOutcome("flow", "orders", true))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is closed");
    assertThatThrownBy(() -> storage.definitions().findAll())
        .isInstanceOf(io.ndp.api.StorageException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void unknownType_isKeptAndReported_andSurvivesARun() {
    try (JdbcStorage storage = JdbcStorage.h2(dir)) {
      storage.definitions().store(new PatternDefinition("quantum", "q", "", Map.of("qubits", 5)));
    }
    try (Ndp ndp = runtime(JdbcStorage.h2(dir))) {
      assertThat(ndp.unresolvedDefinitions())
          .extracting(PatternDefinition::name)
          .containsExactly("q");
      assertThat(ndp.registry().find("q")).isEmpty();
    }
    try (JdbcStorage storage = JdbcStorage.h2(dir)) {
      assertThat(storage.definitions().find("q")).isPresent();
    }
  }

  static Connection h2(Path dir) throws Exception {
    return DriverManager.getConnection("jdbc:h2:file:" + dir.toAbsolutePath().resolve("ndp"));
  }
}
