package io.ndp.api;

import org.jspecify.annotations.Nullable;

/**
 * The store cannot be reached: the database is down, at start or later. The cause is the driver's
 * exception. Reads keep answering from what was read before; outcomes are buffered up to a bound
 * that the message states, and this exception says whether the outcome at hand was buffered.
 *
 * @since 0.2.0
 */
public class StorageUnavailableException extends StorageException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what could not be done, naming the store
   * @param cause the driver's failure
   */
  public StorageUnavailableException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
