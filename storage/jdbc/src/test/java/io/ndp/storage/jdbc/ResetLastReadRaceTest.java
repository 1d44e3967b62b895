package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reset invalidates the last rows read ({@code lastRead.invalidate}) after its transaction; a
 * read whose query ran before the reset's DELETE keeps its rows ({@code remember}) after that
 * invalidation: nothing orders the two. The forgotten statistics come back as the pattern's last
 * rows read, and once the database goes away reads answer them for the whole outage — a reset
 * undone.
 *
 * <p>Timing-dependent: the test repeats (60 rounds; before the fix it failed within 12, three
 * reader threads reading all the time while the pattern is reset) and fails on the first read
 * during an outage that answers outcomes recorded before the reset (in 5 runs it failed within
 * rounds 0 to 11).
 */
class ResetLastReadRaceTest {
  @TempDir Path dir;

  @Test
  void readsDuringAnOutage_neverAnswerStatisticsAResetForgot() throws Exception {
    SwitchableDataSource ds =
        new SwitchableDataSource("jdbc:h2:file:" + dir.toAbsolutePath().resolve("ndp"));
    try (JdbcStorage storage =
        JdbcStorage.builder().dataSource(ds).durability(Durability.SYNC).open()) {
      JdbcConfidenceStore store = storage.confidence();
      for (int round = 0; round < 60; round++) {
        String pattern = "p" + round;
        for (int i = 0; i < 5; i++) {
          store.recordOutcome(pattern, "orders", true);
        }
        AtomicBoolean reading = new AtomicBoolean(true);
        Thread[] readers = new Thread[3];
        for (int t = 0; t < readers.length; t++) {
          readers[t] =
              new Thread(
                  () -> {
                    while (reading.get()) {
                      store.stats(pattern);
                    }
                  });
          readers[t].start();
        }
        Thread.sleep(1);
        store.reset(pattern);
        reading.set(false);
        for (Thread reader : readers) {
          reader.join();
        }

        ds.down = true;
        long answered = store.stats(pattern).total();
        ds.down = false;
        store.inventory(); // the database answers again

        assertThat(answered)
            .as(
                "round %d: outcomes a read answers during an outage after the pattern was reset"
                    + " (5 recorded before the reset, none after)",
                round)
            .isZero();
      }
    }
  }
}
