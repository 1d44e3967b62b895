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

  /**
   * {@return the type id this factory builds, e.g. {@code sequential}: the {@link
   * PatternDefinition#type()} of what it reads and the {@link Pattern#type()} of what it builds.
   * Stored definitions refer to it, so it must stay the same across versions}
   */
  String type();

  /**
   * {@return other names of the type, e.g. {@code SequentialDelegationPattern}, that lookups by
   * type also accept; empty when there are none}
   */
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
