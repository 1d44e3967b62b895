package io.ndp.api;

import java.util.Locale;

/**
 * A pattern with the same name is already registered. The registry is left unchanged.
 *
 * @since 0.1.0
 */
public final class DuplicatePatternException extends NdpException {
  private static final long serialVersionUID = 1L;

  /** The name that is already taken. */
  private final String patternName;

  /**
   * @param patternName the name that is already taken
   */
  public DuplicatePatternException(String patternName) {
    super(
        String.format(
            Locale.ROOT,
            "a pattern named '%s' is already registered; unregister it first or choose another name",
            patternName));
    this.patternName = patternName;
  }

  /** {@return the name that is already taken, as the registration gave it} */
  public String patternName() {
    return patternName;
  }
}
