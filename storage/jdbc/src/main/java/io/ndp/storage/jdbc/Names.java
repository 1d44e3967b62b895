package io.ndp.storage.jdbc;

/** Checks of names before they reach SQL. */
final class Names {
  /** The longest name a key column holds. */
  static final int MAX_LENGTH = 1000;

  private Names() {}

  static String require(String value, String what) {
    if (value == null) {
      throw new IllegalArgumentException(what + " must not be null");
    }
    if (value.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          what
              + " is "
              + value.length()
              + " characters long, longer than the "
              + MAX_LENGTH
              + " a stored key holds: "
              + value.substring(0, 40)
              + "...");
    }
    return value;
  }
}
