package io.ndp.api;

import java.util.Collection;
import java.util.Locale;
import java.util.TreeSet;

/**
 * No loaded {@link PatternFactory} provides the requested pattern type (neither as type id nor as
 * alias).
 *
 * @since 0.1.0
 */
public final class UnknownPatternTypeException extends NdpException {
  private static final long serialVersionUID = 1L;

  /** The type asked for. */
  private final String type;

  /**
   * @param type the type asked for
   * @param known the type ids that are known
   */
  public UnknownPatternTypeException(String type, Collection<String> known) {
    super(
        String.format(
            Locale.ROOT,
            "no pattern factory provides type '%s'; known types: %s",
            type,
            new TreeSet<>(known)));
    this.type = type;
  }

  /**
   * {@return the type asked for, as given; no loaded factory has it as type id or alias (the
   * message lists the known types)}
   */
  public String type() {
    return type;
  }
}
