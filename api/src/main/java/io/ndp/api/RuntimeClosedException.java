package io.ndp.api;

/**
 * A call reached a runtime (an executor, or the facade that owns one) after {@code close()} began:
 * it refuses new work while it drains what is running.
 *
 * @since 0.2.0
 */
public final class RuntimeClosedException extends NdpException {
  private static final long serialVersionUID = 1L;

  /** What was refused, in words. */
  private final String what;

  /**
   * @param what what was refused, e.g. {@code executeBestPattern(domain 'orders')}
   */
  public RuntimeClosedException(String what) {
    super("runtime is closed: refused " + what);
    this.what = what;
  }

  /**
   * {@return what was refused, in words, e.g. {@code executeBestPattern(domain 'orders')}; nothing
   * of it ran}
   */
  public String refused() {
    return what;
  }
}
