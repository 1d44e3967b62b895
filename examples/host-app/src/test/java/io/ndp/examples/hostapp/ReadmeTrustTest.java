package io.ndp.examples.hostapp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.core.Ndp;
import io.ndp.core.PluginReport;
import io.ndp.core.PluginTrust;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Trusting plugins" commands, run as written (bash, unzip, sha256sum, keytool,
 * jarsigner): the allowlist they write lets the main job run under {@code --trusted-plugins}, a
 * list without one kind refuses that JAR; the JAR they sign loads under {@code PluginTrust.signed},
 * an unsigned copy does not.
 */
class ReadmeTrustTest {

  private static final Path PLUGINS = Path.of("target", "plugins").toAbsolutePath();
  private static final Path README = Path.of("..", "..", "README.md");

  @TempDir Path dir;

  private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

  @Test
  void theAllowlistTheReadmeWrites_letsTheJobRun_andOneLeftOut_isRefused() throws Exception {
    Path list = dir.resolve("trusted-plugins.txt");
    bash(block("trust-allowlist"), Map.of("PLUGINS", PLUGINS.toString(), "LIST", list.toString()));
    List<String> lines = Files.readAllLines(list);
    assertThat(lines).hasSize(4);
    assertThat(lines)
        .anyMatch(l -> l.matches("[0-9a-f]{64}  ndp-sequential  \\S+"))
        .anyMatch(l -> l.matches("[0-9a-f]{64}  evaluator-optimizer  1\\.0\\.0"));

    int code = run("--trusted-plugins", list.toString());
    assertThat(code).as("stdout: %s%nstderr: %s", out(), err()).isZero();
    assertThat(out()).contains("4 started").doesNotContain("REFUSED");

    // The sequential kind left out: its JAR is refused, and the job, which needs it, stops.
    Path partial = dir.resolve("partial.txt");
    Files.write(
        partial,
        lines.stream().filter(l -> !l.contains("ndp-sequential")).collect(Collectors.toList()));
    stdout.reset();
    stderr.reset();
    assertThat(run("--trusted-plugins", partial.toString())).isEqualTo(2);
    assertThat(out()).containsPattern("ndp-sequential\\s+REFUSED").contains("not listed");
    assertThat(err()).contains("provides no pattern kind sequential");
  }

  @Test
  void aMalformedList_isAUsageErrorNamingTheLine() throws Exception {
    Path list = dir.resolve("bad.txt");
    Files.writeString(list, "# trusted\nnot-a-hash  x  1.0\n");
    assertThat(run("--trusted-plugins", list.toString())).isEqualTo(2);
    assertThat(err()).contains("--trusted-plugins").contains("line 2");
    assertThat(err()).doesNotContain("Exception");
  }

  @Test
  void theJarTheReadmeSigns_loads_andAnUnsignedCopyIsRefused() throws Exception {
    Path signedDir = Files.createDirectories(dir.resolve("signed"));
    Path unsignedDir = Files.createDirectories(dir.resolve("unsigned"));
    Path original = PLUGINS.resolve(onePluginJar());
    Path jar = Files.copy(original, signedDir.resolve(original.getFileName()));
    Files.copy(original, unsignedDir.resolve(original.getFileName()));

    String output = bash(block("trust-signing"), Map.of("JAR", jar.toString()));
    assertThat(output).contains("jar verified");

    KeyStore trusted =
        KeyStore.getInstance(
            new File(dir.resolve("trusted.p12").toString()), "changeit".toCharArray());
    try (Ndp ndp =
        Ndp.builder().pluginsDir(signedDir).pluginTrust(PluginTrust.signed(trusted)).build()) {
      assertThat(ndp.pluginReports())
          .extracting(PluginReport::status)
          .containsOnly(PluginReport.Status.STARTED);
    }
    try (Ndp ndp =
        Ndp.builder().pluginsDir(unsignedDir).pluginTrust(PluginTrust.signed(trusted)).build()) {
      PluginReport r = ndp.pluginReports().get(0);
      assertThat(r.status()).isEqualTo(PluginReport.Status.REFUSED);
      assertThat(r.reason()).containsIgnoringCase("unsigned");
    }
  }

  /** The sequential kind's JAR, the smallest of the four. */
  private static String onePluginJar() throws IOException {
    try (var files = Files.list(PLUGINS)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("ndp-pattern-sequential"))
          .findFirst()
          .orElseThrow();
    }
  }

  /** The bash block after {@code <!-- readme:NAME -->} in the README. */
  private static String block(String name) throws IOException {
    String readme = Files.readString(README);
    Matcher m =
        java.util.regex.Pattern.compile(
                "<!-- readme:" + name + " -->\\s*```bash\\n(.*?)```",
                java.util.regex.Pattern.DOTALL)
            .matcher(readme);
    assertThat(m.find()).as("README block %s", name).isTrue();
    return m.group(1);
  }

  private String bash(String script, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", "-euo", "pipefail", "-c", script);
    pb.directory(dir.toFile());
    pb.redirectErrorStream(true);
    pb.environment().putAll(env);
    // keytool and jarsigner of the JDK running the tests
    String javaBin = Path.of(System.getProperty("java.home"), "bin").toString();
    pb.environment().put("PATH", javaBin + File.pathSeparator + System.getenv("PATH"));
    Process p = pb.start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    return output;
  }

  private int run(String... extra) {
    String[] base = {
      "--out", dir.resolve("out").toString(), "--in-memory", "--plugins", PLUGINS.toString()
    };
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return Cli.execute(
        args, new PrintStream(stdout, true, UTF_8), new PrintStream(stderr, true, UTF_8), () -> {});
  }

  private String out() {
    return stdout.toString(UTF_8);
  }

  private String err() {
    return stderr.toString(UTF_8);
  }
}
