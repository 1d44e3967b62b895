package io.ndp.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.ndp.api.Attempt;
import io.ndp.api.BreakerState;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.Pattern;
import io.ndp.api.PatternResult;
import io.ndp.api.RuntimeClosedException;
import io.ndp.api.event.AttemptFinishedEvent;
import io.ndp.api.event.BreakerStateChangedEvent;
import io.ndp.api.event.ConfidenceThresholdCrossedEvent;
import io.ndp.api.event.ExecutionFinishedEvent;
import io.ndp.api.event.ExecutionStartedEvent;
import io.ndp.api.event.FallbackEvent;
import io.ndp.api.event.NdpListener;
import io.ndp.api.event.PluginFailedEvent;
import io.ndp.api.event.PluginLoadedEvent;
import io.ndp.api.event.PluginStoppedEvent;
import io.ndp.api.event.ResourceAcquiredEvent;
import io.ndp.api.event.ResourceConflictEvent;
import io.ndp.api.event.ResourceReleasedEvent;
import io.ndp.api.event.RetryEvent;
import io.ndp.api.event.StatisticsResetEvent;
import io.ndp.core.Ndp;
import io.ndp.core.PatternRegistry;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Micrometer metrics of an NDP runtime, gathered from its {@linkplain NdpListener listener events}.
 * Register it as a listener when the runtime is built, then bind it to the runtime so that its
 * confidence gauges read the registry's live figures:
 *
 * <pre>{@code
 * NdpMetrics metrics = NdpMetrics.builder(meterRegistry).domainTags(50).build();
 * Ndp ndp = Ndp.builder().listener(metrics).build();
 * metrics.bindTo(ndp);
 * }</pre>
 *
 * <p>A host that builds a {@link PatternRegistry} and a {@code PatternExecutor} itself registers
 * the metrics on both builders: executions, attempts, fallbacks and retries come from the executor;
 * resources, statistics resets and confidence crossings from the registry.
 *
 * <p><b>Meters.</b> Every name starts with {@code ndp.}; the builder's {@linkplain
 * Builder#tags(String...) common tags} are added to every meter. Tag values are lower case ({@code
 * timed_out}, {@code half_open}).
 *
 * <table>
 *   <caption>The meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>unit, meaning</th></tr>
 *   <tr><td>{@code ndp.executions}</td><td>timer</td>
 *       <td>{@code pattern} (the chosen one, {@code none} when none succeeded), {@code outcome}
 *       ({@code success}, {@code failure}), {@code domain} (guarded), {@code nested} ({@code true}
 *       for a run a pattern started inside another, e.g. meta-orchestration's per domain)</td>
 *       <td>seconds; one per finished execution, its {@link PatternResult#totalDuration()}</td></tr>
 *   <tr><td>{@code ndp.attempts}</td><td>timer</td>
 *       <td>{@code pattern}, {@code status} ({@link OutcomeStatus}: {@code success}, {@code failed},
 *       {@code conflict}, {@code timed_out}, {@code cancelled}, {@code rejected}), {@code kind}
 *       ({@link Attempt.Kind}: {@code run}, {@code retry}, {@code probe}, {@code skipped})</td>
 *       <td>seconds; one per attempt of any execution, nested ones included, its duration</td></tr>
 *   <tr><td>{@code ndp.retries}</td><td>counter</td><td>{@code pattern}</td>
 *       <td>retries of a pattern after a retryable failure</td></tr>
 *   <tr><td>{@code ndp.fallbacks}</td><td>counter</td><td>{@code pattern} (the one moved away
 *       from)</td><td>moves from a pattern that did not succeed to another</td></tr>
 *   <tr><td>{@code ndp.breaker.transitions}</td><td>counter</td>
 *       <td>{@code pattern}, {@code domain} (guarded), {@code from}, {@code to} ({@code closed},
 *       {@code open}, {@code half_open})</td><td>circuit breaker state changes</td></tr>
 *   <tr><td>{@code ndp.breaker.state}</td><td>gauge</td><td>{@code pattern}, {@code domain}
 *       (admitted domains only)</td><td>the last state reported: 0 closed, 1 half open, 2
 *       open</td></tr>
 *   <tr><td>{@code ndp.executions.in.flight}</td><td>gauge</td><td>none</td>
 *       <td>executions started and not yet finished, nested ones included</td></tr>
 *   <tr><td>{@code ndp.resource.units.in.use}</td><td>gauge</td><td>{@code resource}</td>
 *       <td>units; acquired minus released, from the resource events</td></tr>
 *   <tr><td>{@code ndp.resource.capacity}</td><td>gauge</td><td>{@code resource}</td>
 *       <td>units; the capacity reported with the latest event of the resource</td></tr>
 *   <tr><td>{@code ndp.resource.conflicts}</td><td>counter</td><td>{@code resource}</td>
 *       <td>requests for the resource not granted in time</td></tr>
 *   <tr><td>{@code ndp.confidence}</td><td>gauge</td><td>{@code pattern}, {@code domain}
 *       (admitted domains only)</td><td>a ratio in [0, 1]: once bound and while the pattern is
 *       registered, its live {@link Pattern#confidenceScore(String)}; otherwise (not bound yet,
 *       pattern unregistered, runtime closed) the last value known, the latest of the last live
 *       read and the last crossing's new value; NaN when there was neither</td></tr>
 *   <tr><td>{@code ndp.plugin.events}</td><td>counter</td><td>{@code event} ({@code loaded},
 *       {@code failed}, {@code stopped})</td><td>plugin life-cycle events</td></tr>
 *   <tr><td>{@code ndp.statistics.resets}</td><td>counter</td><td>{@code scope} ({@code all},
 *       {@code pattern}, {@code domain})</td><td>resets of confidence statistics</td></tr>
 * </table>
 *
 * <p><b>Cardinality guard.</b> Domains are host data and may be many: the first {@linkplain
 * Builder#domainTags(int) N} distinct domains (default {@value #DEFAULT_DOMAIN_TAGS}) keep their
 * own {@code domain} tag value, every later one is tagged {@value #OTHER_DOMAIN}; a domain admitted
 * stays admitted. An admitted domain's tag value is the domain itself, except that a domain named
 * {@value #OTHER_DOMAIN} or starting with {@code _} gets one more leading {@code _} ({@code other}
 * is tagged {@code _other}, {@code _x} is tagged {@code __x}): so {@value #OTHER_DOMAIN} only ever
 * means the domains past the guard, and no two domains share a value. Gauges per domain ({@code
 * ndp.confidence}, {@code ndp.breaker.state}) exist for admitted domains only, since a gauge over
 * {@value #OTHER_DOMAIN} would mean nothing. Pattern and resource names are bounded by what the
 * runtime registered and declared. So the memory held is bounded by N times the patterns, the
 * statuses and the kinds.
 *
 * <p><b>Confidence after the runtime.</b> The confidence gauge reads the live score at scrape time
 * only, and keeps each value it read. Once the pattern is gone (unregistered, or withdrawn when the
 * runtime closed) the gauge shows the last value known, the latest of its last live read and the
 * last crossing heard: what the last scrape showed, unless a crossing came after it. A gauge that
 * was never read live and heard no crossing has no value known and reads NaN, Micrometer's "no
 * value" (exporters such as Prometheus's write it as {@code NaN}); no figure is made up for it.
 *
 * <p>The metrics hold the runtime they are {@linkplain #bindTo(PatternRegistry) bound} to weakly
 * (and nothing else of it, not its resource pool): a meter registry usually lives as long as the
 * application, runtimes (one per job, say) less, and its gauges must not keep a closed, dropped
 * runtime reachable. Once it is collected, its confidence gauges show their last value known.
 *
 * <p><b>Several runtimes, one meter registry.</b> Each runtime gets its own {@code NdpMetrics},
 * told apart by a common tag ({@code tags("runtime", "a")}): Micrometer hands back the gauge
 * already registered under an id, so metrics with the same common tags as others on the same meter
 * registry would get none of their own gauges. {@link Builder#build()} refuses them with an {@link
 * IllegalStateException} instead. This holds for the meters of a runtime that is gone too: on a
 * meter registry that outlives runtimes built one after another, remove the earlier metrics' meters
 * ({@code MeterRegistry.remove}) before building the next with the same tags.
 *
 * <p><b>Cost.</b> Meters are created once per tag tuple and cached in concurrent maps: after its
 * first event, an event costs a map look-up and a record, no registry search and no lock.
 *
 * <p><b>Failures.</b> A listener method never throws: what goes wrong (a meter registry that
 * refuses a meter, say) is logged, at most once a second, and the event is dropped.
 *
 * <p>Thread-safe: many executions report at once.
 *
 * @since 0.2.0
 */
public final class NdpMetrics implements NdpListener {

  /** How many distinct domains keep their own tag value unless the builder says otherwise. */
  public static final int DEFAULT_DOMAIN_TAGS = 50;

  /**
   * The {@code domain} tag value of the domains past the cardinality guard; a host domain of this
   * name is tagged {@code _other}.
   */
  public static final String OTHER_DOMAIN = "other";

  /** The {@code pattern} tag value of an execution that no pattern served successfully. */
  public static final String NO_PATTERN = "none";

  /**
   * The {@code pattern} tag value of a pattern: its name, or with one more leading {@code _} when
   * it is {@link #NO_PATTERN} or starts with {@code _} ({@code none} → {@code _none}), so that a
   * pattern named {@code none} is told apart from the executions no pattern served.
   */
  static String patternTag(String pattern) {
    return pattern.equals(NO_PATTERN) || pattern.startsWith("_") ? "_" + pattern : pattern;
  }

  /** Name of the execution timer. */
  public static final String EXECUTIONS = "ndp.executions";

  /** Name of the attempt timer. */
  public static final String ATTEMPTS = "ndp.attempts";

  /** Name of the retry counter. */
  public static final String RETRIES = "ndp.retries";

  /** Name of the fallback counter. */
  public static final String FALLBACKS = "ndp.fallbacks";

  /** Name of the circuit breaker transition counter. */
  public static final String BREAKER_TRANSITIONS = "ndp.breaker.transitions";

  /** Name of the circuit breaker state gauge. */
  public static final String BREAKER_STATE = "ndp.breaker.state";

  /** Name of the in-flight executions gauge. */
  public static final String IN_FLIGHT = "ndp.executions.in.flight";

  /** Name of the resource units in use gauge. */
  public static final String RESOURCE_IN_USE = "ndp.resource.units.in.use";

  /** Name of the resource capacity gauge. */
  public static final String RESOURCE_CAPACITY = "ndp.resource.capacity";

  /** Name of the resource conflict counter. */
  public static final String RESOURCE_CONFLICTS = "ndp.resource.conflicts";

  /** Name of the confidence gauge. */
  public static final String CONFIDENCE = "ndp.confidence";

  /** Name of the plugin event counter. */
  public static final String PLUGIN_EVENTS = "ndp.plugin.events";

  /** Name of the statistics reset counter. */
  public static final String STATISTICS_RESETS = "ndp.statistics.resets";

  private static final Logger log = LoggerFactory.getLogger(NdpMetrics.class);
  private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final MeterRegistry meters;
  private final Tags common;
  private final DomainTags domains;
  // Weakly: the gauges' functions hold these metrics, and the meter registry often outlives the
  // runtime; a strong reference would keep a closed, dropped runtime's registry (patterns,
  // statistics, delegates, resource pool) reachable for as long.
  private final AtomicReference<@Nullable WeakReference<PatternRegistry>> bound =
      new AtomicReference<>();

  private final ConcurrentHashMap<ExecutionKey, Timer> executions = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<AttemptKey, Timer> attempts = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> retries = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> fallbacks = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<TransitionKey, Counter> transitions = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<PatternDomain, AtomicInteger> breakerStates =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<PatternDomain, ConfidenceValue> confidence =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ResourceValues> resources = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> resets = new ConcurrentHashMap<>();
  private final AtomicLong inFlight = new AtomicLong();
  private final Counter pluginsLoaded;
  private final Counter pluginsFailed;
  private final Counter pluginsStopped;
  private final AtomicLong nextLogNanos = new AtomicLong(System.nanoTime());

  private NdpMetrics(Builder b) {
    this.meters = b.meters;
    this.common = b.tags;
    this.domains = new DomainTags(b.domainTags);
    registerInFlight();
    this.pluginsLoaded = pluginCounter("loaded");
    this.pluginsFailed = pluginCounter("failed");
    this.pluginsStopped = pluginCounter("stopped");
  }

  /**
   * Returns a builder of metrics that register their meters in {@code meterRegistry}.
   *
   * @param meterRegistry where the meters go
   * @return a new builder
   * @throws IllegalArgumentException when it is null
   */
  public static Builder builder(MeterRegistry meterRegistry) {
    if (meterRegistry == null) {
      throw new IllegalArgumentException("meterRegistry must not be null");
    }
    return new Builder(meterRegistry);
  }

  /**
   * Binds these metrics to a runtime: the confidence gauges read its registry's live figures from
   * now on. The metrics must also be one of the runtime's listeners, or nothing is counted.
   *
   * @param ndp the runtime
   * @return these metrics
   * @throws IllegalArgumentException when it is null
   * @throws IllegalStateException when these metrics are bound to another registry already
   */
  public NdpMetrics bindTo(Ndp ndp) {
    if (ndp == null) {
      throw new IllegalArgumentException("the runtime to bind to must not be null");
    }
    return bindTo(ndp.registry());
  }

  /**
   * Binds these metrics to a registry, for a host that builds the registry and its executors
   * itself: the confidence gauges read its live figures from now on, and the resources declared in
   * its pool get their capacity gauges at once. The registry is held weakly: the meters do not keep
   * it reachable once its runtime is dropped.
   *
   * @param registry the registry
   * @return these metrics
   * @throws IllegalArgumentException when it is null
   * @throws IllegalStateException when these metrics are bound to another registry already
   */
  public NdpMetrics bindTo(PatternRegistry registry) {
    if (registry == null) {
      throw new IllegalArgumentException("the registry to bind to must not be null");
    }
    WeakReference<PatternRegistry> prior =
        bound.compareAndExchange(null, new WeakReference<>(registry));
    if (prior != null && prior.get() != registry) {
      PatternRegistry other = prior.get();
      throw new IllegalStateException(
          "these metrics are bound to "
              + (other != null
                  ? "registry " + other
                  : "a registry that is gone (its runtime closed and was dropped)")
              + " already and cannot be bound to "
              + registry
              + " too; build one NdpMetrics per runtime (with a common tag telling them apart)");
    }
    registry.resourcePool().capacities().forEach((r, c) -> resource(r).capacity.set(c));
    return this;
  }

  /**
   * Returns how many distinct domains keep their own tag value.
   *
   * @return the guard's size
   */
  public int domainTags() {
    return domains.max();
  }

  @Override
  public void onExecutionStarted(ExecutionStartedEvent event) {
    inFlight.incrementAndGet();
  }

  @Override
  public void onExecutionFinished(ExecutionFinishedEvent event) {
    inFlight.decrementAndGet();
    try {
      PatternResult result = event.result();
      String domain = event.context().domain();
      String tag = domains.admit(domain);
      String chosen = result.chosenPattern();
      ExecutionKey key =
          new ExecutionKey(
              chosen != null ? patternTag(chosen) : NO_PATTERN,
              result.success(),
              tag != null ? tag : OTHER_DOMAIN,
              event.depth() > 0);
      executions.computeIfAbsent(key, this::executionTimer).record(result.totalDuration());
      if (tag != null) {
        for (Attempt a : result.attempts()) {
          confidence(a.patternName(), domain);
        }
      }
    } catch (RuntimeException e) {
      failed("an execution's end", e);
    }
  }

  @Override
  public void onAttemptFinished(AttemptFinishedEvent event) {
    try {
      Attempt a = event.attempt();
      attempts
          .computeIfAbsent(
              new AttemptKey(a.patternName(), a.status(), a.kind()), this::attemptTimer)
          .record(a.duration());
    } catch (RuntimeException e) {
      failed("an attempt's end", e);
    }
  }

  @Override
  public void onFallback(FallbackEvent event) {
    try {
      fallbacks
          .computeIfAbsent(
              event.fromPattern(),
              p -> counter(FALLBACKS, "NDP fallbacks", "pattern", patternTag(p)))
          .increment();
    } catch (RuntimeException e) {
      failed("a fallback", e);
    }
  }

  @Override
  public void onRetry(RetryEvent event) {
    try {
      retries
          .computeIfAbsent(
              event.patternName(), p -> counter(RETRIES, "NDP retries", "pattern", patternTag(p)))
          .increment();
    } catch (RuntimeException e) {
      failed("a retry", e);
    }
  }

  @Override
  public void onBreakerStateChanged(BreakerStateChangedEvent event) {
    try {
      String tag = domains.admit(event.domain());
      TransitionKey key =
          new TransitionKey(
              event.patternName(), tag != null ? tag : OTHER_DOMAIN, event.from(), event.to());
      transitions.computeIfAbsent(key, this::transitionCounter).increment();
      if (tag != null) {
        breakerStates
            .computeIfAbsent(
                new PatternDomain(event.patternName(), event.domain()), this::breakerGauge)
            .set(stateCode(event.to()));
      }
    } catch (RuntimeException e) {
      failed("a circuit breaker's change", e);
    }
  }

  @Override
  public void onResourceAcquired(ResourceAcquiredEvent event) {
    try {
      // Deltas, not the reported in-use figures: events of several threads may arrive out of
      // order, while a sum of deltas is exact once they all arrived.
      event.units().forEach((r, u) -> resource(r).inUse.addAndGet(u));
      capacities(event.capacity());
    } catch (RuntimeException e) {
      failed("a resource acquisition", e);
    }
  }

  @Override
  public void onResourceReleased(ResourceReleasedEvent event) {
    try {
      event.units().forEach((r, u) -> resource(r).inUse.addAndGet(-u));
      capacities(event.capacity());
    } catch (RuntimeException e) {
      failed("a resource release", e);
    }
  }

  @Override
  public void onResourceConflict(ResourceConflictEvent event) {
    try {
      event.units().keySet().forEach(r -> resource(r).conflicts.increment());
      capacities(event.capacity());
    } catch (RuntimeException e) {
      failed("a resource conflict", e);
    }
  }

  @Override
  public void onConfidenceThresholdCrossed(ConfidenceThresholdCrossedEvent event) {
    try {
      if (domains.admit(event.domain()) != null) {
        confidence(event.pattern(), event.domain()).last = event.newConfidence();
      }
    } catch (RuntimeException e) {
      failed("a confidence crossing", e);
    }
  }

  @Override
  public void onStatisticsReset(StatisticsResetEvent event) {
    try {
      String scope = event.all() ? "all" : event.pattern() != null ? "pattern" : "domain";
      resets
          .computeIfAbsent(
              scope, s -> counter(STATISTICS_RESETS, "NDP statistics resets", "scope", s))
          .increment();
    } catch (RuntimeException e) {
      failed("a statistics reset", e);
    }
  }

  @Override
  public void onPluginLoaded(PluginLoadedEvent event) {
    pluginsLoaded.increment();
  }

  @Override
  public void onPluginFailed(PluginFailedEvent event) {
    pluginsFailed.increment();
  }

  @Override
  public void onPluginStopped(PluginStoppedEvent event) {
    pluginsStopped.increment();
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "NdpMetrics[domainTags=%d, tags=%s, bound=%s]",
        domains.max(),
        common,
        bound.get() != null);
  }

  // --- meters, created once per tag tuple ---------------------------------------------------

  /**
   * Registers the in-flight gauge, the first meter, and refuses these metrics when the meter
   * registry has that gauge already under the same id: Micrometer would hand back the other one's
   * gauge, and every gauge of these metrics would silently be the other's. Compared by identity
   * after registration, so the meter registry's own filters (common tags, renames) count as they do
   * for the id.
   */
  private void registerInFlight() {
    // Held while looking and registering, so that two NdpMetrics built at once on one meter
    // registry cannot both pass. Micrometer locks on objects of its own, not on the registry.
    synchronized (meters) {
      Set<Meter> before = Collections.newSetFromMap(new IdentityHashMap<>());
      before.addAll(meters.getMeters());
      Gauge gauge =
          Gauge.builder(IN_FLIGHT, inFlight, AtomicLong::get)
              .description("NDP executions started and not yet finished")
              .tags(common)
              .register(meters);
      if (before.contains(gauge)) {
        throw new IllegalStateException(
            "the meter registry has NDP metrics with the common tags "
                + common.stream().map(t -> t.getKey() + "=" + t.getValue()).toList()
                + " already (its gauge "
                + gauge.getId().getName()
                + "): Micrometer would give these metrics the other one's gauges, not their own;"
                + " give each NdpMetrics a distinguishing common tag, e.g."
                + " tags(\"runtime\", \"a\")");
      }
    }
  }

  private Timer executionTimer(ExecutionKey k) {
    return Timer.builder(EXECUTIONS)
        .description("NDP executions, by the pattern that served them and their outcome")
        .tags(common)
        .tag("pattern", k.pattern)
        .tag("outcome", k.success ? "success" : "failure")
        .tag("domain", k.domain)
        .tag("nested", Boolean.toString(k.nested))
        .register(meters);
  }

  private Timer attemptTimer(AttemptKey k) {
    return Timer.builder(ATTEMPTS)
        .description("NDP attempts: one pattern's try within an execution")
        .tags(common)
        .tag("pattern", patternTag(k.pattern))
        .tag("status", lower(k.status))
        .tag("kind", lower(k.kind))
        .register(meters);
  }

  private Counter transitionCounter(TransitionKey k) {
    return Counter.builder(BREAKER_TRANSITIONS)
        .description("NDP circuit breaker state changes")
        .tags(common)
        .tag("pattern", patternTag(k.pattern))
        .tag("domain", k.domain)
        .tag("from", lower(k.from))
        .tag("to", lower(k.to))
        .register(meters);
  }

  private AtomicInteger breakerGauge(PatternDomain k) {
    AtomicInteger state = new AtomicInteger();
    Gauge.builder(BREAKER_STATE, state, AtomicInteger::get)
        .description("NDP circuit breaker state: 0 closed, 1 half open, 2 open")
        .tags(common)
        .tag("pattern", patternTag(k.pattern))
        .tag("domain", DomainTags.escape(k.domain))
        .register(meters);
    return state;
  }

  private ConfidenceValue confidence(String pattern, String domain) {
    return confidence.computeIfAbsent(
        new PatternDomain(pattern, domain),
        k -> {
          ConfidenceValue v = new ConfidenceValue(k);
          Gauge.builder(CONFIDENCE, v, this::confidenceOf)
              .description("NDP confidence of a pattern in a domain")
              .tags(common)
              .tag("pattern", patternTag(k.pattern))
              .tag("domain", DomainTags.escape(k.domain))
              .register(meters);
          return v;
        });
  }

  /**
   * The live score when bound and the pattern is registered (read at scrape time only, and kept);
   * otherwise the last value known: the latest of the last live read and the last crossing heard.
   */
  private double confidenceOf(ConfidenceValue v) {
    WeakReference<PatternRegistry> ref = bound.get();
    PatternRegistry registry = ref != null ? ref.get() : null;
    if (registry != null) {
      try {
        Optional<Pattern> pattern = registry.find(v.key.pattern);
        if (pattern.isPresent()) {
          double live = pattern.get().confidenceScore(v.key.domain);
          v.last = live;
          return live;
        }
      } catch (RuntimeClosedException closed) {
        // A scrape after the runtime closed: its last known value, nothing to warn about.
        return v.last;
      } catch (RuntimeException e) {
        failed("a confidence read", e);
      }
    }
    // Not bound yet, the pattern is gone (unregistered, or withdrawn when the runtime closed), or
    // the runtime itself is gone (collected).
    return v.last;
  }

  private ResourceValues resource(String name) {
    return resources.computeIfAbsent(
        name,
        r -> {
          ResourceValues v =
              new ResourceValues(
                  counter(
                      RESOURCE_CONFLICTS,
                      "NDP resource requests" + " not granted in time",
                      "resource",
                      r));
          Gauge.builder(RESOURCE_IN_USE, v.inUse, AtomicInteger::get)
              .description("NDP resource units in use")
              .tags(common)
              .tag("resource", r)
              .register(meters);
          Gauge.builder(RESOURCE_CAPACITY, v.capacity, AtomicInteger::get)
              .description("NDP resource capacity in units")
              .tags(common)
              .tag("resource", r)
              .register(meters);
          return v;
        });
  }

  private void capacities(Map<String, Integer> capacity) {
    capacity.forEach((r, c) -> resource(r).capacity.set(c));
  }

  private Counter pluginCounter(String event) {
    return counter(PLUGIN_EVENTS, "NDP plugin life-cycle events", "event", event);
  }

  private Counter counter(String name, String description, String tag, String value) {
    return Counter.builder(name)
        .description(description)
        .tags(common)
        .tag(tag, value)
        .register(meters);
  }

  private static int stateCode(BreakerState state) {
    return switch (state) {
      case CLOSED -> 0;
      case HALF_OPEN -> 1;
      case OPEN -> 2;
    };
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  /** Logs a dropped event, at most once a second: a broken meter registry must not flood logs. */
  private void failed(String what, RuntimeException e) {
    long now = System.nanoTime();
    long next = nextLogNanos.get();
    if (now - next >= 0 && nextLogNanos.compareAndSet(next, now + LOG_INTERVAL_NANOS)) {
      log.warn("NDP metrics dropped {} (logged at most once a second)", what, e);
    }
  }

  private record ExecutionKey(String pattern, boolean success, String domain, boolean nested) {}

  private record AttemptKey(String pattern, OutcomeStatus status, Attempt.Kind kind) {}

  private record TransitionKey(String pattern, String domain, BreakerState from, BreakerState to) {}

  /**
   * A pattern and a domain as the runtime names it (not its tag value): a per-domain gauge's key.
   */
  private record PatternDomain(String pattern, String domain) {}

  /**
   * The confidence of a pattern in a domain as last known: set by every live read and every
   * crossing heard, whichever came last; NaN (Micrometer's "no value") until either happened.
   */
  private static final class ConfidenceValue {
    final PatternDomain key;
    volatile double last = Double.NaN;

    ConfidenceValue(PatternDomain key) {
      this.key = key;
    }
  }

  /** A resource's gauges and conflict counter. */
  private static final class ResourceValues {
    final AtomicInteger inUse = new AtomicInteger();
    final AtomicInteger capacity = new AtomicInteger();
    final Counter conflicts;

    ResourceValues(Counter conflicts) {
      this.conflicts = conflicts;
    }
  }

  /**
   * Configures {@link NdpMetrics}. Not thread-safe.
   *
   * @since 0.2.0
   */
  public static final class Builder {
    private final MeterRegistry meters;
    private int domainTags = DEFAULT_DOMAIN_TAGS;
    private Tags tags = Tags.empty();

    private Builder(MeterRegistry meters) {
      this.meters = meters;
    }

    /**
     * Sets how many distinct domains keep their own {@code domain} tag value; later ones are tagged
     * {@value NdpMetrics#OTHER_DOMAIN}. Zero tags every domain {@value NdpMetrics#OTHER_DOMAIN}.
     *
     * @param max at least 0; default {@value NdpMetrics#DEFAULT_DOMAIN_TAGS}
     * @return this builder
     * @throws IllegalArgumentException when negative
     */
    public Builder domainTags(int max) {
      if (max < 0) {
        throw new IllegalArgumentException(
            "domainTags must be zero or more (how many domains keep their own tag) but was " + max);
      }
      this.domainTags = max;
      return this;
    }

    /**
     * Adds tags to every meter, e.g. the name of the runtime when several share a meter registry
     * (which requires them: {@link #build()} refuses metrics whose common tags equal another's on
     * the same meter registry).
     *
     * @param keyValues key, value, key, value...
     * @return this builder
     * @throws IllegalArgumentException when null, of odd length, or holding a null or blank key or
     *     a null value, or a key the metrics use themselves
     */
    public Builder tags(String... keyValues) {
      if (keyValues == null || keyValues.length % 2 != 0) {
        throw new IllegalArgumentException(
            "tags must be key, value pairs but were "
                + (keyValues == null ? "null" : keyValues.length + " strings"));
      }
      List<String> problems = new ArrayList<>();
      List<Tag> added = new ArrayList<>();
      for (int i = 0; i < keyValues.length; i += 2) {
        String key = keyValues[i];
        String value = keyValues[i + 1];
        if (key == null || key.isBlank()) {
          problems.add("tag key " + i / 2 + " must be non-blank but was " + quoted(key));
        } else if (RESERVED.contains(key)) {
          problems.add("tag key '" + key + "' is one the metrics set themselves");
        } else if (value == null) {
          problems.add("tag '" + key + "' must have a value but had null");
        } else {
          added.add(Tag.of(key, value));
        }
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(String.join("; ", problems));
      }
      this.tags = tags.and(added);
      return this;
    }

    /**
     * Builds the metrics and registers the meters that exist from the start (in-flight executions,
     * plugin events).
     *
     * @return the metrics
     * @throws IllegalStateException when the meter registry has the meters of an {@code NdpMetrics}
     *     with the same common tags already: these would get none of their own gauges (Micrometer
     *     returns the first one registered under an id); give each a distinguishing common tag
     */
    public NdpMetrics build() {
      return new NdpMetrics(this);
    }

    private static final List<String> RESERVED =
        List.of(
            "pattern",
            "outcome",
            "domain",
            "nested",
            "status",
            "kind",
            "from",
            "to",
            "resource",
            "event",
            "scope");

    private static String quoted(@Nullable String s) {
      return s == null ? "null" : "'" + s + "'";
    }
  }
}
