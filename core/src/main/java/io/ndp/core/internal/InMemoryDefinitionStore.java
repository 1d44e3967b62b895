package io.ndp.core.internal;

import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternDefinitionStore;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * Pattern definitions in memory, with an index by type id. Thread-safe: writes are serialized so
 * that the index never disagrees with the definitions; reads take no lock.
 */
public final class InMemoryDefinitionStore implements PatternDefinitionStore {

  private final ConcurrentSkipListMap<String, PatternDefinition> byName =
      new ConcurrentSkipListMap<>();
  private final ConcurrentMap<String, Set<String>> namesByType = new ConcurrentHashMap<>();

  @Override
  public synchronized void store(PatternDefinition definition) {
    Objects.requireNonNull(definition, "definition");
    PatternDefinition previous = byName.put(definition.name(), definition);
    if (previous != null && !previous.type().equals(definition.type())) {
      namesByType.getOrDefault(previous.type(), Set.of()).remove(previous.name());
    }
    namesByType
        .computeIfAbsent(definition.type(), t -> new ConcurrentSkipListSet<>())
        .add(definition.name());
  }

  @Override
  public Optional<PatternDefinition> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  @Override
  public List<PatternDefinition> findByType(String type) {
    return namesByType.getOrDefault(type, Set.of()).stream()
        .map(byName::get)
        // A name whose type is being changed may still sit in the old type's index for a moment.
        .filter(d -> d != null && d.type().equals(type))
        .toList();
  }

  @Override
  public List<PatternDefinition> findAll() {
    return List.copyOf(byName.values());
  }

  @Override
  public synchronized boolean remove(String name) {
    PatternDefinition removed = byName.remove(name);
    if (removed == null) {
      return false;
    }
    namesByType.getOrDefault(removed.type(), Set.of()).remove(name);
    return true;
  }
}
