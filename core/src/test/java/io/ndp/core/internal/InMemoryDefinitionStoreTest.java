package io.ndp.core.internal;

import io.ndp.api.PatternDefinitionStore;
import io.ndp.core.PatternDefinitionStoreContractTest;

/** Runs the {@link PatternDefinitionStore} contract against the in-memory store. */
class InMemoryDefinitionStoreTest extends PatternDefinitionStoreContractTest {

  @Override
  protected PatternDefinitionStore newStore() {
    return new InMemoryDefinitionStore();
  }
}
