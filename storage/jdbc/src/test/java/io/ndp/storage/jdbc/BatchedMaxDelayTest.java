package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OutcomeWriter's Javadoc: in BATCHED no acknowledged outcome stays uncommitted "longer than {@code
 * maxDelay} plus one commit"; the README: "the buffer is committed every {@code maxUnflushedTime}".
 * When the queue is empty the writer waits one second for work, and a BATCHED recorder does not
 * signal it (only SYNC, or a queue of {@code maxUnflushedOutcomes}, does): the first outcome
 * recorded after a quiet moment waits for the end of that second, five times the default 200 ms
 * (fifty times the 20 ms configured here) — a crash then loses a second's worth.
 *
 * <p>Timing-dependent only in its margin: each of 5 rounds records one outcome 100 ms after the
 * writer went idle and measures how long it stays buffered; the test fails when the longest wait
 * exceeds 500 ms (it waits about 900 ms every round).
 */
class BatchedMaxDelayTest {
  @TempDir Path dir;

  @Test
  void anOutcomeRecordedWhileTheWriterIsIdle_isCommittedWithinMaxUnflushedTime() throws Exception {
    long maxDelayMillis = 20;
    try (JdbcStorage storage =
        JdbcStorage.builder()
            .h2File(dir)
            .durability(Durability.BATCHED)
            .maxUnflushedTime(Duration.ofMillis(maxDelayMillis))
            .open()) {
      JdbcConfidenceStore store = storage.confidence();
      store.recordOutcome("flow", "orders", true); // warm up: connections, statements
      store.flush(Duration.ofSeconds(10));
      long longest = 0;
      for (int round = 0; round < 5; round++) {
        Thread.sleep(100); // the writer is idle, waiting for work
        long start = System.nanoTime();
        store.recordOutcome("flow", "orders", true);
        while (store.bufferedOutcomes() > 0
            && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5)) {
          Thread.sleep(1);
        }
        longest = Math.max(longest, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      }
      assertThat(longest)
          .as(
              "longest time (ms) an outcome recorded after a quiet moment stayed uncommitted, with"
                  + " maxUnflushedTime %d ms (a commit on H2 takes a few ms)",
              maxDelayMillis)
          .isLessThan(500);
    }
  }
}
