package io.ndp.core;

import java.io.IOException;
import java.nio.file.Path;

/** Plugin JARs for the console's review tests: a plugin that depends on another. */
public final class ConsoleReview4PluginJars {

  private ConsoleReview4PluginJars() {}

  /** Writes a working plugin of pattern type {@code type} that depends on plugin {@code base}. */
  public static Path dependingOn(Path dir, String id, String type, String base) throws IOException {
    return TestPluginJar.echoKind(id, type, "dep").dependencies(base).writeTo(dir);
  }
}
