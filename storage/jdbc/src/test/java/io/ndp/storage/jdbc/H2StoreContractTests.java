package io.ndp.storage.jdbc;

import io.ndp.api.ConfidenceStore;
import io.ndp.api.PatternDefinitionStore;
import io.ndp.core.ConfidenceStoreContractTest;
import io.ndp.core.PatternDefinitionStoreContractTest;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** The storage contract kits against H2 files, in both durability modes. */
class H2StoreContractTests {
  // The kits count; forgetting is checked against the in-memory store in ForgettingTest.
  static final double NEVER = Double.POSITIVE_INFINITY;

  @Nested
  class SyncConfidence extends ConfidenceStoreContractTest {
    @TempDir Path dir;
    JdbcStorage storage;

    @Override
    protected ConfidenceStore newStore() {
      storage = JdbcStorage.builder().h2File(dir).halfLife(NEVER).open();
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
    @TempDir Path dir;
    JdbcStorage storage;

    @Override
    protected ConfidenceStore newStore() {
      storage =
          JdbcStorage.builder().h2File(dir).halfLife(NEVER).durability(Durability.BATCHED).open();
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
    @TempDir Path dir;
    JdbcStorage storage;

    @Override
    protected PatternDefinitionStore newStore() {
      storage = JdbcStorage.h2(dir);
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
