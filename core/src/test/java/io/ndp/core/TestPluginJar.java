package io.ndp.core;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds a real plugin JAR in a test: compiles Java sources against the NDP API with the JDK's
 * compiler, writes the PF4J descriptor into the manifest and the services file, and packs it.
 */
final class TestPluginJar {
  private final String id;
  private String version = "1.0.0";
  private String requires = ">=0.2.0 & <0.3.0";
  private String dependencies = "";
  private String pluginClass = "";
  private final Map<String, String> sources = new LinkedHashMap<>();
  private final List<String> factories = new ArrayList<>();
  private boolean bundleApi;
  private final List<Class<?>> bundledClasses = new ArrayList<>();

  TestPluginJar(String id) {
    this.id = id;
  }

  TestPluginJar version(String v) {
    this.version = v;
    return this;
  }

  TestPluginJar requires(String r) {
    this.requires = r;
    return this;
  }

  TestPluginJar dependencies(String d) {
    this.dependencies = d;
    return this;
  }

  TestPluginJar pluginClass(String fqcn, String source) {
    this.pluginClass = fqcn;
    sources.put(fqcn, source);
    return this;
  }

  TestPluginJar source(String fqcn, String source) {
    sources.put(fqcn, source);
    return this;
  }

  /** A source that is listed in META-INF/services/io.ndp.api.PatternFactory. */
  TestPluginJar factory(String fqcn, String source) {
    sources.put(fqcn, source);
    factories.add(fqcn);
    return this;
  }

  /** Copies the API classes into the JAR: the packaging mistake PF4J users keep making. */
  TestPluginJar bundlingTheApi() {
    this.bundleApi = true;
    return this;
  }

  /** Copies one API class into the JAR: a partial bundle, which breaks class identity subtly. */
  TestPluginJar bundlingApiClass(Class<?> c) {
    bundledClasses.add(c);
    return this;
  }

