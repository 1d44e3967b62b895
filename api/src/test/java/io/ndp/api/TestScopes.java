package io.ndp.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/** Execution scopes for tests of the units of work: an executor and an optional deadline. */
final class TestScopes {
  private TestScopes() {}

  /** A scope whose deadline is {@code timeout} from now, or none when null. */
  static ExecutionScope scope(Executor executor, @Nullable Duration timeout) {
    return at(executor, timeout == null ? null : Instant.now().plus(timeout));
  }

  /** A scope with a fixed deadline, or none when null. */
  static ExecutionScope at(Executor executor, @Nullable Instant deadline) {
    return new ExecutionScope() {
      @Override
      public DelegateDirectory delegates() {
        return new DelegateDirectory();
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
        throw new UnsupportedOperationException();
      }
    };
  }
}
