package io.ndp.core;

import com.google.common.collect.ImmutableMap;
import io.ndp.api.Pattern;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternFactory;
import io.ndp.api.UnknownPatternTypeException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pattern factories a host knows, by type id and alias: how stored definitions become patterns
 * again.
 *
 * <p>Immutable and thread-safe. When two factories claim the same type id, the first one given
 * wins; a type id always names its own type, so an alias that equals another factory's type id is
 * ignored; of two equal aliases the first wins. Every such conflict is logged and kept in {@link
 * #conflicts()}.
 *
 * @since 0.1.0
 */
public final class PatternFactories {
  private static final Logger log = LoggerFactory.getLogger(PatternFactories.class);

  private final ImmutableMap<String, PatternFactory> byType;
  private final ImmutableMap<String, String> typeByName;
  private final List<String> conflicts;
  private final Map<PatternFactory, String> losers;

  private PatternFactories(Collection<? extends PatternFactory> factories) {
    Map<String, PatternFactory> types = new LinkedHashMap<>();
    Map<String, String> names = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    Map<PatternFactory, String> lost = new IdentityHashMap<>();
    for (PatternFactory f : factories) {
      String type = f.type();
      PatternFactory earlier = types.putIfAbsent(type, f);
      if (earlier != null) {
        conflict(
            problems,
            lost,
            f,
            String.format(
                Locale.ROOT,
                "pattern type '%s' is provided by %s and %s; keeping the first",
                type,
                earlier,
                f));
        continue;
      }
      names.put(type, type);
    }
    // Type ids first, then aliases: an alias never hides a type id, and the first alias wins.
    for (PatternFactory f : types.values()) {
      String type = f.type();
      for (String alias : f.aliases()) {
        String owner = names.putIfAbsent(alias, type);
        if (owner != null && !owner.equals(type)) {
          conflict(
              problems,
              lost,
              f,
              String.format(
                  Locale.ROOT,
                  "alias '%s' of type '%s' (%s) already names type '%s'; keeping '%s'",
                  alias,
                  type,
                  f,
                  owner,
                  owner));
        }
      }
    }
    this.byType = ImmutableMap.copyOf(types);
    this.typeByName = ImmutableMap.copyOf(names);
    this.conflicts = List.copyOf(problems);
    this.losers = Collections.unmodifiableMap(lost);
  }

  private static void conflict(
      List<String> problems, Map<PatternFactory, String> lost, PatternFactory loser, String msg) {
    log.warn(msg);
    problems.add(msg);
    lost.merge(loser, msg, (x, y) -> x + "; " + y);
  }

  /**
   * The given factories, in order of precedence.
   *
   * @param factories the factories
   * @return the lookup
   */
  public static PatternFactories of(PatternFactory... factories) {
    return new PatternFactories(List.of(factories));
  }

  /**
   * The given factories, in order of precedence.
   *
   * @param factories the factories
   * @return the lookup
   */
  public static PatternFactories of(Collection<? extends PatternFactory> factories) {
    return new PatternFactories(List.copyOf(factories));
  }

  /**
   * Every factory listed in {@code META-INF/services/io.ndp.api.PatternFactory} on the class path
   * of {@code loader}.
   *
   * @param loader the class loader to search
   * @return the lookup
   */
  public static PatternFactories fromServiceLoader(ClassLoader loader) {
    List<PatternFactory> found = new ArrayList<>();
    ServiceLoader.load(PatternFactory.class, loader).forEach(found::add);
    return new PatternFactories(found);
  }

  /** Every factory on the class path of the thread's context class loader (or core's). */
  public static PatternFactories fromServiceLoader() {
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    return fromServiceLoader(cl != null ? cl : PatternFactories.class.getClassLoader());
  }

  /**
   * Resolves a type id or alias to the type id.
   *
   * @param typeOrAlias e.g. {@code SequentialDelegationPattern}
   * @return the type id, or empty when no factory knows the name
   */
  public Optional<String> resolveType(String typeOrAlias) {
    return Optional.ofNullable(typeByName.get(typeOrAlias));
  }

  /**
   * Looks a factory up by type id or alias.
   *
   * @param typeOrAlias the type id or an alias
   * @return the factory, or empty
   */
  public Optional<PatternFactory> find(String typeOrAlias) {
    return resolveType(typeOrAlias).map(byType::get);
  }

  /**
   * Builds a pattern from a definition with the factory of its type.
   *
   * @param definition the definition
   * @return the pattern
   * @throws UnknownPatternTypeException when no factory provides the definition's type
   */
  public Pattern create(PatternDefinition definition) {
    PatternFactory f =
        find(definition.type())
            .orElseThrow(() -> new UnknownPatternTypeException(definition.type(), byType.keySet()));
    Pattern p = f.create(definition);
    if (p != null && definition.parameters().containsKey(io.ndp.api.Prior.KEY)) {
      io.ndp.api.Prior declared = definition.prior();
      io.ndp.api.Prior kept;
      try {
        kept = p.prior();
      } catch (RuntimeException e) {
        kept = null;
      }
      if (!declared.equals(kept)) {
        // Not refused: the pattern works, it is only judged by another prior than declared.
        log.warn(
            "kind '{}' built pattern '{}' with prior {} although its definition declares {}; the"
                + " kind's factory does not carry the prior (see Prior's Javadoc)",
            definition.type(),
            definition.name(),
            kept,
            declared);
      }
    }
    return p;
  }

  /** Returns the known type ids, sorted. */
  public Set<String> types() {
    return new TreeSet<>(byType.keySet());
  }

  /** Returns the factories, in order of precedence. */
  public List<PatternFactory> factories() {
    return byType.values().asList();
  }

  /** The factories that lost a type id or alias, by identity, with why. */
  Map<PatternFactory, String> losers() {
    return losers;
  }

  /** Returns the conflicts found while building this lookup (empty when none). */
  public List<String> conflicts() {
    return conflicts;
  }
}
