package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flush(timeout)} "waits until everything enqueued before this call is committed" and throws
 * "when the database is unavailable, or it took longer than timeout". It throws at once whenever
 * the writer's last commit failed, without waiting for the retry: once the database is back, a
 * flush (and every reset, which flushes first) still fails for as long as the writer sleeps in its
 * backoff — up to a second after an outage of a few seconds — although the database answers and the
 * retry would commit everything within the timeout.
 *
 * <p>Timing-dependent: each of 3 rounds takes the database down for 3 s (the backoff grows to its 1
 * s maximum), brings it back and flushes at once with a 10 s timeout; the test fails on the first
 * flush that throws (every round does: the writer is asleep).
 */
class FlushAfterRecoveryTest {
  @TempDir Path dir;

  @Test
  void flushRightAfterTheDatabaseIsBack_waitsForTheRetryInsteadOfThrowing() throws Exception {
    SwitchableDataSource ds =
        new SwitchableDataSource("jdbc:h2:file:" + dir.toAbsolutePath().resolve("ndp"));
    try (JdbcStorage storage =
        JdbcStorage.builder()
            .dataSource(ds)
            .durability(Durability.BATCHED)
            .maxUnflushedTime(Duration.ofMillis(10))
            .open()) {
      JdbcConfidenceStore store = storage.confidence();
      for (int round = 0; round < 3; round++) {
        ds.down = true;
        store.recordOutcome("flow", "orders", true);
        Thread.sleep(3_000); // the writer retries with a growing backoff
        ds.down = false; // the database answers again

        long start = System.nanoTime();
        RuntimeException failed = null;
        try {
          store.flush(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
          failed = e;
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(failed)
            .as(
                "round %d: flush(10 s) called once the database answers again, which threw after"
                    + " %d ms (a reset would fail the same way; buffered: %d)",
                round, millis, store.bufferedOutcomes())
            .isNull();
      }
    }
  }
}
