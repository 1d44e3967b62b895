package io.ndp.core.internal;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.pf4j.DefaultExtensionFinder;
import org.pf4j.DefaultPluginFactory;
import org.pf4j.DefaultPluginManager;
import org.pf4j.ExtensionFinder;
import org.pf4j.Plugin;
import org.pf4j.PluginDependency;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginDescriptorFinder;
import org.pf4j.PluginFactory;
import org.pf4j.PluginRepository;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PF4J's default manager, set up for NDP:
 *
 * <ul>
 *   <li>the NDP API version as system version, so that {@code Plugin-Requires} is enforced;
 *   <li>extensions found through {@code META-INF/services} as well as {@code extensions.idx};
 *   <li>the plugin graph resolved <b>before</b> PF4J sees it: when the folder holds several
 *       versions of one plugin id only the highest is loaded; a plugin whose required dependency is
 *       missing, in a version outside its range, disabled, or in a cycle is left out, with its
 *       dependents, each with the real reason — so that PF4J never unloads a healthy plugin nor
 *       refuses to start any because of another's dependencies;
 *   <li>every call into plugin code ({@code start()}, {@code stop()}) guarded: a plugin that throws
 *       or fails to link is {@code FAILED} with the cause, the others go on; a plugin starts with
 *       its class loader as the thread's context class loader, so that threads it starts can be
 *       traced back to it.
 * </ul>
 *
 * <p>Descriptors and dependencies are read with PF4J's own classes ({@link PluginDescriptorFinder},
 * {@link PluginDependency}, the version manager). Not thread-safe (like PF4J's manager): the facade
 * serializes every call.
 */
public final class NdpPluginManager extends DefaultPluginManager {
  private static final Logger log = LoggerFactory.getLogger(NdpPluginManager.class);

  /** Why a plugin in the folder was left out before PF4J loaded anything. */
  public enum Kind {
    /** A higher version of the same id is in the folder. */
    SUPERSEDED,
    /** A required dependency is missing, in the wrong version, unusable, or in a cycle. */
    UNRESOLVED,
    /** Its descriptor cannot be understood (e.g. a version that does not parse). */
    INVALID,
    /** The host's trust policy refused the file (not listed, not signed by a trusted key...). */
    REFUSED
  }

  /**
   * Decides, before PF4J sees a plugin file, whether it may be loaded and from which file (a
   * verified private copy, so that nothing can change between the check and the load).
   */
  public interface Gate {
    /**
     * Checks a plugin file.
     *
     * @param original the file in the plugins folder (or given to load at runtime)
     * @param descriptors reads a plugin's descriptor with PF4J's finder
     * @return the file to load, or why not
     */
    Verdict check(Path original, Function<Path, Optional<PluginDescriptor>> descriptors);
  }

  /**
   * What a {@link Gate} decided.
   *
   * @param load the file to hand PF4J, or null when refused
   * @param pluginId the id the file's descriptor claims, when known (a refused file is not trusted:
   *     this is a label only)
   * @param reason why it is refused (empty when accepted)
   */
  public record Verdict(@Nullable Path load, @Nullable String pluginId, String reason) {
    /** Accepted: load {@code load}. */
    public static Verdict accepted(Path load) {
      return new Verdict(load, null, "");
    }

    /** Refused, with why. */
    public static Verdict refused(@Nullable String pluginId, String reason) {
      return new Verdict(null, pluginId, reason);
    }

    /** Whether the file was refused. */
    public boolean isRefused() {
      return load == null;
    }
  }

  /**
   * A plugin left out: its id, why, in words.
   *
   * @param pluginId the plugin id
   * @param kind why
   * @param reason in words
   */
  public record Exclusion(String pluginId, Kind kind, String reason) {}

  private final Map<Path, Exclusion> excluded = new ConcurrentHashMap<>();
  private final @Nullable Gate gate;
  // The verified copies PF4J loads, to the files they were copied from (what reports name).
  private final Map<Path, Path> originals = new ConcurrentHashMap<>();

  /**
   * @param pluginsRoot the plugins folder
   * @param systemVersion the NDP API version the host provides
   */
  public NdpPluginManager(Path pluginsRoot, String systemVersion) {
    this(pluginsRoot, systemVersion, null);
  }

  /**
   * @param pluginsRoot the plugins folder
   * @param systemVersion the NDP API version the host provides
   * @param gate checks each plugin file before PF4J sees it, or null to load every file as is
   */
  public NdpPluginManager(Path pluginsRoot, String systemVersion, @Nullable Gate gate) {
    super(pluginsRoot);
    this.gate = gate;
    setSystemVersion(systemVersion);
    setResolveRecoveryStrategy(ResolveRecoveryStrategy.IGNORE_PLUGIN_AND_CONTINUE);
  }

  /**
   * Checks a plugin file with the gate (accepting it as is when there is none); an accepted copy is
   * remembered so that {@link #originalOf} names the original.
   *
   * @param original the plugin file
   * @return the file to load, or why not
   */
  public Verdict admit(Path original) {
    if (gate == null) {
      return Verdict.accepted(original);
    }
    Verdict v = gate.check(original, this::descriptorOf);
    if (!v.isRefused() && !v.load().equals(original)) {
      originals.put(v.load(), original);
    }
    return v;
  }

  /**
   * A message with every verified copy's path replaced by the original's (PF4J names the files it
   * was given; the operator knows the originals).
   *
   * @param text the message
   * @return the message naming originals
   */
  public String withOriginals(String text) {
    String out = text;
    for (Map.Entry<Path, Path> e : originals.entrySet()) {
      out = out.replace(e.getKey().toString(), e.getValue().toString());
    }
    return out;
  }

  /**
   * The file a loaded path was verified from (the path itself under no verifying policy).
   *
   * @param loaded the path PF4J loaded
   * @return the original
   */
  public Path originalOf(Path loaded) {
    return originals.getOrDefault(loaded, loaded);
  }

  /**
   * Forgets the original of an unloaded plugin's copy.
   *
   * @param loaded the path PF4J loaded the plugin from
   * @return that path
   */
  public Path forget(Path loaded) {
    originals.remove(loaded);
    return loaded;
  }

  /** The plugins left out before loading, by path, with why. */
  public Map<Path, Exclusion> excluded() {
    return Collections.unmodifiableMap(excluded);
  }

  // Why a plugin's Plugin class could not be created, by plugin id: PF4J only logs it, then fails
  // the start with a NullPointerException of its own.
  private final Map<String, Throwable> creationFailures = new ConcurrentHashMap<>();

  /**
   * {@return why the {@code Plugin} class of {@code pluginId} could not be created when it was last
   * loaded, or empty when it was}
   */
  public Optional<Throwable> creationFailure(String pluginId) {
    return Optional.ofNullable(creationFailures.get(pluginId));
  }

  @Override
  protected PluginFactory createPluginFactory() {
    // Called from PF4J's constructor, before this class's fields are set: read them only when a
    // plugin is created.
    return new DefaultPluginFactory() {
      @Override
      public Plugin create(PluginWrapper wrapper) {
        // Each load starts afresh: a failure of an earlier version is not this one's.
        creationFailures.remove(wrapper.getPluginId());
        Plugin plugin = super.create(wrapper);
        if (plugin == null) {
          creationFailures.putIfAbsent(
              wrapper.getPluginId(),
              new IllegalStateException(
                  "its Plugin-Class "
                      + wrapper.getDescriptor().getPluginClass()
                      + " is missing, abstract, or not an org.pf4j.Plugin"));
        }
        return plugin;
      }

      @Override
      protected Plugin createInstance(Class<?> pluginClass, PluginWrapper wrapper) {
        String id = wrapper.getPluginId();
        creationFailures.remove(id);
        try {
          try {
            return (Plugin) pluginClass.getConstructor(PluginWrapper.class).newInstance(wrapper);
          } catch (NoSuchMethodException noWrapperConstructor) {
            return (Plugin) pluginClass.getConstructor().newInstance();
          }
        } catch (java.lang.reflect.InvocationTargetException e) {
          Throwable cause = e.getCause() != null ? e.getCause() : e;
          if (cause instanceof VirtualMachineError fatal) {
            throw fatal;
          }
          creationFailures.put(id, cause);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
          creationFailures.put(id, e);
        }
        log.debug("the plugin class of '{}' cannot be created", id, creationFailures.get(id));
        return null;
      }
    };
  }

  @Override
  protected ExtensionFinder createExtensionFinder() {
    ExtensionFinder finder = super.createExtensionFinder();
    if (finder instanceof DefaultExtensionFinder d) {
      d.addServiceProviderExtensionFinder();
    }
    return finder;
  }

  @Override
  protected PluginRepository createPluginRepository() {
    PluginRepository all = super.createPluginRepository();
    return new PluginRepository() {
      @Override
      public List<Path> getPluginPaths() {
        return resolve(all.getPluginPaths());
      }

      @Override
      public boolean deletePluginPath(Path path) {
        return all.deletePluginPath(path);
      }
    };
  }

  /**
   * Checks a plugin about to be loaded at runtime against the plugins loaded now, as the folder is
   * checked at start: a missing or wrong-version dependency, a disabled one, or a cycle leaves it
   * out (PF4J would otherwise unload healthy plugins to resolve it).
   *
   * @param path the plugin
   * @return why it cannot be loaded, or empty when it can (or has no descriptor PF4J can read)
   */
  public Optional<Exclusion> checkBeforeLoad(Path path) {
    Optional<PluginDescriptor> d = descriptorOf(path);
    if (d.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Node> nodes = new TreeMap<>();
    Map<String, String> notRunning = new TreeMap<>();
    for (PluginWrapper w : getPlugins()) {
      nodes.put(w.getPluginId(), new Node(w.getPluginPath(), w.getDescriptor()));
      if (!w.getPluginState().isStarted() && !w.getPluginState().isDisabled()) {
        notRunning.put(w.getPluginId(), w.getPluginState().toString());
      }
    }
    String id = d.get().getPluginId();
    if (nodes.containsKey(id)) {
      return Optional.empty(); // PF4J reports the duplicate id
    }
    if (!parses(d.get().getVersion())) {
      return Optional.of(
          new Exclusion(
              id,
              Kind.INVALID,
              "version '" + d.get().getVersion() + "' of plugin '" + id + "' cannot be parsed"));
    }
    nodes.put(id, new Node(path, d.get()));
    String why = findUnusable(nodes, notRunning).get(id);
    return why == null || why.isEmpty()
        ? Optional.empty()
        : Optional.of(new Exclusion(id, Kind.UNRESOLVED, why));
  }

  /** Reads a plugin's descriptor with PF4J's finder; empty when it has none PF4J can read. */
  public Optional<PluginDescriptor> descriptorOf(Path path) {
    PluginDescriptorFinder finder = getPluginDescriptorFinder();
    try {
      if (!finder.isApplicable(path)) {
        return Optional.empty();
      }
      PluginDescriptor d = finder.find(path);
      if (d == null || isBlank(d.getPluginId()) || isBlank(d.getVersion())) {
        return Optional.empty();
      }
      return Optional.of(d);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Starts a plugin (and its dependencies, as PF4J does) with its class loader as the context class
   * loader; whatever its {@code start()} throws or fails to link leaves it {@code FAILED} with the
   * cause instead of escaping.
   */
  @Override
  public PluginState startPlugin(String pluginId) {
    PluginWrapper w = getPlugin(pluginId);
    if (w.getPluginState().isStarted()) {
      return PluginState.STARTED;
    }
    // Dependencies first: a plugin whose required dependency did not start does not start either.
    if (w.getPluginState() == PluginState.FAILED) {
      return PluginState.FAILED; // start() ran once and failed: never again behind the host's back
    }
    for (PluginDependency dep : w.getDescriptor().getDependencies()) {
      PluginWrapper d = getPlugin(dep.getPluginId());
      if (d == null) {
        continue;
      }
      // A disabled or failed dependency is never started on a dependent's behalf (PF4J would
      // enable a disabled one and rewrite the disabled-plugins file).
      PluginState ds = d.getPluginState();
      PluginState started =
          ds.isDisabled() || ds == PluginState.FAILED ? ds : startPlugin(dep.getPluginId());
      if (started != PluginState.STARTED && !dep.isOptional()) {
        return failed(
            w,
            "start",
            new IllegalStateException(
                "its dependency '" + dep.getPluginId() + "' did not start: " + describe(d)));
      }
    }
    Thread t = Thread.currentThread();
    ClassLoader before = t.getContextClassLoader();
    t.setContextClassLoader(w.getPluginClassLoader());
    try {
      return super.startPlugin(pluginId);
    } catch (RuntimeException | LinkageError e) {
      return failed(w, "start", e);
    } catch (Error e) {
      if (e instanceof VirtualMachineError) {
        throw e;
      }
      return failed(w, "start", e);
    } finally {
      t.setContextClassLoader(before);
    }
  }

  /** Starts every resolved plugin that is not disabled, each as {@link #startPlugin}. */
  @Override
  public void startPlugins() {
    for (PluginWrapper w : new ArrayList<>(getResolvedPlugins())) {
      PluginState s = w.getPluginState();
      if (!s.isDisabled() && !s.isStarted() && s != PluginState.FAILED) {
        startPlugin(w.getPluginId());
      }
    }
  }

  /** Stops a plugin (and, when asked, its dependents); a {@code stop()} that throws is FAILED. */
  @Override
  protected PluginState stopPlugin(String pluginId, boolean stopDependents) {
    PluginWrapper w = getPlugin(pluginId);
    try {
      return super.stopPlugin(pluginId, stopDependents);
    } catch (RuntimeException | Error e) {
      if (e instanceof VirtualMachineError vme) {
        throw vme;
      }
      getStartedPlugins().remove(w);
      return failed(w, "stop", e);
    }
  }

  /** Stops every started plugin, dependents first; one that throws does not stop the others. */
  @Override
  public void stopPlugins() {
    List<PluginWrapper> started = new ArrayList<>(getStartedPlugins());
    Collections.reverse(started);
    for (PluginWrapper w : started) {
      if (w.getPluginState().isStarted()) {
        stopPlugin(w.getPluginId(), false);
      }
    }
  }

  /**
   * Returns the plugins that depend on {@code pluginId}, directly or not, dependents before the
   * plugins they depend on (the order to stop them in).
   */
  public List<String> dependentsOf(String pluginId) {
    Set<String> out = new LinkedHashSet<>();
    Deque<String> todo = new ArrayDeque<>(dependencyResolver.getDependents(pluginId));
    while (!todo.isEmpty()) {
      String d = todo.removeFirst();
      if (out.add(d)) {
        todo.addAll(dependencyResolver.getDependents(d));
      }
    }
    List<String> ordered = new ArrayList<>(out);
    Collections.reverse(ordered);
    return ordered;
  }

  private static String describe(PluginWrapper w) {
    Throwable t = w.getFailedException();
    return w.getPluginState() + (t == null ? "" : " (" + t + ")");
  }

  private PluginState failed(PluginWrapper w, String what, Throwable e) {
    log.error("plugin '{}' failed in {}(): {}", w.getPluginId(), what, e.toString(), e);
    w.setPluginState(PluginState.FAILED);
    w.setFailedException(e);
    return PluginState.FAILED;
  }

  // ---- resolution before loading ----

  /** A plugin in the folder, as its descriptor says. */
  private record Node(Path path, PluginDescriptor descriptor) {
    String id() {
      return descriptor.getPluginId();
    }
  }

  /**
   * Keeps the highest version of each plugin id, then leaves out every plugin that cannot work (and
   * its dependents), recording why. Paths without a readable descriptor pass through for PF4J to
   * report.
   */
  private List<Path> resolve(List<Path> paths) {
    excluded.clear();
    List<Path> out = new ArrayList<>();
    Map<String, Node> nodes = new TreeMap<>();
    for (Path original : paths) {
      Verdict v = admit(original);
      if (v.isRefused()) {
        String id = v.pluginId() == null ? "?" : v.pluginId();
        excluded.put(original, new Exclusion(id, Kind.REFUSED, v.reason()));
        log.error("plugin '{}' ({}) is refused: {}", id, original, v.reason());
        continue;
      }
      Path p = Objects.requireNonNull(v.load());
      Optional<PluginDescriptor> d = descriptorOf(p);
      if (d.isEmpty()) {
        out.add(p);
        continue;
      }
      Node n = new Node(p, d.get());
      Node earlier = nodes.get(n.id());
      if (earlier == null) {
        nodes.put(n.id(), n);
        continue;
      }
      boolean newer;
      try {
        newer =
            getVersionManager()
                    .compareVersions(n.descriptor().getVersion(), earlier.descriptor().getVersion())
                > 0;
      } catch (RuntimeException unparsable) {
        // Keep the one whose version parses; the other is reported, the folder still loads.
        boolean earlierParses = parses(earlier.descriptor().getVersion());
        Node bad = earlierParses ? n : earlier;
        if (!earlierParses) {
          nodes.put(n.id(), n);
        }
        excluded.put(
            originalOf(bad.path()),
            new Exclusion(
                bad.id(),
                Kind.INVALID,
                String.format(
                    Locale.ROOT,
                    "version '%s' of plugin '%s' cannot be parsed: %s",
                    bad.descriptor().getVersion(),
                    bad.id(),
                    unparsable.getMessage())));
        continue;
      }
      Node kept = newer ? n : earlier;
      Node dropped = newer ? earlier : n;
      nodes.put(n.id(), kept);
      excluded.put(
          originalOf(dropped.path()),
          new Exclusion(
              n.id(),
              Kind.SUPERSEDED,
              String.format(
                  Locale.ROOT,
                  "version %s of plugin '%s' is superseded by %s in %s",
                  dropped.descriptor().getVersion(),
                  n.id(),
                  kept.descriptor().getVersion(),
                  kept.path().getFileName())));
    }
    for (Node n : List.copyOf(nodes.values())) {
      if (!parses(n.descriptor().getVersion())) {
        nodes.remove(n.id());
        excluded.put(
            originalOf(n.path()),
            new Exclusion(
                n.id(),
                Kind.INVALID,
                String.format(
                    Locale.ROOT,
                    "version '%s' of plugin '%s' cannot be parsed",
                    n.descriptor().getVersion(),
                    n.id())));
      }
    }
    Map<String, String> unusable = findUnusable(nodes, Map.of());
    for (Node n : nodes.values()) {
      String why = unusable.get(n.id());
      if (why == null) {
        out.add(n.path());
      } else if (!why.isEmpty()) {
        excluded.put(originalOf(n.path()), new Exclusion(n.id(), Kind.UNRESOLVED, why));
        log.error("plugin '{}' ({}) is left out: {}", n.id(), originalOf(n.path()), why);
      }
    }
    return out;
  }

  /**
   * Plugin id to why it cannot work: bad dependencies, cycles, and whatever depends on those. A
   * plugin that is itself disabled is not listed: PF4J loads and reports it DISABLED.
   *
   * @param nodes the plugins
   * @param notRunning loaded plugins that are not started (stopped, failed), with their state
   */
  private Map<String, String> findUnusable(
      Map<String, Node> nodes, Map<String, String> notRunning) {
    Map<String, String> why = new LinkedHashMap<>();
    Map<String, String> disabled = new LinkedHashMap<>();
    for (Node n : nodes.values()) {
      String reason = disabledReason(n.descriptor());
      if (reason != null) {
        disabled.put(n.id(), reason); // PF4J loads it DISABLED; its dependents cannot start
      }
    }
    for (Node n : nodes.values()) {
      for (PluginDependency dep : n.descriptor().getDependencies()) {
        Node target = nodes.get(dep.getPluginId());
        String range = dep.getPluginVersionSupport();
        if (target == null) {
          if (!dep.isOptional()) {
            boolean refused =
                excluded.values().stream()
                    .anyMatch(
                        x -> x.kind() == Kind.REFUSED && x.pluginId().equals(dep.getPluginId()));
            why.putIfAbsent(
                n.id(),
                String.format(
                    Locale.ROOT,
                    refused
                        ? "depends on plugin '%s' (version %s), which the trust policy refused"
                        : "depends on plugin '%s' (version %s), which is missing",
                    dep.getPluginId(),
                    range));
          }
          continue;
        }
        if (dep.isOptional()) {
          continue; // PF4J starts without it when it cannot be used
        }
        String versionProblem = versionProblem(target.descriptor().getVersion(), range);
        if (versionProblem != null) {
          why.putIfAbsent(
              n.id(),
              String.format(
                  Locale.ROOT,
                  "depends on plugin '%s' version '%s', but %s",
                  dep.getPluginId(),
                  range,
                  versionProblem));
        } else if (disabled.containsKey(dep.getPluginId())) {
          why.putIfAbsent(
              n.id(),
              String.format(
                  Locale.ROOT,
                  "depends on plugin '%s', which is disabled (%s)",
                  dep.getPluginId(),
                  disabled.get(dep.getPluginId())));
        } else if (notRunning.containsKey(dep.getPluginId())) {
          why.putIfAbsent(
              n.id(),
              String.format(
                  Locale.ROOT,
                  "depends on plugin '%s', which is %s",
                  dep.getPluginId(),
                  notRunning.get(dep.getPluginId())));
        }
      }
    }
    for (List<String> cycle : cycles(nodes)) {
      String chain = String.join(" -> ", cycle) + " -> " + cycle.get(0);
      for (String id : cycle) {
        why.putIfAbsent(id, "dependency cycle: " + chain);
      }
    }
    // Whatever requires an unusable plugin cannot work either.
    boolean changed = true;
    while (changed) {
      changed = false;
      for (Node n : nodes.values()) {
        if (why.containsKey(n.id())) {
          continue;
        }
        for (PluginDependency dep : n.descriptor().getDependencies()) {
          String broken = why.get(dep.getPluginId());
          if (broken != null && !dep.isOptional()) {
            why.put(
                n.id(),
                String.format(
                    Locale.ROOT,
                    "depends on plugin '%s', which is unresolved (%s)",
                    dep.getPluginId(),
                    broken));
            changed = true;
            break;
          }
        }
      }
    }
    return why;
  }

  /**
   * Why PF4J will load this plugin DISABLED, by PF4J's own rules ({@code isPluginValid}: an exact
   * {@code x.y.z} means {@code >=x.y.z}; a system version {@code 0.0.0} accepts all; the disabled
   * plugins file), or null when it will not.
   */
  private @Nullable String disabledReason(PluginDescriptor d) {
    if (isPluginDisabled(d.getPluginId())) {
      return "disabled by the host's plugin status";
    }
    String requires = d.getRequires() == null ? "" : d.getRequires().trim();
    if (requires.isEmpty() || "*".equals(requires) || "0.0.0".equals(getSystemVersion())) {
      return null;
    }
    if (!isExactVersionAllowed() && requires.matches("^\\d+\\.\\d+\\.\\d+$")) {
      requires = ">=" + requires;
    }
    try {
      return getVersionManager().checkVersionConstraint(getSystemVersion(), requires)
          ? null
          : "it requires NDP API '"
              + d.getRequires()
              + "', the host provides "
              + getSystemVersion();
    } catch (RuntimeException e) {
      return "its Plugin-Requires '" + d.getRequires() + "' cannot be parsed: " + e.getMessage();
    }
  }

  /** Why {@code version} does not satisfy {@code range}, or null when it does. */
  private @Nullable String versionProblem(String version, String range) {
    if (range == null || "*".equals(range.trim())) {
      return null;
    }
    try {
      return getVersionManager().checkVersionConstraint(version, range)
          ? null
          : "the plugins folder has version " + version;
    } catch (RuntimeException e) {
      return "the range cannot be parsed: " + e.getMessage();
    }
  }

  private boolean parses(String version) {
    try {
      getVersionManager().compareVersions(version, version);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The dependency cycles among the plugins (Tarjan's strongly connected components). */
  private static List<List<String>> cycles(Map<String, Node> nodes) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new LinkedHashSet<>();
    List<List<String>> found = new ArrayList<>();
    int[] counter = {0};
    for (String id : nodes.keySet()) {
      if (!index.containsKey(id)) {
        strongConnect(id, nodes, index, low, stack, onStack, found, counter);
      }
    }
    return found;
  }

  private static void strongConnect(
      String v,
      Map<String, Node> nodes,
      Map<String, Integer> index,
      Map<String, Integer> low,
      Deque<String> stack,
      Set<String> onStack,
      List<List<String>> found,
      int[] counter) {
    index.put(v, counter[0]);
    low.put(v, counter[0]);
    counter[0]++;
    stack.push(v);
    onStack.add(v);
    boolean selfLoop = false;
    for (PluginDependency dep : nodes.get(v).descriptor().getDependencies()) {
      String w = dep.getPluginId();
      if (!nodes.containsKey(w)) {
        continue;
      }
      if (w.equals(v)) {
        selfLoop = true;
      }
      if (!index.containsKey(w)) {
        strongConnect(w, nodes, index, low, stack, onStack, found, counter);
        low.put(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.contains(w)) {
        low.put(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v).equals(index.get(v))) {
      List<String> component = new ArrayList<>();
      String w;
      do {
        w = stack.pop();
        onStack.remove(w);
        component.add(w);
      } while (!w.equals(v));
      if (component.size() > 1 || selfLoop) {
        Collections.reverse(component);
        found.add(component);
      }
    }
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
