package io.ndp.core.internal;

import io.ndp.api.ConfidenceStore;
import io.ndp.core.ConfidenceStoreContractTest;

/** Runs the {@link ConfidenceStore} contract against the in-memory store. */
class InMemoryConfidenceStoreTest extends ConfidenceStoreContractTest {

  @Override
  protected ConfidenceStore newStore() {
    return new InMemoryConfidenceStore();
  }
}
