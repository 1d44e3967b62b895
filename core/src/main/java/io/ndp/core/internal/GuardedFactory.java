package io.ndp.core.internal;

import io.ndp.api.Pattern;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternFactory;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * A pattern factory from a source the host does not control (a plugin, the class path), read once
 * and guarded: its type id and aliases are read and checked when it is wrapped (a factory whose
 * {@code type()} throws or returns nothing is refused with the reason), and {@link #create} turns
 * whatever the plugin code throws or fails to link into an {@link IllegalStateException} naming the
 * origin, so that one plugin's failure never escapes into the host as a {@link LinkageError}. Every
 * pattern it builds is reported to a listener, so that the host knows which plugin built it.
 *
 * <p>Immutable and thread-safe when the wrapped factory is.
 */
public final class GuardedFactory implements PatternFactory {
  private final PatternFactory delegate;
  private final String origin;
  private final String type;
  private final Set<String> aliases;
  private final BiConsumer<Pattern, String> built;

  private GuardedFactory(
      PatternFactory delegate,
      String origin,
      String type,
      Set<String> aliases,
      BiConsumer<Pattern, String> built) {
    this.delegate = delegate;
    this.origin = origin;
    this.type = type;
    this.aliases = aliases;
    this.built = built;
  }

  /**
   * Reads and checks a factory's type id and aliases.
   *
   * @param factory the factory
   * @param origin where it came from, e.g. a plugin id
   * @param built told of every pattern the factory builds, with the origin
   * @return the guarded factory
   * @throws IllegalArgumentException naming the factory and what is wrong with it (its type id or
   *     aliases are missing, blank, or reading them threw or failed to link)
   */
  public static GuardedFactory of(
      PatternFactory factory, String origin, BiConsumer<Pattern, String> built) {
    String name = factory.getClass().getName();
    String type;
    Set<String> aliases;
    try {
      type = factory.type();
      Set<String> declared = factory.aliases();
      aliases = declared == null ? null : new LinkedHashSet<>(declared);
    } catch (RuntimeException | LinkageError e) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "pattern factory %s of %s threw %s", name, origin, e), e);
    }
    List<String> problems = new ArrayList<>();
    if (type == null || type.isBlank()) {
      problems.add("its type() returned " + (type == null ? "null" : "'" + type + "'"));
    }
    if (aliases == null) {
      problems.add("its aliases() returned null");
    } else if (aliases.stream().anyMatch(a -> a == null || a.isBlank())) {
      problems.add("its aliases() hold a null or blank name: " + aliases);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "pattern factory %s of %s is unusable: %s",
              name,
              origin,
              String.join("; ", problems)));
    }
    return new GuardedFactory(factory, origin, type, Set.copyOf(aliases), built);
  }

  /** Returns where the factory came from. */
  public String origin() {
    return origin;
  }

  /** Returns the wrapped factory. */
  public PatternFactory delegate() {
    return delegate;
  }

  @Override
  public String type() {
    return type;
  }

  @Override
  public Set<String> aliases() {
    return aliases;
  }

  /**
   * Builds a pattern with the wrapped factory.
   *
   * @throws IllegalArgumentException when the definition is invalid for the type (the factory's own
   *     contract)
   * @throws IllegalStateException when the plugin's code failed otherwise (threw, failed to link)
   */
  @Override
  public Pattern create(PatternDefinition definition) {
    Pattern p;
    try {
      p = delegate.create(definition);
      if (p != null) {
        // What the registry and storage will read, read once here where a failure is contained.
        String name = p.name();
        p.type();
        p.agentTypes();
        p.typeAliases();
        p.definition();
        if (!definition.name().equals(name)) {
          throw new IllegalStateException(
              String.format(
                  Locale.ROOT,
                  "pattern factory of type '%s' from %s built a pattern named '%s' for '%s'",
                  type,
                  origin,
                  name,
                  definition.name()));
        }
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw e;
    } catch (RuntimeException | LinkageError e) {
      throw new IllegalStateException(
          String.format(
              Locale.ROOT,
              "pattern factory of type '%s' from %s failed to build '%s': %s",
              type,
              origin,
              definition.name(),
              e),
          e);
    }
    if (p == null) {
      throw new IllegalStateException(
          String.format(
              Locale.ROOT,
              "pattern factory of type '%s' from %s built nothing for '%s'",
              type,
              origin,
              definition.name()));
    }
    built.accept(p, origin);
    return p;
  }

  @Override
  public String toString() {
    return delegate.getClass().getName() + " from " + origin;
  }
}
