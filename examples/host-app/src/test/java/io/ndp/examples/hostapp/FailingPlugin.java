package io.ndp.examples.hostapp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds, in a test, a real plugin JAR (compiled from source against the API) for a kind whose
 * every pattern fails with "the archive store is down": how a test makes a stage of the job fail
 * through the public extension mechanism, without a hook in the app.
 */
final class FailingPlugin {
  private FailingPlugin() {}

  static final String REASON = "the archive store is down";

  private static final String SOURCE =
      """
      package failing;

      import io.ndp.api.*;
      import java.util.Set;

      @org.pf4j.Extension
      public final class FailingFactory implements PatternFactory {
        public FailingFactory() {}
        @Override public String type() { return "%1$s"; }
        @Override public Set<String> aliases() { return Set.of(); }
        @Override public Pattern create(PatternDefinition d) { return new Failing(d); }

        static final class Failing extends AbstractPattern {
          private final PatternDefinition d;
          Failing(PatternDefinition d) { super(d.name(), d.description()); this.d = d; }
          @Override public String type() { return "%1$s"; }
          @Override public Set<String> typeAliases() { return Set.of(); }
          @Override public Set<String> agentTypes() { return Set.of("optimizer"); }
          @Override public MatchResult match(PatternContext c) { return MatchResult.perfect(); }
          @Override public PatternOutcome execute(PatternContext c, ExecutionScope s) {
            return PatternOutcome.failure("%2$s", null);
          }
          @Override public PatternDefinition definition() { return d; }
        }
      }
      """;

  /** Writes the plugin JAR, providing the kind {@code type}, to {@code jar}. */
  static Path write(Path jar, String type) throws Exception {
    Path work = Files.createTempDirectory(jar.getParent(), ".failing-plugin");
    Path src = work.resolve("src/failing/FailingFactory.java");
    Files.createDirectories(src.getParent());
    Files.writeString(src, SOURCE.formatted(type, REASON));
    Path classes = Files.createDirectories(work.resolve("classes"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int rc =
        javac.run(
            null,
            null,
            null,
            "-proc:none",
            "-cp",
            System.getProperty("java.class.path"),
            "-d",
            classes.toString(),
            src.toString());
    assertThat(rc).as("the test plugin compiles").isZero();

    Manifest mf = new Manifest();
    Attributes a = mf.getMainAttributes();
    a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    a.putValue("Plugin-Id", "failing-" + type);
    a.putValue("Plugin-Version", "1.0.0");
    a.putValue("Plugin-Requires", ">=0.2.0");
    try (OutputStream os = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(os, mf)) {
      // PF4J lists META-INF/services/ as a folder: the JAR needs its directory entry.
      out.putNextEntry(new JarEntry("META-INF/services/"));
      out.putNextEntry(new JarEntry("META-INF/services/io.ndp.api.PatternFactory"));
      out.write("failing.FailingFactory\n".getBytes(StandardCharsets.UTF_8));
      try (var files = Files.walk(classes)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
          out.write(Files.readAllBytes(f));
        }
      }
    }
    HostApp.deleteTree(work);
    return jar;
  }
}
