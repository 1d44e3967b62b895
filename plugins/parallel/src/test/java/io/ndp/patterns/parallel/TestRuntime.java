package io.ndp.patterns.parallel;

import io.ndp.api.ConfidenceStats;
import io.ndp.api.PatternRuntime;
import io.ndp.api.ResourcePool;

/**
 * A hand-written owner for unit tests: its own {@link ResourcePool}, no recorded statistics. Stands
 * in for the runtime of a registry, which attaches the patterns it registers.
 */
final class TestRuntime implements PatternRuntime {
  private final ResourcePool pool;

  /**
   * A runtime with a fresh, empty pool (default capacity {@link ResourcePool#DEFAULT_CAPACITY}).
   */
  TestRuntime() {
    this(new ResourcePool());
  }

  TestRuntime(ResourcePool pool) {
    this.pool = pool;
  }

  @Override
  public ConfidenceStats statistics(String patternName) {
    return ConfidenceStats.EMPTY;
  }

  @Override
  public ConfidenceStats statistics(String patternName, String domain) {
    return ConfidenceStats.EMPTY;
  }

  @Override
  public ResourcePool resourcePool() {
    return pool;
  }
}
