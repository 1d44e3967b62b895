package io.ndp.core;

import com.github.benmanes.caffeine.cache.Ticker;
import com.google.common.util.concurrent.Striped;
import io.ndp.api.ConfidenceLevel;
import io.ndp.api.ConfidenceStats;
import io.ndp.api.DefinitionSource;
import io.ndp.api.DuplicatePatternException;
import io.ndp.api.NdpException;
import io.ndp.api.Pattern;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternDefinitionStore;
import io.ndp.api.PatternNotFoundException;
import io.ndp.api.Prior;
import io.ndp.core.internal.InMemoryDefinitionStore;
import io.ndp.core.internal.SnapshotCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persistence of a registry: pattern definitions in a {@link PatternDefinitionStore}, behind a
 * Caffeine cache of definition snapshots, and queries that answer with the registry's live patterns
 * and its confidence statistics.
 *
 * <p><b>Who owns what.</b> Live pattern instances live in the {@link PatternRegistry} only; this
 * storage keeps <i>definitions</i>. Storing a pattern stores its definition and makes the pattern
 * the registry's instance of that name; a stored definition whose name is not registered (read from
 * a durable store, or stored by another process) is built once by the factory of its type and
 * registered. Statistics are the registry's: {@link #getPatternsByConfidence} and {@code
 * pattern.confidenceScore()} read the very figures the registry's executors record. The cache holds
 * immutable snapshots only: dropping it at any moment ({@link #dropCache()}) changes no result.
 * Writes go to the store first, then invalidate the cache; no store I/O runs under a cache lock.
 *
 * <p>Thread-safe.
 *
 * <pre>{@code
 * PatternRegistry registry = new PatternRegistry();
 * PatternExecutor executor = new PatternExecutor(registry);
 * PatternStorage storage = new PatternStorage(registry);
 * storage.storePattern(pattern);
 * for (Pattern p : storage.getPatternsByConfidence(ConfidenceLevel.HIGH)) { ... }
 * }</pre>
 *
 * @since 0.1.0
 */
public final class PatternStorage {
  private static final Logger log = LoggerFactory.getLogger(PatternStorage.class);

  /** Default bound of the definition cache. */
  public static final long DEFAULT_CACHE_SIZE = 10_000;

  private static final String ALL = "\u0000all";

  private final PatternRegistry registry;
  private final PatternDefinitionStore definitions;
  // Where the kind of a definition type came from, or null when unknown.
  private final Function<String, @Nullable DefinitionSource> sources;
  private final Supplier<PatternFactories> factories;
  private final SnapshotCache<String, Optional<PatternDefinition>> byName;
  private final SnapshotCache<String, List<PatternDefinition>> lists;
  // Serializes writes and builds per name, so that the registry and the store agree on which
  // pattern a name has. Never a cache lock: readers do not take it.
  private final Striped<Lock> nameLocks = Striped.lock(64);

  /**
   * In-memory storage over a registry of its own (its statistics and resource pool are that
   * registry's), with the class path's factories. Use {@link #PatternStorage(PatternRegistry)} to
   * store the patterns of a registry an executor runs.
   */
  public PatternStorage() {
    this(builder());
  }

  /**
   * In-memory storage for {@code registry}: the patterns it stores are that registry's, and its
   * queries read that registry's statistics.
   *
   * @param registry the registry whose patterns this storage keeps
   */
  public PatternStorage(PatternRegistry registry) {
    this(builder().registry(registry));
  }

  private PatternStorage(Builder b) {
    this.registry = b.registry != null ? b.registry : new PatternRegistry();
    this.definitions = b.definitions;
    this.sources = b.sources;
    if (b.factories != null) {
      this.factories = b.factories;
    } else {
      PatternFactories fromClassPath = PatternFactories.fromServiceLoader();
      this.factories = () -> fromClassPath;
    }
    this.byName = new SnapshotCache<>(b.cacheSize, b.expiry, b.ticker);
    this.lists = new SnapshotCache<>(b.cacheSize, b.expiry, b.ticker);
  }

  /** Returns a builder with an in-memory definition store. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the registry whose patterns this storage keeps. */
  public PatternRegistry registry() {
    return registry;
  }

  /**
   * Stores a pattern's definition (replacing one of the same name) and makes the pattern the
   * registry's live instance of that name (replacing another instance of that name, if any).
   *
   * @param pattern the pattern
   * @return this storage
   * @throws IllegalStateException when the pattern belongs to another registry (nothing stored)
   */
  public PatternStorage storePattern(Pattern pattern) {
    if (pattern == null) {
      throw new IllegalArgumentException("pattern must not be null");
    }
    PatternDefinition definition = pattern.definition();
    Lock lock = nameLocks.get(definition.name());
    lock.lock();
    try {
      storeLocked(pattern, definition);
    } finally {
      lock.unlock();
      // Crossings a changed prior caused, held back while the name's lock was held.
      registry.confidenceCrossed(List.of());
    }
    return this;
  }

  /**
   * Writes the store first, then makes the pattern the registry's instance; when the registry
   * refuses it, the store gets its previous definition back. The caller holds the name's lock.
   */
  private void storeLocked(Pattern pattern, PatternDefinition definition) {
    String name = definition.name();
    try {
      Optional<PatternDefinition> previous = definitions.find(name);
      DefinitionSource source = sources.apply(definition.type());
      if (source != null) {
        definitions.store(definition, source);
      } else {
        definitions.store(definition);
      }
      try {
        registry.replaceQueued(pattern); // crossings delivered once the name's lock is released
      } catch (RuntimeException refused) {
        try {
          if (previous.isPresent()) {
            definitions.store(previous.get());
          } else {
            definitions.remove(name);
          }
        } catch (RuntimeException undo) {
          refused.addSuppressed(undo);
        }
        if (refused instanceof IllegalStateException
            && String.valueOf(refused.getMessage()).contains("already belongs")) {
          throw new IllegalStateException(
              String.format(
                  Locale.ROOT,
                  "pattern '%s' belongs to another registry; build this storage over that"
                      + " registry (new PatternStorage(registry)) to store it",
                  name),
              refused);
        }
        throw refused;
      }
    } finally {
      invalidate(name);
    }
  }

  /**
   * Returns a stored pattern: the registry's live instance.
   *
   * @param name its name
   * @return the pattern
   * @throws PatternNotFoundException when no definition has that name
   * @throws io.ndp.api.UnknownPatternTypeException when it is not registered and its type has no
   *     loaded factory (the definition stays stored)
   */
  public Pattern getPattern(String name) {
    requireName(name);
    return findPattern(name)
        .orElseThrow(() -> new PatternNotFoundException(name, registry.closeMatches(name)));
  }

  /**
   * Looks a stored pattern up.
   *
   * @param name its name
   * @return the registry's live instance, or empty when no definition has that name
   * @throws io.ndp.api.UnknownPatternTypeException when it is not registered and its type has no
   *     loaded factory
   */
  public Optional<Pattern> findPattern(String name) {
    requireName(name);
    Optional<PatternDefinition> d = findDefinition(name);
    if (d.isEmpty()) {
      return Optional.empty();
    }
    return Optional.ofNullable(live(d.get()));
  }

  /**
   * Looks a stored definition up; works whether or not its type's factory is loaded.
   *
   * @param name the pattern name
   * @return the definition, or empty
   */
  public Optional<PatternDefinition> findDefinition(String name) {
    requireName(name);
    return byName.get(name, definitions::find);
  }

  /**
   * Returns the stored patterns of a type, sorted by name.
   *
   * @param typeOrAlias the type id ({@code sequential}) or its class-style alias ({@code
   *     SequentialDelegationPattern})
   * @return the registry's live instances; definitions no loaded factory can build are skipped and
   *     logged
   */
  public List<Pattern> getPatternsByType(String typeOrAlias) {
    requireName(typeOrAlias);
    String type = resolveType(typeOrAlias);
    return liveAll(lists.get(type, definitions::findByType));
  }

  /**
   * Returns the stored patterns whose confidence over all domains is at {@code level}, sorted by
   * name: the registry's live instances, judged by the registry's statistics under each pattern's
   * prior (as {@link Pattern#confidenceScore()} reads them).
   *
   * @param level the band
   * @return the patterns
   */
  public List<Pattern> getPatternsByConfidence(ConfidenceLevel level) {
    if (level == null) {
      throw new IllegalArgumentException("level must be LOW, MEDIUM or HIGH but was null");
    }
    List<Pattern> matching = new ArrayList<>();
    // The live patterns first (built when needed): each is judged under its own prior, which a
    // plugin may declare in code, as its confidenceScore() reads it.
    for (Pattern p : liveAll(definitions())) {
      if (registry.statistics(p.name()).level(Prior.declaredBy(p)) == level) {
        matching.add(p);
      }
    }
    return matching;
  }

  /** Returns every stored definition, sorted by name, including those no factory can build. */
  public List<PatternDefinition> definitions() {
    return lists.get(ALL, k -> definitions.findAll());
  }

  /**
   * Removes a pattern's definition; the registry keeps a live instance until it is unregistered,
   * and its statistics stay until {@link #resetStatistics(String)}.
   *
   * @param name the pattern name
   * @return whether a definition was removed
   */
  public boolean removePattern(String name) {
    requireName(name);
    Lock lock = nameLocks.get(name);
    lock.lock();
    try {
      return definitions.remove(name);
    } finally {
      invalidate(name);
      lock.unlock();
    }
  }

  /**
   * Returns the counts of a pattern over all domains (the registry's).
   *
   * @param name the pattern
   * @return the counts
   */
  public ConfidenceStats statistics(String name) {
    return registry.statistics(name);
  }

  /**
   * Returns the counts of a pattern per domain (the registry's).
   *
   * @param name the pattern
   * @return domain to counts
   */
  public Map<String, ConfidenceStats> statisticsByDomain(String name) {
    return registry.statisticsByDomain(name);
  }

  /**
   * Forgets a pattern's recorded outcomes, e.g. after its behaviour changed.
   *
   * @param name the pattern
   */
  public void resetStatistics(String name) {
    registry.resetStatistics(name);
  }

  /**
   * Forgets what was recorded in one domain, for every pattern; see {@link
   * PatternRegistry#resetDomainStatistics}.
   *
   * @param domain the domain
   * @since 0.2.0
   */
  public void resetDomainStatistics(String domain) {
    registry.resetDomainStatistics(domain);
  }

  /** Forgets every recorded outcome. */
  public void resetAllStatistics() {
    registry.resetAllStatistics();
  }

  /** Drops every cached definition and statistics snapshot; changes no result. */
  public void dropCache() {
    byName.invalidateAll();
    lists.invalidateAll();
    registry.confidence().dropCache();
  }

  /** Returns the hit, miss, load and eviction counts of the definition cache. */
  public com.github.benmanes.caffeine.cache.stats.CacheStats cacheStats() {
    return byName.stats();
  }

  private void invalidate(String name) {
    byName.invalidate(name);
    lists.invalidateAll();
  }

  private String resolveType(String typeOrAlias) {
    List<Pattern> live = registry.patternsOfType(typeOrAlias);
    if (!live.isEmpty()) {
      return live.get(0).type();
    }
    return factories.get().resolveType(typeOrAlias).orElse(typeOrAlias);
  }

  /** The registry's instance for a stored definition, built and registered once when missing. */
  /**
   * The registry's instance for a stored definition; when none is registered, the definition is
   * re-read from the store under the name's lock (it may have been removed meanwhile), built once
   * by its factory and registered. Returns null when the definition is gone.
   */
  private @Nullable Pattern live(PatternDefinition d) {
    Optional<Pattern> registered = registry.find(d.name());
    if (registered.isPresent()) {
      return registered.get();
    }
    Lock lock = nameLocks.get(d.name());
    lock.lock();
    try {
      registered = registry.find(d.name());
      if (registered.isPresent()) {
        return registered.get();
      }
      Optional<PatternDefinition> current = definitions.find(d.name());
      if (current.isEmpty()) {
        invalidate(d.name());
        return null;
      }
      Pattern built = factories.get().create(current.get());
      try {
        registry.register(built);
        return built;
      } catch (DuplicatePatternException raced) {
        // Registered directly in the registry meanwhile (not through this storage): that one is
        // the live instance.
        return registry.find(d.name()).orElseThrow(() -> raced);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Removes a pattern's definition and unregisters it, in one step for this storage's readers (a
   * concurrent lookup cannot rebuild it in between).
   *
   * @param name the pattern name
   * @return whether a definition or a registered pattern was removed
   */
  boolean withdraw(String name) {
    requireName(name);
    Lock lock = nameLocks.get(name);
    lock.lock();
    try {
      boolean removed = definitions.remove(name);
      boolean unregistered = registry.unregister(name).isPresent();
      return removed || unregistered;
    } finally {
      invalidate(name);
      lock.unlock();
    }
  }

  private List<Pattern> liveAll(List<PatternDefinition> defs) {
    List<Pattern> out = new ArrayList<>(defs.size());
    for (PatternDefinition d : defs) {
      try {
        Pattern p = live(d);
        if (p != null) {
          out.add(p);
        }
      } catch (NdpException | IllegalArgumentException | IllegalStateException | LinkageError e) {
        log.warn(
            "stored pattern '{}' of type '{}' cannot be built and is skipped (kept in storage): {}",
            d.name(),
            d.type(),
            e.getMessage());
      }
    }
    return out;
  }

  private static void requireName(@Nullable String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          "a pattern name or type must be non-blank but was "
              + (value == null ? "null" : "'" + value + "'"));
    }
  }

  /**
   * Configures a {@link PatternStorage}. Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private @Nullable PatternRegistry registry;
    private PatternDefinitionStore definitions = new InMemoryDefinitionStore();
    private Function<String, @Nullable DefinitionSource> sources = type -> null;
    private @Nullable Supplier<PatternFactories> factories;
    private long cacheSize = DEFAULT_CACHE_SIZE;
    private @Nullable Duration expiry;
    private Ticker ticker = Ticker.systemTicker();

    private Builder() {}

    /** Keeps the patterns of this registry (default: a new registry of the storage's own). */
    public Builder registry(PatternRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** Sets where definitions are kept (default: in memory). */
    /**
     * Tells the store where the kind of each stored definition came from (the runtime sets it).
     *
     * @param sources from a definition's type to its kind's source, or null when unknown
     * @return this builder
     * @since 0.2.0
     */
    public Builder definitionSources(Function<String, @Nullable DefinitionSource> sources) {
      this.sources = Objects.requireNonNull(sources, "sources");
      return this;
    }

    public Builder definitionStore(PatternDefinitionStore store) {
      this.definitions = Objects.requireNonNull(store, "store");
      return this;
    }

    /** Sets the factories that turn definitions into patterns (default: ServiceLoader). */
    public Builder factories(PatternFactories factories) {
      Objects.requireNonNull(factories, "factories");
      this.factories = () -> factories;
      return this;
    }

    /**
     * Reads the current factories on every build, for hosts whose plugins come and go (the {@link
     * Ndp} facade does this).
     *
     * @param factories supplies the factories in effect
     * @return this builder
     */
    public Builder factories(Supplier<PatternFactories> factories) {
      this.factories = Objects.requireNonNull(factories, "factories");
      return this;
    }

    /** Sets the bound of the definition cache; must be positive. */
    public Builder cacheSize(long size) {
      if (size <= 0) {
        throw new IllegalArgumentException(
            String.format(Locale.ROOT, "cacheSize must be positive but was %d", size));
      }
      this.cacheSize = size;
      return this;
    }

    /**
     * Re-reads a cached definition from the store after this long, for stores that other processes
     * write (default: never; this storage's own writes always invalidate at once).
     *
     * @param expiry positive
     * @return this builder
     */
    public Builder expireAfterWrite(Duration expiry) {
      if (expiry == null || expiry.isNegative() || expiry.isZero()) {
        throw new IllegalArgumentException("expireAfterWrite must be positive but was " + expiry);
      }
      this.expiry = expiry;
      return this;
    }

    /** The time source of cache expiry (default: the system ticker); tests use a fake one. */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** Builds the storage. */
    public PatternStorage build() {
      return new PatternStorage(this);
    }
  }
}
