package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A commit locks the rows of ndp_confidence one UPDATE at a time, in the order of pattern names; a
 * reset's DELETE locks the same rows in whatever order it scans them. On PostgreSQL the two
 * deadlock, and the database aborts one of them (40P01): either the reset fails, or the commit
 * fails and the writer reports the database as unavailable to its recorders. Resets while recording
 * are a documented use ({@code resetDomainStatistics}) and nothing says they may fail.
 *
 * <p>The deadlock depends on timing: the test loops (up to 25 s; before the fix it failed within
 * 12–20 s) and fails on the first one seen.
 */
class PostgresResetDeadlockTest {

  @Test
  void resetDomainWhileRecording_neverDeadlocks() throws Exception {
    String url = TestDatabases.postgresUrl();
    TestDatabases.emptyPostgres();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    AtomicBoolean running = new AtomicBoolean(true);
    try (JdbcStorage storage =
        JdbcStorage.builder()
            .url(url)
            .durability(Durability.BATCHED)
            .maxUnflushedTime(Duration.ofMillis(2))
            .maxUnflushedOutcomes(500)
            .poolSize(6)
            .open()) {
      JdbcConfidenceStore store = storage.confidence();
      List<String> patterns = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        patterns.add(String.format("p%03d", i));
      }
      Thread recorder =
          new Thread(
              () -> {
                List<String> order = new ArrayList<>(patterns);
                while (running.get()) {
                  Collections.shuffle(order, ThreadLocalRandom.current());
                  for (String p : order) {
                    store.recordOutcome(p, "orders", true);
                  }
                  if (storage.health().lastFailure().isPresent()) {
                    failures.add(storage.health().lastFailure().get());
                  }
                }
              },
              "recorder");
      recorder.setDaemon(true);
      recorder.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(25).toNanos();
      int resets = 0;
      while (System.nanoTime() < deadline && failures.isEmpty()) {
        try {
          store.resetDomain("orders");
          resets++;
        } catch (RuntimeException e) {
          failures.add(e);
        }
        Thread.sleep(ThreadLocalRandom.current().nextInt(3));
      }
      running.set(false);
      recorder.join(10_000);
      assertThat(failures)
          .as("failures of resets and commits during %d resets while recording", resets)
          .isEmpty();
    } finally {
      running.set(false);
    }
  }
}
