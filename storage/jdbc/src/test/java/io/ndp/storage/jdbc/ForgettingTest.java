package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ndp.api.ConfidenceStats;
import io.ndp.core.internal.InMemoryConfidenceStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The database keeps forgetting exactly as the in-memory store does: the same outcomes give the
 * same effective evidence, one at a time (SYNC) or committed in batches (BATCHED), and across a
 * restart.
 */
class ForgettingTest {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(Durability.class)
  void sameOutcomes_sameEffectiveEvidence_asInMemory(Durability durability) {
    double halfLife = 10;
    InMemoryConfidenceStore memory = new InMemoryConfidenceStore(halfLife);
    List<String> patterns = List.of("a", "b", "c");
    List<String> domains = List.of("orders", "billing");
    SplittableRandom random = new SplittableRandom(42);
    try (JdbcStorage storage =
        JdbcStorage.builder()
            .h2File(dir)
            .halfLife(halfLife)
            .durability(durability)
            .maxUnflushedOutcomes(37)
            .open()) {
      for (int i = 0; i < 1500; i++) {
        String p = patterns.get(random.nextInt(patterns.size()));
        String d = domains.get(random.nextInt(4) == 0 ? 1 : 0);
        boolean success = random.nextInt(10) < (p.equals("a") ? 8 : 4);
        memory.recordOutcome(p, d, success);
        storage.confidence().recordOutcome(p, d, success);
      }
      storage.confidence().flush(Duration.ofSeconds(10));
      compare(memory, storage, patterns, domains);
    }
    try (JdbcStorage reopened = JdbcStorage.builder().h2File(dir).halfLife(halfLife).open()) {
      compare(memory, reopened, patterns, domains);
    }
  }

  private static void compare(
      InMemoryConfidenceStore memory,
      JdbcStorage storage,
      List<String> patterns,
      List<String> domains) {
    for (String p : patterns) {
      for (String d : domains) {
        ConfidenceStats expected = memory.stats(p, d);
        ConfidenceStats actual = storage.confidence().stats(p, d);
        assertThat(actual.successes()).as("%s in %s", p, d).isEqualTo(expected.successes());
        assertThat(actual.failures()).as("%s in %s", p, d).isEqualTo(expected.failures());
        assertThat(actual.effectiveSuccesses())
            .as("%s in %s", p, d)
            .isCloseTo(expected.effectiveSuccesses(), within(1e-9));
        assertThat(actual.effectiveFailures())
            .as("%s in %s", p, d)
            .isCloseTo(expected.effectiveFailures(), within(1e-9));
        assertThat(expected.effectiveSuccesses() + expected.effectiveFailures())
            .as("forgetting happened")
            .isLessThan(expected.total());
      }
    }
  }
}
