package io.ndp.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.pf4j.PluginDescriptor;

/**
 * Which plugin JARs a runtime trusts enough to load, set with {@link Ndp.Builder#pluginTrust}:
 *
 * <ul>
 *   <li>{@link #any()} (the default): every plugin in the folder is loaded, as before; the runtime
 *       logs a warning naming the folder when it starts;
 *   <li>{@link #allowlist(Path)}: the SHA-256 of each JAR must be listed, with its plugin id and
 *       version, in a file the operator keeps;
 *   <li>{@link #signed(KeyStore)}: each JAR must be signed ({@code jarsigner}) by a certificate of
 *       a truststore, every entry of it.
 * </ul>
 *
 * <p>A JAR that fails the check is reported {@link PluginReport.Status#REFUSED} with the reason and
 * is never handed to PF4J: no class of it is ever defined. <b>No gap between check and use:</b>
 * under a verifying policy the runtime copies each JAR into a private folder of its own (created
 * under {@code java.io.tmpdir}, readable by the owner only, deleted by {@link Ndp#close()}),
 * verifies <em>the copy</em> and loads <em>the copy</em>. Whatever happens to the original file
 * after it was copied cannot change the bytes that run; reports keep naming the original path. Only
 * JAR files can be verified: a plugin folder or a PF4J ZIP is refused under a verifying policy.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.2.0
 */
public final class PluginTrust {

  /** One line of an allowlist: the SHA-256 of a JAR and the plugin id and version it must hold. */
  public record AllowedJar(String sha256, String pluginId, String version) {
    /**
     * Validates and normalizes the digest to lower case.
     *
     * @throws IllegalArgumentException naming the value when the digest is not 64 hex digits or the
     *     id or version is null or blank
     */
    public AllowedJar {
      if (sha256 == null || !HEX64.matcher(sha256).matches()) {
        throw new IllegalArgumentException(
            "sha256 must be 64 hex digits (a SHA-256) but was '" + sha256 + "'");
      }
      if (pluginId == null || pluginId.isBlank()) {
        throw new IllegalArgumentException(
            "pluginId of " + sha256 + " must not be blank but was '" + pluginId + "'");
      }
      if (version == null || version.isBlank()) {
        throw new IllegalArgumentException(
            "version of " + sha256 + " must not be blank but was '" + version + "'");
      }
      sha256 = sha256.toLowerCase(Locale.ROOT);
    }
  }

  private static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");
  private static final Pattern BLANKS = Pattern.compile("\\s+");
  private static final PluginTrust ANY = new PluginTrust(Kind.ANY, null, Map.of(), List.of());

  private enum Kind {
    ANY,
    ALLOWLIST,
    SIGNED
  }

  private final Kind kind;
  // The allowlist file, re-read before each check; null for an allowlist given in code.
  private final @Nullable Path file;
  private final Map<String, AllowedJar> allowed;
  private final List<X509Certificate> trusted;

  private PluginTrust(
      Kind kind,
      @Nullable Path file,
      Map<String, AllowedJar> allowed,
      List<X509Certificate> trusted) {
    this.kind = kind;
    this.file = file;
    this.allowed = allowed;
    this.trusted = trusted;
  }

  /**
   * Trusts every plugin: loads them without verification, as NDP always did. The runtime logs a
   * warning naming the plugins folder when it starts with it, on the logger named after this class
   * ({@code io.ndp.core.PluginTrust}), so that a host that tells its users itself can quiet it.
   *
   * @return the policy
   */
  public static PluginTrust any() {
    return ANY;
  }

  /**
   * Trusts the JARs whose SHA-256 is listed in {@code file}, one per line in the {@code sha256sum}
   * format extended with the plugin id and version:
   *
   * <pre>{@code
   * # sha256                                                          plugin-id      version
   * 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08  orders-plugin  1.2.0
   * }</pre>
   *
   * <p>Blank lines and lines starting with {@code #} are ignored. A listed JAR must also say (in
   * its descriptor) the listed id and version. The file is read now, to fail fast, and again before
   * each check, so that an operator can list a new JAR and then {@linkplain Ndp#loadPlugin load} or
   * {@linkplain Ndp#reloadPlugin reload} it; if it cannot be read then, the JARs checked are
   * refused with the reason.
   *
   * @param file the allowlist
   * @return the policy
   * @throws IllegalArgumentException when {@code file} is null, cannot be read, or has a malformed
   *     line (naming the file and the line number)
   */
  public static PluginTrust allowlist(Path file) {
    if (file == null) {
      throw new IllegalArgumentException("allowlist file must not be null");
    }
    return new PluginTrust(Kind.ALLOWLIST, file, readAllowlist(file), List.of());
  }

