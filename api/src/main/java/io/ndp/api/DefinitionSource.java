package io.ndp.api;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where the kind of a stored definition came from, kept beside it by stores that can (a database
 * row's {@code plugin_id} and {@code plugin_version}).
 *
 * @param origin the plugin id, or {@code host} (a factory the host gave) or {@code classpath}
 *     (found by {@code ServiceLoader})
 * @param version the plugin's version, or the factory JAR's implementation version; null when
 *     unknown
 * @since 0.2.0
 */
public record DefinitionSource(String origin, @Nullable String version) {

  /**
   * Checks the origin.
   *
   * @param origin the plugin id, or {@code host} or {@code classpath}; not null
   * @param version the plugin's or JAR's version, or {@code null} when unknown
   * @throws NullPointerException when the origin is null
   */
  public DefinitionSource {
    Objects.requireNonNull(origin, "origin");
  }
}
