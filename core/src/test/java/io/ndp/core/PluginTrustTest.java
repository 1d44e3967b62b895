package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.event.NdpListener;
import io.ndp.api.event.PluginFailedEvent;
import io.ndp.core.PluginReport.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import jdk.security.jarsigner.JarSigner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PluginTrust}: only the plugin JARs the host trusts are loaded, with real JARs. */
class PluginTrustTest {

  private static final String PATTERN_CLASS = "test/echo_plugin/EchoPattern.class";

  @TempDir Path plugins;
  @TempDir Path conf;

  private static PatternContext echo(String payload) {
    return PatternContext.builder("orders", "echo").payload(payload).build();
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  private Path allowlist(String... lines) throws IOException {
    Path f = conf.resolve("trusted-plugins.txt");
    Files.writeString(f, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    return f;
  }

  private static String line(Path jar, String id, String version) throws Exception {
    return sha256(jar) + "  " + id + "  " + version;
  }

  private static Ndp withEcho(Ndp ndp) {
    ndp.delegates().register("work", in -> in);
    ndp.register(new PatternDefinition("echo", "e", "", Map.of()));
    return ndp;
  }

  // ---- allowlist ----

  @Test
  void allowlist_listedJar_isLoadedFromAVerifiedPrivateCopy_deletedAtClose() throws Exception {
    Path jar = TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    Path list = allowlist("# trusted plugins", "", line(jar, "echo-plugin", "1.0.0"));
    Path copy;
    try (Ndp ndp =
        withEcho(
            Ndp.builder().pluginsDir(plugins).pluginTrust(PluginTrust.allowlist(list)).build())) {
      PluginReport r = ndp.pluginReport("echo-plugin").orElseThrow();
      assertThat(r.status()).isEqualTo(Status.STARTED);
      assertThat(r.path()).as("the file the operator knows").isEqualTo(jar);
      assertThat(ndp.executor().executeBestPattern(echo("a")).output()).isEqualTo("v1:a");
      Class<?> patternClass = ndp.registry().find("e").orElseThrow().getClass();
      copy = TestPluginJar.codeSource(patternClass);
      assertThat(copy).as("PF4J loaded the private copy").isNotEqualTo(jar).exists();
      assertThat(copy.toString())
          .startsWith(Path.of(System.getProperty("java.io.tmpdir")).toString());
      assertThat(sha256(copy)).isEqualTo(sha256(jar));
    }
    assertThat(copy).as("the private folder is deleted at close").doesNotExist();
  }

  @Test
  void allowlist_oneByteChanged_isRefused_andNeverLoaded() throws Exception {
    Path jar = TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    Path list = allowlist(line(jar, "echo-plugin", "1.0.0"));
    byte[] bytes = Files.readAllBytes(jar);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(jar, bytes);
    try (Ndp ndp =
        Ndp.builder().pluginsDir(plugins).pluginTrust(PluginTrust.allowlist(list)).build()) {
      PluginReport r = ndp.pluginReport("?@echo-plugin-1.0.0.jar").orElseGet(() -> only(ndp));
      assertThat(r.status()).isEqualTo(Status.REFUSED);
      assertThat(r.reason())
          .isEqualTo("SHA-256 " + sha256(jar) + " of " + jar + " is not listed in " + list);
      assertThat(ndp.factories().find("echo")).isEmpty();
    }
  }

  private static PluginReport only(Ndp ndp) {
    assertThat(ndp.pluginReports()).hasSize(1);
    return ndp.pluginReports().get(0);
  }

  @Test
  void allowlist_unlistedJar_isRefusedWithAnEvent_andTheOthersStillLoad() throws Exception {
    Path good = TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    Path bad = TestPluginJar.echoKind("rogue-plugin", "rogue", "r").writeTo(plugins);
    Path list = allowlist(line(good, "echo-plugin", "1.0.0"));
    List<PluginFailedEvent> failed = new CopyOnWriteArrayList<>();
    NdpListener listener =
        new NdpListener() {
          @Override
          public void onPluginFailed(PluginFailedEvent event) {
            failed.add(event);
          }
        };
    try (Ndp ndp =
        withEcho(
            Ndp.builder()
                .pluginsDir(plugins)
                .pluginTrust(PluginTrust.allowlist(list))
                .listener(listener)
                .build())) {
      PluginReport r = ndp.pluginReport("rogue-plugin").orElseThrow();
      assertThat(r.status()).isEqualTo(Status.REFUSED);
      assertThat(r.path()).isEqualTo(bad);
      assertThat(r.reason())
          .isEqualTo("SHA-256 " + sha256(bad) + " of " + bad + " is not listed in " + list);
      assertThat(ndp.factories().find("rogue")).as("no class of it is defined").isEmpty();
      assertThat(ndp.pluginReport("echo-plugin").orElseThrow().status()).isEqualTo(Status.STARTED);
      assertThat(ndp.executor().executeBestPattern(echo("a")).output()).isEqualTo("v1:a");
      assertThat(failed)
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.pluginId()).isEqualTo("rogue-plugin");
                assertThat(e.state()).isEqualTo("REFUSED");
                assertThat(e.reason()).isEqualTo(r.reason());
              });
    }
  }

  @Test
  void allowlist_listedWithAnotherId_isRefused() throws Exception {
    Path jar = TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    Path list = allowlist(line(jar, "orders-plugin", "1.0.0"));
    try (Ndp ndp =
        Ndp.builder().pluginsDir(plugins).pluginTrust(PluginTrust.allowlist(list)).build()) {
      PluginReport r = ndp.pluginReport("echo-plugin").orElseThrow();
      assertThat(r.status()).isEqualTo(Status.REFUSED);
      assertThat(r.reason())
          .isEqualTo("listed as orders-plugin 1.0.0 but the JAR says echo-plugin 1.0.0");
      assertThat(ndp.factories().find("echo")).isEmpty();
    }
  }

  @Test
  void allowlist_givenInCode_works_andNamesItselfInTheReason() throws Exception {
    Path jar = TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    Path other = TestPluginJar.echoKind("rogue-plugin", "rogue", "r").writeTo(plugins);
    PluginTrust trust =
        PluginTrust.allowlist(
            List.of(new PluginTrust.AllowedJar(sha256(jar).toUpperCase(), "echo-plugin", "1.0.0")));
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).pluginTrust(trust).build()) {
      assertThat(ndp.pluginReport("echo-plugin").orElseThrow().status()).isEqualTo(Status.STARTED);
      assertThat(ndp.pluginReport("rogue-plugin").orElseThrow().reason())
          .isEqualTo(
              "SHA-256 "
                  + sha256(other)
                  + " of "
                  + other
                  + " is not listed in the allowlist given in code");
    }
  }

  @Test
  void allowlist_malformedLine_failsFastNamingTheFileAndLine() throws Exception {
    Path list =
        allowlist(
            "# header",
            "",
            "abc123  echo-plugin  1.0.0",
            "0000000000000000000000000000000000000000000000000000000000000000  only-two");
    assertThatThrownBy(() -> PluginTrust.allowlist(list))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("allowlist " + list + " line 3: sha256 must be 64 hex digits")
        .hasMessageContaining("'abc123'")
        .hasMessageContaining(
            "allowlist " + list + " line 4: expected 'sha256  plugin-id  version'");
  }

  @Test
  void allowlist_badArguments_areNamed() {
    assertThatThrownBy(() -> PluginTrust.allowlist((Path) null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("allowlist file must not be null");
    Path missing = conf.resolve("missing.txt");
    assertThatThrownBy(() -> PluginTrust.allowlist(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("allowlist " + missing + " cannot be read");
    assertThatThrownBy(() -> PluginTrust.signed(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("truststore must not be null");
    assertThatThrownBy(() -> Ndp.builder().pluginTrust(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pluginTrust must not be null");
  }

  @Test
  void allowlist_zipPlugin_isRefused_onlyJarsCanBeVerified() throws Exception {
    Path zip = TestPluginJar.echoKind("zip-plugin", "echo", "z").writeZipTo(plugins);
    Path list = allowlist(line(zip, "zip-plugin", "1.0.0"));
    try (Ndp ndp =
        Ndp.builder().pluginsDir(plugins).pluginTrust(PluginTrust.allowlist(list)).build()) {
      PluginReport r = ndp.pluginReport("zip-plugin").orElseThrow();
      assertThat(r.status()).isEqualTo(Status.REFUSED);
      assertThat(r.reason())
          .isEqualTo(
              "only JAR files can be verified, and "
                  + zip
                  + " is a PF4J ZIP; package the plugin as a JAR");
      assertThat(ndp.factories().find("echo")).isEmpty();
    }
  }

  // ---- no gap between check and load ----

  @Test
  void jarSwappedAfterVerification_theVerifiedBytesAreWhatRuns() throws Exception {
    Path jar = TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    Path list = allowlist(line(jar, "echo-plugin", "1.0.0"));
    Path evilDir = Files.createDirectory(conf.resolve("evil"));
    Path evil = TestPluginJar.echoKind("echo-plugin", "echo", "evil").writeTo(evilDir);
    try (Ndp ndp =
        withEcho(
            Ndp.builder()
                .pluginsDir(plugins)
                .pluginTrust(PluginTrust.allowlist(list))
                .afterPluginVerified(
                    original -> {
                      try {
                        Files.copy(
                            evil, original, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                      } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                      }
                    })
                .build())) {
      assertThat(sha256(jar)).as("the original was swapped").isEqualTo(sha256(evil));
      assertThat(ndp.pluginReport("echo-plugin").orElseThrow().status()).isEqualTo(Status.STARTED);
      assertThat(ndp.executor().executeBestPattern(echo("a")).output())
          .as("the verified version runs, not the swapped one")
          .isEqualTo("v1:a");
    }
  }

  // ---- hot-add and reload ----

  @Test
  void reload_ofAChangedUnlistedJar_isRefused_andTheOldVersionKeepsServing() throws Exception {
    Path jar = TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    Path list = allowlist(line(jar, "echo-plugin", "1.0.0"));
    try (Ndp ndp =
        withEcho(
            Ndp.builder().pluginsDir(plugins).pluginTrust(PluginTrust.allowlist(list)).build())) {
      TestPluginJar.echoKind("echo-plugin", "echo", "v2").writeTo(plugins);

      assertThatThrownBy(() -> ndp.reloadPlugin("echo-plugin"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "plugin 'echo-plugin' not reloaded: "
                  + jar
                  + " is refused by the trust policy: SHA-256 "
                  + sha256(jar)
                  + " of "
                  + jar
                  + " is not listed in "
                  + list
                  + "; nothing changed, the loaded version keeps serving");
      assertThat(ndp.pluginReport("echo-plugin").orElseThrow().status()).isEqualTo(Status.STARTED);
      assertThat(ndp.executor().executeBestPattern(echo("a")).output()).isEqualTo("v1:a");

      // The operator lists the new JAR: the allowlist is read again, the reload goes through.
      Path oldCopy = TestPluginJar.codeSource(ndp.registry().find("e").orElseThrow().getClass());
      allowlist(line(jar, "echo-plugin", "1.0.0"));
      assertThat(ndp.reloadPlugin("echo-plugin").status()).isEqualTo(Status.STARTED);
      assertThat(ndp.executor().executeBestPattern(echo("b")).output()).isEqualTo("v2:b");
      assertThat(ndp.pluginReport("echo-plugin").orElseThrow().path()).isEqualTo(jar);
      assertThat(oldCopy).as("the unloaded version's copy is deleted").doesNotExist();
    }
  }

  @Test
  void loadPlugin_ofAnUnlistedJar_isRefused_andAListedOneLoads() throws Exception {
    Path list = allowlist("# empty at first");
    Path dropped = Files.createDirectory(conf.resolve("dropped"));
    try (Ndp ndp =
        Ndp.builder().pluginsDir(plugins).pluginTrust(PluginTrust.allowlist(list)).build()) {
      ndp.delegates().register("work", in -> in);
      Path jar = TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(dropped);

      PluginReport r = ndp.loadPlugin(jar);
      assertThat(r.status()).isEqualTo(Status.REFUSED);
      assertThat(r.pluginId()).isEqualTo("echo-plugin");
      assertThat(r.reason())
          .isEqualTo("SHA-256 " + sha256(jar) + " of " + jar + " is not listed in " + list);
      assertThat(ndp.factories().find("echo")).isEmpty();

      allowlist(line(jar, "echo-plugin", "1.0.0"));
      assertThat(ndp.loadPlugin(jar).status()).isEqualTo(Status.STARTED);
      ndp.register(new PatternDefinition("echo", "e", "", Map.of()));
      assertThat(ndp.executor().executeBestPattern(echo("a")).output()).isEqualTo("v1:a");
    }
  }

  // ---- signatures ----

  /** A key pair with a self-signed certificate, made by the JDK's keytool. */
  private record Signer(PrivateKey key, Certificate[] chain) {
    KeyStore truststore() throws Exception {
      KeyStore ts = KeyStore.getInstance("PKCS12");
      ts.load(null, null);
      ts.setCertificateEntry("trusted", chain[0]);
      return ts;
    }

    void sign(Path jar) throws Exception {
      JarSigner signer =
          new JarSigner.Builder(
                  key,
                  CertificateFactory.getInstance("X.509").generateCertPath(Arrays.asList(chain)))
              .digestAlgorithm("SHA-256")
              .build();
      Path signed = jar.resolveSibling(jar.getFileName() + ".signed");
      try (ZipFile in = new ZipFile(jar.toFile());
          OutputStream out = Files.newOutputStream(signed)) {
        signer.sign(in, out);
      }
      Files.move(signed, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private Signer signer(String cn) throws Exception {
    Path ks = conf.resolve(cn.replace(' ', '_') + ".p12");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "signer",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=" + cn,
                "-validity",
                "30",
                "-storetype",
                "PKCS12",
                "-keystore",
                ks.toString(),
                "-storepass",
                "changeit",
                "-keypass",
                "changeit")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(ks)) {
      store.load(in, "changeit".toCharArray());
    }
    return new Signer(
        (PrivateKey) store.getKey("signer", "changeit".toCharArray()),
        store.getCertificateChain("signer"));
  }

  /** Rewrites a JAR entry by entry, replacing or adding entries. */
  private static void rewrite(Path jar, Map<String, byte[]> replace) throws IOException {
    Path out = jar.resolveSibling(jar.getFileName() + ".new");
    try (ZipFile in = new ZipFile(jar.toFile());
        ZipOutputStream zos = new ZipOutputStream(Files.newOutputStream(out))) {
      for (ZipEntry e : java.util.Collections.list(in.entries())) {
        zos.putNextEntry(new ZipEntry(e.getName()));
        byte[] b = replace.containsKey(e.getName()) ? replace.get(e.getName()) : null;
        zos.write(b != null ? b : in.getInputStream(e).readAllBytes());
        zos.closeEntry();
      }
      for (Map.Entry<String, byte[]> add : replace.entrySet()) {
        if (in.getEntry(add.getKey()) == null) {
          zos.putNextEntry(new ZipEntry(add.getKey()));
          zos.write(add.getValue());
          zos.closeEntry();
        }
      }
    }
    Files.move(out, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static byte[] entry(Path jar, String name) throws IOException {
    try (ZipFile z = new ZipFile(jar.toFile())) {
      return z.getInputStream(z.getEntry(name)).readAllBytes();
    }
  }

  @Test
  void signed_byATrustedKey_isLoaded_byAnotherKey_isRefused() throws Exception {
    Signer trusted = signer("Trusted Signer");
    Signer other = signer("Mallory");
    Path good = TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    trusted.sign(good);
    Path bad = TestPluginJar.echoKind("rogue-plugin", "rogue", "r").writeTo(plugins);
    other.sign(bad);
    try (Ndp ndp =
        withEcho(
            Ndp.builder()
                .pluginsDir(plugins)
                .pluginTrust(PluginTrust.signed(trusted.truststore()))
                .build())) {
      assertThat(ndp.pluginReport("echo-plugin").orElseThrow().status()).isEqualTo(Status.STARTED);
      assertThat(ndp.executor().executeBestPattern(echo("a")).output()).isEqualTo("v1:a");
      PluginReport r = ndp.pluginReport("rogue-plugin").orElseThrow();
      assertThat(r.status()).isEqualTo(Status.REFUSED);
      assertThat(r.reason()).isEqualTo("untrusted signer CN=Mallory");
      assertThat(ndp.factories().find("rogue")).isEmpty();
    }
  }

  @Test
  void signed_withAnUnsignedClassAdded_isRefused() throws Exception {
    Signer trusted = signer("Trusted Signer");
    Path jar = TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    trusted.sign(jar);
    rewrite(jar, Map.of("test/echo_plugin/Extra.class", entry(jar, PATTERN_CLASS)));
    try (Ndp ndp =
        Ndp.builder()
            .pluginsDir(plugins)
            .pluginTrust(PluginTrust.signed(trusted.truststore()))
            .build()) {
      PluginReport r = ndp.pluginReport("echo-plugin").orElseThrow();
      assertThat(r.status()).isEqualTo(Status.REFUSED);
      assertThat(r.reason()).isEqualTo("unsigned entry test/echo_plugin/Extra.class");
      assertThat(ndp.factories().find("echo")).isEmpty();
    }
  }

  @Test
  void signed_withAnEntryChangedAfterSigning_isRefused() throws Exception {
    Signer trusted = signer("Trusted Signer");
    Path jar = TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    trusted.sign(jar);
    Path evil =
        TestPluginJar.echoKind("echo-plugin", "echo", "evil")
            .writeTo(Files.createDirectory(conf.resolve("evil")));
    rewrite(jar, Map.of(PATTERN_CLASS, entry(evil, PATTERN_CLASS)));
    try (Ndp ndp =
        Ndp.builder()
            .pluginsDir(plugins)
            .pluginTrust(PluginTrust.signed(trusted.truststore()))
            .build()) {
      PluginReport r = ndp.pluginReport("echo-plugin").orElseThrow();
      assertThat(r.status()).isEqualTo(Status.REFUSED);
      assertThat(r.reason()).startsWith("digest mismatch in entry " + PATTERN_CLASS);
      assertThat(ndp.factories().find("echo")).isEmpty();
    }
  }

  @Test
  void signed_withTheManifestsPluginIdChangedAfterSigning_isRefused() throws Exception {
    Signer trusted = signer("Trusted Signer");
    Path jar = TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    trusted.sign(jar);
    String manifest =
        new String(entry(jar, "META-INF/MANIFEST.MF"), StandardCharsets.UTF_8)
            .replace("Plugin-Id: echo-plugin", "Plugin-Id: other-plugin");
    rewrite(jar, Map.of("META-INF/MANIFEST.MF", manifest.getBytes(StandardCharsets.UTF_8)));
    try (Ndp ndp =
        Ndp.builder()
            .pluginsDir(plugins)
            .pluginTrust(PluginTrust.signed(trusted.truststore()))
            .build()) {
      PluginReport r = only(ndp);
      assertThat(r.status()).isEqualTo(Status.REFUSED);
      assertThat(ndp.factories().find("echo")).isEmpty();
    }
  }

  @Test
  void allowlist_pluginFolder_isRefused_andReported() throws Exception {
    Path dir = Files.createDirectories(plugins.resolve("folder-plugin"));
    Files.createDirectories(dir.resolve("META-INF"));
    Files.writeString(
        dir.resolve("plugin.properties"), "plugin.id=folder-plugin\nplugin.version=1.0.0\n");
    Path list = allowlist("# none");
    try (Ndp ndp =
        Ndp.builder().pluginsDir(plugins).pluginTrust(PluginTrust.allowlist(list)).build()) {
      PluginReport r = only(ndp);
      assertThat(r.status()).isEqualTo(Status.REFUSED);
      assertThat(r.path()).isEqualTo(dir);
      assertThat(r.reason())
          .isEqualTo(
              "only JAR files can be verified, and "
                  + dir
                  + " is a folder; package the plugin as"
                  + " a JAR");
    }
  }

  @Test
  void signed_unsignedJar_isRefused() throws Exception {
    Signer trusted = signer("Trusted Signer");
    TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    try (Ndp ndp =
        Ndp.builder()
            .pluginsDir(plugins)
            .pluginTrust(PluginTrust.signed(trusted.truststore()))
            .build()) {
      PluginReport r = ndp.pluginReport("echo-plugin").orElseThrow();
      assertThat(r.status()).isEqualTo(Status.REFUSED);
      assertThat(r.reason()).startsWith("unsigned entry ");
    }
  }

  // ---- the default ----

  @Test
  void any_isTheDefault_loadsAsBefore_andWarnsNamingTheFolder() throws Exception {
    Path jar = TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    Ndp ndp;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      ndp = withEcho(Ndp.builder().pluginsDir(plugins).build());
    } finally {
      System.setErr(err);
    }
    try (ndp) {
      PluginReport r = ndp.pluginReport("echo-plugin").orElseThrow();
      assertThat(r.status()).isEqualTo(Status.STARTED);
      assertThat(TestPluginJar.codeSource(ndp.registry().find("e").orElseThrow().getClass()))
          .as("loaded from the folder, no copy")
          .isEqualTo(jar);
      assertThat(captured.toString(StandardCharsets.UTF_8))
          .contains(
              "plugins in "
                  + plugins
                  + " are loaded without verification; set pluginTrust to an allowlist or"
                  + " signatures");
    }
    assertThat(PluginTrust.any().verifies()).isFalse();
  }
}
