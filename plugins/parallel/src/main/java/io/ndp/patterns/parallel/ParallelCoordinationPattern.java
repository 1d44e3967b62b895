package io.ndp.patterns.parallel;

import io.ndp.api.AbstractPattern;
import io.ndp.api.Delegate;
import io.ndp.api.ExecutionScope;
import io.ndp.api.FailurePolicy;
import io.ndp.api.InvalidContextException;
import io.ndp.api.MatchResult;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternOutcome;
import io.ndp.api.PatternRuntime;
import io.ndp.api.Prior;
import io.ndp.api.ResourcePool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Runs resource-bound tasks concurrently, each through a host-registered {@link Delegate}, each
 * holding the units of the resources it needs while it runs.
 *
 * <p><b>Which pool.</b> There is no process-wide pool. The runtime that registers the pattern (a
 * registry, through {@link #attach}) owns the {@link ResourcePool} its tasks acquire from: the
 * pattern declares its resources there when it is attached, so patterns registered in the same
 * runtime that name the same resource compete for the same units, and two runtimes never share
 * units. A host may instead hand the pattern a pool it owns with {@link Builder#pool}; the pattern
 * then declares its resources there at construction and uses that pool whatever registers it. A
 * pattern built without a pool and not registered anywhere has no pool: it matches, but {@link
 * #execute} ends in {@link OutcomeStatus#REJECTED} before anything runs. {@link #activeResources()}
 * reports the units held by this pattern's running tasks (leases are owned by the pattern's name);
 * {@link ResourcePool#activeResources()} reports the whole pool.
 *
 * <p><b>Resources and capacities.</b> The pattern declares the resources it offers (the guide's
 * {@code {"cpu", "memory", "network"}}). Each resource has a capacity in units in the pattern's
 * pool: configured per pattern with {@link Builder#capacity} (e.g. {@code cpu=4}), else the
 * capacity already in force in the pool, else the pool's {@linkplain ResourcePool#defaultCapacity()
 * default capacity} ({@link ResourcePool#DEFAULT_CAPACITY}, the processor count, unless the owner
 * chose another), which gives way to the first capacity configured or declared explicitly. An
 * explicit capacity is set once per pool; a pattern that configures a different one than the pool
 * holds is rejected with an {@link IllegalArgumentException} naming the resource and both
 * capacities, and the pool is left unchanged: at construction for a host-given pool, when it is
 * attached (so its registration fails) for the runtime's pool.
 *
 * <p><b>Matching.</b> The context's {@value PatternContext#REQUIRED_RESOURCES}, and the resources
 * of the tasks it names (see below), must all be resources of this pattern, else it does not match
 * and the reason names the missing ones. Malformed or over-capacity context tasks also do not
 * match. Score: 1 when the context needs no particular resource; otherwise {@code 0.5 + 0.5 ×
 * needed / offered}, so that a pattern whose resources fit the requirement closely ranks above one
 * that merely contains them.
 *
 * <p><b>Tasks.</b> A {@link ResourceTask} has a name, a delegate name and the units it needs. The
 * tasks of one execution are, in this order of precedence: those of the context attribute {@value
 * #TASKS_ATTRIBUTE} (a list of maps {@code {name, delegate, resources: {cpu: 1}}}; {@code delegate}
 * defaults to the name, {@code resources} may also be a list of names, 1 unit each; or a list of
 * {@link ResourceTask}s, which are checked when built and so cost nothing to read); else the
 * pattern's configured tasks; else one task per required resource (per offered resource when none
 * is required), done by the delegate named after the resource, with 1 unit of it. Every delegate is
 * resolved before any task runs ({@link io.ndp.api.MissingDelegateException}, nothing ran); a
 * malformed {@value #TASKS_ATTRIBUTE} attribute, or a task needing an undeclared resource or more
 * units than a capacity of the pattern's pool, ends in {@link OutcomeStatus#REJECTED} before
 * anything runs, as does an execution of a pattern that has no pool. Each delegate receives the
 * context's payload.
 *
 * <p><b>Acquisition and conflicts.</b> Each task acquires all its units at once or none ({@link
 * ResourcePool#tryAcquireAll}), so tasks never deadlock and never exceed a capacity, however many
 * patterns and threads share the pool. Higher {@link PatternContext#priority()} is served first
 * among waiting tasks. A task waits at most the {@linkplain Builder#acquireTimeout acquire timeout}
 * (default {@link #DEFAULT_ACQUIRE_TIMEOUT}) and never past the scope's deadline; then the
 * execution ends in {@link OutcomeStatus#CONFLICT} naming the task, the units it wanted and those
 * in use (cause: {@link ResourceConflictException}), which lets the executor fall back.
 *
 * <p><b>Output.</b> On success, an unmodifiable {@code Map<String, Object>} from task name to its
 * delegate's output (which may be {@code null}), in task order. Unsuccessful outcomes carry the
 * outputs of the tasks that had finished, in the same form.
 *
 * <p><b>Failure policy.</b> Tasks run concurrently on the scope's {@link
 * ExecutionScope#executor()}. The first task that does not succeed ends the run: its delegate threw
 * ({@link OutcomeStatus#FAILED}, naming the task, its delegate and the cause) or its resources were
 * not free in time ({@link OutcomeStatus#CONFLICT}). When the deadline passes first the run ends in
 * {@link OutcomeStatus#TIMED_OUT}; when the calling thread is interrupted, in {@link
 * OutcomeStatus#CANCELLED} with the interrupt flag restored. In every case the other tasks are
 * cancelled (interrupted if running, never started otherwise) and {@code execute} returns only
 * after every task released its units, so {@link #activeResources()} is empty once it returns. A
 * delegate that ignores interrupts delays that return until it ends; its units stay held until
 * then, so that no capacity is ever exceeded.
 *
 * <pre>{@code
 * var parallel = new ParallelCoordinationPattern("resource_manager",
 *     "Resource-based parallel execution", Set.of("cpu", "memory", "network"));
 * var encoder = ParallelCoordinationPattern.builder("encoder", "Video encoding")
 *     .capacity("cpu", 4).capacity("memory", 2)
 *     .task("encode", Map.of("cpu", 2))
 *     .task("thumbnail", Map.of("cpu", 1, "memory", 1))
 *     .acquireTimeout(Duration.ofMillis(500))
 *     .build();
 * registry.register(parallel);  // declares cpu, memory, network in the registry's pool
 * registry.register(encoder);   // declares cpu=4, memory=2 there, or is rejected on a conflict
 * }</pre>
 *
 * <p>Thread-safe: immutable configuration; the owner is held by {@link AbstractPattern}; each
 * execution resolves its pool once and has its own state; resource accounting is in the thread-safe
 * pool. Delegates must be thread-safe.
 *
 * @since 0.1.0
 */
public final class ParallelCoordinationPattern extends AbstractPattern {

  /** The type id of this kind. */
  public static final String TYPE = "parallel";

  /** The class-style alias of {@link #TYPE}. */
  public static final String ALIAS = "ParallelCoordinationPattern";

  /** The agent type this kind serves. */
  public static final String AGENT_TYPE = "parallel";

  /** Definition parameter: the resources offered, a sorted list of names. */
  public static final String RESOURCES = "resources";

  /** Definition parameter: configured capacities, a map from resource to units (when any). */
  public static final String CAPACITIES = "capacities";

  /** Definition parameter: configured tasks, a list of maps {@code {name, delegate, resources}}. */
  public static final String TASKS = "tasks";

  /** Definition parameter: the acquire timeout in milliseconds (when not the default). */
  public static final String ACQUIRE_TIMEOUT_MILLIS = "acquireTimeoutMillis";

  /**
   * Definition parameter: the failure policy (when not {@code FAIL_FAST}), e.g. {@code QUORUM(2)}.
   */
  public static final String FAILURE_POLICY = "failurePolicy";

  /**
   * Context attribute choosing the failure policy of one execution (overrides the pattern's), e.g.
   * {@code "COLLECT_ALL"}; see {@link FailurePolicy}.
   */
  public static final String FAILURE_POLICY_ATTRIBUTE = "failure_policy";

  /** Context attribute naming the tasks of one execution; see the class documentation. */
  public static final String TASKS_ATTRIBUTE = "tasks";

  /** How long a task waits for its resources unless configured otherwise. */
  public static final Duration DEFAULT_ACQUIRE_TIMEOUT = Duration.ofSeconds(2);

  private final Set<String> resources;
  private final Map<String, Integer> configuredCapacities;
  private final List<ResourceTask> tasks;
  private final Duration acquireTimeout;
  private final FailurePolicy failurePolicy;
  // Per resource, the most units one configured task needs; checked against the pool's capacities.
  private final Map<String, Integer> largestNeeds;
  // The pool the host handed to the builder; null when the pattern uses its owner's pool.
  private final @Nullable ResourcePool explicitPool;
  // The pools of the executions running now, with their counts (by identity).
  private final ConcurrentHashMap<ResourcePool, Integer> runningIn = new ConcurrentHashMap<>();

  /**
   * The guide's form: these resources, one task per required resource, the default acquire timeout,
   * and the pool of the runtime that registers the pattern, where each resource gets the capacity
   * in force, else the pool's default ({@link ResourcePool#DEFAULT_CAPACITY}, the processor count,
   * unless the owner chose another).
   *
   * @param name unique pattern name
   * @param description what the pattern is for
   * @param resources the resources offered; non-empty, non-blank names
   * @throws IllegalArgumentException naming the offending value when invalid
   */
  public ParallelCoordinationPattern(String name, String description, Set<String> resources) {
    this(builder(name, description).resources(resources));
  }

  private ParallelCoordinationPattern(Builder b) {
    super(b.name, b.description, b.prior);
    List<String> problems = new ArrayList<>();
    if (b.resources.isEmpty()) {
      problems.add(
          String.format(
              Locale.ROOT,
              "parallel pattern '%s' needs at least one resource but has none",
              b.name));
    }
    Set<String> taskNames = new HashSet<>();
    for (ResourceTask t : b.tasks) {
      if (!taskNames.add(t.name())) {
        problems.add(
            String.format(
                Locale.ROOT, "parallel pattern '%s' lists task '%s' twice", b.name, t.name()));
      }
      Set<String> unknown = new TreeSet<>(t.resources().keySet());
      unknown.removeAll(b.resources);
      if (!unknown.isEmpty()) {
        problems.add(
            String.format(
                Locale.ROOT,
                "task '%s' of parallel pattern '%s' needs %s which the pattern does not declare"
                    + " (declares %s)",
                t.name(),
                b.name,
                unknown,
                b.resources));
      }
    }
    Map<String, Integer> needs = new TreeMap<>();
    for (ResourceTask t : b.tasks) {
      t.resources()
          .forEach(
              (r, units) -> {
                needs.merge(r, units, Math::max);
                Integer capacity = b.capacities.get(r);
                if (capacity != null && units > capacity) {
                  problems.add(
                      String.format(
                          Locale.ROOT,
                          "task '%s' of pattern '%s' needs %d units of '%s' but its capacity is %d",
                          t.name(),
                          b.name,
                          units,
                          r,
                          capacity));
                }
              });
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    this.resources = Collections.unmodifiableSet(new TreeSet<>(b.resources));
    this.configuredCapacities = Collections.unmodifiableMap(new TreeMap<>(b.capacities));
    this.tasks = List.copyOf(b.tasks);
    this.acquireTimeout = b.acquireTimeout;
    this.failurePolicy = b.failurePolicy;
    this.largestNeeds = Collections.unmodifiableMap(needs);
    this.explicitPool = b.pool;
    if (explicitPool != null) {
      // Last, and atomically: a rejected pattern leaves the pool as it was.
      declareIn(explicitPool);
    }
  }

  /**
   * Declares this pattern's resources in the pool of the runtime that now owns it, unless the host
   * gave the pattern its own pool (declared at construction). Atomic: when a configured capacity
   * conflicts with the pool's, or a configured task needs more units than a capacity, this throws
   * and the pool is unchanged, so the registration is rejected.
   *
   * @param runtime the new owner
   * @throws IllegalArgumentException naming the resource and both capacities, or the task's need
   */
  @Override
  protected void onAttach(PatternRuntime runtime) {
    if (explicitPool == null) {
      declareIn(runtime.resourcePool());
    }
  }

  private void declareIn(ResourcePool target) {
    target.declareFor("pattern '" + name() + "'", resources, configuredCapacities, largestNeeds);
  }

  /**
   * Starts a builder for the richer form: capacities, tasks, acquire timeout, pool.
   *
   * @param name unique pattern name
   * @param description what the pattern is for
   * @return the builder
   */
  public static Builder builder(String name, String description) {
    return new Builder(name, description);
  }

  /** Returns the resources offered, sorted. */
  public Set<String> resources() {
    return resources;
  }

  /**
   * Returns the capacity of each offered resource, sorted: the one in force in the {@linkplain
   * #pool() pool} when there is one; otherwise (not registered, no pool given) the configured
   * capacity, else {@link ResourcePool#DEFAULT_CAPACITY}, which a runtime's pool may still change.
   */
  public Map<String, Integer> capacities() {
    return capacitiesIn(pool().orElse(null));
  }

  private Map<String, Integer> capacitiesIn(@Nullable ResourcePool in) {
    int fallback = in == null ? ResourcePool.DEFAULT_CAPACITY : in.defaultCapacity();
    // This pattern's resources only, one lookup each: no copy of the whole pool per call.
    Map<String, Integer> mine = new TreeMap<>();
    for (String r : resources) {
      OptionalInt c = in == null ? OptionalInt.empty() : in.capacity(r);
      mine.put(r, c.isPresent() ? c.getAsInt() : configuredCapacities.getOrDefault(r, fallback));
    }
    return Collections.unmodifiableMap(mine);
  }

  /** Returns the configured tasks (empty when tasks come from the context or the resources). */
  public List<ResourceTask> tasks() {
    return tasks;
  }

  /** Returns the configured failure policy. */
  public FailurePolicy failurePolicy() {
    return failurePolicy;
  }

  /** Returns how long a task waits for its resources at most. */
  public Duration acquireTimeout() {
    return acquireTimeout;
  }

  /**
   * Returns the pool the tasks acquire their resources from: the one given to {@link Builder#pool},
   * else the pool of the runtime that owns this pattern, else (not registered) empty.
   */
  public Optional<ResourcePool> pool() {
    if (explicitPool != null) {
      return Optional.of(explicitPool);
    }
    return runtime().map(PatternRuntime::resourcePool);
  }

  /**
   * Returns the units held right now by this pattern's running tasks, by resource, sorted; empty
   * when idle. Read from the {@linkplain #pool() pool} and from the pools its running executions
   * took units from (the same one, unless the pattern was withdrawn from its runtime while they
   * ran). A consistent snapshot of each pool, taken under its lock. Leases are owned by the
   * pattern's name, so an instance rebuilt from this pattern's definition on the same pool (as
   * storage may do) reports the same units.
   *
   * @return resource name to units in use
   */
  @Override
  public Map<String, Integer> activeResources() {
    Optional<ResourcePool> current = pool();
    if (runningIn.isEmpty()) {
      return current.map(p -> p.activeResources(name())).orElse(Map.of());
    }
    Set<ResourcePool> pools = Collections.newSetFromMap(new IdentityHashMap<>());
    current.ifPresent(pools::add);
    pools.addAll(runningIn.keySet());
    Map<String, Integer> held = new TreeMap<>();
    for (ResourcePool p : pools) {
      p.activeResources(name()).forEach((r, u) -> held.merge(r, u, Integer::sum));
    }
    return held.isEmpty() ? Map.of() : Collections.unmodifiableMap(held);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<String> typeAliases() {
    return Set.of(ALIAS);
  }

  @Override
  public Set<String> agentTypes() {
    return Set.of(AGENT_TYPE);
  }

  /** Offers its resources under {@value PatternContext#REQUIRED_RESOURCES}. */
  @Override
  public Map<String, Set<String>> offers() {
    return Map.of(PatternContext.REQUIRED_RESOURCES, resources);
  }

  @Override
  public MatchResult match(PatternContext context) {
    Set<String> needed = new TreeSet<>(context.requiredResources());
    Set<String> missing = new TreeSet<>(needed);
    missing.removeAll(resources);
    if (!missing.isEmpty()) {
      return MatchResult.noMatch(
          String.format(Locale.ROOT, "lacks required resources %s (has %s)", missing, resources));
    }
    if (context.attribute(TASKS_ATTRIBUTE).isPresent()) {
      List<String> problems = new ArrayList<>();
      List<ResourceTask> fromContext = contextTasks(context, pool().orElse(null), problems);
      if (!problems.isEmpty()) {
        return MatchResult.noMatch(String.join("; ", problems));
      }
      fromContext.forEach(t -> needed.addAll(t.resources().keySet()));
    }
    if (needed.isEmpty()) {
      return MatchResult.perfect();
    }
    return MatchResult.coverage(needed.size(), resources.size());
  }

  @Override
  public PatternOutcome execute(PatternContext context, ExecutionScope scope) {
    // Resolved once: the whole execution acquires from, and releases into, this one pool.
    Optional<ResourcePool> resolved = pool();
    if (resolved.isEmpty()) {
      String message =
          String.format(
              Locale.ROOT,
              "parallel pattern '%s' has no resource pool to run in: register it in a registry"
                  + " (whose runtime's pool it then uses) or build it with .pool(...)",
              name());
      return PatternOutcome.of(OutcomeStatus.REJECTED, message, new IllegalStateException(message));
    }
    ResourcePool runPool = resolved.get();
    List<String> problems = new ArrayList<>();
    List<ResourceTask> toRun = tasksFor(context, runPool, problems);
    if (!problems.isEmpty()) {
      return PatternOutcome.of(
          OutcomeStatus.REJECTED,
          String.format(
              Locale.ROOT,
              "parallel pattern '%s' cannot run this context: %s",
              name(),
              String.join("; ", problems)),
          new InvalidContextException(problems));
    }
    FailurePolicy policy;
    try {
      policy =
          context.attribute(FAILURE_POLICY_ATTRIBUTE).map(FailurePolicy::of).orElse(failurePolicy);
    } catch (IllegalArgumentException e) {
      return PatternOutcome.of(
          OutcomeStatus.REJECTED,
          String.format(
              Locale.ROOT,
              "parallel pattern '%s' cannot run this context: %s %s",
              name(),
              FAILURE_POLICY_ATTRIBUTE,
              e.getMessage()),
          e);
    }
    if (policy.kind() == FailurePolicy.Kind.QUORUM && policy.quorum() > toRun.size()) {
      return PatternOutcome.of(
          OutcomeStatus.REJECTED,
          String.format(
              Locale.ROOT,
              "parallel pattern '%s' cannot reach %s with %d task(s)",
              name(),
              policy,
              toRun.size()),
          null);
    }
    // Resolve every delegate first: a missing one must be found before any work is done.
    List<Delegate> delegates = new ArrayList<>(toRun.size());
    for (ResourceTask t : toRun) {
      delegates.add(scope.delegates().require(t.delegate(), name()));
    }
    // Remembered while it runs, so that monitoring still sees its units after the pattern was
    // withdrawn from the runtime that owned the pool (e.g. during a plugin stop's drain).
    runningIn.merge(runPool, 1, Integer::sum);
    try {
      return new ParallelRun(this, runPool, context, scope, toRun, delegates, policy).run();
    } finally {
      runningIn.computeIfPresent(runPool, (p, n) -> n == 1 ? null : n - 1);
    }
  }

  /**
   * The tasks an execution of {@code context} runs; see the class documentation. Adds a problem for
   * each invalid context task and for each task needing more units than a capacity in {@code
   * runPool} (a configured task checked when the pattern was declared there can still meet a
   * capacity lowered since, when the pool's default gave way to an explicit one).
   */
  List<ResourceTask> tasksFor(PatternContext context, ResourcePool runPool, List<String> problems) {
    if (context.attribute(TASKS_ATTRIBUTE).isPresent()) {
      return contextTasks(context, runPool, problems);
    }
    if (!tasks.isEmpty()) {
      int before = problems.size();
      checkFits(tasks, capacitiesIn(runPool), problems);
      return problems.size() == before ? tasks : List.of();
    }
    Set<String> required = context.requiredResources();
    Collection<String> names = required.isEmpty() ? resources : new TreeSet<>(required);
    List<ResourceTask> derived = new ArrayList<>(names.size());
    for (String r : names) {
      derived.add(ResourceTask.of(r, Map.of(r, 1)));
    }
    return derived;
  }

  /**
   * Parses the context's tasks and checks them against the capacities in {@code in} (without a
   * pool: the configured capacities, else {@link ResourcePool#DEFAULT_CAPACITY}).
   */
  private List<ResourceTask> contextTasks(
      PatternContext context, @Nullable ResourcePool in, List<String> problems) {
    int before = problems.size();
    List<ResourceTask> parsed =
        TaskSpecs.parse(TASKS_ATTRIBUTE, context.attribute(TASKS_ATTRIBUTE).orElse(null), problems);
    if (problems.size() != before) {
      return List.of();
    }
    checkFits(parsed, capacitiesIn(in), problems);
    return problems.size() == before ? parsed : List.of();
  }

  /** Adds a problem for each task resource that is not offered or needs more than its capacity. */
  private void checkFits(
      List<ResourceTask> toCheck, Map<String, Integer> capacities, List<String> problems) {
    for (ResourceTask t : toCheck) {
      t.resources()
          .forEach(
              (r, units) -> {
                Integer capacity = capacities.get(r);
                if (capacity == null) {
                  problems.add(
                      String.format(
                          Locale.ROOT,
                          "task '%s' needs resource '%s' which pattern '%s' does not declare"
                              + " (declares %s)",
                          t.name(),
                          r,
                          name(),
                          resources));
                } else if (units > capacity) {
                  problems.add(
                      String.format(
                          Locale.ROOT,
                          "task '%s' needs %d units of '%s' but its capacity is %d",
                          t.name(),
                          units,
                          r,
                          capacity));
                }
              });
    }
  }

  @Override
  public PatternDefinition definition() {
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put(RESOURCES, List.copyOf(resources));
    if (!configuredCapacities.isEmpty()) {
      parameters.put(CAPACITIES, configuredCapacities);
    }
    if (!tasks.isEmpty()) {
      parameters.put(TASKS, tasks.stream().map(ResourceTask::toParameters).toList());
    }
    if (!failurePolicy.equals(FailurePolicy.FAIL_FAST)) {
      parameters.put(FAILURE_POLICY, failurePolicy.toString());
    }
    if (!acquireTimeout.equals(DEFAULT_ACQUIRE_TIMEOUT)) {
      parameters.put(ACQUIRE_TIMEOUT_MILLIS, (int) acquireTimeout.toMillis());
    }
    return new PatternDefinition(TYPE, name(), description(), withPrior(parameters));
  }

  /**
   * Configures a {@link ParallelCoordinationPattern}. Each setter validates its argument; {@link
   * #build()} checks the combination (tasks use declared resources and fit the capacities).
   *
   * <p>Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final String name;
    private final String description;
    private final Set<String> resources = new TreeSet<>();
    private final Map<String, Integer> capacities = new TreeMap<>();
    private final List<ResourceTask> tasks = new ArrayList<>();
    private Duration acquireTimeout = DEFAULT_ACQUIRE_TIMEOUT;
    private FailurePolicy failurePolicy = FailurePolicy.FAIL_FAST;
    private @Nullable ResourcePool pool;
    private Prior prior = Prior.NEUTRAL;

    private Builder(String name, String description) {
      this.name = name;
      this.description = description;
    }

    /**
     * Declares what the pattern is believed to do before any outcome (default {@link
     * Prior#NEUTRAL}); its definition keeps it.
     *
     * @param prior the prior
     * @return this builder
     * @since 0.2.0
     */
    public Builder prior(Prior prior) {
      if (prior == null) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT, "prior of %s pattern '%s' must not be null", "parallel", name));
      }
      this.prior = prior;
      return this;
    }

    /**
     * Adds offered resources; their capacity is the one in force in the pattern's pool, else the
     * pool's default ({@link ResourcePool#DEFAULT_CAPACITY} unless its owner chose another).
     *
     * @param names non-blank resource names
     * @return this builder
     */
    public Builder resources(Collection<String> names) {
      if (names == null) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT, "resources of parallel pattern '%s' must not be null", name));
      }
      List<String> problems = new ArrayList<>();
      int i = 0;
      for (String r : names) {
        if (r == null || r.isBlank()) {
          problems.add(
              String.format(
                  Locale.ROOT,
                  "resource %d of parallel pattern '%s' must be a non-blank name but was %s",
                  i,
                  name,
                  ResourceTask.quote(r)));
        }
        i++;
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(String.join("; ", problems));
      }
      resources.addAll(names);
      return this;
    }

    /**
     * Adds offered resources; see {@link #resources(Collection)}.
     *
     * @param names non-blank resource names
     * @return this builder
     */
    public Builder resources(String... names) {
      return resources(names == null ? null : List.of(names));
    }

    /**
     * Offers a resource with a capacity, e.g. {@code capacity("cpu", 4)}.
     *
     * @param resource non-blank resource name
     * @param units at least 1
     * @return this builder
     */
    public Builder capacity(String resource, int units) {
      if (resource == null || resource.isBlank()) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "capacities of parallel pattern '%s' need a non-blank resource name but got %s",
                name,
                ResourceTask.quote(resource)));
      }
      if (units < 1) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "capacity of '%s' in parallel pattern '%s' must be at least 1 but was %d",
                resource,
                name,
                units));
      }
      resources.add(resource);
      capacities.put(resource, units);
      return this;
    }

    /**
     * Offers resources with capacities; see {@link #capacity(String, int)}.
     *
     * @param capacitiesByResource resource name to units
     * @return this builder
     */
    public Builder capacities(Map<String, Integer> capacitiesByResource) {
      if (capacitiesByResource == null) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT, "capacities of parallel pattern '%s' must not be null", name));
      }
      capacitiesByResource.forEach(
          (r, u) -> {
            if (u == null) {
              throw new IllegalArgumentException(
                  String.format(
                      Locale.ROOT,
                      "capacity of '%s' in parallel pattern '%s' must be at least 1 but was null",
                      r,
                      name));
            }
            capacity(r, u);
          });
      return this;
    }

    /**
     * Adds a task done by the delegate of the same name.
     *
     * @param taskName the task and delegate name
     * @param units resource name to units it needs
     * @return this builder
     */
    public Builder task(String taskName, Map<String, Integer> units) {
      return task(ResourceTask.of(taskName, units));
    }

    /**
     * Adds a task.
     *
     * @param task the task
     * @return this builder
     */
    public Builder task(ResourceTask task) {
      tasks.add(Objects.requireNonNull(task, "task"));
      return this;
    }

    /**
     * Adds tasks.
     *
     * @param more the tasks, in order
     * @return this builder
     */
    public Builder tasks(Collection<ResourceTask> more) {
      Objects.requireNonNull(more, "tasks").forEach(this::task);
      return this;
    }

    /**
     * Sets how long a task waits for its resources at most (never past the scope's deadline).
     *
     * @param timeout whole milliseconds, from 0 (try once) to {@link Integer#MAX_VALUE} ms
     * @return this builder
     */
    public Builder acquireTimeout(Duration timeout) {
      if (timeout == null
          || timeout.isNegative()
          || timeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0
          || !timeout.equals(Duration.ofMillis(timeout.toMillis()))) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "acquire timeout of parallel pattern '%s' must be a whole number of milliseconds"
                    + " from 0 to %d but was %s",
                name,
                Integer.MAX_VALUE,
                timeout));
      }
      this.acquireTimeout = timeout;
      return this;
    }

    /**
     * Sets what a failing task does to the run (default {@link FailurePolicy#FAIL_FAST}); a context
     * may override it with the attribute {@value #FAILURE_POLICY_ATTRIBUTE}.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder failurePolicy(FailurePolicy policy) {
      this.failurePolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Acquires resources from this host-owned pool instead of the pool of the runtime that
     * registers the pattern. Optional: without it, the pattern uses its owner's pool (and cannot
     * execute until a registry owns it). The pattern declares its resources here when built.
     *
     * @param resourcePool the pool
     * @return this builder
     */
    public Builder pool(ResourcePool resourcePool) {
      this.pool = Objects.requireNonNull(resourcePool, "pool");
      return this;
    }

    /**
     * Builds the pattern; with a {@linkplain #pool host-given pool}, declares its resources there
     * (otherwise that happens when a runtime registers it).
     *
     * @return the pattern
     * @throws IllegalArgumentException naming every problem: no resource, a duplicate task name, a
     *     task needing an undeclared resource or more units than a configured capacity; with a
     *     host-given pool also a capacity that conflicts with the pool's or a task needing more
     *     units than the pool's capacity (the pool is then unchanged)
     */
    public ParallelCoordinationPattern build() {
      return new ParallelCoordinationPattern(this);
    }
  }
}
