package io.ndp.core;

import io.ndp.core.internal.NdpPluginManager;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.pf4j.PluginDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a verifying {@link PluginTrust} to plugin files: copies each into a private folder of one
 * runtime, checks the copy, and hands PF4J the copy, so that the bytes checked are the bytes
 * loaded. The folder is created under {@code java.io.tmpdir} on first use, readable by the owner
 * only, and deleted by {@link #close()}.
 *
 * <p>Thread-safe (calls are serialized).
 */
final class TrustGate implements NdpPluginManager.Gate, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TrustGate.class);

  private final PluginTrust trust;
  // Called with the original once its copy is verified and before it is loaded (tests swap it).
  private final Consumer<Path> afterVerified;
  private @Nullable Path dir;
  private int copies;
  private boolean closed;

  TrustGate(PluginTrust trust, Consumer<Path> afterVerified) {
    this.trust = trust;
    this.afterVerified = afterVerified;
  }

  @Override
  public synchronized NdpPluginManager.Verdict check(
      Path original, Function<Path, Optional<PluginDescriptor>> descriptors) {
    if (Files.isDirectory(original)) {
      // PF4J unpacks plugins/x.zip into plugins/x before anyone sees it: name the ZIP then.
      Path zip = original.resolveSibling(original.getFileName() + ".zip");
      return NdpPluginManager.Verdict.refused(
          idOf(descriptors.apply(original)),
          "only JAR files can be verified, and "
              + (Files.isRegularFile(zip) ? zip + " is a PF4J ZIP" : original + " is a folder")
              + "; package the plugin as a JAR");
    }
    if (!Files.isRegularFile(original)) {
      return NdpPluginManager.Verdict.refused(null, "cannot read " + original + ": no such file");
    }
    if (!original.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jar")) {
      return NdpPluginManager.Verdict.refused(
          null, "only JAR files can be verified, and " + original + " is not a .jar");
    }
    if (closed) {
      return NdpPluginManager.Verdict.refused(null, "the runtime is closed");
    }
    Path copy;
    try {
      Path sub = Files.createDirectory(privateDir().resolve(Integer.toString(copies++)));
      restrict(sub, "rwx------");
      // One read of the original: from now on only the copy counts.
      copy = Files.copy(original, sub.resolve(original.getFileName().toString()));
      restrict(copy, "r--------");
    } catch (IOException | RuntimeException e) {
      return NdpPluginManager.Verdict.refused(
          null, "cannot copy " + original + " to verify it: " + e);
    }
    Optional<String> refusal = trust.refusal(copy, original, () -> descriptors.apply(copy));
    if (refusal.isEmpty()) {
      refusal = classPathOf(copy, original);
    }
    if (refusal.isPresent()) {
      String id = idOf(descriptors.apply(copy));
      deleteTree(copy.getParent());
      return NdpPluginManager.Verdict.refused(id, refusal.get());
    }
    afterVerified.accept(original);
    return NdpPluginManager.Verdict.accepted(copy);
  }

  /**
   * A manifest {@code Class-Path} makes the plugin's class loader read other files, which no check
   * read: refused, since the verified bytes must be all the bytes that run.
   */
  private static Optional<String> classPathOf(Path copy, Path original) {
    try (java.util.jar.JarFile jar = new java.util.jar.JarFile(copy.toFile(), false)) {
      java.util.jar.Manifest m = jar.getManifest();
      String cp =
          m == null
              ? null
              : m.getMainAttributes().getValue(java.util.jar.Attributes.Name.CLASS_PATH);
      if (cp != null && !cp.isBlank()) {
        return Optional.of(
            "the manifest of "
                + original
                + " has Class-Path '"
                + cp.strip()
                + "', which would load code that was not verified; bundle it in the JAR");
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("cannot read the manifest of " + original + ": " + e.getMessage());
    }
  }

  /** Deletes a copy of an unloaded plugin (nothing when {@code loaded} is not one of ours). */
  synchronized void discard(Path loaded) {
    Path d = dir;
    if (d != null && loaded.getParent() != null && d.equals(loaded.getParent().getParent())) {
      deleteTree(loaded.getParent());
    }
  }

  /** Deletes the private folder and the copies in it. */
  @Override
  public synchronized void close() {
    closed = true;
    if (dir != null) {
      deleteTree(dir);
      dir = null;
    }
  }

  private Path privateDir() throws IOException {
    if (dir == null) {
      boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
      dir =
          posix
              ? Files.createTempDirectory(
                  "ndp-plugins-",
                  PosixFilePermissions.asFileAttribute(
                      PosixFilePermissions.fromString("rwx------")))
              : Files.createTempDirectory("ndp-plugins-");
      if (!posix) {
        java.io.File f = dir.toFile();
        f.setReadable(false, false);
        f.setWritable(false, false);
        f.setExecutable(false, false);
        f.setReadable(true, true);
        f.setWritable(true, true);
        f.setExecutable(true, true);
      }
    }
    return dir;
  }

  private static void restrict(Path p, String perms) throws IOException {
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    }
  }

  private static @Nullable String idOf(Optional<PluginDescriptor> d) {
    return d.map(PluginDescriptor::getPluginId).orElse(null);
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | RuntimeException e) {
      log.warn("cannot delete the verified plugin copies in {}: {}", root, e.toString());
    }
  }
}
