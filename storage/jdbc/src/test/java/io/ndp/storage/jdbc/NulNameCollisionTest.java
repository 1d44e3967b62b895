package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.ConfidenceStats;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A commit groups a batch's outcomes per pattern and domain under the key {@code pattern + '\0' +
 * domain}. Names may contain NUL ({@link Names#require} accepts it, H2 stores it), so two different
 * (pattern, domain) pairs can get the same key and one's outcomes are written into the other's row.
 */
class NulNameCollisionTest {
  @TempDir Path dir;

  @Test
  void namesADatabaseCannotStore_areRefusedAtTheCall_andLookAlikePairsAreNotMerged() {
    try (JdbcStorage storage =
        JdbcStorage.builder()
            .h2File(dir)
            .durability(Durability.BATCHED)
            .maxUnflushedTime(Duration.ofSeconds(30))
            .open()) {
      JdbcConfidenceStore store = storage.confidence();
      // NUL: PostgreSQL cannot store it (and it once made two pairs share a key in a batch).
      assertThatThrownBy(() -> store.recordOutcome("a\u0000b", "c", true))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("patternName must not contain NUL")
          .hasMessageContaining("a\\u0000b");
      assertThatThrownBy(() -> store.recordOutcome("a", "b\ud800c", true))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("domain must be valid UTF-16")
          .hasMessageContaining("lone surrogate at 1");
      assertThat(storage.health().bufferedOutcomes()).isZero();

      // Pairs whose names concatenate alike, in one batch, stay apart.
      store.recordOutcome("a/b", "c", true);
      store.recordOutcome("a", "b/c", false);
      store.recordOutcome("\uD83D\uDE00 emoji", "c", true);
      store.flush(Duration.ofSeconds(30));

      assertThat(store.stats("a/b", "c"))
          .extracting(ConfidenceStats::successes, ConfidenceStats::failures)
          .containsExactly(1L, 0L);
      assertThat(store.stats("a", "b/c"))
          .extracting(ConfidenceStats::successes, ConfidenceStats::failures)
          .containsExactly(0L, 1L);
      assertThat(store.stats("\uD83D\uDE00 emoji", "c").successes()).isEqualTo(1);
    }
  }
}
