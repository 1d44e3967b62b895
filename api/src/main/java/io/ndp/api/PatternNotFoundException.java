package io.ndp.api;

import java.util.Collection;
import java.util.Locale;
import java.util.TreeSet;

/**
 * No pattern with the requested name is known to the registry or storage that was asked.
 *
 * @since 0.1.0
 */
public final class PatternNotFoundException extends NdpException {
  private static final long serialVersionUID = 1L;

  private final String patternName;

  /**
   * @param patternName the name asked for
   * @param known the names that are known, listed in the message to help spot typos
   */
  public PatternNotFoundException(String patternName, Collection<String> known) {
    super(
        String.format(
            Locale.ROOT,
            "no pattern named '%s'; known patterns: %s",
            patternName,
            new TreeSet<>(known)));
    this.patternName = patternName;
  }

  /** Returns the name asked for. */
  public String patternName() {
    return patternName;
  }
}