  /**
   * Trusts the JARs listed here (for hosts that keep the list in code or configuration).
   *
   * @param jars the allowed JARs
   * @return the policy
   * @throws IllegalArgumentException when {@code jars} or an element is null, or one digest is
   *     listed twice with different ids or versions
   */
  public static PluginTrust allowlist(Collection<AllowedJar> jars) {
    if (jars == null) {
      throw new IllegalArgumentException("allowed JARs must not be null");
    }
    Map<String, AllowedJar> byHash = new LinkedHashMap<>();
    for (AllowedJar j : jars) {
      if (j == null) {
        throw new IllegalArgumentException("allowed JARs must not contain null: " + jars);
      }
      AllowedJar earlier = byHash.putIfAbsent(j.sha256(), j);
      if (earlier != null && !earlier.equals(j)) {
        throw new IllegalArgumentException(
            "SHA-256 " + j.sha256() + " is listed twice: as " + earlier + " and as " + j);
      }
    }
    return new PluginTrust(Kind.ALLOWLIST, null, Collections.unmodifiableMap(byHash), List.of());
  }

  /**
   * Trusts the JARs signed ({@code jarsigner}) by a certificate of {@code truststore}, or by a
   * certificate that chains up to one: every entry of the JAR must be signed (the manifest and the
   * signature files excepted) and its digest must match. The truststore's certificates are copied
   * now; later changes to the key store are not seen.
   *
   * @param truststore the trusted certificates (its certificate entries and the certificates of its
   *     key entries)
   * @return the policy
   * @throws IllegalArgumentException when {@code truststore} is null, not loaded, or holds no X.509
   *     certificate
   */
  public static PluginTrust signed(KeyStore truststore) {
    if (truststore == null) {
      throw new IllegalArgumentException("truststore must not be null");
    }
    List<X509Certificate> certs = new ArrayList<>();
    try {
      Enumeration<String> aliases = truststore.aliases();
      while (aliases.hasMoreElements()) {
        Certificate c = truststore.getCertificate(aliases.nextElement());
        if (c instanceof X509Certificate x) {
          certs.add(x);
        }
      }
    } catch (KeyStoreException e) {
      throw new IllegalArgumentException("truststore is not loaded: " + e.getMessage(), e);
    }
    if (certs.isEmpty()) {
      throw new IllegalArgumentException(
          "truststore (type " + truststore.getType() + ") holds no X.509 certificate");
    }
    return new PluginTrust(Kind.SIGNED, null, Map.of(), List.copyOf(certs));
  }

  /** Returns whether this policy checks JARs (false only for {@link #any()}). */
  public boolean verifies() {
    return kind != Kind.ANY;
  }

  @Override
  public String toString() {
    return switch (kind) {
      case ANY -> "PluginTrust.any()";
      case ALLOWLIST ->
          "PluginTrust.allowlist(" + (file == null ? allowed.size() + " JARs" : file) + ")";
      case SIGNED -> "PluginTrust.signed(" + trusted.size() + " certificates)";
    };
  }

  // ---- checking (used by the runtime on its private copy) ----

  /**
   * Checks a JAR.
   *
   * @param copy the runtime's private copy, the bytes that will be loaded
   * @param original the file the operator knows, for the reasons
   * @param descriptor reads the copy's plugin descriptor
   * @return why it is refused, or empty when it may be loaded
   */
  Optional<String> refusal(
      Path copy, Path original, Supplier<Optional<PluginDescriptor>> descriptor) {
    return switch (kind) {
      case ANY -> Optional.empty();
      case ALLOWLIST -> allowlistRefusal(copy, original, descriptor);
      case SIGNED -> signatureRefusal(copy);
    };
  }

  private Optional<String> allowlistRefusal(
      Path copy, Path original, Supplier<Optional<PluginDescriptor>> descriptor) {
    Map<String, AllowedJar> list = allowed;
    if (file != null) {
      try {
        list = readAllowlist(file);
      } catch (IllegalArgumentException e) {
        return Optional.of(e.getMessage());
      }
    }
    String hex;
    try {
      hex = sha256(copy);
    } catch (IOException e) {
      return Optional.of("cannot read " + original + ": " + e);
    }
    AllowedJar entry = list.get(hex);
    if (entry == null) {
      return Optional.of(
          String.format(
              Locale.ROOT,
              "SHA-256 %s of %s is not listed in %s",
              hex,
              original,
              file == null ? "the allowlist given in code" : file));
    }
    Optional<PluginDescriptor> d = descriptor.get();
    String id = d.map(PluginDescriptor::getPluginId).orElse("(no Plugin-Id)");
    String version = d.map(PluginDescriptor::getVersion).orElse("(no Plugin-Version)");
    if (!entry.pluginId().equals(id) || !entry.version().equals(version)) {
      return Optional.of(
          String.format(
              Locale.ROOT,
              "listed as %s %s but the JAR says %s %s",
              entry.pluginId(),
              entry.version(),
              id,
              version));
    }
    return Optional.empty();
  }

