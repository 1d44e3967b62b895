package io.ndp.api;

import java.util.List;
import java.util.Optional;

/**
 * Storage SPI for pattern definitions, keyed by pattern name.
 *
 * <p>Implementations must be thread-safe; durable ones keep definitions across restarts and keep a
 * definition even when no loaded factory can turn it into a pattern.
 *
 * @since 0.1.0
 */
public interface PatternDefinitionStore {

  /**
   * Stores a definition, replacing one of the same name.
   *
   * @param definition the definition
   */
  void store(PatternDefinition definition);

  /**
   * Stores a definition with where its kind came from; the runtime calls this one. The default
   * drops the source and stores the definition.
   *
   * @param definition the definition
   * @param source the plugin (or host, or class path) that provides its kind
   * @since 0.2.0
   */
  default void store(PatternDefinition definition, DefinitionSource source) {
    store(definition);
  }

  /**
   * Looks a definition up.
   *
   * @param name the pattern name
   * @return the definition, or empty
   */
  Optional<PatternDefinition> find(String name);

  /**
   * Returns the definitions of one type id, sorted by name.
   *
   * @param type the type id (not an alias)
   * @return the definitions
   */
  List<PatternDefinition> findByType(String type);

  /**
   * {@return every stored definition, sorted by name, whether or not a loaded factory can build it;
   * empty when the store is}
   */
  List<PatternDefinition> findAll();

  /**
   * Removes a definition.
   *
   * @param name the pattern name
   * @return whether one was removed
   */
  boolean remove(String name);
}
