package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ndp.core.internal.InMemoryConfidenceStore;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ConfidenceStore's Javadoc: an outcome weighs {@code 2^(-k/h)} once {@code k} more outcomes were
 * recorded in its domain, and "a store keeps that exactly". A read of the JDBC store adds the
 * outcomes it has buffered with weight 1 each, and does not decay the committed rows by them: in
 * BATCHED mode (and in SYNC during an outage) the effective evidence a read answers differs from
 * the exact value, and jumps when the buffer is committed though nothing was recorded.
 */
class BufferedForgettingTest {
  @TempDir Path dir;

  @Test
  void bufferedOutcomes_areWeighedAsForgettingPrescribes() {
    double halfLife = 1;
    InMemoryConfidenceStore memory = new InMemoryConfidenceStore(halfLife);
    try (JdbcStorage storage =
        JdbcStorage.builder()
            .h2File(dir)
            .halfLife(halfLife)
            .durability(Durability.BATCHED)
            .maxUnflushedTime(Duration.ofSeconds(60))
            .open()) {
      JdbcConfidenceStore store = storage.confidence();
      for (int i = 0; i < 4; i++) {
        memory.recordOutcome("flow", "orders", true);
        store.recordOutcome("flow", "orders", true);
      }
      double exact = memory.stats("flow", "orders").effectiveSuccesses(); // 1 + 1/2 + 1/4 + 1/8
      double buffered = store.stats("flow", "orders").effectiveSuccesses();
      store.flush(Duration.ofSeconds(10));
      double committed = store.stats("flow", "orders").effectiveSuccesses();
      assertThat(committed).as("effective successes once committed").isCloseTo(exact, within(1e-9));
      assertThat(buffered)
          .as(
              "effective successes read while the 4 outcomes are buffered (exact: %s, the same"
                  + " read after the flush: %s)",
              exact, committed)
          .isCloseTo(exact, within(1e-9));
    }
  }
}
