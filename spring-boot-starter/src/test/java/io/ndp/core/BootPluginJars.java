package io.ndp.core;

import java.io.IOException;
import java.nio.file.Path;

/** Lends the starter's tests core's plugin JAR builder, which is package-private there. */
public final class BootPluginJars {

  private BootPluginJars() {}

  /**
   * Writes a working plugin of pattern type {@code type} into {@code dir}: its patterns serve agent
   * type {@code echo}, call the delegate {@code work} with the payload and return {@code "v1:" +
   * its output}.
   */
  public static Path working(Path dir, String id, String type) throws IOException {
    return TestPluginJar.echoKind(id, type, "v1").writeTo(dir);
  }

  /** Writes a plugin whose {@code start()} throws "licence expired" into {@code dir}. */
  public static Path failingToStart(Path dir, String id, String type) throws IOException {
    String pkg = "test." + id.replace('-', '_');
    return TestPluginJar.echoKind(id, type, "x")
        .pluginClass(
            pkg + ".Boom",
            "package "
                + pkg
                + ";\n"
                + "public class Boom extends org.pf4j.Plugin {\n"
                + "  @Override public void start() {"
                + " throw new IllegalStateException(\"licence expired\"); }\n"
                + "}\n")
        .writeTo(dir);
  }
}
