package io.ndp.core;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import io.ndp.api.ConfidenceLevel;
import io.ndp.api.ConfidenceStats;
import io.ndp.api.ConfidenceStore;
import io.ndp.api.NdpException;
import io.ndp.api.Pattern;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternDefinitionStore;
import io.ndp.api.PatternNotFoundException;
import io.ndp.core.internal.InMemoryConfidenceStore;
import io.ndp.core.internal.InMemoryDefinitionStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pattern definitions and confidence statistics, with a bounded Caffeine cache of live patterns in
 * front of a {@link PatternDefinitionStore}.
 *
 * <p>{@code new PatternStorage()} keeps everything in memory and turns definitions back into
 * patterns with the factories found by {@link java.util.ServiceLoader}; {@link #builder()} plugs in
 * durable stores. A pattern stored here is bound to this storage's {@link ConfidenceStore}: its
 * {@code confidenceScore()} and the queries below read the same counts that an executor wired to
 * this storage records.
 *
 * <p>Thread-safe. Storing and removing a name are serialized per name, so the cache never disagrees
 * with the definition store.
 *
 * <pre>{@code
 * PatternStorage storage = new PatternStorage();
 * storage.storePattern(pattern);
 * for (Pattern p : storage.getPatternsByConfidence(ConfidenceLevel.HIGH)) { ... }
 * }</pre>
 *
 * @since 0.1.0
 */
public final class PatternStorage {
  private static final Logger log = LoggerFactory.getLogger(PatternStorage.class);

  /** Default bound of the pattern cache. */
  public static final long DEFAULT_CACHE_SIZE = 10_000;

  private final PatternDefinitionStore definitions;
  private final ConfidenceStore confidence;
  private final Supplier<PatternFactories> factories;
  private final LoadingCache<String, Pattern> cache;
  private final ConcurrentMap<String, String> typeByAlias = new ConcurrentHashMap<>();

  /** In-memory storage with the class path's factories and the default cache size. */
  public PatternStorage() {
    this(builder());
  }

  private PatternStorage(Builder b) {
    this.definitions = b.definitions;
    this.confidence = b.confidence;
    if (b.factories != null) {
      this.factories = b.factories;
    } else {
      PatternFactories fromClassPath = PatternFactories.fromServiceLoader();
      this.factories = () -> fromClassPath;
    }
    this.cache =
        Caffeine.newBuilder().maximumSize(b.cacheSize).recordStats().build(this::materialize);
  }

  /** Returns a builder with in-memory stores. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Stores a pattern's definition (replacing one of the same name), caches the instance, and binds
   * it to this storage's confidence statistics.
   *
   * @param pattern the pattern
   * @return this storage
   */
  public PatternStorage storePattern(Pattern pattern) {
    if (pattern == null) {
      throw new IllegalArgumentException("pattern must not be null");
    }
    PatternDefinition definition = pattern.definition();
    cache
        .asMap()
        .compute(
            definition.name(),
            (name, old) -> {
              definitions.store(definition);
              return pattern;
            });
    typeByAlias.put(pattern.type(), pattern.type());
    pattern.typeAliases().forEach(alias -> typeByAlias.put(alias, pattern.type()));
    pattern.bindConfidence(confidence);
    return this;
  }

  /**
   * Returns a stored pattern.
   *
   * @param name its name
   * @return the pattern
   * @throws PatternNotFoundException when no definition has that name
   * @throws io.ndp.api.UnknownPatternTypeException when its type has no loaded factory (the
   *     definition stays stored)
   */
  public Pattern getPattern(String name) {
    requireName(name);
    return findPattern(name)
        .orElseThrow(
            () ->
                new PatternNotFoundException(
                    name, definitions.findAll().stream().map(PatternDefinition::name).toList()));
  }

  /**
   * Looks a stored pattern up.
   *
   * @param name its name
   * @return the pattern, or empty when no definition has that name
   * @throws io.ndp.api.UnknownPatternTypeException when its type has no loaded factory
   */
  public Optional<Pattern> findPattern(String name) {
    requireName(name);
    return Optional.ofNullable(cache.get(name));
  }

  /**
   * Looks a stored definition up; works whether or not its type's factory is loaded.
   *
   * @param name the pattern name
   * @return the definition, or empty
   */
  public Optional<PatternDefinition> findDefinition(String name) {
    requireName(name);
    return definitions.find(name);
  }

  /**
   * Returns the stored patterns of a type, sorted by name.
   *
   * @param typeOrAlias the type id ({@code sequential}) or its class-style alias ({@code
   *     SequentialDelegationPattern})
   * @return the patterns; definitions whose factory is not loaded are skipped and logged
   */
  public List<Pattern> getPatternsByType(String typeOrAlias) {
    requireName(typeOrAlias);
    String type =
        Optional.ofNullable(typeByAlias.get(typeOrAlias))
            .or(() -> factories.get().resolveType(typeOrAlias))
            .orElse(typeOrAlias);
    return materializeAll(definitions.findByType(type));
  }

  /**
   * Returns the stored patterns whose confidence over all domains is at {@code level}, sorted by
   * name.
   *
   * @param level the band
   * @return the patterns
   */
  public List<Pattern> getPatternsByConfidence(ConfidenceLevel level) {
    if (level == null) {
      throw new IllegalArgumentException("level must be LOW, MEDIUM or HIGH but was null");
    }
    List<PatternDefinition> matching = new ArrayList<>();
    for (PatternDefinition d : definitions.findAll()) {
      if (confidence.stats(d.name()).level() == level) {
        matching.add(d);
      }
    }
    return materializeAll(matching);
  }

  /** Returns every stored definition, sorted by name, including those no factory can build. */
  public List<PatternDefinition> definitions() {
    return definitions.findAll();
  }

  /**
   * Removes a pattern's definition and cached instance; its statistics stay until {@link
   * #resetStatistics(String)}.
   *
   * @param name the pattern name
   * @return whether a definition was removed
   */
  public boolean removePattern(String name) {
    requireName(name);
    boolean[] removed = new boolean[1];
    cache
        .asMap()
        .compute(
            name,
            (k, old) -> {
              removed[0] = definitions.remove(k);
              return null;
            });
    return removed[0];
  }

  /**
   * Returns the counts of a pattern over all domains.
   *
   * @param name the pattern
   * @return the counts
   */
  public ConfidenceStats statistics(String name) {
    requireName(name);
    return confidence.stats(name);
  }

  /**
   * Returns the counts of a pattern per domain.
   *
   * @param name the pattern
   * @return domain to counts
   */
  public Map<String, ConfidenceStats> statisticsByDomain(String name) {
    requireName(name);
    return confidence.statsByDomain(name);
  }

  /**
   * Forgets a pattern's recorded outcomes, e.g. after its behaviour changed.
   *
   * @param name the pattern
   */
  public void resetStatistics(String name) {
    requireName(name);
    confidence.reset(name);
  }

  /** Forgets every recorded outcome. */
  public void resetAllStatistics() {
    confidence.resetAll();
  }

  /** Returns the confidence store; hand it (or this storage) to a {@link PatternExecutor}. */
  public ConfidenceStore confidenceStore() {
    return confidence;
  }

  /**
   * Drops cached pattern instances that match {@code filter} (their definitions stay), e.g. those
   * whose classes come from a plugin being unloaded, so that no class loader is kept alive here.
   *
   * @param filter which instances to drop
   * @return how many were dropped
   */
  public int evictCached(Predicate<Pattern> filter) {
    int[] n = new int[1];
    cache
        .asMap()
        .forEach(
            (name, p) -> {
              if (filter.test(p) && cache.asMap().remove(name, p)) {
                n[0]++;
              }
            });
    return n[0];
  }

  /** Returns the hit, miss, load and eviction counts of the pattern cache. */
  public CacheStats cacheStats() {
    return cache.stats();
  }

  private static void requireName(@Nullable String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          "a pattern name or type must be non-blank but was "
              + (value == null ? "null" : "'" + value + "'"));
    }
  }

  private @Nullable Pattern materialize(String name) {
    PatternDefinition d = definitions.find(name).orElse(null);
    if (d == null) {
      return null;
    }
    Pattern p = factories.get().create(d);
    p.bindConfidence(confidence);
    return p;
  }

  private List<Pattern> materializeAll(List<PatternDefinition> defs) {
    List<Pattern> out = new ArrayList<>(defs.size());
    for (PatternDefinition d : defs) {
      try {
        Pattern p = cache.get(d.name());
        if (p != null) {
          out.add(p);
        }
      } catch (NdpException | IllegalArgumentException e) {
        log.warn(
            "stored pattern '{}' of type '{}' cannot be built and is skipped (kept in storage): {}",
            d.name(),
            d.type(),
            e.getMessage());
      }
    }
    return out;
  }

  /**
   * Configures a {@link PatternStorage}. Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private PatternDefinitionStore definitions = new InMemoryDefinitionStore();
    private ConfidenceStore confidence = new InMemoryConfidenceStore();
    private @Nullable Supplier<PatternFactories> factories;
    private long cacheSize = DEFAULT_CACHE_SIZE;

    private Builder() {}

    /** Sets where definitions are kept (default: in memory). */
    public Builder definitionStore(PatternDefinitionStore store) {
      this.definitions = Objects.requireNonNull(store, "store");
      return this;
    }

    /** Sets where confidence statistics are kept (default: in memory). */
    public Builder confidenceStore(ConfidenceStore store) {
      this.confidence = Objects.requireNonNull(store, "store");
      return this;
    }

    /** Sets the factories that turn definitions into patterns (default: ServiceLoader). */
    public Builder factories(PatternFactories factories) {
      Objects.requireNonNull(factories, "factories");
      this.factories = () -> factories;
      return this;
    }

    /**
     * Reads the current factories on every load, for hosts whose plugins come and go (the {@link
     * Ndp} facade does this).
     *
     * @param factories supplies the factories in effect
     * @return this builder
     */
    public Builder factories(Supplier<PatternFactories> factories) {
      this.factories = Objects.requireNonNull(factories, "factories");
      return this;
    }

    /** Sets the bound of the pattern cache; must be positive. */
    public Builder cacheSize(long size) {
      if (size <= 0) {
        throw new IllegalArgumentException(
            String.format(Locale.ROOT, "cacheSize must be positive but was %d", size));
      }
      this.cacheSize = size;
      return this;
    }

    /** Builds the storage. */
    public PatternStorage build() {
      return new PatternStorage(this);
    }
  }
}
