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

  /** Returns every definition, sorted by name. */
  List<PatternDefinition> findAll();

  /**
   * Removes a definition.
   *
   * @param name the pattern name
   * @return whether one was removed
   */
  boolean remove(String name);
}
