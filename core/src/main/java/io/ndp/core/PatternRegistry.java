package io.ndp.core;

import com.github.benmanes.caffeine.cache.Ticker;
import io.ndp.api.BreakerState;
import io.ndp.api.ConfidenceStats;
import io.ndp.api.ConfidenceStore;
import io.ndp.api.DuplicatePatternException;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternNotFoundException;
import io.ndp.api.PatternRuntime;
import io.ndp.api.Prior;
import io.ndp.api.ResourcePool;
import io.ndp.api.event.BreakerStateChangedEvent;
import io.ndp.api.event.ConfidenceThresholdCrossedEvent;
import io.ndp.api.event.NdpListener;
import io.ndp.api.event.ResourceAcquiredEvent;
import io.ndp.api.event.ResourceConflictEvent;
import io.ndp.api.event.ResourceReleasedEvent;
import io.ndp.api.event.StatisticsResetEvent;
import io.ndp.core.internal.ConfidenceService;
import io.ndp.core.internal.ExecutionTracker;
import io.ndp.core.internal.InMemoryConfidenceStore;
import io.ndp.core.internal.Listeners;
import io.ndp.core.internal.OfferIndex;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The live patterns of one runtime, by name, with indexes by agent type and by type id so that
 * selection never scans every pattern — and the root of that runtime's state: the confidence
 * statistics learned for its patterns and the resource pool they acquire from.
 *
 * <p><b>Ownership.</b> A registry owns what it holds. Registering a pattern {@linkplain
 * Pattern#attach attaches} it to this registry's runtime: from then on {@code
 * pattern.confidenceScore()} reads this registry's statistics and a parallel pattern acquires from
 * this registry's {@link #resourcePool()}. A pattern instance belongs to one registry at a time; a
 * second registry refuses it. Every {@link PatternExecutor} and {@link PatternStorage} built over
 * this registry reads and records the same statistics, so nothing (a second executor, {@code
 * explain()}, a storage query) can re-tie or reset them except {@link #resetStatistics}.
 *
 * <p>Thread-safe. Lookups by name are one hash-map read; the indexes by agent type and type are
 * sorted concurrent maps that readers iterate without locking; writers are serialized, and a failed
 * registration leaves the registry exactly as it was. Registering one pattern costs O(log n).
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

  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(PatternRegistry.class);

  private static final Comparator<Pattern> BY_NAME = Comparator.comparing(Pattern::name);

  private final ConfidenceService confidence;
  // Of the statistics: resets and crossings.
  private final Listeners events;
  private final ResourcePool resourcePool;
  private final ConcurrentHashMap<String, ConcurrentHashMap<OutcomeStatus, LongAdder>> notCounted =
      new ConcurrentHashMap<>();
  // Every execution over this registry, whichever executor runs it: withdrawals wait for them all.
  private final ExecutionTracker executions = new ExecutionTracker();
  private final Owner owner = new Owner();
  private final Pins pins = new Pins(this);
  private final Breakers breakers;
  // Set once a listener hears resources; guarded by this for the change.
  private volatile ResourcePool.@Nullable Observer poolObserver;
  private final Object writeLock = new Object();
  private final ConcurrentHashMap<String, Pattern> byName = new ConcurrentHashMap<>();
  // Agent type to the patterns serving it, indexed by what they offer; type id to the patterns
  // of that type sorted by name. Written under writeLock; read without locking. Every pattern
  // serves an agent type, so the agent-type indexes together also hold the sorted names that "did
  // you mean" reads on a miss.
  private final ConcurrentHashMap<String, OfferIndex> byAgentType = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ConcurrentSkipListMap<String, Pattern>> byType =
      new ConcurrentHashMap<>();
  // Type alias to the type ids whose registered patterns declared it; the patterns of an alias are
  // read from the lists of those types, asking each pattern its aliases (no list per alias: it
  // would hold the same patterns again). A type leaves when its last pattern does, never because
  // one pattern left: a pattern's aliases, read again then, may have changed. Written under
  // writeLock.
  private final ConcurrentHashMap<String, Set<String>> aliasTypes = new ConcurrentHashMap<>();
  // Odd while replace() swaps a pattern across the indexes (written under writeLock only).
  private volatile int replacing;
  private static final int ALIAS_READ_RETRIES = 8;
  // Which patterns may join, checked under writeLock: the facade refuses patterns of plugins that
  // are not started, and everything once it is closed.
  private volatile Predicate<Pattern> admission = p -> true;
  private volatile String admissionRule = "";

  /**
   * Creates an empty registry with in-memory statistics and its own resource pool (capacity {@link
   * ResourcePool#DEFAULT_CAPACITY} per resource unless declared).
   */
  public PatternRegistry() {
    this(builder());
  }

  private PatternRegistry(Builder b) {
    this.events = Listeners.of(b.listeners, "registry");
    this.confidence =
        new ConfidenceService(
            b.confidenceStore != null ? b.confidenceStore : new InMemoryConfidenceStore(b.halfLife),
            b.statisticsCacheSize,
            b.statisticsExpiry,
            b.ticker,
            // Crossings are watched only when a listener hears them: otherwise recording reads
            // nothing more.
            hears(
                    b.listeners,
                    "onConfidenceThresholdCrossed",
                    ConfidenceThresholdCrossedEvent.class)
                ? b.confidenceAlerts.stream().mapToDouble(Double::doubleValue).toArray()
                : null);
    this.resourcePool = b.resourcePool != null ? b.resourcePool : new ResourcePool();
    this.breakers =
        new Breakers(
            b.breakerPolicy,
            b.ticker,
            hears(b.listeners, "onBreakerStateChanged", BreakerStateChangedEvent.class));
    // Observed only when a listener hears resources: otherwise a grant snapshots nothing.
    if (hears(b.listeners, "onResourceAcquired", ResourceAcquiredEvent.class)
        || hears(b.listeners, "onResourceReleased", ResourceReleasedEvent.class)
        || hears(b.listeners, "onResourceConflict", ResourceConflictEvent.class)) {
      observePool();
    }
  }

  /**
   * The prior the registered pattern {@code name} declares, which its confidence is read under;
   * neutral when none is registered, or when its {@code prior()} breaks its contract (null or
   * throws), as a selection would not run it either.
   */
  Prior priorOf(String name) {
    Pattern p = byName.get(name);
    // A withdrawn pattern (a plugin stopped or reloading) keeps the prior it was read under: an
    // outcome of one of its executions still in flight is judged as the host last read it.
    return p != null ? Prior.declaredBy(p) : confidence.priorOf(name);
  }

  /**
   * Records the priors of patterns just registered, with the write lock held (so in registration
   * order); when one's differs from the prior its name was registered with before, its confidence
   * moved without an outcome, and the lines that move crossed are queued. Never throws: the
   * registration has taken effect.
   *
   * @return the crossings, for the caller to deliver once it holds no lock
   */
  private List<ConfidenceThresholdCrossedEvent> priorsRegistered(
      List<? extends Pattern> registered, List<Prior> priors) {
    List<ConfidenceThresholdCrossedEvent> crossed = new ArrayList<>();
    for (int i = 0; i < registered.size(); i++) {
      String name = registered.get(i).name();
      try {
        crossed.addAll(confidence.setPrior(name, priors.get(i)));
      } catch (RuntimeException | LinkageError e) {
        log.warn("the prior of pattern '{}' could not be recorded: {}", name, e.toString());
      }
    }
    return crossed;
  }

  /** Whether one of the listeners overrides the listener method {@code name}. */
  private static boolean hears(List<NdpListener> listeners, String name, Class<?> event) {
    for (NdpListener l : listeners) {
      try {
        Method m = l.getClass().getMethod(name, event);
        if (m.getDeclaringClass() != NdpListener.class) {
          return true;
        }
      } catch (NoSuchMethodException | SecurityException e) {
        return true; // cannot tell: watch
      }
    }
    return false;
  }

  /**
   * Returns the operator's pins of this registry: per domain, a pattern forced first or patterns
   * forbidden. Every executor over this registry obeys them.
   *
   * @return the pins, live
   * @since 0.2.0
   */
  public Pins pins() {
    return pins;
  }

  /** Returns a builder: where statistics are kept, the resource pool, the statistics cache. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Registers a pattern and makes this registry's runtime its owner.
   *
   * @param pattern the pattern; its name must be unused
   * @return this registry
   * @throws DuplicatePatternException when the name is taken (registry unchanged)
   * @throws IllegalStateException when the pattern belongs to another registry (registry unchanged)
   * @throws IllegalArgumentException when the pattern is null, serves no agent type, or cannot work
   *     in this runtime, e.g. a capacity that conflicts with the pool's (registry unchanged)
   */
  public PatternRegistry register(Pattern pattern) {
    return registerAll(Collections.singletonList(pattern));
  }

  /**
   * Registers several patterns at once: all of them or, when any is invalid, a duplicate or owned
   * elsewhere, none. Readers may see the patterns of a successful call appear one by one.
   *
   * @param patterns the patterns
   * @return this registry
   * @throws DuplicatePatternException when a name is taken or given twice (registry unchanged)
   * @throws IllegalStateException when a pattern belongs to another registry (registry unchanged)
   * @throws IllegalArgumentException when a pattern is invalid (registry unchanged)
   */
  public PatternRegistry registerAll(Collection<? extends Pattern> patterns) {
    if (patterns == null) {
      throw new IllegalArgumentException("patterns must not be null");
    }
    List<Pattern> adding = new ArrayList<>(patterns.size());
    List<Map<String, Set<String>>> offers = new ArrayList<>(patterns.size());
    List<Prior> priors = new ArrayList<>(patterns.size());
    for (Pattern p : patterns) {
      adding.add(requireValid(p));
      offers.add(OfferIndex.validOffers(p));
      priors.add(Prior.declaredBy(p)); // plugin code: read before the write lock, never under it
    }
    List<ConfidenceThresholdCrossedEvent> crossed;
    synchronized (writeLock) {
      Set<String> seen = new HashSet<>();
      for (Pattern p : adding) {
        if (byName.containsKey(p.name()) || !seen.add(p.name())) {
          throw new DuplicatePatternException(p.name());
        }
      }
      for (Pattern p : adding) {
        admit(p);
      }
      // Attaching may declare resources in the pool: all of them together, undone as a whole when
      // a later one fails, before any other thread can see or use them.
      List<Pattern> attached = new ArrayList<>(adding.size());
      try {
        if (adding.size() == 1) {
          adding.get(0).attach(owner);
          attached.add(adding.get(0));
        } else {
          resourcePool.declareTogether(
              () -> {
                for (Pattern p : adding) {
                  p.attach(owner);
                  attached.add(p);
                }
                return null;
              });
        }
      } catch (RuntimeException e) {
        attached.forEach(p -> p.detach(owner));
        throw e;
      }
      for (int i = 0; i < adding.size(); i++) {
        index(adding.get(i), offers.get(i));
      }
      crossed = priorsRegistered(adding, priors);
    }
    if (!crossed.isEmpty() && events.active()) {
      confidenceCrossed(crossed);
    }
    return this;
  }

  /**
   * Registers {@code pattern} in place of the pattern of the same name, if any, in one step:
   * readers see the old one or the new one, never neither. The old one is detached.
   *
   * @param pattern the new pattern
   * @return the replaced pattern (the pattern itself when it was registered already), or empty when
   *     the name was free
   * @throws IllegalStateException when the pattern belongs to another registry (registry unchanged)
   * @throws IllegalArgumentException when the pattern is invalid (registry unchanged)
   */
  Optional<Pattern> replace(Pattern pattern) {
    Optional<Pattern> old = replaceQueued(pattern);
    confidenceCrossed(List.of()); // the crossings a changed prior caused
    return old;
  }

  /**
   * {@link #replace(Pattern)}, but the crossings a changed prior caused are only queued, for a
   * caller that holds a lock of its own (storage holds the name's) to deliver once it released it
   * ({@link #confidenceCrossed}).
   */
  Optional<Pattern> replaceQueued(Pattern pattern) {
    requireValid(pattern);
    Map<String, Set<String>> offers = OfferIndex.validOffers(pattern);
    Prior prior = Prior.declaredBy(pattern); // plugin code: read before the write lock
    Pattern old;
    synchronized (writeLock) {
      old = byName.get(pattern.name());
      if (old == pattern) {
        return Optional.of(pattern);
      }
      admit(pattern);
      pattern.attach(owner);
      // The new one first: a put under the same name swaps atomically in every index, so readers
      // see the old or the new one; then the old one leaves the keys only it had. A reader of an
      // alias spans several of those indexes: it retries while a replacement is under way.
      replacing++;
      try {
        index(pattern, offers);
        if (old != null) {
          unindex(old);
          old.detach(owner);
        }
      } finally {
        replacing++;
      }
      // Queued only: the caller (storage) holds the name's lock; it delivers once it released it.
      priorsRegistered(List.of(pattern), List.of(prior));
    }
    return Optional.ofNullable(old);
  }

  /**
   * Removes a pattern; it then belongs to no runtime and may be registered elsewhere.
   *
   * @param name the pattern's name
   * @return the removed pattern, or empty when none had that name
   */
  public Optional<Pattern> unregister(String name) {
    return unregister(name, true);
  }

  /**
   * Removes a pattern, keeping its circuit breakers when {@code forgetBreakers} is false (a plugin
   * withdrawal that may be undone; {@link #breakers()}{@code .forget} finishes it).
   */
  Optional<Pattern> unregister(@Nullable String name, boolean forgetBreakers) {
    if (name == null) {
      return Optional.empty();
    }
    synchronized (writeLock) {
      Pattern removed = byName.get(name);
      if (removed == null) {
        return Optional.empty();
      }
      unindex(removed);
      removed.detach(owner);
      if (forgetBreakers) {
        breakers.forget(name);
      }
      return Optional.of(removed);
    }
  }

  /**
   * Returns the pattern with the given name.
   *
   * @param name the name
   * @return the pattern
   * @throws PatternNotFoundException when none is registered under that name; it names a few close
   *     matches, never the whole list
   */
  public Pattern getPattern(String name) {
    Pattern p = name == null ? null : byName.get(name);
    if (p == null) {
      throw new PatternNotFoundException(String.valueOf(name), closeMatches(name));
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
    return name == null ? Optional.empty() : Optional.ofNullable(byName.get(name));
  }

  /** Returns every registered pattern, sorted by name. */
  public List<Pattern> patterns() {
    List<Pattern> all = new ArrayList<>(byName.values());
    all.sort(BY_NAME);
    return Collections.unmodifiableList(all);
  }

  /**
   * Returns the patterns that serve an agent type, sorted by name.
   *
   * @param agentType e.g. {@code sequential}
   * @return the patterns; empty when none
   */
  public List<Pattern> patternsServing(String agentType) {
    OfferIndex serving = agentType == null ? null : byAgentType.get(agentType);
    return serving == null ? List.of() : Collections.unmodifiableList(serving.all());
  }

  /**
   * Returns the patterns of a type, given as type id or alias.
   *
   * @param typeOrAlias e.g. {@code sequential} or {@code SequentialDelegationPattern}
   * @return the patterns; empty when none
   */
  public List<Pattern> patternsOfType(String typeOrAlias) {
    if (typeOrAlias == null) {
      return List.of();
    }
    for (int attempt = 0; attempt < ALIAS_READ_RETRIES; attempt++) {
      int before = replacing;
      List<Pattern> found = patternsOfTypeOnce(typeOrAlias);
      if ((before & 1) == 0 && replacing == before) {
        return found; // no replacement meanwhile: the indexes agreed
      }
      Thread.onSpinWait();
    }
    // Replacements keep coming: every pattern, each asked its type and aliases.
    List<Pattern> out = new ArrayList<>();
    for (Pattern p : patterns()) {
      if (p.type().equals(typeOrAlias) || p.typeAliases().contains(typeOrAlias)) {
        out.add(p);
      }
    }
    return List.copyOf(out);
  }

  private List<Pattern> patternsOfTypeOnce(String typeOrAlias) {
    ConcurrentSkipListMap<String, Pattern> ofType = byType.get(typeOrAlias);
    Set<String> via = aliasTypes.get(typeOrAlias);
    if (via == null || via.isEmpty()) {
      return copyOf(ofType);
    }
    if (ofType == null && via.size() == 1) {
      // The common case, an alias of one type: that type's list is sorted already.
      ConcurrentSkipListMap<String, Pattern> list = byType.get(via.iterator().next());
      if (list == null) {
        return List.of();
      }
      List<Pattern> out = new ArrayList<>();
      for (Pattern p : list.values()) {
        if (p.typeAliases().contains(typeOrAlias)) {
          out.add(p);
        }
      }
      return List.copyOf(out);
    }
    // Patterns whose type is typeOrAlias, and those of other types that declare it as an alias.
    TreeMap<String, Pattern> out = new TreeMap<>();
    if (ofType != null) {
      ofType.forEach(out::put);
    }
    for (String type : via) {
      ConcurrentSkipListMap<String, Pattern> list =
          type.equals(typeOrAlias) ? null : byType.get(type);
      if (list != null) {
        for (Pattern p : list.values()) {
          if (p.typeAliases().contains(typeOrAlias)) {
            out.put(p.name(), p);
          }
        }
      }
    }
    return List.copyOf(out.values());
  }

  /** Returns every agent type some registered pattern serves, sorted. */
  public Set<String> agentTypes() {
    return Collections.unmodifiableSet(new TreeSet<>(byAgentType.keySet()));
  }

  /** Returns the number of registered patterns. */
  public int size() {
    return byName.size();
  }

  /** Returns the resource pool this runtime's patterns acquire from. */
  public ResourcePool resourcePool() {
    return resourcePool;
  }

  /**
   * Returns what was recorded for a pattern over all domains.
   *
   * @param name the pattern
   * @return the counts
   */
  public ConfidenceStats statistics(String name) {
    return confidence.stats(requireName(name));
  }

  /**
   * Returns what was recorded for a pattern in one domain.
   *
   * @param name the pattern
   * @param domain the domain
   * @return the counts
   */
  public ConfidenceStats statistics(String name, String domain) {
    return confidence.stats(requireName(name), requireName(domain));
  }

  /**
   * Returns what was recorded for a pattern per domain, sorted by domain.
   *
   * @param name the pattern
   * @return domain to counts
   */
  public Map<String, ConfidenceStats> statisticsByDomain(String name) {
    return confidence.statsByDomain(requireName(name));
  }

  /**
   * Forgets what was recorded for a pattern, e.g. after its behaviour changed: the one documented
   * way to reset confidence. Its circuit breakers close too.
   *
   * @param name the pattern
   */
  public void resetStatistics(String name) {
    List<ConfidenceThresholdCrossedEvent> crossed = confidence.reset(requireName(name));
    breakers.reset(name, null);
    breakersChanged();
    if (events.active()) {
      events.statisticsReset(new StatisticsResetEvent(name, null));
      confidenceCrossed(crossed);
    }
  }

  /**
   * Forgets what was recorded in one domain, for every pattern (e.g. after the domain's traffic
   * changed); the domain's clock of forgetting stays. The circuit breakers in the domain close too.
   *
   * @param domain the domain
   * @throws IllegalArgumentException when it is null
   * @throws UnsupportedOperationException when a custom confidence store cannot
   * @since 0.2.0
   */
  public void resetDomainStatistics(String domain) {
    if (domain == null) {
      throw new IllegalArgumentException("domain must not be null");
    }
    List<ConfidenceThresholdCrossedEvent> crossed =
        confidence.resetDomain(domain, patternNamesAndWithdrawn());
    breakers.reset(null, domain);
    breakersChanged();
    if (events.active()) {
      events.statisticsReset(new StatisticsResetEvent(null, domain));
      confidenceCrossed(crossed);
    }
  }

  /** Forgets everything recorded for every pattern, and closes every circuit breaker. */
  public void resetAllStatistics() {
    List<ConfidenceThresholdCrossedEvent> crossed = confidence.resetAll(patternNamesAndWithdrawn());
    breakers.reset(null, null);
    breakersChanged();
    if (events.active()) {
      events.statisticsReset(new StatisticsResetEvent(null, null));
      confidenceCrossed(crossed);
    }
  }

  /** The names of the registered patterns: what a reset may move across a threshold. */
  /**
   * The registered names and the withdrawn ones this registry knows: a reset moves a withdrawn
   * pattern's confidence too, and its crossings keep its chain of events whole.
   */
  private List<String> patternNamesAndWithdrawn() {
    Set<String> all = new java.util.TreeSet<>(patternNames());
    all.addAll(confidence.knownPatterns());
    return List.copyOf(all);
  }

  private List<String> patternNames() {
    return patterns().stream().map(Pattern::name).toList();
  }

  /**
   * Returns the outcomes of a pattern that were not counted for or against it (resource conflicts,
   * timeouts of later attempts, cancellations, rejections), by status, since this registry was
   * built. In memory; a monitoring view.
   *
   * @param name the pattern
   * @return status to count; empty when none
   */
  public Map<OutcomeStatus, Long> outcomesNotCounted(String name) {
    Map<OutcomeStatus, LongAdder> counts = notCounted.get(requireName(name));
    if (counts == null) {
      return Map.of();
    }
    Map<OutcomeStatus, Long> out = new EnumMap<>(OutcomeStatus.class);
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return Collections.unmodifiableMap(out);
  }

  void notCounted(String name, OutcomeStatus status) {
    notCounted
        .computeIfAbsent(name, k -> new ConcurrentHashMap<>())
        .computeIfAbsent(status, k -> new LongAdder())
        .increment();
  }

  /** The executions in flight over this registry, of every executor built over it. */
  ExecutionTracker executions() {
    return executions;
  }

  /** The runtime's confidence service; executors and storages built over this registry use it. */
  ConfidenceService confidence() {
    return confidence;
  }

  /**
   * Reports crossings an executor's outcome caused to this registry's listeners; the caller holds
   * no lock.
   */
  void confidenceCrossed(List<ConfidenceThresholdCrossedEvent> crossed) {
    // The crossings were queued in order by the confidence service; whichever thread delivers
    // sends them all, this call's included.
    confidence.deliverCrossings(e -> events.confidenceCrossed(List.of(e)));
  }

  /** Starts turning the pool's grants into events for this registry's listeners, once. */
  private synchronized void observePool() {
    if (poolObserver == null) {
      poolObserver = events.resourceObserver();
      resourcePool.addObserver(poolObserver);
    }
  }

  /**
   * Stops turning the pool's grants into events for this registry's listeners (the runtime closes;
   * the pool may be the host's and outlive it).
   */
  synchronized void stopObservingPool() {
    if (poolObserver != null) {
      resourcePool.removeObserver(poolObserver);
      poolObserver = null;
    }
  }

  /**
   * Adds a listener from now on (see {@link Ndp#addListener}): statistics resets, breaker changes,
   * resource events; confidence crossings only when the registry watched them from the start.
   */
  void addListener(NdpListener listener) {
    events.add(listener);
    if (hears(List.of(listener), "onBreakerStateChanged", BreakerStateChangedEvent.class)) {
      breakers.listen();
    }
    if (hears(List.of(listener), "onResourceAcquired", ResourceAcquiredEvent.class)
        || hears(List.of(listener), "onResourceReleased", ResourceReleasedEvent.class)
        || hears(List.of(listener), "onResourceConflict", ResourceConflictEvent.class)) {
      observePool();
    }
  }

  boolean removeListener(NdpListener listener) {
    return events.remove(listener);
  }

  /** The circuit breakers of this registry's patterns, per domain. */
  Breakers breakers() {
    return breakers;
  }

  /** Reports the breaker state changes queued so far to this registry's listeners. */
  void breakersChanged() {
    breakers.deliver(events::breakerStateChanged);
  }

  /**
   * Returns the state of a pattern's circuit breaker in a domain (see {@link
   * Builder#circuitBreaker}); {@link BreakerState#CLOSED} when breakers are off or the pattern has
   * not run there.
   *
   * @param patternName the pattern
   * @param domain the domain
   * @return the state
   * @throws IllegalArgumentException when either is null
   * @since 0.2.0
   */
  public BreakerState breakerState(String patternName, String domain) {
    if (patternName == null || domain == null) {
      throw new IllegalArgumentException(
          (patternName == null ? "patternName" : "domain") + " must not be null");
    }
    return breakers.state(patternName, domain);
  }

  /** {@return the circuit breaker policy of this registry; {@link BreakerPolicy#none()} default} */
  public BreakerPolicy breakerPolicy() {
    return breakers.policy();
  }

  /**
   * Returns the patterns that serve the context's agent type; the executor's candidate list.
   *
   * @param context the context
   * @return the candidates
   */
  Collection<Pattern> candidatesFor(PatternContext context) {
    OfferIndex serving = byAgentType.get(context.agentType());
    return serving == null ? List.of() : serving.candidates(context);
  }

  /**
   * Returns every pattern that serves the context's agent type, whatever it offers, sorted by name.
   *
   * @param context the context
   * @return the patterns
   */
  Collection<Pattern> servingAll(PatternContext context) {
    OfferIndex serving = byAgentType.get(context.agentType());
    return serving == null ? List.of() : serving.all();
  }

  /** The index of the patterns serving {@code agentType}, or null when none does. */
  @Nullable OfferIndex offerIndex(String agentType) {
    return byAgentType.get(agentType);
  }

  /** Whether any registered pattern serves {@code agentType}; no copying. */
  boolean serves(String agentType) {
    OfferIndex serving = byAgentType.get(agentType);
    return serving != null && !serving.isEmpty();
  }

  /**
   * Sets which patterns may be registered from now on; checked under the write lock, so a
   * registration racing with a change of the rule either happens before (and can be withdrawn) or
   * is refused.
   *
   * @param rule which patterns are admitted
   * @param description what the rule says, for the refusal's message
   */
  void admission(Predicate<Pattern> rule, String description) {
    synchronized (writeLock) {
      this.admission = rule;
      this.admissionRule = description;
    }
  }

  private void admit(Pattern p) {
    if (!admission.test(p)) {
      throw new IllegalStateException(
          String.format(Locale.ROOT, "pattern '%s' is not admitted: %s", p.name(), admissionRule));
    }
  }

  /** Adds a pattern to every index, with its validated offers; the caller holds writeLock. */
  private void index(Pattern p, Map<String, Set<String>> offers) {
    for (String a : p.agentTypes()) {
      byAgentType.computeIfAbsent(a, k -> new OfferIndex()).add(p, offers);
    }
    String type = p.type();
    // The alias first: a reader that finds it looks for the pattern in its type's list.
    for (String alias : aliasesOf(p)) {
      aliasTypes.compute(alias, (k, types) -> with(types, type));
    }
    byType.computeIfAbsent(type, k -> new ConcurrentSkipListMap<>()).put(p.name(), p);
    byName.put(p.name(), p);
  }

  /**
   * Removes a pattern from every index where it (this instance) is, by name first; the caller holds
   * writeLock.
   */
  private void unindex(Pattern p) {
    // By identity: patterns are equal when their definitions are, and a replacement often is.
    byName.computeIfPresent(p.name(), (k, v) -> v == p ? null : v);
    for (String a : p.agentTypes()) {
      OfferIndex serving = byAgentType.get(a);
      if (serving != null) {
        serving.remove(p);
        byAgentType.computeIfPresent(a, (k, v) -> v == serving && v.isEmpty() ? null : v);
      }
    }
    String type = p.type();
    removeFrom(byType, type, p);
    if (!byType.containsKey(type)) {
      // The type's last pattern left: no alias leads to it any more.
      for (String alias : List.copyOf(aliasTypes.keySet())) {
        aliasTypes.computeIfPresent(alias, (k, types) -> without(types, type));
      }
    }
  }

  private static Set<String> with(@Nullable Set<String> types, String type) {
    if (types != null && types.contains(type)) {
      return types;
    }
    Set<String> next = types == null ? new HashSet<>() : new HashSet<>(types);
    next.add(type);
    return Set.copyOf(next);
  }

  private static @Nullable Set<String> without(Set<String> types, String type) {
    if (!types.contains(type)) {
      return types;
    }
    Set<String> next = new HashSet<>(types);
    next.remove(type);
    return next.isEmpty() ? null : Set.copyOf(next);
  }

  /** The aliases of a pattern other than its type id. */
  private static Set<String> aliasesOf(Pattern p) {
    Set<String> aliases = new HashSet<>(p.typeAliases());
    aliases.remove(p.type());
    return aliases;
  }

  private static void removeFrom(
      ConcurrentHashMap<String, ConcurrentSkipListMap<String, Pattern>> index,
      String key,
      Pattern p) {
    ConcurrentSkipListMap<String, Pattern> list = index.get(key);
    if (list != null) {
      list.computeIfPresent(p.name(), (k, v) -> v == p ? null : v);
      index.computeIfPresent(key, (k, v) -> v == list && v.isEmpty() ? null : v);
    }
  }

  /** A few registered names close to {@code name}: its sorted neighbours that look alike. */
  List<String> closeMatches(@Nullable String name) {
    if (name == null || name.isEmpty()) {
      return List.of();
    }
    // The sorted neighbours of name among all names: the greatest name below it and the first
    // names from it on, merged over the agent-type indexes (every pattern is in one of them).
    int wanted = PatternNotFoundException.MAX_SUGGESTIONS + 1;
    String lower = null;
    TreeSet<String> above = new TreeSet<>();
    for (OfferIndex serving : byAgentType.values()) {
      String l = serving.nameBelow(name);
      if (l != null && (lower == null || l.compareTo(lower) > 0)) {
        lower = l;
      }
      int taken = 0;
      for (String n : serving.namesFrom(name)) {
        if (taken++ >= wanted) {
          break;
        }
        above.add(n);
      }
    }
    Set<String> near = new LinkedHashSet<>();
    if (lower != null) {
      near.add(lower);
    }
    for (String n : above) {
      if (near.size() >= wanted) {
        break;
      }
      near.add(n);
    }
    List<String> out = new ArrayList<>(near.size());
    for (String n : near) {
      if (looksAlike(name, n)) {
        out.add(n);
      }
    }
    return out;
  }

  private static boolean looksAlike(String asked, String known) {
    int prefix = 0;
    int max = Math.min(asked.length(), known.length());
    while (prefix < max
        && Character.toLowerCase(asked.charAt(prefix))
            == Character.toLowerCase(known.charAt(prefix))) {
      prefix++;
    }
    return prefix >= Math.min(3, max) || asked.equalsIgnoreCase(known);
  }

  private static List<Pattern> copyOf(@Nullable ConcurrentSkipListMap<String, Pattern> patterns) {
    return patterns == null ? List.of() : List.copyOf(patterns.values());
  }

  private static Pattern requireValid(@Nullable Pattern pattern) {
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
    Set<String> aliases = pattern.typeAliases();
    if (aliases == null || aliases.stream().anyMatch(a -> a == null || a.isBlank())) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT, "pattern '%s' declares a null or blank type alias: %s", name, aliases));
    }
    return pattern;
  }

  private static String requireName(@Nullable String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          "a pattern name or domain must be non-blank but was "
              + (value == null ? "null" : "'" + value + "'"));
    }
    return value;
  }

  /** This registry's runtime as its patterns see it. */
  private final class Owner implements PatternRuntime {
    @Override
    public ConfidenceStats statistics(String patternName) {
      return confidence.stats(patternName);
    }

    @Override
    public ConfidenceStats statistics(String patternName, String domain) {
      return confidence.stats(patternName, domain);
    }

    @Override
    public ResourcePool resourcePool() {
      return resourcePool;
    }

    @Override
    public String toString() {
      return "runtime of " + PatternRegistry.this;
    }
  }

  /**
   * Configures a {@link PatternRegistry}. Not thread-safe.
   *
   * @since 0.2.0
   */
  public static final class Builder {
    /** Statistics snapshots cached at most, by default. */
    public static final long DEFAULT_STATISTICS_CACHE_SIZE = ConfidenceService.DEFAULT_CACHE_SIZE;

    /**
     * The in-memory statistics' half-life by default, in outcomes of the domain: chosen with the
     * default policy by the simulator (README, "Selection"): short enough to follow an abrupt drift
     * in about 130 runs, long enough that a stationary domain loses nothing measurable.
     */
    public static final double DEFAULT_HALF_LIFE = 100;

    private @Nullable ConfidenceStore confidenceStore;
    private @Nullable ResourcePool resourcePool;
    private long statisticsCacheSize = DEFAULT_STATISTICS_CACHE_SIZE;
    private @Nullable Duration statisticsExpiry;
    private Ticker ticker = Ticker.systemTicker();
    private BreakerPolicy breakerPolicy = BreakerPolicy.none();
    private double halfLife = DEFAULT_HALF_LIFE;
    private boolean halfLifeSet;
    private final List<NdpListener> listeners = new ArrayList<>();
    private final List<Double> confidenceAlerts = new ArrayList<>();

    private Builder() {}

    /**
     * Adds a listener of what happens to the statistics this registry owns: {@linkplain
     * NdpListener#onStatisticsReset resets} and {@linkplain
     * NdpListener#onConfidenceThresholdCrossed crossings} (a pattern's {@link
     * io.ndp.api.ConfidenceLevel} in a domain changes, or its confidence crosses a {@linkplain
     * #confidenceAlert threshold} set here). Called in the order added, with no lock held; one that
     * throws is logged and skipped. Crossings are delivered in the order they happened, by one
     * thread at a time (possibly another execution's, right after its own). When a listener
     * overrides {@code onConfidenceThresholdCrossed}, each recorded outcome also reads the
     * pattern's score in its domain from the store just before and just after it, one outcome of a
     * pattern in a domain at a time: in memory those are map lookups; with a durable store, two
     * reads of the store. Resets read the scores they change too, and report the crossings they
     * cause. Also the changes of its circuit breakers, and the grants, releases and conflicts of
     * its resource pool: when a listener overrides one of those methods the registry observes the
     * pool ({@link ResourcePool#addObserver}) until {@link Ndp#close()} of the runtime that owns it
     * (a registry built on its own over a pool that outlives it keeps observing that pool).
     *
     * @param listener the listener
     * @return this builder
     * @throws IllegalArgumentException when it is null
     * @since 0.2.0
     */
    public Builder listener(NdpListener listener) {
      listeners.add(Listeners.checkListener(listener));
      return this;
    }

    /**
     * Cuts a pattern off in a domain while it fails there (see {@link BreakerPolicy}); default
     * {@link BreakerPolicy#none()}. The breakers belong to this registry: every executor over it
     * obeys and feeds them; their state changes go to the {@linkplain #listener listeners}.
     *
     * @param policy the policy
     * @return this builder
     * @throws IllegalArgumentException when it is null
     * @since 0.2.0
     */
    public Builder circuitBreaker(BreakerPolicy policy) {
      if (policy == null) {
        throw new IllegalArgumentException(
            "circuit breaker policy must not be null; use BreakerPolicy.none() for none");
      }
      this.breakerPolicy = policy;
      return this;
    }

    /**
     * Reports to the {@linkplain #listener listeners} when a pattern's confidence in a domain falls
     * below {@code threshold} (from at or above it), and when it recovers: the guide's "monitor
     * confidence thresholds", so that a host can alert. May be called for several thresholds.
     *
     * @param threshold in {@code (0, 1]}
     * @return this builder
     * @throws IllegalArgumentException naming the value when it is outside {@code (0, 1]}
     * @since 0.2.0
     */
    public Builder confidenceAlert(double threshold) {
      Listeners.checkAlert(threshold);
      if (!confidenceAlerts.contains(threshold)) {
        confidenceAlerts.add(threshold);
      }
      return this;
    }

    /**
     * Sets how fast the in-memory statistics forget: each outcome's weight in the evidence halves
     * every {@code outcomes} outcomes recorded in its domain, so that a pattern whose success rate
     * changed is judged by what it does now (default {@link #DEFAULT_HALF_LIFE}); {@link
     * Double#POSITIVE_INFINITY} never forgets. The counts of successes and failures still count
     * everything; see {@link ConfidenceStats}.
     *
     * @param outcomes the half-life, at least 1, or infinite
     * @return this builder
     * @throws IllegalArgumentException naming the value when it is below 1 or not a number, or when
     *     a custom {@link #confidenceStore} is set (it decides how it forgets)
     */
    public Builder halfLife(double outcomes) {
      if (!(outcomes >= 1)) {
        throw new IllegalArgumentException(
            "halfLife must be at least 1 outcome (or infinite: never forget) but was " + outcomes);
      }
      if (confidenceStore != null) {
        throw new IllegalArgumentException(
            "halfLife applies to the in-memory statistics; the custom confidence store decides how"
                + " it forgets");
      }
      this.halfLife = outcomes;
      this.halfLifeSet = true;
      return this;
    }

    /** Keeps confidence statistics in this store (default: in memory). */
    public Builder confidenceStore(ConfidenceStore store) {
      if (halfLifeSet) {
        throw new IllegalArgumentException(
            "halfLife applies to the in-memory statistics; the custom confidence store decides how"
                + " it forgets");
      }
      this.confidenceStore =
          Checks.notNull(store, "PatternRegistry.Builder.confidenceStore(store)");
      return this;
    }

    /** Uses this resource pool, e.g. one the host declared capacities in (default: a new one). */
    public Builder resourcePool(ResourcePool pool) {
      this.resourcePool = Checks.notNull(pool, "PatternRegistry.Builder.resourcePool(pool)");
      return this;
    }

    /**
     * Bounds the cache of statistics snapshots in front of the store; at least 1.
     *
     * @param size snapshots kept at most
     * @return this builder
     */
    public Builder statisticsCacheSize(long size) {
      if (size < 1) {
        throw new IllegalArgumentException(
            String.format(Locale.ROOT, "statisticsCacheSize must be at least 1 but was %d", size));
      }
      this.statisticsCacheSize = size;
      return this;
    }

    /**
     * Re-reads a statistics snapshot from the store after this long, for stores that other
     * processes write (default: never; this process's own writes always invalidate at once).
     *
     * @param expiry positive
     * @return this builder
     */
    public Builder statisticsExpireAfterWrite(Duration expiry) {
      if (expiry == null || expiry.isNegative() || expiry.isZero()) {
        throw new IllegalArgumentException(
            "statisticsExpireAfterWrite must be positive but was " + expiry);
      }
      this.statisticsExpiry = expiry;
      return this;
    }

    /**
     * The time source of cache expiry and of the circuit breakers' cool-down (default: the system
     * ticker); tests use a fake one.
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = Checks.notNull(ticker, "PatternRegistry.Builder.ticker(ticker)");
      return this;
    }

    /** Builds the registry. */
    public PatternRegistry build() {
      return new PatternRegistry(this);
    }
  }
}
