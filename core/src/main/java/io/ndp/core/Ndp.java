package io.ndp.core;

import com.google.common.collect.MapMaker;
import io.ndp.api.ConfidenceStore;
import io.ndp.api.DefinitionSource;
import io.ndp.api.DelegateDirectory;
import io.ndp.api.DuplicatePatternException;
import io.ndp.api.NdpStorage;
import io.ndp.api.NdpVersion;
import io.ndp.api.Pattern;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternDefinitionStore;
import io.ndp.api.PatternFactory;
import io.ndp.api.ResourcePool;
import io.ndp.api.RuntimeClosedException;
import io.ndp.api.event.NdpEvent;
import io.ndp.api.event.NdpListener;
import io.ndp.api.event.PluginFailedEvent;
import io.ndp.api.event.PluginLoadedEvent;
import io.ndp.api.event.PluginStoppedEvent;
import io.ndp.core.PluginReport.Status;
import io.ndp.core.internal.GuardedFactory;
import io.ndp.core.internal.Listeners;
import io.ndp.core.internal.NdpPluginManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.WeakReference;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime facade: wires a registry, a storage, an executor and the pattern kinds found on the
 * class path ({@link ServiceLoader}), in a plugins folder (PF4J) and given by hand.
 *
 * <pre>{@code
 * try (Ndp ndp = Ndp.builder().pluginsDir(Path.of("plugins")).build()) {
 *   ndp.delegates().register("validate", in -> ...);
 *   ndp.register(new PatternDefinition("sequential", "flow", "", Map.of("steps", List.of("validate"))));
 *   PatternResult r = ndp.executor().executeBestPattern(ctx);
 *   ndp.pluginReports().forEach(System.out::println);
 * }
 * }</pre>
 *
 * <p><b>Which kind wins.</b> When two sources provide the same type id, the first in this order is
 * used and the other is reported as {@link Status#CONFLICT}: factories given to the builder, then
 * the class path, then plugins in the order of their ids. Never are two kinds of one type id
 * registered.
 *
 * <p><b>Trusted plugins only</b>: with {@link Builder#pluginTrust} set to an allowlist of SHA-256
 * digests or to jarsigner signatures, each plugin JAR is copied into a private folder of the
 * runtime, the copy is verified and the copy is loaded (no gap between check and load); a JAR that
 * fails is reported {@link Status#REFUSED} and never loaded. The default, {@link
 * PluginTrust#any()}, loads every plugin unverified, with a warning.
 *
 * <p><b>Broken plugins</b> never stop the host: each gets a {@link PluginReport} (id, path,
 * reason), logged through SLF4J, and the other plugins load. Stored definitions whose type no
 * loaded kind provides are kept in storage and listed by {@link #unresolvedDefinitions()}.
 *
 * <p><b>Who owns what.</b> The facade is the runtime: it creates, owns and closes the registry of
 * live patterns (and through it the confidence statistics, over the configured {@link
 * ConfidenceStore}, and the {@link ResourcePool} its patterns acquire from), the storage of
 * definitions, the executor and its threads, and the plugin manager with the plugins' class
 * loaders. Nothing of it is static: two facades in one JVM share nothing, and a plugin reloaded
 * into a facade finds the same pool and the same statistics.
 *
 * <p><b>Stopping and unloading</b> a plugin first withdraws its pattern types and removes its
 * patterns from the registry (no new execution picks them), then waits — holding no lock that other
 * callers need — for the executions that may still run them, and only then stops the plugin in
 * PF4J. An execution counts from selection on.
 *
 * <p><b>Closing</b> ({@link #close()}) refuses new calls with {@link RuntimeClosedException}, waits
 * up to the {@linkplain Builder#drainTimeout drain timeout} for executions in flight (naming those
 * still running when it gives up; their outcomes are then not recorded), withdraws every pattern,
 * stops and unloads the plugins and stops the executor's threads.
 *
 * <p><b>Instances.</b> Each started plugin's factories are created once (PF4J would make a new
 * instance per lookup) and dropped when it stops; the patterns they build live in the registry only
 * and are withdrawn on stop, so nothing in core keeps an unloaded plugin's class loader alive. Two
 * JARs with one plugin id in the folder: the highest {@code Plugin-Version} is loaded, the others
 * reported as {@code SUPERSEDED}; a duplicate id loaded at runtime with {@link #loadPlugin} is
 * {@code INVALID}.
 *
 * <p>Thread-safe: executions never lock; plugin lifecycle calls are serialized (PF4J's manager is
 * not thread-safe) but never block {@link #register}, {@link #pluginReports()} or executions while
 * they wait for executions to drain.
 *
 * @since 0.1.0
 */
public final class Ndp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Ndp.class);

  /** How long {@link #close()} and {@link #stopPlugin(String)} wait for executions by default. */
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

  private static final String HOST = "host";
  private static final String CLASSPATH = "classpath";

  // Short critical sections over registry, storage, factories and reports; never held while
  // waiting.
  private final Object lifecycle = new Object();
  // Serializes plugin lifecycle calls and close(); may be held while executions drain.
  private final ReentrantLock pluginOps = new ReentrantLock();
  private final PatternRegistry registry;
  private final PatternStorage storage;
  private final PatternExecutor executor;
  private final @Nullable NdpPluginManager plugins;
  private final @Nullable Path pluginsDir;
  // Under a verifying trust policy: the private folder of verified copies, deleted at close.
  private final @Nullable TrustGate trustGate;
  private final Duration drainTimeout;
  private final @Nullable NdpStorage ownedStorage;
  private final List<Source> baseSources;
  // Guarded by lifecycle for writes; readers take the immutable snapshot without locking.
  private volatile SortedMap<String, PluginReport> reports = Collections.emptySortedMap();
  private final Map<String, Set<String>> withdrawn = new java.util.HashMap<>();
  private volatile boolean closed;
  private volatile List<Source> pluginSources = List.of();
  // The guarded factories (storage and create() build through them) and, for callers, the same
  // factories as their kinds implement them.
  private volatile PatternFactories factories = PatternFactories.of();
  private volatile PatternFactories publicFactories = PatternFactories.of();
  private volatile List<String> conflicts = List.of();

  /** A guarded factory and where it came from ({@code host}, {@code classpath} or a plugin id). */
  private record Source(String origin, GuardedFactory factory) {}

  // Which source built each live pattern (weak keys, compared by identity): a plugin's patterns
  // are withdrawn with it even when their classes come from another plugin's class loader.
  private final ConcurrentMap<Pattern, String> builtBy = new MapMaker().weakKeys().makeMap();
  // Class loaders of unloaded plugins, to tell whether they were collected.
  private final Map<String, WeakReference<ClassLoader>> unloadedLoaders = new ConcurrentHashMap<>();
  // Of plugins. Reports are made under the locks; their events wait here and are sent by the
  // public call that made them, once it released both locks.
  private final Listeners events;
  private final ConcurrentLinkedQueue<NdpEvent> pluginEvents = new ConcurrentLinkedQueue<>();
  // Plugin versions as last seen loaded, for the events of plugins already unloaded.
  private final Map<String, String> pluginVersions = new ConcurrentHashMap<>();

  private Ndp(Builder b) {
    this.events = Listeners.of(b.listeners, "runtime");
    List<Source> base = new ArrayList<>();
    // The host's own factories: a broken one is the host's bug, refused at once with the reason.
    // Only a plugin's patterns are recorded (to withdraw them with it, or refuse them while it is
    // stopped): an entry per pattern of the host or the class path would be memory for nothing.
    b.factories.forEach(
        f -> base.add(new Source(HOST, GuardedFactory.of(f, HOST, Ndp::notRecorded))));
    if (b.serviceLoader) {
      base.addAll(classPathSources(b.classLoader));
    }
    this.baseSources = List.copyOf(base);
    this.ownedStorage = b.storage;
    PatternRegistry.Builder rb = PatternRegistry.builder();
    if (b.storage != null) {
      rb.confidenceStore(b.storage.confidence());
      b.storage.staleness().ifPresent(rb::statisticsExpireAfterWrite);
    }
    if (b.confidenceStore != null) {
      rb.confidenceStore(b.confidenceStore);
    }
    if (b.halfLife != null) {
      rb.halfLife(b.halfLife);
    }
    if (b.resourcePool != null) {
      rb.resourcePool(b.resourcePool);
    }
    b.listeners.forEach(rb::listener);
    b.confidenceAlerts.forEach(rb::confidenceAlert);
    rb.circuitBreaker(b.breakerPolicy);
    this.registry = rb.build();
    this.drainTimeout = b.drainTimeout;
    PatternStorage.Builder sb =
        PatternStorage.builder()
            .registry(registry)
            .factories(() -> factories)
            .definitionSources(this::sourceOf);
    if (b.storage != null) {
      sb.definitionStore(b.storage.definitions());
    }
    if (b.definitionStore != null) {
      sb.definitionStore(b.definitionStore);
    }
    this.storage = sb.build();
    PatternExecutor.Builder eb = PatternExecutor.builder(registry);
    if (b.delegates != null) {
      eb.delegates(b.delegates);
    }
    b.listeners.forEach(eb::listener);
    eb.retry(b.retryPolicy);
    this.executor = b.executorCustomizer.apply(eb).build();
    this.pluginsDir = b.pluginsDir;
    this.trustGate =
        b.pluginsDir != null && b.pluginTrust.verifies()
            ? new TrustGate(b.pluginTrust, b.afterPluginVerified)
            : null;
    if (b.pluginsDir != null && trustGate == null) {
      // Its own logger, so a host that says it in its own words can quiet this one line.
      org.slf4j.LoggerFactory.getLogger(PluginTrust.class)
          .warn(
              "plugins in {} are loaded without verification; set pluginTrust to an allowlist or"
                  + " signatures",
              b.pluginsDir);
    }
    this.plugins =
        b.pluginsDir == null
            ? null
            : new NdpPluginManager(b.pluginsDir, NdpVersion.API_VERSION, trustGate);
    try {
      synchronized (lifecycle) {
        if (plugins != null) {
          long start = System.nanoTime();
          loadAllPlugins();
          log.info(
              "loaded {} plugin(s) from {} in {} ms",
              plugins.getPlugins().size(),
              pluginsDir,
              (System.nanoTime() - start) / 1_000_000);
        }
        rebuildFactories();
        registerStoredDefinitions();
      }
    } catch (RuntimeException | Error e) {
      // A build that fails leaves no plugin running and no verified copy behind.
      try {
        if (plugins != null) {
          plugins.stopPlugins();
          plugins.unloadPlugins();
        }
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      } finally {
        if (trustGate != null) {
          trustGate.close();
        }
      }
      throw e;
    }
    sendPluginEvents();
  }

  /** The most class-path factory failures reported before the search gives up. */
  private static final int MAX_CLASS_PATH_FAILURES = 100;

  /** The class path's factories; one that cannot be created or read is reported, not thrown. */
  private List<Source> classPathSources(ClassLoader loader) {
    List<Source> found = new ArrayList<>();
    Iterator<PatternFactory> it = ServiceLoader.load(PatternFactory.class, loader).iterator();
    int failed = 0;
    String lastFailure = null;
    while (true) {
      PatternFactory f;
      try {
        if (!it.hasNext()) {
          break;
        }
        f = it.next();
      } catch (ServiceConfigurationError | LinkageError e) {
        log.error("a class-path pattern factory cannot be created: {}", e.toString(), e);
        // An error that does not let the iterator advance (the class path cannot be read) comes
        // again on every call: reported once, then the search ends.
        String message = String.valueOf(e.getMessage());
        if (message.equals(lastFailure) || failed >= MAX_CLASS_PATH_FAILURES) {
          break;
        }
        lastFailure = message;
        synchronized (lifecycle) {
          // Keyed by the failure's own number: two failures never share a report.
          record(
              new PluginReport(
                  CLASSPATH + ":failed-" + ++failed,
                  Path.of(""),
                  Status.FAILED,
                  "a class-path pattern factory cannot be created: " + withCauses(e),
                  List.of()));
        }
        continue;
      }
      try {
        found.add(new Source(CLASSPATH, GuardedFactory.of(f, CLASSPATH, Ndp::notRecorded)));
      } catch (IllegalArgumentException e) {
        synchronized (lifecycle) {
          record(
              new PluginReport(
                  CLASSPATH + ":" + f.getClass().getName(),
                  Path.of(""),
                  Status.FAILED,
                  e.getMessage(),
                  List.of()));
        }
      }
    }
    return found;
  }

  /** Records that a plugin's factory built {@code pattern}. */
  private void built(Pattern pattern, String pluginId) {
    builtBy.put(pattern, pluginId);
  }

  private static void notRecorded(Pattern pattern, String origin) {}

  /** Returns a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the registry the executor selects from. */
  public PatternRegistry registry() {
    return registry;
  }

  /** Returns the executor over {@link #registry()}. */
  public PatternExecutor executor() {
    return executor;
  }

  /** Returns the storage of the registry's definitions; its statistics are the registry's. */
  public PatternStorage storage() {
    return storage;
  }

  /** Returns the executor's delegate directory. */
  public DelegateDirectory delegates() {
    return executor.delegates();
  }

  /**
   * Returns the pattern factories in effect now, as their kinds implement them. {@link #create},
   * {@link #register(PatternDefinition)} and storage build through guarded copies that turn a
   * plugin's failure into a clear exception and remember which plugin built each pattern.
   */
  public PatternFactories factories() {
    return publicFactories;
  }

  /**
   * Builds a pattern from a definition with the factory of its type, without registering it.
   *
   * @param definition the definition
   * @return the pattern
   * @throws io.ndp.api.UnknownPatternTypeException when no loaded kind provides the type
   */
  public Pattern create(PatternDefinition definition) {
    return factories.create(definition);
  }

  /**
   * Builds a pattern from a definition, registers it and stores it. Nothing is stored when
   * registration fails, and nothing stays registered when storing fails.
   *
   * @param definition the definition
   * @return the registered pattern
   * @throws DuplicatePatternException when the name is registered or a definition of that name is
   *     already stored (a stored definition is never overwritten here; remove it with {@link
   *     #unregister(String)} first)
   * @throws io.ndp.api.UnknownPatternTypeException when no loaded kind provides the type
   */
  public Pattern register(PatternDefinition definition) {
    synchronized (lifecycle) {
      requireOpen("register(" + (definition == null ? "null" : definition.name()) + ")");
      return registerAndStore(create(definition));
    }
  }

  /**
   * Registers and stores an existing pattern; the same rules as {@link
   * #register(PatternDefinition)}.
   *
   * @param pattern the pattern
   * @return the pattern
   */
  public Pattern register(Pattern pattern) {
    synchronized (lifecycle) {
      requireOpen("register(" + (pattern == null ? "null" : pattern.name()) + ")");
      return registerAndStore(pattern);
    }
  }

  private static void requireTimeout(@Nullable Duration drainTimeout) {
    if (drainTimeout == null || drainTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "drainTimeout must be zero or positive but was " + drainTimeout);
    }
  }

  private void requireOpen(String what) {
    if (closed) {
      throw new RuntimeClosedException(what);
    }
  }

  /**
   * Removes a pattern from the registry and its definition from storage; its statistics stay until
   * {@code storage().resetStatistics(name)}.
   *
   * @param name the pattern name
   * @return whether anything was removed
   */
  public boolean unregister(String name) {
    synchronized (lifecycle) {
      return storage.withdraw(name);
    }
  }

  private Pattern registerAndStore(Pattern pattern) {
    if (pattern == null) {
      throw new IllegalArgumentException("pattern must not be null");
    }
    if (storage.findDefinition(pattern.name()).isPresent()) {
      throw new DuplicatePatternException(pattern.name());
    }
    registry.register(pattern);
    try {
      storage.storePattern(pattern);
    } catch (RuntimeException e) {
      registry.unregister(pattern.name());
      throw e;
    } catch (LinkageError e) {
      registry.unregister(pattern.name());
      throw new IllegalStateException(
          String.format(
              Locale.ROOT,
              "pattern '%s' (%s) failed to link while it was stored: %s",
              pattern.name(),
              builtBy.getOrDefault(pattern, pattern.getClass().getName()),
              e),
          e);
    }
    return pattern;
  }

  /**
   * Adds a listener of everything the runtime reports from now on, as {@link Builder#listener} does
   * at the start (e.g. a console a host opens while it runs). Called after the listeners already
   * there. Two limits: an execution already running when it is added may be heard finishing without
   * having been heard starting; and confidence crossings reach it only when the runtime watched
   * them from the start (a listener given to the builder overrides {@code
   * onConfidenceThresholdCrossed}). Resource events and circuit breaker changes are sent from now
   * on when it overrides their methods.
   *
   * <p>A listener already registered (given to the builder, or added before) is not added again: it
   * hears each event once.
   *
   * @param listener the listener
   * @throws IllegalArgumentException when it is null
   * @throws RuntimeClosedException when the runtime is closed
   * @since 0.2.0
   */
  public void addListener(NdpListener listener) {
    Listeners.checkListener(listener);
    synchronized (lifecycle) {
      if (closed) {
        throw new RuntimeClosedException("addListener(" + listener + ")");
      }
      if (events.contains(listener)) {
        return; // given to the builder or added before: it hears each event once
      }
      events.add(listener);
      registry.addListener(listener);
      executor.addListener(listener);
    }
  }

  /**
   * Removes a listener given to the builder or {@link #addListener} (compared by identity): it
   * hears nothing sent after this returns (an event already being sent may still reach it). For a
   * console or a binding closed while the runtime runs. Works on a closed runtime too.
   *
   * @param listener the listener
   * @return whether it was registered
   * @throws IllegalArgumentException when it is null
   * @since 0.2.0
   */
  public boolean removeListener(NdpListener listener) {
    if (listener == null) {
      throw new IllegalArgumentException("the listener to remove must not be null");
    }
    synchronized (lifecycle) {
      boolean removed = events.remove(listener);
      removed |= registry.removeListener(listener);
      removed |= executor.removeListener(listener);
      return removed;
    }
  }

  /**
   * Returns one report per plugin seen, sorted by key: the plugin id, or {@code id@file.jar} for a
   * superseded or duplicate JAR and {@code ?@file.jar} for a JAR without a readable descriptor. A
   * plugin that lost a type to another source is {@code CONFLICT}; conflicts between host and
   * class-path factories are listed by {@link #conflicts()}.
   */
  public List<PluginReport> pluginReports() {
    List<PluginReport> out = new ArrayList<>(reports.size());
    for (PluginReport r : reports.values()) {
      out.add(current(r));
    }
    return List.copyOf(out);
  }

  /** An unloaded plugin's report, brought up to date: collected since, or threads still alive. */
  private PluginReport current(PluginReport r) {
    if (r.status() != Status.UNLOADED && r.status() != Status.LEAKED) {
      return r;
    }
    WeakReference<ClassLoader> loader = unloadedLoaders.get(r.pluginId());
    if (loader == null) {
      return r;
    }
    String what = r.reason().split("; ", 2)[0];
    return unloadedReport(r.pluginId(), r.path(), what, loader);
  }

  /**
   * Returns a plugin's report.
   *
   * @param pluginId the plugin id
   * @return the report, or empty when no plugin has that id
   */
  public Optional<PluginReport> pluginReport(String pluginId) {
    return pluginId == null
        ? Optional.empty()
        : Optional.ofNullable(reports.get(pluginId)).map(this::current);
  }

  /** Returns the type-id conflicts found among all sources (empty when none). */
  public List<String> conflicts() {
    return conflicts;
  }

  /** Returns stored definitions whose type no loaded kind provides; they stay in storage. */
  public List<PatternDefinition> unresolvedDefinitions() {
    return storage.definitions().stream()
        .filter(d -> factories.resolveType(d.type()).isEmpty())
        .toList();
  }

  /**
   * Loads and starts a plugin JAR at runtime (e.g. a new version dropped in), then registers the
   * stored definitions its types can now build.
   *
   * <p>Under a verifying {@linkplain Builder#pluginTrust trust policy} the JAR is copied into the
   * runtime's private folder and the copy is checked first; a JAR that fails is not loaded and its
   * report is {@link Status#REFUSED} with the reason (keyed {@code id@file.jar} when a plugin with
   * its id is loaded, so the loaded one's report stays).
   *
   * @param jar the plugin JAR; a file that does not exist is reported {@link Status#INVALID} ("no
   *     such file")
   * @return its report
   * @throws IllegalArgumentException when {@code jar} is null
   * @throws IllegalStateException when the facade has no plugins folder
   */
  public PluginReport loadPlugin(Path jar) {
    Checks.notNull(jar, "loadPlugin(jar)");
    return loadPlugin(jar, null);
  }

  /** Loads a plugin file, checked by the trust policy unless {@code admitted} says it was. */
  private PluginReport loadPlugin(Path jar, NdpPluginManager.@Nullable Verdict admitted) {
    pluginOps.lock();
    try {
      synchronized (lifecycle) {
        requireOpen("loadPlugin(" + jar + ")");
        return loadPluginLocked(jar, admitted);
      }
    } finally {
      pluginOps.unlock();
      sendPluginEvents();
    }
  }

  /** Loads and starts a plugin; the caller holds both locks. */
  private PluginReport loadPluginLocked(Path jar, NdpPluginManager.@Nullable Verdict admitted) {
    NdpPluginManager pm = requirePlugins();
    NdpPluginManager.Verdict verdict = admitted != null ? admitted : pm.admit(jar);
    if (verdict.isRefused()) {
      PluginReport r =
          refusedReport(
              new NdpPluginManager.Exclusion(
                  verdict.pluginId() == null ? "?" : verdict.pluginId(),
                  NdpPluginManager.Kind.REFUSED,
                  verdict.reason()),
              jar,
              pm);
      record(r);
      return r;
    }
    // The verified copy under a verifying trust policy, else the file itself.
    Path load = Objects.requireNonNull(verdict.load());
    Optional<NdpPluginManager.Exclusion> refused = pm.checkBeforeLoad(load);
    if (refused.isPresent()) {
      discardCopy(pm, load, jar);
      PluginReport r = exclusionReport(refused.get(), jar);
      record(r);
      return r;
    }
    // The same file again: nothing to load, and the running plugin's report must stay as it is.
    Optional<String> loadedId = pm.descriptorOf(load).map(PluginDescriptor::getPluginId);
    if (loadedId.isPresent()) {
      PluginWrapper running = pm.getPlugin(loadedId.get());
      if (running != null && sameFile(pm.originalOf(running.getPluginPath()), jar)) {
        discardCopy(pm, load, jar);
        return new PluginReport(
            loadedId.get() + "@" + jar.getFileName(),
            jar,
            Status.INVALID,
            "already loaded from this file; reloadPlugin('" + loadedId.get() + "') loads it anew",
            List.of());
      }
    }
    String id;
    try {
      id = pm.loadPlugin(load);
    } catch (RuntimeException e) {
      discardCopy(pm, load, jar);
      // PF4J names the file it was given: the private copy, which the operator never saw.
      String message = e.getMessage();
      String why =
          message == null
              ? null
              : pm.withOriginals(message.replace(load.toString(), jar.toString()));
      PluginReport r = inspectInvisible(jar, pm, why);
      record(r);
      return r;
    }
    if (id == null) {
      discardCopy(pm, load, jar);
      PluginReport r = inspectInvisible(jar, pm, null);
      record(r);
      return r;
    }
    PluginWrapper w = pm.getPlugin(id);
    unloadedLoaders.remove(id);
    if (w.getPluginState() != PluginState.DISABLED) {
      pm.startPlugin(id);
    }
    collect(pm, w);
    rebuildFactories();
    registerStoredDefinitions();
    return reports.get(id);
  }

  /**
   * Stops a plugin, waiting up to the {@linkplain Builder#drainTimeout drain timeout} for running
   * executions of its patterns.
   *
   * @param pluginId the plugin id
   * @return whether the plugin was stopped (false when executions did not finish in time; its
   *     patterns then stay out of the registry and the call can be repeated)
   */
  public boolean stopPlugin(String pluginId) {
    return stopPlugin(pluginId, drainTimeout);
  }

  /**
   * Stops a plugin: withdraws its types and unregisters its patterns, waits for the executions that
   * may still run them (without holding any lock that {@link #register}, {@link #pluginReports()}
   * or executions need), then stops it in PF4J.
   *
   * @param pluginId the plugin id
   * @param drainTimeout how long to wait for running executions
   * @return whether the plugin was stopped
   * @throws IllegalArgumentException when no plugin has that id
   */
  public boolean stopPlugin(String pluginId, Duration drainTimeout) {
    requireTimeout(drainTimeout);
    pluginOps.lock();
    try {
      return stopPluginLocked(pluginId, drainTimeout, false);
    } finally {
      pluginOps.unlock();
      sendPluginEvents();
    }
  }

  /**
   * Stops a plugin; the caller holds {@link #pluginOps}, not {@link #lifecycle}. With {@code
   * restoreOnTimeout}, a drain that times out puts its types and stored patterns back, as if
   * nothing had been asked (a reload that cannot happen changes nothing); without, they stay
   * withdrawn until a repeated call stops it.
   */
  private boolean stopPluginLocked(
      String pluginId, Duration drainTimeout, boolean restoreOnTimeout) {
    NdpPluginManager pm = requirePlugins();
    Map<String, PluginWrapper> stopping = new LinkedHashMap<>();
    List<Source> removed;
    List<Pattern> removedPatterns = new ArrayList<>();
    boolean fresh;
    Set<String> names;
    Set<String> awaited;
    synchronized (lifecycle) {
      PluginWrapper target = requirePlugin(pm, pluginId);
      // PF4J stops the plugins that depend on it too: withdraw, drain and report them all.
      for (String dependent : pm.dependentsOf(pluginId)) {
        PluginWrapper d = pm.getPlugin(dependent);
        if (d != null) {
          stopping.put(dependent, d);
        }
      }
      stopping.put(pluginId, target);
      removed = pluginSources.stream().filter(s -> stopping.containsKey(s.origin())).toList();
      pluginSources =
          pluginSources.stream().filter(s -> !stopping.containsKey(s.origin())).toList();
      rebuildFactories();
      // Remembered per plugin: a retry after a drain timeout must wait for the same executions.
      fresh = !withdrawn.containsKey(pluginId);
      names = withdrawn.computeIfAbsent(pluginId, k -> new java.util.TreeSet<>());
      names.addAll(withdrawPatternsOf(stopping, removedPatterns));
      // Also what an earlier stop that timed out withdrew (of a dependency or a dependent): its
      // executions may still run classes of these plugins. Waiting for too many is safe.
      awaited = new java.util.TreeSet<>(names);
      withdrawn.values().forEach(awaited::addAll);
    }
    List<String> running;
    try {
      running = executor.awaitRunning(Set.copyOf(awaited), drainTimeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (restoreOnTimeout) {
        restore(pluginId, removed, removedPatterns, fresh);
      }
      return false;
    }
    if (!running.isEmpty()) {
      log.warn(
          "plugin '{}': executions that may run {} still running after {}: {}; not stopped yet{}",
          pluginId,
          names,
          drainTimeout,
          running,
          restoreOnTimeout ? "; its types and patterns are back" : "");
      if (restoreOnTimeout) {
        restore(pluginId, removed, removedPatterns, fresh);
      }
      return false;
    }
    // The plugins' own stop() runs holding only pluginOps: register() and reports go on meanwhile.
    Set<String> wasStarted = new java.util.HashSet<>();
    stopping.forEach(
        (id, w) -> {
          if (w.getPluginState() == PluginState.STARTED) {
            wasStarted.add(id);
          }
        });
    pm.stopPlugin(pluginId);
    synchronized (lifecycle) {
      // The admission rule no longer names their class loaders (which it would keep alive).
      rebuildFactories();
      // A storage lookup that read the old factories before they were withdrawn may have
      // registered a pattern of these plugins since.
      names.addAll(withdrawPatternsOf(stopping));
      withdrawn.remove(pluginId);
      // Stopped for good: their breakers go (kept while the stop could still be undone).
      for (String name : names) {
        if (registry.find(name).isEmpty()) {
          registry.breakers().forget(name);
        }
      }
      for (Map.Entry<String, PluginWrapper> e : stopping.entrySet()) {
        String id = e.getKey();
        PluginWrapper w = e.getValue();
        PluginReport old = reports.get(id);
        if (!wasStarted.contains(id) && old != null && old.status() != Status.STARTED) {
          continue; // it was not running (failed, disabled...): its report stands
        }
        boolean failed = w.getPluginState() == PluginState.FAILED;
        String why =
            id.equals(pluginId)
                ? "stopped at runtime"
                : "stopped at runtime because it depends on '" + pluginId + "'";
        record(
            new PluginReport(
                id,
                pm.originalOf(w.getPluginPath()),
                failed ? Status.FAILED : Status.STOPPED,
                failed
                    ? why + "; its stop() failed: " + w.getFailedException()
                    : why + "; patterns withdrawn: " + names,
                old == null ? List.of() : old.types()));
      }
      // Stored definitions of the withdrawn types: served by another provider now, or unresolved.
      registerStoredDefinitions();
    }
    return true;
  }

  /**
   * Undoes a withdrawal whose drain gave up: the plugins' sources, their patterns (the same
   * objects, registered or built from stored definitions) are back, with their circuit breakers as
   * they were.
   */
  private void restore(
      String pluginId, List<Source> removed, List<Pattern> removedPatterns, boolean fresh) {
    synchronized (lifecycle) {
      List<Source> back = new ArrayList<>(pluginSources);
      back.addAll(removed);
      pluginSources = List.copyOf(back);
      if (fresh) {
        withdrawn.remove(pluginId); // an earlier stop that timed out is still remembered
      }
      rebuildFactories();
      for (Pattern p : removedPatterns) {
        if (registry.find(p.name()).isEmpty()) {
          try {
            registry.register(p);
          } catch (RuntimeException e) {
            log.warn("plugin '{}': pattern '{}' could not be put back", pluginId, p.name(), e);
          }
        }
      }
      registerStoredDefinitions();
    }
  }

  /**
   * Unregisters the patterns built by the given plugins' factories, or whose classes come from
   * their class loaders; returns their names.
   */
  private List<String> withdrawPatternsOf(Map<String, PluginWrapper> plugins) {
    return withdrawPatternsOf(plugins, new ArrayList<>());
  }

  /** As {@link #withdrawPatternsOf(Map)}, adding the withdrawn patterns to {@code removed}. */
  private List<String> withdrawPatternsOf(
      Map<String, PluginWrapper> plugins, List<Pattern> removed) {
    Set<ClassLoader> loaders = Collections.newSetFromMap(new IdentityHashMap<>());
    plugins.values().forEach(w -> loaders.add(w.getPluginClassLoader()));
    List<String> names = new ArrayList<>();
    for (Pattern p : registry.patterns()) {
      String origin = builtBy.get(p);
      if ((origin != null && plugins.containsKey(origin))
          || loaders.contains(p.getClass().getClassLoader())) {
        registry.unregister(p.name(), false); // breakers kept until the stop is done
        names.add(p.name());
        removed.add(p);
      }
    }
    return names;
  }

  /**
   * Stops (see {@link #stopPlugin(String, Duration)}) and unloads a plugin, releasing its class
   * loader.
   *
   * @param pluginId the plugin id
   * @param drainTimeout how long to wait for running executions
   * @return whether it was unloaded
   */
  public boolean unloadPlugin(String pluginId, Duration drainTimeout) {
    return unloadPlugin(pluginId, drainTimeout, false);
  }

  private boolean unloadPlugin(String pluginId, Duration drainTimeout, boolean restoreOnTimeout) {
    requireTimeout(drainTimeout);
    pluginOps.lock();
    try {
      NdpPluginManager pm = requirePlugins();
      Map<String, PluginWrapper> unloading = new LinkedHashMap<>();
      synchronized (lifecycle) {
        PluginWrapper target = requirePlugin(pm, pluginId);
        for (String dependent : pm.dependentsOf(pluginId)) {
          PluginWrapper d = pm.getPlugin(dependent);
          if (d != null) {
            unloading.put(dependent, d);
          }
        }
        unloading.put(pluginId, target);
      }
      if (unloading.values().stream().anyMatch(w -> w.getPluginState() == PluginState.STARTED)
          && !stopPluginLocked(pluginId, drainTimeout, restoreOnTimeout)) {
        return false;
      }
      Map<String, WeakReference<ClassLoader>> loaders = new LinkedHashMap<>();
      unloading.forEach((id, w) -> loaders.put(id, new WeakReference<>(w.getPluginClassLoader())));
      boolean unloaded = pm.unloadPlugin(pluginId); // and its dependents, as PF4J does
      synchronized (lifecycle) {
        if (unloaded) {
          for (Map.Entry<String, PluginWrapper> e : unloading.entrySet()) {
            String id = e.getKey();
            unloadedLoaders.put(id, loaders.get(id));
            record(
                unloadedReport(
                    id,
                    pm.originalOf(e.getValue().getPluginPath()),
                    id.equals(pluginId)
                        ? "unloaded at runtime"
                        : "unloaded at runtime because it depends on '" + pluginId + "'",
                    loaders.get(id)));
          }
          if (trustGate != null) {
            // Their verified copies serve no one now (PF4J closed their class loaders).
            unloading.values().forEach(w -> trustGate.discard(pm.forget(w.getPluginPath())));
          }
          registerStoredDefinitions();
        }
        return unloaded;
      }
    } finally {
      pluginOps.unlock();
      sendPluginEvents();
    }
  }

  /**
   * Reloads a plugin from its JAR (a fixed or newer JAR at the same path, or another try after a
   * failure): unloads it when it is loaded — with the plugins that depend on it, draining their
   * executions for up to the {@linkplain Builder#drainTimeout drain timeout} — then loads its JAR,
   * then loads again the dependents that were unloaded with it.
   *
   * <p>Under a verifying {@linkplain Builder#pluginTrust trust policy} the JAR is copied and the
   * copy verified before anything is unloaded; a refused JAR throws {@link IllegalStateException}
   * naming the reason, and the loaded version keeps serving with its report unchanged.
   *
   * @param pluginId the plugin id
   * @return its new report
   * @throws IllegalArgumentException when {@code pluginId} is null or no plugin has that id
   * @throws IllegalStateException when the facade has no plugins folder, its file is missing or
   *     unreadable, the trust policy refuses it, or executions of its patterns still ran after the
   *     drain timeout: then nothing changed (its types and stored patterns are back in place and it
   *     keeps serving); call again once they finish
   * @since 0.2.0
   */
  public PluginReport reloadPlugin(String pluginId) {
    Checks.notNull(pluginId, "reloadPlugin(pluginId)");
    pluginOps.lock();
    try {
      NdpPluginManager pm = requirePlugins();
      PluginReport before;
      boolean loaded;
      Map<String, Path> dependents = new LinkedHashMap<>();
      Map<String, Set<String>> needs = new HashMap<>();
      synchronized (lifecycle) {
        requireOpen("reloadPlugin(" + pluginId + ")");
        before = reports.get(pluginId);
        if (before == null) {
          throw new IllegalArgumentException(
              String.format(
                  Locale.ROOT, "no plugin with id '%s'; known: %s", pluginId, reports.keySet()));
        }
        loaded = pm.getPlugin(pluginId) != null;
        if (loaded) {
          for (String dependent : pm.dependentsOf(pluginId)) {
            PluginWrapper d = pm.getPlugin(dependent);
            if (d != null) {
              dependents.put(dependent, sourceOf(pm.originalOf(d.getPluginPath())));
              Set<String> ids = new HashSet<>();
              d.getDescriptor().getDependencies().forEach(x -> ids.add(x.getPluginId()));
              needs.put(dependent, ids);
            }
          }
        }
      }
      // Checked before anything is unloaded: a missing or unreadable file changes nothing.
      Path source = sourceOf(before.path());
      requireLoadable(pluginId, source);
      // Verified (a private copy) before anything is unloaded: a refused JAR changes nothing.
      NdpPluginManager.Verdict verdict = pm.admit(source);
      if (verdict.isRefused()) {
        String msg =
            String.format(
                Locale.ROOT,
                "plugin '%s' not reloaded: %s is refused by the trust policy: %s; nothing changed%s",
                pluginId,
                source,
                verdict.reason(),
                loaded ? ", the loaded version keeps serving" : "");
        log.error(msg);
        throw new IllegalStateException(msg);
      }
      if (loaded && !unloadPlugin(pluginId, drainTimeout, true)) {
        discardCopy(pm, Objects.requireNonNull(verdict.load()), source);
        throw new IllegalStateException(
            String.format(
                Locale.ROOT,
                "plugin '%s' not reloaded: executions of its patterns still ran after %s; it"
                    + " keeps serving as before; call again once they finish",
                pluginId,
                drainTimeout));
      }
      PluginReport after = loadPlugin(source, verdict);
      // Dependents after what they depend on (a <- b <- c: b before c).
      Set<String> pending = new LinkedHashSet<>(dependents.keySet());
      while (!pending.isEmpty()) {
        String next =
            pending.stream()
                .filter(id -> needs.get(id).stream().noneMatch(pending::contains))
                .findFirst()
                .orElse(pending.iterator().next()); // a cycle PF4J refused anyway: any order
        pending.remove(next);
        loadPlugin(dependents.get(next));
      }
      return after;
    } finally {
      pluginOps.unlock();
      sendPluginEvents();
    }
  }

  /**
   * The file to load a plugin from again: its ZIP when PF4J unpacked one into the folder the report
   * names ({@code plugins/x.zip} into {@code plugins/x}), else the path itself.
   */
  private static Path sourceOf(Path path) {
    if (Files.isDirectory(path)) {
      Path zip = path.resolveSibling(path.getFileName() + ".zip");
      if (Files.isRegularFile(zip)) {
        return zip;
      }
    }
    return path;
  }

  /** Refuses, before anything changes, a plugin file that is gone or not a readable archive. */
  private static void requireLoadable(String pluginId, Path source) {
    if (Files.isDirectory(source)) {
      return;
    }
    if (!Files.isRegularFile(source)) {
      throw new IllegalStateException(
          String.format(
              Locale.ROOT,
              "plugin '%s' not reloaded: its file %s is missing; nothing changed",
              pluginId,
              source));
    }
    try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(source.toFile())) {
      if (zip.size() == 0) {
        throw new java.util.zip.ZipException("empty archive");
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException(
          String.format(
              Locale.ROOT,
              "plugin '%s' not reloaded: %s is not a readable JAR or ZIP (%s); nothing changed",
              pluginId,
              source,
              e.getMessage()),
          e);
    }
  }

  /**
   * The report of an unloaded plugin: {@code LEAKED} naming the live threads whose context class
   * loader (or class) is the plugin's, else {@code UNLOADED}, saying whether the loader was
   * collected yet.
   */
  private static PluginReport unloadedReport(
      String id, Path path, String what, WeakReference<ClassLoader> loader) {
    ClassLoader cl = loader.get();
    if (cl == null) {
      return new PluginReport(
          id, path, Status.UNLOADED, what + "; its class loader was collected", List.of());
    }
    List<String> threads = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && (t.getContextClassLoader() == cl || t.getClass().getClassLoader() == cl)) {
        threads.add(t.getName());
      }
    }
    threads.sort(null);
    if (!threads.isEmpty()) {
      return new PluginReport(
          id,
          path,
          Status.LEAKED,
          what + "; threads it started still run and hold its class loader: " + threads,
          List.of());
    }
    return new PluginReport(
        id,
        path,
        Status.UNLOADED,
        what + "; its class loader is released (not collected yet)",
        List.of());
  }

  /**
   * Closes the runtime: refuses new calls ({@link RuntimeClosedException}), waits up to the drain
   * timeout for executions in flight (logging those still running when it gives up; their outcomes
   * are not recorded), withdraws every pattern, stops and unloads every plugin, and stops the
   * executor's threads. Idempotent.
   */
  @Override
  public void close() {
    pluginOps.lock();
    try {
      synchronized (lifecycle) {
        if (closed) {
          return;
        }
        closed = true;
        registry.admission(p -> false, "the runtime is closed");
      }
      executor.shutdown();
      try {
        List<String> running = executor.awaitTermination(drainTimeout);
        if (!running.isEmpty()) {
          log.warn(
              "closing with executions still running after {} (not recorded): {}",
              drainTimeout,
              running);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      synchronized (lifecycle) {
        for (Pattern p : registry.patterns()) {
          registry.unregister(p.name());
        }
        // The pool may be the host's and outlive this runtime: stop hearing it.
        registry.stopObservingPool();
        pluginSources = List.of();
        rebuildFactories();
      }
      if (plugins != null) {
        Map<String, PluginWrapper> loaded = new LinkedHashMap<>();
        plugins.getPlugins().forEach(w -> loaded.put(w.getPluginId(), w));
        Map<String, WeakReference<ClassLoader>> loaders = new LinkedHashMap<>();
        loaded.forEach((id, w) -> loaders.put(id, new WeakReference<>(w.getPluginClassLoader())));
        plugins.stopPlugins();
        plugins.unloadPlugins();
        synchronized (lifecycle) {
          loaded.forEach(
              (id, w) -> {
                unloadedLoaders.put(id, loaders.get(id));
                record(
                    unloadedReport(
                        id,
                        plugins.originalOf(w.getPluginPath()),
                        "unloaded when the runtime closed",
                        loaders.get(id)));
              });
        }
      }
      executor.close();
      if (trustGate != null) {
        trustGate.close(); // the verified copies: after the plugins loaded from them are unloaded
      }
    } finally {
      try {
        if (ownedStorage != null) {
          // Last, and whatever failed before: the drained executions' outcomes are committed by
          // it, and its connections released.
          ownedStorage.close();
        }
      } finally {
        pluginOps.unlock();
        sendPluginEvents();
      }
    }
  }

  /**
   * Returns the storage given to {@link Builder#storage}, which this runtime owns and closes.
   *
   * @return the storage; empty when the stores are in memory or were given one by one
   * @since 0.2.0
   */
  public Optional<NdpStorage> ownedStorage() {
    return Optional.ofNullable(ownedStorage);
  }

  /** Returns whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  // ---- loading ----

  private void loadAllPlugins() {
    NdpPluginManager pm = Objects.requireNonNull(plugins);
    try {
      pm.loadPlugins();
      pm.startPlugins();
    } catch (RuntimeException e) {
      log.error("loading plugins from {} failed: {}", pluginsDir, e.getMessage(), e);
    }
    for (PluginWrapper w : pm.getPlugins()) {
      collect(pm, w);
    }
    // PF4J forgets corrupt JARs, JARs without descriptor, duplicates, superseded and unresolved
    // plugins: compare the folder with what it knows and say what happened to the rest.
    Set<Path> known =
        pm.getPlugins().stream()
            .map(w -> pm.originalOf(w.getPluginPath()).toAbsolutePath().normalize())
            .collect(Collectors.toSet());
    for (Path file : pluginFilesIn(Objects.requireNonNull(pluginsDir))) {
      Path normal = file.toAbsolutePath().normalize();
      if (known.contains(normal) || known.contains(unpackedFolderOf(normal))) {
        continue; // loaded (a zip: from the folder PF4J unpacked it into)
      }
      NdpPluginManager.Exclusion left = excludedAt(pm, file);
      if (left != null && left.kind() == NdpPluginManager.Kind.REFUSED) {
        record(refusedReport(left, file, pm));
      } else if (left != null) {
        record(exclusionReport(left, file));
      } else {
        record(inspectInvisible(file, pm, null));
      }
    }
    // A plugin folder (not unpacked from a ZIP) refused by the trust policy: say so too.
    Set<Path> zipFolders =
        pluginFilesIn(pluginsDir).stream()
            .map(f -> unpackedFolderOf(f.toAbsolutePath().normalize()))
            .collect(Collectors.toSet());
    for (Map.Entry<Path, NdpPluginManager.Exclusion> e : pm.excluded().entrySet()) {
      Path p = e.getKey().toAbsolutePath().normalize();
      if (e.getValue().kind() == NdpPluginManager.Kind.REFUSED
          && Files.isDirectory(p)
          && !zipFolders.contains(p)) {
        record(refusedReport(e.getValue(), e.getKey(), pm));
      }
    }
  }

  /**
   * The report of a file the trust policy refused: keyed by the id its descriptor claims, or {@code
   * id@file.jar} when a plugin with that id is loaded (its report stays) or it has none.
   */
  private PluginReport refusedReport(
      NdpPluginManager.Exclusion left, Path file, NdpPluginManager pm) {
    String id = left.pluginId();
    // A claimed id is unverified: it takes no other report's place (a loaded plugin's, another
    // refused JAR's), it sits beside it.
    String key =
        "?".equals(id)
                || pm.getPlugin(id) != null
                || (reports.containsKey(id) && !sameFile(reports.get(id).path(), file))
            ? id + "@" + file.getFileName()
            : id;
    return new PluginReport(key, file, Status.REFUSED, left.reason(), List.of());
  }

  /** Whether two paths name one file ({@code plugins/./x.jar} is {@code plugins/x.jar}). */
  private static boolean sameFile(Path a, Path b) {
    if (a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) {
      return true;
    }
    try {
      return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
    } catch (IOException e) {
      return false;
    }
  }

  /** Deletes the verified copy of a file that was not loaded after all (none without one). */
  private void discardCopy(NdpPluginManager pm, Path load, Path original) {
    if (trustGate != null && !load.equals(original)) {
      trustGate.discard(pm.forget(load));
    }
  }

  /** The report of a plugin left out before loading. */
  private static PluginReport exclusionReport(NdpPluginManager.Exclusion left, Path file) {
    return switch (left.kind()) {
      case REFUSED ->
          new PluginReport(
              left.pluginId() + "@" + file.getFileName(),
              file,
              Status.REFUSED,
              left.reason(),
              List.of());
      case SUPERSEDED ->
          new PluginReport(
              left.pluginId() + "@" + file.getFileName(),
              file,
              Status.SUPERSEDED,
              left.reason(),
              List.of());
      case INVALID ->
          new PluginReport(
              left.pluginId() + "@" + file.getFileName(),
              file,
              Status.INVALID,
              left.reason(),
              List.of());
      case UNRESOLVED ->
          new PluginReport(left.pluginId(), file, Status.UNRESOLVED, left.reason(), List.of());
    };
  }

  /** Why the plugin at {@code file} (or the folder a zip was unpacked into) was left out. */
  private static NdpPluginManager.@Nullable Exclusion excludedAt(NdpPluginManager pm, Path file) {
    Path normal = file.toAbsolutePath().normalize();
    for (Map.Entry<Path, NdpPluginManager.Exclusion> e : pm.excluded().entrySet()) {
      Path p = e.getKey().toAbsolutePath().normalize();
      if (p.equals(normal) || p.equals(unpackedFolderOf(normal))) {
        return e.getValue();
      }
    }
    return null;
  }

  /** The folder PF4J unpacks a plugin zip into: its name without the extension, beside it. */
  private static Path unpackedFolderOf(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 && name.regionMatches(true, dot, ".zip", 0, 4)
        ? file.resolveSibling(name.substring(0, dot))
        : file;
  }

  /** Reads a started (or failed, or disabled) plugin's state and factories into a report. */
  /**
   * Why none of the declared pattern factories could be created: the first one's exception, or null
   * when none is declared (or all could be).
   */
  /**
   * The pattern factories a plugin declares: the entries of its {@code
   * META-INF/services/io.ndp.api.PatternFactory} and of its {@code META-INF/extensions.idx} (PF4J's
   * index; an entry that does not load is counted, one that loads counts when it is a factory),
   * wherever its class loader finds them (a JAR, a folder's classes or its {@code lib} JARs), and
   * the extension classes PF4J found that load and are factories. A class that does not load and is
   * listed in neither file is another service's provider (a bundled library's, whose optional
   * dependency may be absent): not ours to judge.
   */
  private static Set<String> declaredFactories(
      Path pluginPath, @Nullable Set<String> extensionNames, ClassLoader loader) {
    Set<String> out =
        new java.util.TreeSet<>(
            listedBy(pluginPath, loader, "META-INF/services/" + PatternFactory.class.getName()));
    Set<String> candidates =
        new java.util.TreeSet<>(listedBy(pluginPath, loader, "META-INF/extensions.idx"));
    if (extensionNames != null) {
      candidates.addAll(extensionNames);
    }
    Set<String> indexed = listedBy(pluginPath, loader, "META-INF/extensions.idx");
    for (String name : candidates) {
      if (out.contains(name)) {
        continue;
      }
      try {
        if (PatternFactory.class.isAssignableFrom(Class.forName(name, false, loader))) {
          out.add(name);
        }
      } catch (ReflectiveOperationException | LinkageError notLoadable) {
        if (indexed.contains(name)) {
          out.add(name); // PF4J's index lists extensions: this one was meant to load
        }
      }
    }
    return out;
  }

  /**
   * The class names the plugin's own copies of {@code resource} list (one per line, {@code #}
   * comments): those its class loader finds inside the plugin's path (its JAR, or its folder's
   * classes and lib JARs), not the host's nor a dependency's.
   */
  private static Set<String> listedBy(Path pluginPath, ClassLoader loader, String resource) {
    Set<String> names = new java.util.TreeSet<>();
    try {
      Path own = pluginPath.toAbsolutePath().normalize();
      for (java.net.URL url : java.util.Collections.list(loader.getResources(resource))) {
        Path from = fileOf(url);
        if (from == null || !from.startsWith(own)) {
          continue;
        }
        try (java.io.InputStream in = url.openStream()) {
          for (String line :
              new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                  .lines()
                  .toList()) {
            int hash = line.indexOf('#');
            String name = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (!name.isEmpty()) {
              names.add(name);
            }
          }
        }
      }
    } catch (IOException | RuntimeException unreadable) {
      // Judged by what loads.
    }
    return names;
  }

  /**
   * The file or folder a resource URL comes from ({@code jar:file:...!/...} or {@code file:...}).
   */
  private static @Nullable Path fileOf(java.net.URL url) {
    try {
      String u = url.toString();
      if (u.startsWith("jar:")) {
        int bang = u.indexOf("!/");
        u = u.substring(4, bang < 0 ? u.length() : bang);
      }
      return Path.of(new java.net.URI(u)).toAbsolutePath().normalize();
    } catch (java.net.URISyntaxException | RuntimeException notAFile) {
      return null;
    }
  }

  private static @Nullable String whyNotCreated(Set<String> declared, ClassLoader loader) {
    for (String name : new java.util.TreeSet<>(declared)) {
      try {
        Class<?> c = Class.forName(name, false, loader);
        if (!PatternFactory.class.isAssignableFrom(c)) {
          return name
              + " is listed as a pattern factory but does not implement "
              + PatternFactory.class.getName();
        }
        c.getDeclaredConstructor().newInstance();
      } catch (java.lang.reflect.InvocationTargetException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        rethrowIfFatal(cause);
        return name + " threw " + withCauses(cause);
      } catch (ReflectiveOperationException | RuntimeException | Error e) {
        rethrowIfFatal(e);
        return name + ": " + withCauses(e);
      }
    }
    return null;
  }

  /**
   * An error the JVM cannot go on from (out of memory, stack overflow) is never a plugin's fault.
   */
  private static void rethrowIfFatal(Throwable t) {
    if (t instanceof VirtualMachineError fatal) {
      throw fatal;
    }
  }

  /**
   * A throwable and its causes in one line, for a report read without any logging binding: {@code
   * java.lang.ExceptionInInitializerError (in the static initializer of x.F), caused by
   * java.lang.IllegalStateException: licence missing}.
   */
  static String withCauses(Throwable t) {
    StringBuilder sb = new StringBuilder();
    Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (Throwable c = t; c != null && seen.add(c) && seen.size() <= 5; c = c.getCause()) {
      sb.append(sb.length() == 0 ? "" : ", caused by ").append(c);
      if (c instanceof ExceptionInInitializerError && c.getCause() != null) {
        for (StackTraceElement frame : c.getCause().getStackTrace()) {
          if ("<clinit>".equals(frame.getMethodName())) {
            sb.append(" (in the static initializer of ").append(frame.getClassName()).append(')');
            break;
          }
        }
      }
    }
    return sb.toString();
  }

  private void collect(NdpPluginManager pm, PluginWrapper w) {
    String id = w.getPluginId();
    // Reports name the file the operator knows, not the verified copy PF4J loaded.
    Path path = pm.originalOf(w.getPluginPath());
    PluginState state = w.getPluginState();
    if (state == PluginState.DISABLED) {
      record(
          new PluginReport(
              id,
              path,
              Status.DISABLED,
              String.format(
                  Locale.ROOT,
                  "requires NDP API '%s' but the host provides %s",
                  w.getDescriptor().getRequires(),
                  NdpVersion.API_VERSION),
              List.of()));
      return;
    }
    if (state == PluginState.FAILED) {
      Optional<Throwable> creation = pm.creationFailure(id);
      Throwable t = w.getFailedException();
      record(
          new PluginReport(
              id,
              path,
              Status.FAILED,
              creation.isPresent()
                  ? "failed to start: its plugin class "
                      + w.getDescriptor().getPluginClass()
                      + " cannot be created: "
                      + withCauses(creation.get())
                  : "failed to start: " + (t == null ? "unknown cause" : withCauses(t)),
              List.of()));
      return;
    }
    if (state != PluginState.STARTED) {
      record(new PluginReport(id, path, Status.FAILED, "not started: state " + state, List.of()));
      return;
    }
    List<String> bundled = bundledApiClasses(w.getPluginPath());
    if (bundled.isEmpty()) {
      // Its dependencies' classes come before the host's: a copy of the API there clashes too.
      for (String dependency : dependenciesOf(pm, id)) {
        PluginWrapper d = pm.getPlugin(dependency);
        List<String> theirs = d == null ? List.of() : bundledApiClasses(d.getPluginPath());
        if (!theirs.isEmpty()) {
          bundled =
              List.of("via its dependency '" + dependency + "': " + String.join(", ", theirs));
          break;
        }
      }
    }
    if (!bundled.isEmpty()) {
      record(
          new PluginReport(
              id,
              path,
              Status.API_CLASH,
              "the plugin bundles its own io.ndp.api or org.pf4j classes ("
                  + String.join(", ", bundled)
                  + "); depend on ndp-api with provided scope",
              List.of()));
      return;
    }
    List<PatternFactory> found;
    try {
      found = pm.getExtensions(PatternFactory.class, id);
    } catch (RuntimeException | Error e) {
      rethrowIfFatal(e);
      record(
          new PluginReport(
              id,
              path,
              Status.FAILED,
              "its pattern factories cannot be created: " + withCauses(e),
              List.of()));
      return;
    }
    // PF4J logs and skips an extension it cannot instantiate: every declared factory it did not
    // create fails the plugin (none of its types is half-served), with the cause found ourselves.
    Set<String> notCreated =
        declaredFactories(
            w.getPluginPath(), pm.getExtensionClassNames(id), w.getPluginClassLoader());
    found.forEach(f -> notCreated.remove(f.getClass().getName()));
    if (!notCreated.isEmpty()) {
      String cause = whyNotCreated(notCreated, w.getPluginClassLoader());
      record(
          new PluginReport(
              id,
              path,
              Status.FAILED,
              "its pattern factory cannot be created: "
                  + (cause != null
                      ? cause
                      : String.join(", ", notCreated)
                          + " was not created when the plugin loaded, though it was on a second"
                          + " try here (a constructor that fails now and then?)"),
              List.of()));
      return;
    }
    if (found.isEmpty()) {
      record(
          new PluginReport(
              id,
              path,
              Status.NO_EXTENSIONS,
              "provides no io.ndp.api.PatternFactory (no META-INF/services entry or"
                  + " extensions.idx)",
              List.of()));
      return;
    }
    Map<String, PatternFactory> byClass = new LinkedHashMap<>();
    found.forEach(f -> byClass.putIfAbsent(f.getClass().getName(), f));
    List<GuardedFactory> guarded = new ArrayList<>();
    for (PatternFactory f : byClass.values()) {
      try {
        guarded.add(GuardedFactory.of(f, id, this::built));
      } catch (IllegalArgumentException e) {
        // One unusable factory makes the plugin FAILED: none of its types is half-served.
        record(new PluginReport(id, path, Status.FAILED, e.getMessage(), List.of()));
        return;
      }
    }
    List<Source> sources = new ArrayList<>(pluginSources);
    guarded.forEach(f -> sources.add(new Source(id, f)));
    pluginSources = List.copyOf(sources);
    record(
        new PluginReport(
            id,
            path,
            Status.STARTED,
            "",
            guarded.stream().map(GuardedFactory::type).sorted().toList()));
  }

  /** The plugins {@code pluginId} depends on, directly or not (those loaded). */
  private static List<String> dependenciesOf(NdpPluginManager pm, String pluginId) {
    Set<String> out = new java.util.LinkedHashSet<>();
    java.util.Deque<String> todo = new java.util.ArrayDeque<>(List.of(pluginId));
    while (!todo.isEmpty()) {
      PluginWrapper w = pm.getPlugin(todo.removeFirst());
      if (w == null) {
        continue;
      }
      for (org.pf4j.PluginDependency dep : w.getDescriptor().getDependencies()) {
        if (out.add(dep.getPluginId())) {
          todo.add(dep.getPluginId());
        }
      }
    }
    return List.copyOf(out);
  }

  /**
   * The API classes a plugin bundles (any {@code io/ndp/api/} or {@code org/pf4j/} class, in the
   * JAR or, for an unpacked plugin folder, in its classes and lib JARs), at most a few named.
   */
  private static List<String> bundledApiClasses(Path path) {
    List<String> found = new ArrayList<>();
    try {
      if (Files.isDirectory(path)) {
        try (Stream<Path> walk = Files.walk(path)) {
          for (Path f : walk.filter(Files::isRegularFile).toList()) {
            String rel = path.relativize(f).toString().replace('\\', '/');
            if (rel.endsWith(".jar")) {
              found.addAll(bundledApiClassesInJar(f));
            } else if (isApiClass(rel.startsWith("classes/") ? rel.substring(8) : rel)) {
              found.add(rel);
            }
          }
        }
      } else {
        found.addAll(bundledApiClassesInJar(path));
      }
    } catch (IOException | UncheckedIOException e) {
      log.warn("cannot inspect plugin {} for bundled API classes: {}", path, e.toString());
    }
    return found.size() > 3 ? List.of(found.get(0), found.get(1), found.get(2), "...") : found;
  }

  private static List<String> bundledApiClassesInJar(Path jar) throws IOException {
    try (JarFile jf = new JarFile(jar.toFile())) {
      return jf.stream().map(JarEntry::getName).filter(Ndp::isApiClass).sorted().toList();
    }
  }

  private static boolean isApiClass(String entry) {
    return entry.endsWith(".class")
        && (entry.startsWith("io/ndp/api/") || entry.startsWith("org/pf4j/"));
  }

  /** Why PF4J holds no wrapper for a plugin file in the folder, read with PF4J's own finder. */
  private PluginReport inspectInvisible(Path file, NdpPluginManager pm, @Nullable String error) {
    if (!Files.exists(file)) {
      return new PluginReport(
          "?@" + file.getFileName(), file, Status.INVALID, "no such file: " + file, List.of());
    }
    if (file.getFileName().toString().endsWith(".jar")) {
      try (JarFile jf = new JarFile(file.toFile())) {
        jf.getManifest();
      } catch (IOException e) {
        return new PluginReport(
            "?@" + file.getFileName(),
            file,
            Status.INVALID,
            "not a readable JAR (corrupt?): " + e.getMessage(),
            List.of());
      }
    }
    Optional<PluginDescriptor> descriptor = pm.descriptorOf(file);
    if (descriptor.isEmpty()) {
      return new PluginReport(
          "?@" + file.getFileName(),
          file,
          Status.INVALID,
          "no plugin descriptor (Plugin-Id or Plugin-Version missing)",
          List.of());
    }
    String id = descriptor.get().getPluginId();
    PluginWrapper same = pm.getPlugin(id);
    if (same != null && !sameFile(pm.originalOf(same.getPluginPath()), file)) {
      return new PluginReport(
          id + "@" + file.getFileName(),
          file,
          Status.INVALID,
          "duplicate plugin id '"
              + id
              + "': already loaded from "
              + pm.originalOf(same.getPluginPath()),
          List.of());
    }
    return new PluginReport(
        id,
        file,
        Status.INVALID,
        "PF4J did not load it" + (error == null ? "" : ": " + error),
        List.of());
  }

  /** The plugin files in the folder: JARs and zips (a zip is unpacked into a folder by PF4J). */
  private static List<Path> pluginFilesIn(Path dir) {
    List<Path> files = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return files;
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.{jar,zip}")) {
      s.forEach(files::add);
    } catch (IOException e) {
      log.error("cannot list plugins folder {}: {}", dir, e.getMessage());
    }
    files.sort(null);
    return files;
  }

  // ---- factories and stored definitions ----

  /** Where the kind of a type (or alias) came from: a plugin with its version, host, class path. */
  private @Nullable DefinitionSource sourceOf(String typeOrAlias) {
    Optional<String> type = factories.resolveType(typeOrAlias);
    if (type.isEmpty()) {
      return null;
    }
    // The precedence of rebuildFactories: the host's, the class path's, then plugins by id.
    List<Source> all = new ArrayList<>(baseSources);
    pluginSources.stream()
        .sorted(java.util.Comparator.comparing(Source::origin))
        .forEachOrdered(all::add);
    for (Source s : all) {
      if (s.factory().type().equals(type.get())) {
        String version = null;
        NdpPluginManager pm = plugins;
        PluginWrapper w = pm == null ? null : pm.getPlugin(s.origin());
        if (w != null) {
          version = w.getDescriptor().getVersion();
        } else {
          version = s.factory().delegate().getClass().getPackage().getImplementationVersion();
        }
        return new DefinitionSource(s.origin(), version);
      }
    }
    return null;
  }

  /** Applies the precedence rule and publishes a new factory snapshot. */
  private void rebuildFactories() {
    List<Source> all = new ArrayList<>(baseSources);
    pluginSources.stream()
        .sorted(java.util.Comparator.comparing(Source::origin))
        .forEachOrdered(all::add);
    Map<String, Source> winners = new LinkedHashMap<>();
    Map<String, String> losers = new LinkedHashMap<>();
    List<String> found = new ArrayList<>();
    for (Source s : all) {
      Source earlier = winners.putIfAbsent(s.factory().type(), s);
      if (earlier != null
          && earlier.factory().delegate().getClass() != s.factory().delegate().getClass()) {
        String msg =
            String.format(
                Locale.ROOT,
                "pattern type '%s' is provided by %s (%s) and by %s (%s); using the first",
                s.factory().type(),
                earlier.origin(),
                earlier.factory().delegate().getClass().getName(),
                s.origin(),
                s.factory().delegate().getClass().getName());
        found.add(msg);
        log.warn(msg);
        losers.merge(s.origin(), msg, (x, y) -> x + "; " + y);
      }
    }
    PatternFactories next =
        PatternFactories.of(winners.values().stream().map(Source::factory).toList());
    // An alias that collides with another kind's type id or alias is a conflict too.
    for (Source s : winners.values()) {
      String lostAlias = next.losers().get(s.factory());
      if (lostAlias != null) {
        found.add(lostAlias);
        losers.merge(s.origin(), lostAlias, (x, y) -> x + "; " + y);
      }
    }
    // A plugin that lost a type is reported as a conflict; one that no longer loses is healthy.
    for (Source s : pluginSources) {
      PluginReport r = reports.get(s.origin());
      if (r == null || (r.status() != Status.STARTED && r.status() != Status.CONFLICT)) {
        continue;
      }
      String lost = losers.get(s.origin());
      PluginReport now =
          new PluginReport(
              r.pluginId(),
              r.path(),
              lost == null ? Status.STARTED : Status.CONFLICT,
              lost == null ? "" : lost,
              r.types());
      putReport(now);
      if (now.status() != r.status() && events.active()) {
        // A plugin that lost its type to another (or got it back) is heard as failed (or loaded).
        pluginEvents.add(pluginEvent(now));
      }
    }
    factories = next;
    publicFactories =
        PatternFactories.of(
            next.factories().stream().map(f -> ((GuardedFactory) f).delegate()).toList());
    // Patterns of a plugin may join only while that plugin is started: a storage lookup that built
    // one with a factory read before a stop is refused, not served.
    Set<ClassLoader> startedLoaders = Collections.newSetFromMap(new IdentityHashMap<>());
    // Only plugins' patterns are recorded with an origin (the host's and the class path's are not),
    // so a plugin's id, whatever it is, never passes for the host.
    Set<String> startedOrigins = new java.util.HashSet<>();
    pluginSources.forEach(
        src -> {
          startedLoaders.add(src.factory().delegate().getClass().getClassLoader());
          startedOrigins.add(src.origin());
        });
    if (plugins != null && !closed) {
      // A started plugin without factories (a library others depend on) may supply classes too.
      plugins.getStartedPlugins().forEach(w -> startedLoaders.add(w.getPluginClassLoader()));
    }
    if (!closed) {
      registry.admission(
          p -> {
            String origin = builtBy.get(p);
            ClassLoader cl = p.getClass().getClassLoader();
            return (origin == null || startedOrigins.contains(origin))
                && (!(cl instanceof PluginClassLoader) || startedLoaders.contains(cl));
          },
          "its plugin is not started");
    }
    conflicts = List.copyOf(found);
  }

  /** Registers every stored definition a loaded kind can build and that is not registered yet. */
  private void registerStoredDefinitions() {
    for (PatternDefinition d : storage.definitions()) {
      if (registry.find(d.name()).isPresent()) {
        continue;
      }
      if (factories.resolveType(d.type()).isEmpty()) {
        log.warn(
            "stored pattern '{}' has type '{}' which no loaded kind provides; kept in storage",
            d.name(),
            d.type());
        continue;
      }
      try {
        storage.findPattern(d.name()); // builds and registers it
      } catch (RuntimeException | LinkageError e) {
        log.warn("stored pattern '{}' cannot be built: {}", d.name(), e.getMessage());
      }
    }
  }

  private void record(PluginReport r) {
    putReport(r);
    if (events.active()) {
      pluginEvents.add(pluginEvent(r));
    }
    if (r.status() == Status.STARTED) {
      log.info("plugin '{}' ({}) started, types {}", r.pluginId(), r.path(), r.types());
    } else if (r.status() == Status.STOPPED
        || r.status() == Status.UNLOADED
        || r.status() == Status.SUPERSEDED) {
      log.info("plugin '{}' ({}): {}", r.pluginId(), r.path(), r.reason());
    } else {
      log.error("plugin '{}' ({}) {}: {}", r.pluginId(), r.path(), r.status(), r.reason());
    }
  }

  /** The event of a report: loaded when started, stopped when stopped or unloaded, else failed. */
  private NdpEvent pluginEvent(PluginReport r) {
    String version = null;
    if (plugins != null) {
      try {
        PluginWrapper w = plugins.getPlugin(r.pluginId());
        if (w != null) {
          version = w.getDescriptor().getVersion();
          pluginVersions.put(r.pluginId(), version);
        }
      } catch (RuntimeException unknown) {
        // not a plugin PF4J knows (a class-path factory, a refused JAR): no version
      }
      if (version == null) {
        version = pluginVersions.get(r.pluginId());
      }
    }
    return switch (r.status()) {
      case STARTED -> new PluginLoadedEvent(r.pluginId(), version, r.path(), r.types());
      case STOPPED -> new PluginStoppedEvent(r.pluginId(), version, r.path(), false, r.reason());
      case UNLOADED, LEAKED ->
          new PluginStoppedEvent(r.pluginId(), version, r.path(), true, r.reason());
      default ->
          new PluginFailedEvent(r.pluginId(), version, r.path(), r.status().name(), r.reason());
    };
  }

  /**
   * Sends the plugin events waiting, unless the calling thread still holds a lock of this runtime
   * (a nested call): the outermost call sends them once it released them.
   */
  private void sendPluginEvents() {
    if (pluginOps.isHeldByCurrentThread()
        || Thread.holdsLock(lifecycle)
        || sendingPluginEvents.get() != null) {
      // A listener's own call back into the runtime (stopping the plugin it just heard about)
      // queues its events: the outer loop sends them after the one being sent, in order.
      return;
    }
    if (!events.active()) {
      // Nobody listens (the last listener was removed meanwhile): a listener added later must
      // not hear what happened before it.
      pluginEvents.clear();
      return;
    }
    sendingPluginEvents.set(Boolean.TRUE);
    try {
      for (NdpEvent e = pluginEvents.poll(); e != null; e = pluginEvents.poll()) {
        events.plugin(e);
      }
    } finally {
      sendingPluginEvents.remove();
    }
  }

  /** Set while the current thread sends this runtime's plugin events. */
  private final ThreadLocal<Boolean> sendingPluginEvents = new ThreadLocal<>();

  /** Publishes a new immutable snapshot of the reports; caller holds {@link #lifecycle}. */
  private void putReport(PluginReport r) {
    SortedMap<String, PluginReport> next = new TreeMap<>(reports);
    if (!r.pluginId().startsWith("?@")) {
      // The file now has an id: a report of it as unreadable is stale.
      next.entrySet()
          .removeIf(e -> e.getKey().startsWith("?@") && e.getValue().path().equals(r.path()));
    }
    next.put(r.pluginId(), r);
    reports = Collections.unmodifiableSortedMap(next);
  }

  private NdpPluginManager requirePlugins() {
    if (plugins == null) {
      throw new IllegalStateException("this Ndp has no plugins folder; set Builder.pluginsDir");
    }
    return plugins;
  }

  private static PluginWrapper requirePlugin(NdpPluginManager pm, String pluginId) {
    PluginWrapper w = pm.getPlugin(pluginId);
    if (w == null) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "no plugin with id '%s'; loaded: %s",
              pluginId,
              pm.getPlugins().stream().map(PluginWrapper::getPluginId).sorted().toList()));
    }
    return w;
  }

  /**
   * Configures an {@link Ndp}. Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private @Nullable Path pluginsDir;
    private final List<PatternFactory> factories = new ArrayList<>();
    private boolean serviceLoader = true;
    private ClassLoader classLoader = Ndp.class.getClassLoader();
    private @Nullable PatternDefinitionStore definitionStore;
    private @Nullable ConfidenceStore confidenceStore;
    private @Nullable NdpStorage storage;
    private @Nullable Double halfLife;
    private @Nullable ResourcePool resourcePool;
    private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
    private @Nullable DelegateDirectory delegates;
    private UnaryOperator<PatternExecutor.Builder> executorCustomizer = b -> b;
    private final List<NdpListener> listeners = new ArrayList<>();
    private final List<Double> confidenceAlerts = new ArrayList<>();
    private RetryPolicy retryPolicy = RetryPolicy.none();
    private BreakerPolicy breakerPolicy = BreakerPolicy.none();
    private PluginTrust pluginTrust = PluginTrust.any();
    private Consumer<Path> afterPluginVerified = original -> {};

    private Builder() {}

    /**
     * Sets which plugin JARs are loaded (default {@link PluginTrust#any()}: all, with a warning
     * logged at start naming the plugins folder). Under {@link PluginTrust#allowlist(Path)} or
     * {@link PluginTrust#signed(java.security.KeyStore)} each JAR, at start and in {@link
     * Ndp#loadPlugin} and {@link Ndp#reloadPlugin}, is copied into a private folder of the runtime
     * (under {@code java.io.tmpdir}, owner-only, deleted at {@link Ndp#close()}); the copy is
     * verified and the copy is loaded, so the file cannot be swapped between check and load. A
     * refused JAR is reported {@link Status#REFUSED} with the reason, never loaded, and the other
     * plugins load.
     *
     * @param trust the policy
     * @return this builder
     * @throws IllegalArgumentException when it is null
     * @since 0.2.0
     */
    public Builder pluginTrust(PluginTrust trust) {
      if (trust == null) {
        throw new IllegalArgumentException(
            "pluginTrust must not be null; use PluginTrust.any() to load every plugin unverified");
      }
      this.pluginTrust = trust;
      return this;
    }

    /**
     * Test seam: called with the original file once its private copy is verified and before the
     * copy is loaded (a test swaps the original there to show the verified bytes are what runs).
     */
    Builder afterPluginVerified(Consumer<Path> hook) {
      this.afterPluginVerified = Checks.notNull(hook, "Ndp.Builder.afterPluginVerified(hook)");
      return this;
    }

    /**
     * Adds a listener of everything the runtime reports: its executor's executions and attempts
     * (see {@link PatternExecutor.Builder#listener}), its registry's statistics resets and
     * confidence crossings (see {@link PatternRegistry.Builder#listener}), and its plugins loaded,
     * failed and stopped. Called in the order added, on the thread that did the work, with no lock
     * of the runtime held; one that throws is logged and skipped, and never changes a result.
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
     * Reports to the listeners when a pattern's confidence in a domain falls below {@code
     * threshold}, and when it recovers; see {@link PatternRegistry.Builder#confidenceAlert}.
     *
     * @param threshold in {@code (0, 1]}
     * @return this builder
     * @throws IllegalArgumentException naming the value when it is outside {@code (0, 1]}
     * @since 0.2.0
     */
    public Builder confidenceAlert(double threshold) {
      Listeners.checkAlert(threshold);
      confidenceAlerts.add(threshold);
      return this;
    }

    /**
     * Retries a pattern after a retryable failure; see {@link PatternExecutor.Builder#retry}.
     * Default {@link RetryPolicy#none()}.
     *
     * @param policy the policy
     * @return this builder
     * @throws IllegalArgumentException when it is null
     * @since 0.2.0
     */
    public Builder retry(RetryPolicy policy) {
      if (policy == null) {
        throw new IllegalArgumentException(
            "retry policy must not be null; use RetryPolicy.none() for none");
      }
      this.retryPolicy = policy;
      return this;
    }

    /**
     * Cuts a pattern off in a domain while it fails there; see {@link
     * PatternRegistry.Builder#circuitBreaker}. Default {@link BreakerPolicy#none()}.
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
     * Loads plugin JARs from this folder (default: none). It must exist when {@link #build()} runs;
     * it may be empty.
     */
    public Builder pluginsDir(Path dir) {
      this.pluginsDir = Checks.notNull(dir, "Ndp.Builder.pluginsDir(dir)");
      return this;
    }

    /** Adds factories given by the host; they win over every other source. */
    public Builder factories(PatternFactory... given) {
      return factories(Arrays.asList(Checks.notNull(given, "Ndp.Builder.factories(factories)")));
    }

    /** Adds factories given by the host; they win over every other source. */
    public Builder factories(Collection<? extends PatternFactory> given) {
      Checks.notNull(given, "Ndp.Builder.factories(factories)");
      List<PatternFactory> checked = new ArrayList<>(given.size());
      for (PatternFactory f : given) { // all or nothing: a refused call adds none of them
        checked.add(Checks.notNull(f, "Ndp.Builder.factories: factory " + checked.size()));
      }
      factories.addAll(checked);
      return this;
    }

    /** Whether to look for factories on the class path with ServiceLoader (default: yes). */
    public Builder serviceLoader(boolean enabled) {
      this.serviceLoader = enabled;
      return this;
    }

    /** The class loader ServiceLoader searches (default: core's). */
    public Builder classLoader(ClassLoader loader) {
      this.classLoader = Checks.notNull(loader, "Ndp.Builder.classLoader(loader)");
      return this;
    }

    /**
     * Keeps definitions and statistics in this storage, e.g. {@code
     * JdbcStorage.h2(Path.of("ndp-data"))}: the one-line durable twin of the in-memory default. The
     * runtime owns it from now on: it re-reads cached statistics after the storage's {@link
     * NdpStorage#staleness() staleness} (so that it sees what other hosts record) and closes it
     * last in {@link Ndp#close()}, after draining the executions, so their outcomes are committed.
     *
     * @param storage the storage
     * @return this builder
     * @throws IllegalArgumentException when a definition store, a confidence store or a half-life
     *     was set too (the storage decides them)
     * @since 0.2.0
     */
    public Builder storage(NdpStorage storage) {
      Checks.notNull(storage, "Ndp.Builder.storage(storage)");
      if (definitionStore != null || confidenceStore != null || halfLife != null) {
        throw new IllegalArgumentException(
            "storage("
                + storage.description()
                + ") decides both stores and how statistics"
                + " forget: do not also set definitionStore, confidenceStore or halfLife");
      }
      this.storage = storage;
      return this;
    }

    /** Keeps definitions in this store (default: in memory). */
    public Builder definitionStore(PatternDefinitionStore store) {
      requireNoStorage("definitionStore");
      this.definitionStore = Checks.notNull(store, "Ndp.Builder.definitionStore(store)");
      return this;
    }

    /** Keeps confidence statistics in this store (default: in memory). */
    public Builder confidenceStore(ConfidenceStore store) {
      requireNoStorage("confidenceStore");
      if (halfLife != null) {
        throw new IllegalArgumentException(
            "halfLife applies to the in-memory statistics; the custom confidence store decides how"
                + " it forgets");
      }
      this.confidenceStore = Checks.notNull(store, "Ndp.Builder.confidenceStore(store)");
      return this;
    }

    /**
     * Sets how fast the in-memory statistics forget (default {@link
     * PatternRegistry.Builder#DEFAULT_HALF_LIFE}); see {@link PatternRegistry.Builder#halfLife}.
     *
     * @param outcomes the half-life in outcomes of the domain, at least 1, or infinite: never
     *     forget
     * @return this builder
     * @throws IllegalArgumentException naming the value when it is invalid, or when a custom
     *     confidence store is set
     */
    public Builder halfLife(double outcomes) {
      PatternRegistry.builder().halfLife(outcomes); // the same checks, at the call
      requireNoStorage("halfLife");
      if (confidenceStore != null) {
        throw new IllegalArgumentException(
            "halfLife applies to the in-memory statistics; the custom confidence store decides how"
                + " it forgets");
      }
      this.halfLife = outcomes;
      return this;
    }

    /**
     * Uses this resource pool, e.g. one with the host's capacities (default: a new pool owned by
     * this runtime, capacity {@link ResourcePool#DEFAULT_CAPACITY} per resource unless declared).
     */
    public Builder resourcePool(ResourcePool pool) {
      this.resourcePool = Checks.notNull(pool, "Ndp.Builder.resourcePool(pool)");
      return this;
    }

    /**
     * Sets how long {@link #close()} and {@link #stopPlugin(String)} wait for executions in flight
     * (default {@link #DEFAULT_DRAIN_TIMEOUT}).
     *
     * @param timeout zero or positive
     * @return this builder
     */
    public Builder drainTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative()) {
        throw new IllegalArgumentException(
            "drainTimeout must be zero or positive but was " + timeout);
      }
      this.drainTimeout = timeout;
      return this;
    }

    /** Uses this delegate directory (default: a new one). */
    public Builder delegates(DelegateDirectory delegates) {
      this.delegates = Checks.notNull(delegates, "Ndp.Builder.delegates(delegates)");
      return this;
    }

    /**
     * Customizes the executor (policy, attempts, fallbacks, thread pool); the registry is set by
     * the facade.
     */
    public Builder executor(UnaryOperator<PatternExecutor.Builder> customizer) {
      this.executorCustomizer = Checks.notNull(customizer, "Ndp.Builder.executor(customizer)");
      return this;
    }

    private void requireNoStorage(String what) {
      if (storage != null) {
        throw new IllegalArgumentException(
            what
                + " conflicts with storage("
                + storage.description()
                + "), which decides both stores and how statistics forget");
      }
    }

    /**
     * Builds the facade: discovers kinds, loads plugins, registers stored definitions.
     *
     * <p>When building fails, a {@linkplain #storage storage} given to this builder is closed (the
     * runtime owned it).
     *
     * @return the runtime
     * @throws IllegalArgumentException when the {@linkplain #pluginsDir plugins folder} does not
     *     exist or is not a folder (a typo would otherwise load no plugin without a word)
     */
    public Ndp build() {
      try {
        if (pluginsDir != null && !Files.isDirectory(pluginsDir)) {
          throw new IllegalArgumentException(
              String.format(
                  Locale.ROOT,
                  "the plugins folder %s (Ndp.Builder.pluginsDir) %s",
                  pluginsDir,
                  Files.exists(pluginsDir) ? "is not a folder" : "does not exist"));
        }
        return new Ndp(this);
      } catch (RuntimeException | Error e) {
        if (storage != null) {
          try {
            storage.close();
          } catch (RuntimeException closing) {
            e.addSuppressed(closing);
          }
        }
        throw e;
      }
    }
  }
}
