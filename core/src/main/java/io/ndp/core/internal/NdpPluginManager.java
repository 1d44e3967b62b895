package io.ndp.core.internal;

import java.nio.file.Path;
import org.pf4j.DefaultExtensionFinder;
import org.pf4j.DefaultPluginManager;
import org.pf4j.ExtensionFinder;

/**
 * PF4J's default manager, set up for NDP: the NDP API version as system version (so that {@code
 * Plugin-Requires} is enforced), extensions found through {@code META-INF/services} as well as
 * {@code extensions.idx}, and a plugin with a missing dependency skipped instead of stopping every
 * other plugin. Not thread-safe (like PF4J's manager): the facade guards it with one lock.
 */
public final class NdpPluginManager extends DefaultPluginManager {

  /**
   * @param pluginsRoot the plugins folder
   * @param systemVersion the NDP API version the host provides
   */
  public NdpPluginManager(Path pluginsRoot, String systemVersion) {
    super(pluginsRoot);
    setSystemVersion(systemVersion);
    setResolveRecoveryStrategy(ResolveRecoveryStrategy.IGNORE_PLUGIN_AND_CONTINUE);
  }

  @Override
  protected ExtensionFinder createExtensionFinder() {
    ExtensionFinder finder = super.createExtensionFinder();
    if (finder instanceof DefaultExtensionFinder d) {
      d.addServiceProviderExtensionFinder();
    }
    return finder;
  }
}
