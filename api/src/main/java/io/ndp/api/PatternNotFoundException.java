package io.ndp.api;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * No pattern with the requested name is known to the registry or storage that was asked.
 *
 * @since 0.1.0
 */
public final class PatternNotFoundException extends NdpException {
  private static final long serialVersionUID = 1L;

  /** At most this many close matches are named in the message. */
  public static final int MAX_SUGGESTIONS = 3;

  /** The name asked for. */
  private final String patternName;

  /** At most {@value #MAX_SUGGESTIONS} known names close to it; unmodifiable. */
  private final List<String> closeMatches;

  /**
   * @param patternName the name asked for
   * @param closeMatches a few known names close to it, to help spot typos (at most {@value
   *     #MAX_SUGGESTIONS} are kept); never the whole list
   */
  public PatternNotFoundException(String patternName, List<String> closeMatches) {
    super(message(patternName, closeMatches));
    this.patternName = patternName;
    this.closeMatches =
        List.copyOf(closeMatches.subList(0, Math.min(MAX_SUGGESTIONS, closeMatches.size())));
  }

  private static String message(String patternName, List<String> closeMatches) {
    String base = String.format(Locale.ROOT, "no pattern named '%s'", patternName);
    if (closeMatches.isEmpty()) {
      return base;
    }
    return base
        + closeMatches.stream()
            .limit(MAX_SUGGESTIONS)
            .map(n -> "'" + n + "'")
            .collect(Collectors.joining(", ", "; did you mean ", "?"));
  }

  /** {@return the name asked for, exactly as given} */
  public String patternName() {
    return patternName;
  }

  /**
   * {@return known names close to the one asked for, in the order the thrower gave them, at most
   * {@value #MAX_SUGGESTIONS}; empty when none is close}
   */
  public List<String> closeMatches() {
    return closeMatches;
  }
}
