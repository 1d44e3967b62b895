package io.ndp.api.event;

import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A plugin was stopped or unloaded at runtime; its patterns left the registry.
 *
 * <p>Immutable and thread-safe.
 *
 * @param pluginId the plugin's id
 * @param version its version, or {@code null} when unknown
 * @param path its JAR
 * @param unloaded {@code true} when it was unloaded (its class loader released), {@code false} when
 *     only stopped
 * @param reason what happened, in words
 * @since 0.2.0
 */
public record PluginStoppedEvent(
    String pluginId, @Nullable String version, Path path, boolean unloaded, String reason)
    implements NdpEvent {

  /**
   * Checks the components.
   *
   * @param pluginId the plugin's id; not null
   * @param version its version, or {@code null}
   * @param path its JAR; not null
   * @param unloaded whether it was unloaded
   * @param reason what happened; not null
   * @throws NullPointerException when a required component is null
   */
  public PluginStoppedEvent {
    Objects.requireNonNull(pluginId, "pluginId");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(reason, "reason");
  }
}
