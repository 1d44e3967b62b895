package io.ndp.api;

import java.util.Locale;

/**
 * A pattern needs a delegate that the host did not register. Patterns check for every delegate they
 * need before they run anything, so this exception means no work was done.
 *
 * @since 0.1.0
 */
public final class MissingDelegateException extends NdpException {
  private static final long serialVersionUID = 1L;

  /** The name of the delegate that is not registered. */
  private final String delegateName;

  /** The name of the pattern that needed it. */
  private final String patternName;

  /**
   * @param delegateName the delegate that is missing
   * @param patternName the pattern that needed it
   */
  public MissingDelegateException(String delegateName, String patternName) {
    super(
        String.format(
            Locale.ROOT,
            "pattern '%s' needs a delegate named '%s' but none is registered;"
                + " register one in the DelegateDirectory before executing",
            patternName,
            delegateName));
    this.delegateName = delegateName;
    this.patternName = patternName;
  }

  /**
   * {@return the name under which the pattern looked the delegate up (a step, task or domain); no
   * delegate is registered under it}
   */
  public String delegateName() {
    return delegateName;
  }

  /** {@return the name of the pattern that needed the delegate; it ran no work} */
  public String patternName() {
    return patternName;
  }
}
