package io.ndp.storage.jdbc;

import io.ndp.api.ConfidenceStats;
import java.time.Duration;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * On PostgreSQL a name holding NUL cannot be stored (text refuses 0x00), yet {@link Names#require}
 * accepts it. The commit fails with a statement error, not an outage; the writer puts the batch
 * back at the front of the queue and retries it forever, so no later outcome of any pattern is ever
 * committed again.
 */
class PostgresPoisonOutcomeTest {

  @Test
  void oneUnstorableName_doesNotStopEveryLaterOutcome() {
    String url = TestDatabases.postgresUrl();
    TestDatabases.emptyPostgres();
    try (JdbcStorage storage =
        JdbcStorage.builder()
            .url(url)
            .halfLife(Double.POSITIVE_INFINITY)
            .durability(Durability.SYNC)
            .syncTimeout(Duration.ofSeconds(2))
            .closeTimeout(Duration.ofMillis(200))
            .open()) {
      JdbcConfidenceStore store = storage.confidence();
      try {
        store.recordOutcome("bad\u0000name", "orders", true);
      } catch (RuntimeException refused) {
        // Refusing the bad name is fine; what follows must not suffer from it.
      }
      Throwable later = null;
      try {
        store.recordOutcome("good", "orders", true);
      } catch (RuntimeException e) {
        later = e;
      }
      Assertions.assertThat(later)
          .as(
              "a well-formed outcome recorded after one with a NUL in its name (buffered: %d,"
                  + " health: %s)",
              store.bufferedOutcomes(), storage.health())
          .isNull();
      Assertions.assertThat(store.stats("good", "orders"))
          .isEqualTo(new ConfidenceStats(1, 0, 1, 0));
    } catch (RuntimeException closing) {
      // close() names the outcomes it could not commit; the assertions above decide.
    }
  }
}
