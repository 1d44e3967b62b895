package io.ndp.api.event;

import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A plugin JAR (or a pattern factory of the class path) could not be used: it failed to start, was
 * disabled, left unresolved, found invalid, superseded, or clashed with the host. The host carries
 * on with the rest.
 *
 * <p>Immutable and thread-safe.
 *
 * @param pluginId the plugin's id, as the runtime's plugin reports name it
 * @param version its version, or {@code null} when unknown
 * @param path its JAR (empty for the class path)
 * @param state the state the runtime reports it in, e.g. {@code FAILED}, {@code DISABLED}
 * @param reason why, in words
 * @since 0.2.0
 */
public record PluginFailedEvent(
    String pluginId, @Nullable String version, Path path, String state, String reason)
    implements NdpEvent {

  /**
   * Checks the components.
   *
   * @param pluginId the plugin's id; not null
   * @param version its version, or {@code null}
   * @param path its JAR; not null
   * @param state the reported state; not null
   * @param reason why; not null
   * @throws NullPointerException when a required component is null
   */
  public PluginFailedEvent {
    Objects.requireNonNull(pluginId, "pluginId");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(reason, "reason");
  }
}
