package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.ndp.core.PluginReport.Status;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Review of plugin integrity (issue 18): each test states a promise the change does not keep. */
class TrustReviewTest {

  @TempDir Path plugins;
  @TempDir Path conf;
  @TempDir Path elsewhere;

  private static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  private static String line(Path jar, String id, String version) throws Exception {
    return sha256(jar) + "  " + id + "  " + version;
  }

  private Path allowlist(String content) throws IOException {
    Path f = conf.resolve("trusted-plugins.txt");
    Files.writeString(f, content, StandardCharsets.UTF_8);
    return f;
  }

  /**
   * An allowlist saved by an editor that writes a UTF-8 byte order mark (Windows Notepad, some
   * PowerShell versions) is the same list: the BOM is not part of the first digest or comment.
   */
  @Test
  void allowlist_withAUtf8ByteOrderMark_isReadAsWithout() throws Exception {
    Path jar = TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    Path list = allowlist("\uFEFF" + line(jar, "echo-plugin", "1.0.0") + "\r\n");
    assertThatCode(() -> PluginTrust.allowlist(list))
        .as("a BOM at the start of the allowlist is not a malformed digest")
        .doesNotThrowAnyException();
    try (Ndp ndp =
        Ndp.builder().pluginsDir(plugins).pluginTrust(PluginTrust.allowlist(list)).build()) {
      assertThat(ndp.pluginReport("echo-plugin").orElseThrow().status()).isEqualTo(Status.STARTED);
    }
  }

  /**
   * A listed plugin whose required dependency is refused is UNRESOLVED, and the reason says the
   * dependency was refused by the trust policy, not that it is missing (its JAR is right there).
   */
  @Test
  void dependentOfARefusedPlugin_isUnresolved_withAReasonNamingTheRefusal() throws Exception {
    TestPluginJar.echoKind("base-plugin", "base", "b").writeTo(plugins); // not listed
    Path dependent =
        TestPluginJar.echoKind("dep-plugin", "dep", "d")
            .dependencies("base-plugin")
            .writeTo(plugins);
    Path list = allowlist(line(dependent, "dep-plugin", "1.0.0") + "\n");
    try (Ndp ndp =
        Ndp.builder().pluginsDir(plugins).pluginTrust(PluginTrust.allowlist(list)).build()) {
      assertThat(ndp.pluginReport("base-plugin").orElseThrow().status()).isEqualTo(Status.REFUSED);
      PluginReport r = ndp.pluginReport("dep-plugin").orElseThrow();
      assertThat(r.status()).isEqualTo(Status.UNRESOLVED);
      assertThat(r.reason())
          .as("the dependency's JAR is in the folder: it was refused, not missing")
          .contains("base-plugin")
          .contains("refused")
          .doesNotContain("missing");
    }
  }

  /**
   * Every refused file gets its own report: two JARs in the folder that are not listed and claim
   * the same plugin id (an old and a new version) are both reported REFUSED, each with its path.
   */
  @Test
  void twoRefusedJarsClaimingOneId_eachGetAReport() throws Exception {
    Path old = TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    Path newer =
        TestPluginJar.echoKind("echo-plugin", "echo", "v2").version("1.1.0").writeTo(plugins);
    Path list = allowlist("# nothing listed yet\n");
    try (Ndp ndp =
        Ndp.builder().pluginsDir(plugins).pluginTrust(PluginTrust.allowlist(list)).build()) {
      List<Path> refused =
          ndp.pluginReports().stream()
              .filter(r -> r.status() == Status.REFUSED)
              .map(PluginReport::path)
              .toList();
      assertThat(refused)
          .as("both refused files are reported, not one overwriting the other")
          .containsExactlyInAnyOrder(old, newer);
    }
  }

