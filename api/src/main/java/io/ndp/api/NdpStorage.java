package io.ndp.api;

import java.time.Duration;
import java.util.Optional;

/**
 * A storage back end that keeps both pattern definitions and confidence statistics, such as the
 * JDBC storage ({@code ndp-storage-jdbc}: an H2 file by default, PostgreSQL shared by several
 * hosts). Given to the runtime ({@code Ndp.builder().storage(...)}), it is owned by it: the runtime
 * reads and writes through it and closes it after draining its executions.
 *
 * <p>Implementations are thread-safe.
 *
 * @since 0.2.0
 */
public interface NdpStorage extends AutoCloseable {

  /** {@return the store of pattern definitions; the same instance on every call} */
  PatternDefinitionStore definitions();

  /** {@return the store of confidence statistics; the same instance on every call} */
  ConfidenceStore confidence();

  /**
   * How long the runtime may serve a cached statistic before reading the store again, so that what
   * other hosts record into a shared store is seen within that time; empty when only this runtime
   * writes the store (its own writes invalidate the cache).
   *
   * @return the staleness bound, or empty
   */
  default Optional<Duration> staleness() {
    return Optional.empty();
  }

  /**
   * Describes where the data lives, for logs and start-up messages.
   *
   * @return e.g. a file path or a JDBC URL without credentials; never a password
   */
  String description();

  /**
   * Commits whatever is still buffered and releases the connections. Idempotent.
   *
   * @throws StorageException when buffered data could not be committed (it is then named)
   */
  @Override
  void close();
}
