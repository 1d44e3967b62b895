package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.ConfidenceStats;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code readRows} reads {@code FROM ndp_writer w LEFT JOIN ndp_confidence ... WHERE w.writer_id =
 * ?} and says, when this writer's row is missing, "nothing of ours is known to be committed". But
 * without that row the statement returns no row at all: the pattern's statistics, recorded by every
 * host, read as empty. The row of a live writer disappears when someone cleans up {@code
 * ndp_writer} (the schema says the rows are per open storage; those of crashed processes stay
 * forever, and {@code updated_at} of an idle live writer looks just as old), and reads stay empty
 * until this writer's next commit re-inserts it.
 */
class MissingWriterRowReadTest {
  @TempDir Path dir;

  @Test
  void aMissingWriterRow_doesNotHideTheCommittedStatistics() throws Exception {
    SwitchableDataSource ds =
        new SwitchableDataSource("jdbc:h2:file:" + dir.toAbsolutePath().resolve("ndp"));
    try (JdbcStorage storage =
        JdbcStorage.builder().dataSource(ds).durability(Durability.SYNC).open()) {
      JdbcConfidenceStore store = storage.confidence();
      for (int i = 0; i < 5; i++) {
        store.recordOutcome("flow", "orders", true);
      }
      assertThat(store.stats("flow").successes()).isEqualTo(5);

      try (Connection c = ds.getConnection();
          Statement s = c.createStatement()) {
        s.executeUpdate("DELETE FROM ndp_writer"); // a clean-up of writer rows
      }
      ConfidenceStats byPattern = store.stats("flow");
      ConfidenceStats byDomain = store.stats("flow", "orders");
      assertThat(new long[] {byPattern.successes(), byDomain.successes()})
          .as(
              "successes of flow read by stats(p) and stats(p, d) once ndp_writer lost this"
                  + " writer's row; 5 are committed in ndp_confidence")
          .containsExactly(5, 5);
    }
  }
}
