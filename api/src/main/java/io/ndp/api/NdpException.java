package io.ndp.api;

import org.jspecify.annotations.Nullable;

/**
 * The root of every exception NDP throws on purpose. Subclasses keep the offending value as a field
 * so that callers can react without parsing messages.
 *
 * <p>Instances are immutable once thrown and safe to share between threads.
 *
 * @since 0.1.0
 */
public class NdpException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what went wrong, naming the offending value
   */
  public NdpException(String message) {
    super(message);
  }

  /**
   * @param message what went wrong, naming the offending value
   * @param cause the underlying failure, if any
   */
  public NdpException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
