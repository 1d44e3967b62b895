package io.ndp.core;

import com.google.common.collect.ImmutableListMultimap;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import io.ndp.api.DuplicatePatternException;
import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The patterns a host can execute, by name, with indexes by agent type and by type id so that
 * selection never scans every pattern.
 *
 * <p>Thread-safe. Readers see an immutable snapshot (no locking); writers replace the snapshot
 * under a lock, so a failed registration leaves the registry exactly as it was.
 *
 * <pre>{@code
 * PatternRegistry registry = new PatternRegistry();
 * registry.register(new SequentialDelegationPattern("validation_flow", "...", steps));
 * Pattern p = registry.getPattern("validation_flow");
 * }</pre>
 *
 * @since 0.1.0
 */
public final class PatternRegistry {

  private final Object writeLock = new Object();
  private volatile Snapshot snapshot = Snapshot.EMPTY;

  /** Creates an empty registry. */
  public PatternRegistry() {}

  /**
   * Registers a pattern.
   *
   * @param pattern the pattern; its name must be unused
   * @return this registry
   * @throws DuplicatePatternException when the name is taken (registry unchanged)
   * @throws IllegalArgumentException when the pattern is null or serves no agent type
   */
  public PatternRegistry register(Pattern pattern) {
    if (pattern == null) {
      throw new IllegalArgumentException("pattern must not be null");
    }
    String name = pattern.name();
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(
          "pattern name must be non-blank but was " + (name == null ? "null" : "'" + name + "'"));
    }
    if (pattern.type() == null || pattern.type().isBlank()) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "pattern '%s' must have a non-blank type id", name));
    }
    Set<String> agentTypes = pattern.agentTypes();
    if (agentTypes != null && agentTypes.stream().anyMatch(t -> t == null || t.isBlank())) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "pattern '%s' declares a null or blank agent type: %s",
              name,
              agentTypes.stream().map(t -> t == null ? "null" : "'" + t + "'").toList()));
    }
    if (agentTypes == null || agentTypes.isEmpty()) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "pattern '%s' must serve at least one agent type but serves none",
              name));
    }
    synchronized (writeLock) {
      Snapshot current = snapshot;
      if (current.byName.containsKey(name)) {
        throw new DuplicatePatternException(name);
      }
      List<Pattern> all = new ArrayList<>(current.byName.values());
      all.add(pattern);
      snapshot = Snapshot.of(all);
    }
    return this;
  }

  /**
   * Removes a pattern.
   *
   * @param name the pattern's name
   * @return the removed pattern, or empty when none had that name
   */
  public Optional<Pattern> unregister(String name) {
    synchronized (writeLock) {
      Snapshot current = snapshot;
      Pattern removed = current.byName.get(name);
      if (removed == null) {
        return Optional.empty();
      }
      List<Pattern> rest = new ArrayList<>(current.byName.values());
      rest.remove(removed);
      snapshot = Snapshot.of(rest);
      return Optional.of(removed);
    }
  }

  /**
   * Returns the pattern with the given name.
   *
   * @param name the name
   * @return the pattern
   * @throws PatternNotFoundException when none is registered under that name
   */
  public Pattern getPattern(String name) {
    Snapshot s = snapshot;
    Pattern p = name == null ? null : s.byName.get(name);
    if (p == null) {
      throw new PatternNotFoundException(String.valueOf(name), s.byName.keySet());
    }
    return p;
  }

  /**
   * Looks a pattern up.
   *
   * @param name the name
   * @return the pattern, or empty
   */
  public Optional<Pattern> find(String name) {
    return name == null ? Optional.empty() : Optional.ofNullable(snapshot.byName.get(name));
  }

  /** Returns every registered pattern, sorted by name. */
  public List<Pattern> patterns() {
    return snapshot.byName.values().asList();
  }

  /**
   * Returns the patterns that serve an agent type, sorted by name.
   *
   * @param agentType e.g. {@code sequential}
   * @return the patterns; empty when none
   */
  public List<Pattern> patternsServing(String agentType) {
    return snapshot.byAgentType.get(agentType);
  }

  /**
   * Returns the patterns of a type, given as type id or alias.
   *
   * @param typeOrAlias e.g. {@code sequential} or {@code SequentialDelegationPattern}
   * @return the patterns; empty when none
   */
  public List<Pattern> patternsOfType(String typeOrAlias) {
    return snapshot.byType.get(typeOrAlias);
  }

  /** Returns every agent type some registered pattern serves. */
  public Set<String> agentTypes() {
    return snapshot.byAgentType.keySet();
  }

  /** Returns the number of registered patterns. */
  public int size() {
    return snapshot.byName.size();
  }

  /**
   * Returns the patterns that serve the context's agent type; the executor's candidate list.
   *
   * @param context the context
   * @return the candidates
   */
  List<Pattern> candidatesFor(PatternContext context) {
    return patternsServing(context.agentType());
  }

  private record Snapshot(
      ImmutableSortedMap<String, Pattern> byName,
      ImmutableListMultimap<String, Pattern> byAgentType,
      ImmutableListMultimap<String, Pattern> byType) {

    static final Snapshot EMPTY =
        new Snapshot(
            ImmutableSortedMap.of(), ImmutableListMultimap.of(), ImmutableListMultimap.of());

    static Snapshot of(List<Pattern> patterns) {
      ImmutableMap<String, Pattern> names =
          patterns.stream().collect(ImmutableMap.toImmutableMap(Pattern::name, p -> p));
      ImmutableListMultimap.Builder<String, Pattern> agents = ImmutableListMultimap.builder();
      ImmutableListMultimap.Builder<String, Pattern> types = ImmutableListMultimap.builder();
      // Index in name order so that every list the registry hands out is sorted by name.
      for (Pattern p : ImmutableSortedMap.copyOf(names).values()) {
        for (String agentType : p.agentTypes()) {
          agents.put(agentType, p);
        }
        types.put(p.type(), p);
        for (String alias : p.typeAliases()) {
          types.put(alias, p);
        }
      }
      return new Snapshot(ImmutableSortedMap.copyOf(names), agents.build(), types.build());
    }
  }
}
