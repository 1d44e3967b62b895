package io.ndp.api;

import org.jspecify.annotations.Nullable;

/**
 * A storage back end refused or failed an operation: its schema is newer than this code, its
 * settings disagree with the runtime's, or it cannot be reached ({@link
 * StorageUnavailableException}). The message names the store (never a password) and the cause is
 * the underlying failure.
 *
 * @since 0.2.0
 */
public class StorageException extends NdpException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what went wrong, naming the store
   * @param cause the underlying failure, if any
   */
  public StorageException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