  /**
   * The verified bytes are the bytes that run: an allowlisted JAR whose manifest has a {@code
   * Class-Path} naming a JAR outside must not make the plugin's class loader define classes from
   * that unverified JAR (which anyone able to write it can change at any time). Expected: refused,
   * or at least no class from outside the verified copy is defined.
   */
  @Test
  void manifestClassPath_pointingOutside_runsNoUnverifiedCode() throws Exception {
    // The code that runs, outside the plugins folder, never checked by anyone.
    Path outside = TestPluginJar.echoKind("outside", "evil", "evil").writeTo(elsewhere);
    // The plugin the operator lists: no class at all, a services file naming the outside factory
    // and a Class-Path to the outside JAR.
    Path jar = plugins.resolve("cp-plugin-1.0.0.jar");
    Manifest mf = new Manifest();
    Attributes a = mf.getMainAttributes();
    a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    a.putValue("Plugin-Id", "cp-plugin");
    a.putValue("Plugin-Version", "1.0.0");
    a.putValue("Plugin-Provider", "tests");
    a.putValue("Plugin-Requires", ">=0.2.0 & <0.3.0");
    a.put(Attributes.Name.CLASS_PATH, outside.toUri().toString());
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream jos = new JarOutputStream(out, mf)) {
      jos.putNextEntry(new JarEntry("META-INF/services/"));
      jos.closeEntry();
      jos.putNextEntry(new JarEntry("META-INF/services/io.ndp.api.PatternFactory"));
      jos.write("test.outside.EchoFactory\n".getBytes(StandardCharsets.UTF_8));
      jos.closeEntry();
    }
    Path list = allowlist(line(jar, "cp-plugin", "1.0.0") + "\n");
    try (Ndp ndp =
        Ndp.builder().pluginsDir(plugins).pluginTrust(PluginTrust.allowlist(list)).build()) {
      assertThat(ndp.factories().find("evil"))
          .as(
              "a factory class defined from %s, which no check read (report: %s)",
              outside, ndp.pluginReport("cp-plugin"))
          .isEmpty();
    }
  }

  /**
   * A verified copy that is not loaded serves no one: a hot-added JAR left out because a dependency
   * is missing leaves no copy behind in the runtime's private folder (as an unloaded plugin's copy
   * is deleted at once).
   */
  @Test
  void hotAdd_leftOutAfterVerification_leavesNoCopyInThePrivateFolder() throws Exception {
    Path jar =
        TestPluginJar.echoKind("dep-plugin", "dep", "d")
            .dependencies("base-plugin")
            .writeTo(elsewhere);
    Path list = allowlist(line(jar, "dep-plugin", "1.0.0") + "\n");
    try (Ndp ndp =
        Ndp.builder().pluginsDir(plugins).pluginTrust(PluginTrust.allowlist(list)).build()) {
      PluginReport r = ndp.loadPlugin(jar);
      assertThat(r.status()).isEqualTo(Status.UNRESOLVED);
      Path dir = privateDir(ndp);
      List<Path> copies;
      if (dir == null || !Files.exists(dir)) {
        copies = List.of();
      } else {
        try (Stream<Path> walk = Files.walk(dir)) {
          copies = walk.filter(Files::isRegularFile).toList();
        }
      }
      assertThat(copies).as("verified copies of plugins that are not loaded").isEmpty();
    }
  }

  /** A build that fails after the plugins were verified leaves no verified copy behind. */
  @Test
  void failedBuild_leavesNoVerifiedCopyInTheTempFolder() throws Exception {
    Path jar = TestPluginJar.echoKind("failed-build-probe", "probe", "p").writeTo(plugins);
    Path list = allowlist(line(jar, "failed-build-probe", "1.0.0") + "\n");
    List<Path> before = copiesNamed(jar.getFileName().toString());
    io.ndp.api.PatternDefinitionStore broken =
        new io.ndp.api.PatternDefinitionStore() {
          @Override
          public void store(io.ndp.api.PatternDefinition definition) {}

          @Override
          public java.util.Optional<io.ndp.api.PatternDefinition> find(String name) {
            return java.util.Optional.empty();
          }

          @Override
          public List<io.ndp.api.PatternDefinition> findByType(String type) {
            return List.of();
          }

          @Override
          public List<io.ndp.api.PatternDefinition> findAll() {
            throw new IllegalStateException("the definition store is down");
          }

          @Override
          public boolean remove(String name) {
            return false;
          }
        };
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                Ndp.builder()
                    .pluginsDir(plugins)
                    .pluginTrust(PluginTrust.allowlist(list))
                    .definitionStore(broken)
                    .build())
        .hasMessageContaining("the definition store is down");
    List<Path> after = new java.util.ArrayList<>(copiesNamed(jar.getFileName().toString()));
    after.removeAll(before);
    for (Path leftover : after) {
      // Tidy up what the runtime left, then state it should not have.
      Path root = leftover.getParent().getParent();
      try (Stream<Path> w = Files.walk(root)) {
        for (Path f : w.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(f);
        }
      }
    }
    assertThat(after).as("verified copies left in java.io.tmpdir by a build that failed").isEmpty();
  }

  private static List<Path> copiesNamed(String name) throws IOException {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    try (Stream<Path> dirs = Files.list(tmp)) {
      List<Path> out = new java.util.ArrayList<>();
      for (Path d :
          dirs.filter(d -> d.getFileName().toString().startsWith("ndp-plugins-")).toList()) {
        try (Stream<Path> w = Files.walk(d)) {
          w.filter(f -> f.getFileName().toString().equals(name)).forEach(out::add);
        } catch (IOException | RuntimeException e) {
          // not ours
        }
      }
      return out;
    }
  }

  /**
   * Reports name the file the operator knows, never the runtime's private copy: hot-adding a JAR
   * PF4J cannot load (here, the one already loaded) gives a reason that names the given file, not
   * the copies under the private folder (which also holds no copy of the file not loaded).
   */
  @Test
  void hotAdd_notLoadedByPf4j_reasonNamesTheOriginal_notThePrivateCopies() throws Exception {
    Path jar = TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    Path list = allowlist(line(jar, "echo-plugin", "1.0.0") + "\n");
    try (Ndp ndp =
        Ndp.builder().pluginsDir(plugins).pluginTrust(PluginTrust.allowlist(list)).build()) {
      PluginReport again = ndp.loadPlugin(jar);
      Path dir = privateDir(ndp);
      List<Path> copies;
      try (Stream<Path> walk = Files.walk(dir)) {
        copies = walk.filter(Files::isRegularFile).toList();
      }
      org.assertj.core.api.SoftAssertions.assertSoftly(
          soft -> {
            soft.assertThat(again.reason())
                .as("the reason of %s", again.pluginId())
                .doesNotContain(dir.toString());
            soft.assertThat(copies).as("copies in the private folder").hasSize(1);
          });
    }
  }

  private static Path privateDir(Ndp ndp) throws Exception {
    Field g = Ndp.class.getDeclaredField("trustGate");
    g.setAccessible(true);
    Object gate = g.get(ndp);
    Field d = TrustGate.class.getDeclaredField("dir");
    d.setAccessible(true);
    return (Path) d.get(gate);
  }
}
