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

  private final String delegateName;
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

  /** Returns the delegate that is missing. */
  public String delegateName() {
    return delegateName;
  }

  /** Returns the pattern that needed the delegate. */
  public String patternName() {
    return patternName;
  }
}
