package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.ConfidenceStats;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Names#require} accepts any valid UTF-16 name of at most 1000 characters, "what every
 * database can store". PostgreSQL cannot index one of 1000 CJK characters (3,000 bytes of UTF-8): a
 * B-tree entry holds at most 2,704 bytes, so the INSERT into {@code ndp_domain} (and the primary
 * key of {@code ndp_confidence}) fails with {@code 54000 index row size ... exceeds btree version 4
 * maximum 2704}. That is a statement error, not an outage: the writer retries the batch alone,
 * forever, and no later outcome of any pattern is ever committed — the poison outcome the first
 * review fixed for NUL, through another door.
 */
class PostgresLongNamePoisonTest {

  /**
   * 1000 pseudo-random CJK ideographs: a legal name that pglz cannot compress below 2,704 bytes.
   */
  static String longCjkName() {
    Random random = new Random(1);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Names.MAX_LENGTH; i++) {
      sb.append((char) (0x4E00 + random.nextInt(0x9FFF - 0x4E00)));
    }
    return sb.toString();
  }

  @Test
  void aLegalLongName_doesNotStopEveryLaterOutcome() {
    String url = TestDatabases.postgresUrl();
    TestDatabases.emptyPostgres();
    String domain = longCjkName();
    // 3000 bytes in UTF-8: refused at the call now (the limit is 1000 bytes).
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Names.require(domain, "domain"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3000 bytes in UTF-8");
    try (JdbcStorage storage =
        JdbcStorage.builder()
            .url(url)
            .durability(Durability.SYNC)
            .syncTimeout(Duration.ofSeconds(2))
            .closeTimeout(Duration.ofMillis(200))
            .open()) {
      JdbcConfidenceStore store = storage.confidence();
      try {
        store.recordOutcome("flow", domain, true);
      } catch (RuntimeException refused) {
        // Refusing the name, or failing this one outcome, is fine; what follows must not suffer.
      }
      Throwable later = null;
      try {
        store.recordOutcome("good", "orders", true);
      } catch (RuntimeException e) {
        later = e;
      }
      assertThat(later)
          .as(
              "a well-formed outcome recorded after one whose domain is 1000 CJK characters"
                  + " (buffered: %d, health: %s)",
              store.bufferedOutcomes(), storage.health())
          .isNull();
      assertThat(store.stats("good", "orders")).isEqualTo(new ConfidenceStats(1, 0, 1, 0));
    } catch (RuntimeException closing) {
      // close() names the outcomes it could not commit; the assertions above decide.
    }
  }
}