  /**
   * Writes the plugin as a PF4J zip ({@code classes/} with the manifest and services file), which
   * PF4J unpacks into a folder beside it.
   */
  Path writeZipTo(Path dir) throws IOException {
    Path jar = writeTo(Files.createTempDirectory("plugin-jar-" + id));
    Files.createDirectories(dir);
    Path zip = dir.resolve(id + "-" + version + ".zip");
    try (FileSystem jfs = FileSystems.newFileSystem(jar);
        java.util.zip.ZipOutputStream out =
            new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
      Path root = jfs.getPath("/");
      try (Stream<Path> walk = Files.walk(root)) {
        for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
          String name = "classes/" + root.relativize(p).toString();
          out.putNextEntry(new java.util.zip.ZipEntry(name));
          out.write(Files.readAllBytes(p));
          out.closeEntry();
        }
      }
    }
    return zip;
  }

  Path writeTo(Path dir) throws IOException {
    Path work = Files.createTempDirectory("plugin-src-" + id);
    Path classes = work.resolve("classes");
    Files.createDirectories(classes);
    List<String> files = new ArrayList<>();
    for (Map.Entry<String, String> e : sources.entrySet()) {
      Path f = work.resolve("src").resolve(e.getKey().replace('.', '/') + ".java");
      Files.createDirectories(f.getParent());
      Files.writeString(f, e.getValue(), StandardCharsets.UTF_8);
      files.add(f.toString());
    }
    if (!files.isEmpty()) {
      JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
      List<String> args =
          new ArrayList<>(List.of("-proc:none", "-d", classes.toString(), "-cp", apiClassPath()));
      args.addAll(files);
      int rc = javac.run(null, null, null, args.toArray(String[]::new));
      if (rc != 0) {
        throw new IllegalStateException("test plugin sources of '" + id + "' did not compile");
      }
    }
    Manifest mf = new Manifest();
    Attributes a = mf.getMainAttributes();
    a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    a.putValue("Plugin-Id", id);
    a.putValue("Plugin-Version", version);
    a.putValue("Plugin-Provider", "tests");
    a.putValue("Plugin-Requires", requires);
    if (!dependencies.isEmpty()) {
      a.putValue("Plugin-Dependencies", dependencies);
    }
    if (!pluginClass.isEmpty()) {
      a.putValue("Plugin-Class", pluginClass);
    }
    Files.createDirectories(dir);
    Path jar = dir.resolve(id + "-" + version + ".jar");
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream jos = new JarOutputStream(out, mf)) {
      Set<String> dirs = new HashSet<>();
      addTree(jos, classes, dirs);
      if (bundleApi) {
        Path api = codeSource(io.ndp.api.PatternFactory.class);
        if (Files.isDirectory(api)) {
          addTree(jos, api, dirs);
        } else {
          try (FileSystem fs = FileSystems.newFileSystem(api)) {
            addTree(jos, fs.getPath("/"), dirs);
          }
        }
      }
      for (Class<?> c : bundledClasses) {
        String name = c.getName().replace('.', '/') + ".class";
        try (var in = c.getClassLoader().getResourceAsStream(name)) {
          putDirs(jos, name, dirs);
          jos.putNextEntry(new JarEntry(name));
          jos.write(in.readAllBytes());
          jos.closeEntry();
        }
      }
      if (!factories.isEmpty()) {
        // PF4J's service-provider finder looks the folder up as a resource: it needs the entry.
        putDirs(jos, "META-INF/services/x", dirs);
        jos.putNextEntry(new JarEntry("META-INF/services/io.ndp.api.PatternFactory"));
        jos.write((String.join("\n", factories) + "\n").getBytes(StandardCharsets.UTF_8));
        jos.closeEntry();
      }
    }
    return jar;
  }

  private static void addTree(JarOutputStream jos, Path root, Set<String> dirs) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
        String name = root.relativize(p).toString().replace('\\', '/');
        if (name.startsWith("META-INF/")) {
          continue;
        }
        putDirs(jos, name, dirs);
        jos.putNextEntry(new JarEntry(name));
        jos.write(Files.readAllBytes(p));
        jos.closeEntry();
      }
    }
  }

  private static void putDirs(JarOutputStream jos, String file, Set<String> dirs)
      throws IOException {
    int i = file.indexOf('/');
    while (i > 0) {
      String dir = file.substring(0, i + 1);
      if (dirs.add(dir)) {
        jos.putNextEntry(new JarEntry(dir));
        jos.closeEntry();
      }
      i = file.indexOf('/', i + 1);
    }
  }

  static String apiClassPath() {
    return String.join(
        java.io.File.pathSeparator,
        codeSource(io.ndp.api.PatternFactory.class).toString(),
        codeSource(org.pf4j.ExtensionPoint.class).toString(),
        codeSource(org.jspecify.annotations.Nullable.class).toString());
  }

  static Path codeSource(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A pattern kind of the given type whose pattern runs delegate {@code work} and tags output. */
  static TestPluginJar echoKind(String id, String type, String tag) {
    return echoKind(id, type, tag, "echo");
  }

  /** Like {@link #echoKind(String, String, String)}, serving the given agent type. */
  static TestPluginJar echoKind(String id, String type, String tag, String agentType) {
    String pkg = "test." + id.replace('-', '_');
    String pattern =
        """
        package PKG;
        import io.ndp.api.*;
        import java.util.*;
        public final class EchoPattern extends AbstractPattern {
          public EchoPattern(String name, String description) { super(name, description); }
          public String type() { return "TYPE"; }
          public Set<String> typeAliases() { return Set.of(); }
          public Set<String> agentTypes() { return Set.of("AGENT"); }
          public MatchResult match(PatternContext c) { return MatchResult.perfect(); }
          public PatternOutcome execute(PatternContext c, ExecutionScope s) {
            try {
              Object out = s.delegates().require("work", name()).execute(c.payload());
              return PatternOutcome.success("TAG:" + out, "echoed");
            } catch (RuntimeException e) {
              throw e;
            } catch (Exception e) {
              return PatternOutcome.failure("work failed: " + e.getMessage(), e);
            }
          }
          public PatternDefinition definition() {
            return new PatternDefinition("TYPE", name(), description(), Map.of());
          }
        }
        """;
    String factory =
        """
        package PKG;
        import io.ndp.api.*;
        import java.util.*;
        public final class EchoFactory implements PatternFactory {
          public String type() { return "TYPE"; }
          public Set<String> aliases() { return Set.of(); }
          public Pattern create(PatternDefinition d) { return new EchoPattern(d.name(), d.description()); }
        }
        """;
    return new TestPluginJar(id)
        .source(pkg + ".EchoPattern", fill(pattern, pkg, type, tag).replace("AGENT", agentType))
        .factory(pkg + ".EchoFactory", fill(factory, pkg, type, tag));
  }

  private static String fill(String s, String pkg, String type, String tag) {
    return s.replace("PKG", pkg).replace("TYPE", type).replace("TAG", tag);
  }
}
