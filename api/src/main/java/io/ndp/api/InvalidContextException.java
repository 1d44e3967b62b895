package io.ndp.api;

import java.util.List;

/**
 * A {@link PatternContext} (or its builder input) broke one or more rules. All problems found are
 * reported at once, each naming the rule and the value found.
 *
 * @since 0.1.0
 */
public final class InvalidContextException extends NdpException {
  private static final long serialVersionUID = 1L;

  /** Every rule broken, one sentence each, in the order checked; unmodifiable. */
  private final List<String> problems;

  /**
   * @param problems every rule broken, each a complete sentence naming the offending value
   */
  public InvalidContextException(List<String> problems) {
    super("invalid pattern context: " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  /**
   * {@return every problem found, one complete sentence each naming the rule and the value found,
   * in the order checked; never empty}
   */
  public List<String> problems() {
    return problems;
  }
}
