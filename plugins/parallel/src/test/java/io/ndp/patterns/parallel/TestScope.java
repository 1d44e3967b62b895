package io.ndp.patterns.parallel;

import io.ndp.api.DelegateDirectory;
import io.ndp.api.ExecutionScope;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/** A hand-written scope for unit tests: real delegates, a given executor, an optional deadline. */
final class TestScope implements ExecutionScope {
  private final DelegateDirectory delegates;
  private final Executor executor;
  private final @Nullable Instant deadline;

  TestScope(DelegateDirectory delegates, Executor executor, @Nullable Duration timeout) {
    this.delegates = delegates;
    this.executor = executor;
    this.deadline = timeout == null ? null : Instant.now().plus(timeout);
  }

  @Override
  public DelegateDirectory delegates() {
    return delegates;
  }

  @Override
  public Executor executor() {
    return executor;
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
    throw new UnsupportedOperationException("parallel patterns do not nest");
  }
}
