package io.ndp.core.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.jspecify.annotations.Nullable;
import org.pf4j.DefaultExtensionFinder;
import org.pf4j.DefaultPluginManager;
import org.pf4j.ExtensionFinder;
import org.pf4j.PluginRepository;

/**
 * PF4J's default manager, set up for NDP: the NDP API version as system version (so that {@code
 * Plugin-Requires} is enforced), extensions found through {@code META-INF/services} as well as
 * {@code extensions.idx}, a plugin with a missing dependency skipped instead of stopping every
 * other plugin, and, when the folder holds several versions of one plugin id, only the highest
 * loaded (PF4J cannot load two versions of an id; it would keep whichever it found first). Not
 * thread-safe (like PF4J's manager): the facade guards it with one lock.
 */
public final class NdpPluginManager extends DefaultPluginManager {

  private final Map<Path, String> superseded = new ConcurrentHashMap<>();

  /**
   * @param pluginsRoot the plugins folder
   * @param systemVersion the NDP API version the host provides
   */
  public NdpPluginManager(Path pluginsRoot, String systemVersion) {
    super(pluginsRoot);
    setSystemVersion(systemVersion);
    setResolveRecoveryStrategy(ResolveRecoveryStrategy.IGNORE_PLUGIN_AND_CONTINUE);
  }

  /** JARs left out because a higher version of the same plugin id is in the folder, with why. */
  public Map<Path, String> superseded() {
    return Collections.unmodifiableMap(superseded);
  }

  @Override
  protected ExtensionFinder createExtensionFinder() {
    ExtensionFinder finder = super.createExtensionFinder();
    if (finder instanceof DefaultExtensionFinder d) {
      d.addServiceProviderExtensionFinder();
    }
    return finder;
  }

  @Override
  protected PluginRepository createPluginRepository() {
    PluginRepository all = super.createPluginRepository();
    return new PluginRepository() {
      @Override
      public List<Path> getPluginPaths() {
        return highestVersions(all.getPluginPaths());
      }

      @Override
      public boolean deletePluginPath(Path path) {
        return all.deletePluginPath(path);
      }
    };
  }

  private List<Path> highestVersions(List<Path> paths) {
    record Found(Path path, String version) {}
    Map<String, Found> best = new LinkedHashMap<>();
    List<Path> out = new ArrayList<>();
    for (Path p : paths) {
      String[] idAndVersion = descriptor(p);
      if (idAndVersion == null) {
        out.add(p); // let PF4J load and report it
        continue;
      }
      Found f = new Found(p, idAndVersion[1]);
      Found earlier = best.putIfAbsent(idAndVersion[0], f);
      if (earlier != null) {
        boolean newer = getVersionManager().compareVersions(f.version(), earlier.version()) > 0;
        Found kept = newer ? f : earlier;
        Found dropped = newer ? earlier : f;
        best.put(idAndVersion[0], kept);
        superseded.put(
            dropped.path(),
            "version "
                + dropped.version()
                + " of plugin '"
                + idAndVersion[0]
                + "' is superseded by "
                + kept.version()
                + " in "
                + kept.path().getFileName());
      }
    }
    best.values().forEach(f -> out.add(f.path()));
    return out;
  }

  /** The JAR's Plugin-Id and Plugin-Version, or null when it has no readable descriptor. */
  private static String @Nullable [] descriptor(Path path) {
    if (!path.toString().endsWith(".jar")) {
      return null;
    }
    try (JarFile jar = new JarFile(path.toFile())) {
      Manifest mf = jar.getManifest();
      if (mf == null) {
        return null;
      }
      String id = mf.getMainAttributes().getValue("Plugin-Id");
      String version = mf.getMainAttributes().getValue("Plugin-Version");
      if (id == null || id.isBlank() || version == null || version.isBlank()) {
        return null;
      }
      return new String[] {id.trim(), version.trim()};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
