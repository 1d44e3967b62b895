package io.ndp.storage.jdbc;

/**
 * When a recorded outcome is committed to the database.
 *
 * @since 0.2.0
 */
public enum Durability {
  /**
   * {@code recordOutcome} returns once the outcome is committed: an acknowledged outcome survives a
   * crash of the process. Concurrent outcomes share one transaction (group commit).
   */
  SYNC,
  /**
   * {@code recordOutcome} returns once the outcome is buffered; the buffer is committed at least
   * every {@linkplain JdbcStorage.Builder#maxUnflushedTime max unflushed time} and before more than
   * {@linkplain JdbcStorage.Builder#maxUnflushedOutcomes max unflushed outcomes} are acknowledged,
   * so a crash loses at most that many outcomes, or that time's worth.
   */
  BATCHED
}
