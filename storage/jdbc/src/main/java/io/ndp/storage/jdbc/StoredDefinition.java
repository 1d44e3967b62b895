package io.ndp.storage.jdbc;

import io.ndp.api.PatternDefinition;
import java.time.Instant;
import java.util.Optional;

/**
 * A definition as stored, with where it came from and when.
 *
 * @param definition the definition
 * @param pluginId the plugin that provided its kind, when the host said
 * @param pluginVersion that plugin's version, when the host said
 * @param createdAt when a definition of this name was first stored
 * @param updatedAt when it was last replaced
 * @since 0.2.0
 */
public record StoredDefinition(
    PatternDefinition definition,
    Optional<String> pluginId,
    Optional<String> pluginVersion,
    Instant createdAt,
    Instant updatedAt) {}
