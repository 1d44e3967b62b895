package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.core.PluginReport.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Second review of plugin trust: each test states a promise the fixes do not keep. */
class TrustReview2Test {

  @TempDir Path plugins;
  @TempDir Path conf;
  @TempDir Path elsewhere;

  private static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  private Path allowlist(String content) throws IOException {
    Path f = conf.resolve("trusted-plugins.txt");
    Files.writeString(f, content, StandardCharsets.UTF_8);
    return f;
  }

  /**
   * Loading the same refused JAR a second time refuses it again: one file, one report (its reason
   * refreshed), not a second report keyed {@code id@file} beside the first.
   */
  @Test
  void sameRefusedJar_loadedTwice_hasOneReport() throws Exception {
    Path jar = TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(elsewhere);
    Path list = allowlist("# nothing listed\n");
    try (Ndp ndp =
        Ndp.builder().pluginsDir(plugins).pluginTrust(PluginTrust.allowlist(list)).build()) {
      assertThat(ndp.loadPlugin(jar).status()).isEqualTo(Status.REFUSED);
      assertThat(ndp.loadPlugin(jar).status()).isEqualTo(Status.REFUSED);
      assertThat(ndp.pluginReports())
          .as("reports of the one refused file %s", jar)
          .extracting(PluginReport::pluginId)
          .containsExactly("echo-plugin");
    }
  }

  /**
   * A JAR refused when the folder was read at start and then loaded again by hand is the same file:
   * its report is replaced, not doubled.
   */
  @Test
  void jarRefusedAtStart_loadedAgain_hasOneReport() throws Exception {
    Path jar = TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    Path list = allowlist("# nothing listed\n");
    try (Ndp ndp =
        Ndp.builder().pluginsDir(plugins).pluginTrust(PluginTrust.allowlist(list)).build()) {
      assertThat(ndp.pluginReport("echo-plugin").orElseThrow().status()).isEqualTo(Status.REFUSED);
      ndp.loadPlugin(jar);
      assertThat(ndp.pluginReports()).as("reports of the one refused file %s", jar).hasSize(1);
    }
  }

  /**
   * loadPlugin of the file a running plugin came from, named another way (./echo.jar), is still the
   * same file: it changes nothing and says so, instead of a 'duplicate plugin id' report.
   */
  @Test
  void loadPlugin_ofTheLoadedFileNamedAnotherWay_isAlreadyLoaded_notADuplicate() throws Exception {
    Path jar = TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    Path list = allowlist(sha256(jar) + "  echo-plugin  1.0.0\n");
    try (Ndp ndp =
        Ndp.builder().pluginsDir(plugins).pluginTrust(PluginTrust.allowlist(list)).build()) {
      PluginReport again = ndp.loadPlugin(plugins.resolve(".").resolve(jar.getFileName()));
      assertThat(again.reason()).contains("already loaded from this file");
      assertThat(ndp.pluginReports()).hasSize(1);
    }
  }
}
