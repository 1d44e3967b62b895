package io.ndp.patterns.sequential;

import io.ndp.api.DelegateDirectory;
import io.ndp.api.ExecutionScope;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/** A minimal scope for running a pattern outside the executor. */
final class TestScope implements ExecutionScope {
  private final DelegateDirectory delegates;
  private final @Nullable Instant deadline;

  TestScope(DelegateDirectory delegates, @Nullable Instant deadline) {
    this.delegates = delegates;
    this.deadline = deadline;
  }

  @Override
  public DelegateDirectory delegates() {
    return delegates;
  }

  @Override
  public Executor executor() {
    return Runnable::run;
  }

  @Override
  public Optional<Instant> deadline() {
    return Optional.ofNullable(deadline);
  }

  @Override
  public int depth() {
    return 0;
  }

  @Override
  public PatternResult executeBestPattern(PatternContext nested) {
    throw new UnsupportedOperationException("the sequential kind never nests");
  }
}
