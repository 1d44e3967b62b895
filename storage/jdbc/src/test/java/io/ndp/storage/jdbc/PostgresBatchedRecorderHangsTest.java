package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * In BATCHED, a recorder beyond {@code maxUnflushedOutcomes} waits for the commit that makes room,
 * with {@code awaitUninterruptibly} and no deadline. When a commit does not finish (here another
 * session of PostgreSQL holds the domain's row lock, as a long transaction of another host or a
 * migration would; PostgreSQL has no lock timeout by default), the recorder hangs forever and
 * cannot even be interrupted, while a SYNC recorder would get a StorageUnavailableException after
 * {@code syncTimeout}. The executions of a runtime in BATCHED mode (the "fast" mode) thus hang.
 */
class PostgresBatchedRecorderHangsTest {

  @Test
  void batchedRecorderBeyondTheBound_doesNotWaitForeverForAStuckCommit() throws Exception {
    String url = TestDatabases.postgresUrl();
    TestDatabases.emptyPostgres();
    try (JdbcStorage storage =
        JdbcStorage.builder()
            .url(url)
            .durability(Durability.BATCHED)
            .maxUnflushedOutcomes(1)
            .maxUnflushedTime(Duration.ofMillis(5))
            .syncTimeout(Duration.ofSeconds(2))
            .closeTimeout(Duration.ofSeconds(1))
            .open()) {
      JdbcConfidenceStore store = storage.confidence();
      store.recordOutcome("flow", "orders", true);
      store.flush(Duration.ofSeconds(10));

      try (Connection other = DriverManager.getConnection(url);
          Statement s = other.createStatement()) {
        other.setAutoCommit(false);
        s.executeUpdate("UPDATE ndp_domain SET clock = clock WHERE domain = 'orders'");

        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread recorder =
            new Thread(
                () -> {
                  try {
                    for (int i = 0; i < 3; i++) {
                      store.recordOutcome("flow", "orders", true);
                    }
                  } catch (Throwable t) {
                    outcome.set(t);
                  }
                },
                "batched-recorder");
        recorder.setDaemon(true);
        recorder.start();
        recorder.join(8_000); // four times the sync timeout
        recorder.interrupt();
        recorder.join(2_000);
        boolean stuck = recorder.isAlive();
        String where =
            java.util.Arrays.stream(recorder.getStackTrace())
                .filter(f -> f.getClassName().startsWith("io.ndp.storage"))
                .findFirst()
                .map(String::valueOf)
                .orElse("?");
        other.rollback(); // lets the commit through; the recorder returns now
        recorder.join(10_000);
        assertThat(stuck)
            .as(
                "a BATCHED recorder still waiting 10 s (and after an interrupt) for a commit"
                    + " blocked on a row lock, at %s",
                where)
            .isFalse();
      }
    }
  }
}