  private Optional<String> signatureRefusal(Path copy) {
    boolean anySigned = false;
    try (JarFile jar = new JarFile(copy.toFile(), true)) {
      byte[] buffer = new byte[8192];
      for (JarEntry e : Collections.list(jar.entries())) {
        // Read every entry to its end: that is when JarFile checks its digest.
        try (InputStream in = jar.getInputStream(e)) {
          while (in.read(buffer) >= 0) {
            // drain
          }
        } catch (SecurityException se) {
          return Optional.of("digest mismatch in entry " + e.getName());
        }
        if (e.isDirectory() || isSignatureRelated(e.getName())) {
          continue;
        }
        java.security.CodeSigner[] signers = e.getCodeSigners();
        if (signers == null || signers.length == 0) {
          return Optional.of("unsigned entry " + e.getName());
        }
        anySigned = true;
        Optional<String> untrusted = untrustedSigner(signers);
        if (untrusted.isPresent()) {
          return untrusted;
        }
      }
    } catch (SecurityException e) {
      return Optional.of("invalid signature: " + e.getMessage());
    } catch (IOException e) {
      return Optional.of("not a readable JAR: " + e.getMessage());
    }
    return anySigned ? Optional.empty() : Optional.of("the JAR is not signed (no signed entry)");
  }

  /** Why none of the signers is trusted, naming the first; empty when one is. */
  private Optional<String> untrustedSigner(java.security.CodeSigner[] signers) {
    String first = null;
    for (java.security.CodeSigner s : signers) {
      CertPath path = s.getSignerCertPath();
      List<? extends Certificate> chain = path.getCertificates();
      if (chain.isEmpty() || !(chain.get(0) instanceof X509Certificate leaf)) {
        continue;
      }
      if (trusted.contains(leaf) || chainsToTrusted(path)) {
        return Optional.empty();
      }
      if (first == null) {
        first = leaf.getSubjectX500Principal().getName();
      }
    }
    return Optional.of("untrusted signer " + (first == null ? "(no X.509 certificate)" : first));
  }

  /**
   * Whether the signer's chain validates (PKIX, no revocation check) up to a trusted certificate.
   */
  private boolean chainsToTrusted(CertPath path) {
    try {
      Set<TrustAnchor> anchors = new HashSet<>();
      trusted.forEach(c -> anchors.add(new TrustAnchor(c, null)));
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      CertPath x509 =
          CertificateFactory.getInstance("X.509").generateCertPath(path.getCertificates());
      CertPathValidator.getInstance("PKIX").validate(x509, params);
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** The manifest and signature files, which jarsigner does not (cannot) sign. */
  private static boolean isSignatureRelated(String name) {
    String upper = name.toUpperCase(Locale.ROOT);
    if (!upper.startsWith("META-INF/") || upper.indexOf('/', 9) >= 0) {
      return false;
    }
    return upper.equals("META-INF/MANIFEST.MF")
        || upper.endsWith(".SF")
        || upper.endsWith(".RSA")
        || upper.endsWith(".DSA")
        || upper.endsWith(".EC")
        || upper.startsWith("META-INF/SIG-");
  }

  /** The lower-case hex SHA-256 of a file. */
  static String sha256(Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[8192];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        md.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static Map<String, AllowedJar> readAllowlist(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      String why =
          Files.isDirectory(file)
              ? "it is a folder, not a file"
              : !Files.exists(file)
                  ? "no such file"
                  : e instanceof java.nio.charset.CharacterCodingException
                      ? "it is not UTF-8 text"
                      : String.valueOf(e.getMessage());
      throw new IllegalArgumentException("allowlist " + file + " cannot be read: " + why, e);
    }
    Map<String, AllowedJar> byHash = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (i == 0 && line.startsWith("\uFEFF")) {
        line = line.substring(1).strip(); // a byte-order mark, as some editors write
      }
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = BLANKS.split(line);
      String where = String.format(Locale.ROOT, "allowlist %s line %d: ", file, i + 1);
      if (f.length != 3) {
        problems.add(
            where
                + "expected 'sha256  plugin-id  version' (3 fields) but found "
                + f.length
                + " in '"
                + line
                + "'");
        continue;
      }
      AllowedJar j;
      try {
        j = new AllowedJar(f[0], f[1], f[2]);
      } catch (IllegalArgumentException e) {
        problems.add(where + e.getMessage());
        continue;
      }
      AllowedJar earlier = byHash.putIfAbsent(j.sha256(), j);
      if (earlier != null && !earlier.equals(j)) {
        problems.add(
            where
                + "SHA-256 "
                + j.sha256()
                + " is listed again as "
                + j.pluginId()
                + " "
                + j.version()
                + " (earlier as "
                + earlier.pluginId()
                + " "
                + earlier.version()
                + ")");
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return Collections.unmodifiableMap(byHash);
  }
}
