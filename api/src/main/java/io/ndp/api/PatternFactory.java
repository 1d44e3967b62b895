package io.ndp.api;

import java.util.Set;
import org.pf4j.ExtensionPoint;

/**
 * What a plugin contributes: a pattern type and the way to build patterns of it from stored
 * definitions.
 *
 * <p>Found through {@link java.util.ServiceLoader} (list the class in {@code
 * META-INF/services/io.ndp.api.PatternFactory}) and through PF4J (annotate it with
 * {@code @Extension}). Implementations must be thread-safe and have a public no-argument
 * constructor.
 *
 * @since 0.1.0
 */
public interface PatternFactory extends ExtensionPoint {

  /** Returns the stable type id, e.g. {@code sequential}. */
  String type();

  /** Returns other names of the type, e.g. {@code SequentialDelegationPattern}. */
  Set<String> aliases();

  /**
   * Builds a pattern from a definition of this factory's type.
   *
   * @param definition the stored definition
   * @return a pattern whose {@link Pattern#definition()} equals {@code definition}
   * @throws IllegalArgumentException when the definition's parameters are invalid for this type
   */
  Pattern create(PatternDefinition definition);
}
