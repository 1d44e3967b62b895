package io.ndp.api.event;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A plugin JAR was loaded and started; its pattern types are available.
 *
 * <p>Immutable and thread-safe.
 *
 * @param pluginId the plugin's id
 * @param version its version, or {@code null} when unknown
 * @param path its JAR
 * @param types the pattern type ids it provides to the host
 * @since 0.2.0
 */
public record PluginLoadedEvent(
    String pluginId, @Nullable String version, Path path, List<String> types) implements NdpEvent {

  /**
   * Checks the components and copies the types.
   *
   * @param pluginId the plugin's id; not null
   * @param version its version, or {@code null}
   * @param path its JAR; not null
   * @param types the pattern type ids; not null
   * @throws NullPointerException when a required component is null
   */
  public PluginLoadedEvent {
    Objects.requireNonNull(pluginId, "pluginId");
    Objects.requireNonNull(path, "path");
    types = List.copyOf(types);
  }
}
