package io.ndp.storage.jdbc;

/** Checks of names before they reach SQL. */
final class Names {
  /**
   * The longest name, in UTF-8 bytes: a stored key holds 1000 characters, and a pattern and a
   * domain together must fit in one PostgreSQL index entry (at most 2704 bytes).
   */
  static final int MAX_LENGTH = 1000;

  private Names() {}

  static String require(String value, String what) {
    if (value == null) {
      throw new IllegalArgumentException(what + " must not be null");
    }
    if (value.length() > MAX_LENGTH
        || value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_LENGTH) {
      throw new IllegalArgumentException(
          what
              + " is "
              + value.length()
              + " characters ("
              + value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
              + " bytes in UTF-8) long, longer than the "
              + MAX_LENGTH
              + " bytes a stored key holds: "
              + quoted(value));
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\u0000') {
        throw new IllegalArgumentException(
            what + " must not contain NUL (a database cannot store it) but was " + quoted(value));
      }
      if (Character.isSurrogate(c)) {
        boolean paired =
            Character.isHighSurrogate(c)
                && i + 1 < value.length()
                && Character.isLowSurrogate(value.charAt(i + 1));
        if (!paired) {
          throw new IllegalArgumentException(
              what
                  + " must be valid UTF-16 (a database stores UTF-8) but has a lone surrogate at "
                  + i
                  + ": "
                  + quoted(value));
        }
        i++;
      }
    }
    return value;
  }

  private static String quoted(String value) {
    StringBuilder sb = new StringBuilder("\"");
    value
        .codePoints()
        .limit(60)
        .forEach(
            cp -> {
              if (cp < 0x20 || (cp >= 0xD800 && cp <= 0xDFFF)) {
                sb.append(String.format("\\u%04x", cp));
              } else {
                sb.appendCodePoint(cp);
              }
            });
    return sb.append(value.length() > 60 ? "...\"" : "\"").toString();
  }
}
