package io.ndp.core;

import org.jspecify.annotations.Nullable;

/** Argument checks shared by the core's builders: null is refused by name, as the api does. */
final class Checks {

  private Checks() {}

  /**
   * Returns {@code value}, or throws when it is null.
   *
   * @param value the argument
   * @param what the setter and parameter, e.g. {@code "Ndp.Builder.pluginsDir(dir)"}
   * @return {@code value}
   * @throws IllegalArgumentException naming {@code what} when {@code value} is null
   */
  static <T> T notNull(@Nullable T value, String what) {
    if (value == null) {
      throw new IllegalArgumentException(what + " must not be null");
    }
    return value;
  }
}
