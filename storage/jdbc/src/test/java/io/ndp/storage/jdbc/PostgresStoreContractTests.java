package io.ndp.storage.jdbc;

import io.ndp.api.ConfidenceStore;
import io.ndp.api.PatternDefinitionStore;
import io.ndp.core.ConfidenceStoreContractTest;
import io.ndp.core.PatternDefinitionStoreContractTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;

/** The storage contract kits against PostgreSQL ({@code NDP_TEST_PG_URL}), in both modes. */
class PostgresStoreContractTests {
  static final double NEVER = Double.POSITIVE_INFINITY;

  static JdbcStorage open(Durability durability) {
    String url = TestDatabases.postgresUrl();
    TestDatabases.emptyPostgres();
    return JdbcStorage.builder().url(url).halfLife(NEVER).durability(durability).open();
  }

  @Nested
  class SyncConfidence extends ConfidenceStoreContractTest {
    JdbcStorage storage;

    @Override
    protected ConfidenceStore newStore() {
      storage = open(Durability.SYNC);
      return storage.confidence();
    }

    @AfterEach
    void close() {
      if (storage != null) {
        storage.close();
      }
    }
  }

  @Nested
  class BatchedConfidence extends ConfidenceStoreContractTest {
    JdbcStorage storage;

    @Override
    protected ConfidenceStore newStore() {
      storage = open(Durability.BATCHED);
      return storage.confidence();
    }

    @AfterEach
    void close() {
      if (storage != null) {
        storage.close();
      }
    }
  }

  @Nested
  class Definitions extends PatternDefinitionStoreContractTest {
    JdbcStorage storage;

    @Override
    protected PatternDefinitionStore newStore() {
      storage = open(Durability.SYNC);
      return storage.definitions();
    }

    @AfterEach
    void close() {
      if (storage != null) {
        storage.close();
      }
    }
  }
}
