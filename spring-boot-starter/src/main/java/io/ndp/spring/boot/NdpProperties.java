package io.ndp.spring.boot;

import io.ndp.api.PatternDefinition;
import io.ndp.core.BreakerPolicy;
import io.ndp.core.Guardrails;
import io.ndp.core.Ndp;
import io.ndp.core.PatternExecutor;
import io.ndp.core.PatternRegistry;
import io.ndp.core.RetryPolicy;
import io.ndp.core.SelectionPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code ndp.*} properties the auto-configuration builds the runtime from. Every setter checks
 * its value (with the rule of the core builder it feeds) and names the property when it refuses
 * one, so that a bad value stops the application at startup with that name in the message.
 *
 * <p>Not thread-safe: bound once at startup, then only read.
 *
 * @since 0.2.0
 */
@ConfigurationProperties("ndp")
public class NdpProperties {

  /** Whether the NDP runtime and its beans are created at all. */
  private boolean enabled = true;

  /** Folder of plugin JARs (pattern kinds) to load at startup; none when unset. */
  private @Nullable Path pluginsDir;

  /** How long closing the runtime (at shutdown) waits for the executions in flight. */
  private Duration drainTimeout = Duration.ofSeconds(30); // Ndp.DEFAULT_DRAIN_TIMEOUT

  /**
   * How fast the in-memory confidence statistics forget, as a half-life in outcomes of a domain (at
   * least 1, or infinite: never forget). With durable storage, use ndp.storage.half-life.
   */
  private @Nullable Double halfLife;

  /** Confidence thresholds whose crossings (down and back up) are reported to the listeners. */
  private List<Double> confidenceAlerts = new ArrayList<>();

  private final Storage storage = new Storage();
  private final Selection selection = new Selection();
  private final Executor executor = new Executor();
  private final Retry retry = new Retry();
  private final Breaker breaker = new Breaker();
  private final Actuator actuator = new Actuator();
  private final Metrics metrics = new Metrics();

  /** Patterns registered at startup, each built by the factory of its type. */
  private List<PatternProperties> patterns = new ArrayList<>();

  /** {@return whether the runtime is created} */
  public boolean isEnabled() {
    return enabled;
  }

  /**
   * Sets whether the runtime is created.
   *
   * @param enabled whether it is
   */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /** {@return the plugins folder, or null for none} */
  public @Nullable Path getPluginsDir() {
    return pluginsDir;
  }

  /**
   * Sets the plugins folder; it must exist when the runtime starts (a missing one fails the startup
   * naming {@code ndp.plugins-dir}), and may be empty.
   *
   * @param pluginsDir the folder
   */
  public void setPluginsDir(@Nullable Path pluginsDir) {
    this.pluginsDir = pluginsDir;
  }

  /** {@return how long closing waits for executions} */
  public Duration getDrainTimeout() {
    return drainTimeout;
  }

  /**
   * Sets how long closing waits for executions.
   *
   * @param drainTimeout zero or positive
   * @throws IllegalArgumentException naming {@code ndp.drain-timeout} when negative
   */
  public void setDrainTimeout(Duration drainTimeout) {
    check("ndp.drain-timeout", () -> Ndp.builder().drainTimeout(drainTimeout));
    this.drainTimeout = drainTimeout;
  }

  /** {@return the in-memory half-life, or null for core's default} */
  public @Nullable Double getHalfLife() {
    return halfLife;
  }

  /**
   * Sets the in-memory half-life.
   *
   * @param halfLife at least 1, or infinite
   * @throws IllegalArgumentException naming {@code ndp.half-life} when invalid
   */
  public void setHalfLife(@Nullable Double halfLife) {
    if (halfLife != null) {
      check("ndp.half-life", () -> PatternRegistry.builder().halfLife(halfLife));
    }
    this.halfLife = halfLife;
  }

  /** {@return the confidence alert thresholds} */
  public List<Double> getConfidenceAlerts() {
    return confidenceAlerts;
  }

  /**
   * Sets the confidence alert thresholds.
   *
   * @param confidenceAlerts each in {@code (0, 1]}
   * @throws IllegalArgumentException naming {@code ndp.confidence-alerts} when one is outside
   */
  public void setConfidenceAlerts(List<Double> confidenceAlerts) {
    for (Double t : confidenceAlerts) {
      check("ndp.confidence-alerts", () -> PatternRegistry.builder().confidenceAlert(t));
    }
    this.confidenceAlerts = new ArrayList<>(confidenceAlerts);
  }

  /** {@return where definitions and statistics are kept} */
  public Storage getStorage() {
    return storage;
  }

  /** {@return how the executor ranks candidates} */
  public Selection getSelection() {
    return selection;
  }

  /** {@return the executor's bounds} */
  public Executor getExecutor() {
    return executor;
  }

  /** {@return the retry policy's settings} */
  public Retry getRetry() {
    return retry;
  }

  /** {@return the circuit breakers' settings} */
  public Breaker getBreaker() {
    return breaker;
  }

  /** {@return the actuator's settings} */
  public Actuator getActuator() {
    return actuator;
  }

  /** {@return the metrics' settings} */
  public Metrics getMetrics() {
    return metrics;
  }

  /** {@return the patterns registered at startup} */
  public List<PatternProperties> getPatterns() {
    return patterns;
  }

  /**
   * Sets the patterns registered at startup.
   *
   * @param patterns the patterns
   */
  public void setPatterns(List<PatternProperties> patterns) {
    this.patterns = new ArrayList<>(patterns);
  }

  /** Runs a core builder's check of a value, naming the property when it refuses it. */
  static void check(String property, Runnable coreCheck) {
    try {
      coreCheck.run();
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException(property + ": " + e.getMessage(), e);
    }
  }

  static IllegalArgumentException invalid(String property, String rule, Object value) {
    return new IllegalArgumentException(
        String.format(Locale.ROOT, "%s %s but was %s", property, rule, value));
  }

  /** Where the runtime keeps definitions and statistics. Not thread-safe. */
  public enum StorageType {
    /** In memory: lost at shutdown (the default). */
    MEMORY,
    /** An embedded H2 database in files under {@code ndp.storage.h2-directory}. */
    H2,
    /** The application's {@code DataSource} bean (e.g. PostgreSQL). */
    JDBC
  }

  /** When a recorded outcome is committed to a database. */
  public enum StorageDurability {
    /** Each outcome is committed before the execution returns (the default). */
    SYNC,
    /** Outcomes are buffered and committed in batches (see max-unflushed-time and -outcomes). */
    BATCHED
  }

  /** The selection policies core offers. */
  public enum PolicyType {
    /** Thompson sampling that follows drift: core's default. */
    DRIFT_AWARE,
    /** Plain Thompson sampling. */
    THOMPSON,
    /** Highest match × confidence first; never explores. */
    GREEDY
  }

  /**
   * The {@code ndp.storage.*} group. Not thread-safe.
   *
   * @since 0.2.0
   */
  public static class Storage {
    /** Where definitions and statistics are kept: memory, h2 or jdbc (the DataSource bean). */
    private StorageType type = StorageType.MEMORY;

    /** The folder of the H2 database files when ndp.storage.type is h2. */
    private Path h2Directory = Path.of("ndp-data");

    /** When a recorded outcome is committed: sync or batched. */
    private StorageDurability durability = StorageDurability.SYNC;

    /** How long the runtime may serve a cached statistic before re-reading the database. */
    private Duration staleness = Duration.ofMillis(1000);

    /** Batched durability: the longest an acknowledged outcome waits for its commit. */
    private Duration maxUnflushedTime = Duration.ofMillis(200);

    /** Batched durability: the most acknowledged outcomes uncommitted at any time. */
    private int maxUnflushedOutcomes = 1000;

    /** The most outcomes buffered while the database is unavailable. */
    private int bufferLimit = 100_000;

    /** How long a recorder waits at most for its commit (sync) or for room in the buffer. */
    private Duration syncTimeout = Duration.ofSeconds(10);

    /** How long closing the storage waits for the buffer's commit. */
    private Duration closeTimeout = Duration.ofSeconds(10);

    /** H2: how long to wait for a connection before the database counts as unavailable. */
    private Duration connectionTimeout = Duration.ofSeconds(2);

    /** H2: connections in the storage's own pool at most. */
    private int poolSize = 4;

    /** The half-life of forgetting, in outcomes of a domain; every host of a database the same. */
    private double halfLife = 100;

    /** This host's name in reset markers; the host name and process id when unset. */
    private @Nullable String host;

    /** {@return the storage type} */
    public StorageType getType() {
      return type;
    }

    /**
     * Sets the storage type.
     *
     * @param type the type
     */
    public void setType(StorageType type) {
      this.type = type;
    }

    /** {@return the H2 folder} */
    public Path getH2Directory() {
      return h2Directory;
    }

    /**
     * Sets the H2 folder.
     *
     * @param h2Directory the folder
     */
    public void setH2Directory(Path h2Directory) {
      this.h2Directory = h2Directory;
    }

    /** {@return the durability} */
    public StorageDurability getDurability() {
      return durability;
    }

    /**
     * Sets the durability.
     *
     * @param durability the durability
     */
    public void setDurability(StorageDurability durability) {
      this.durability = durability;
    }

    /** {@return the staleness} */
    public Duration getStaleness() {
      return staleness;
    }

    /**
     * Sets the staleness.
     *
     * @param staleness positive
     * @throws IllegalArgumentException naming the property when not positive
     */
    public void setStaleness(Duration staleness) {
      this.staleness = positive("ndp.storage.staleness", staleness);
    }

    /** {@return the max unflushed time} */
    public Duration getMaxUnflushedTime() {
      return maxUnflushedTime;
    }

    /**
     * Sets the max unflushed time.
     *
     * @param maxUnflushedTime positive
     * @throws IllegalArgumentException naming the property when not positive
     */
    public void setMaxUnflushedTime(Duration maxUnflushedTime) {
      this.maxUnflushedTime = positive("ndp.storage.max-unflushed-time", maxUnflushedTime);
    }

    /** {@return the max unflushed outcomes} */
    public int getMaxUnflushedOutcomes() {
      return maxUnflushedOutcomes;
    }

    /**
     * Sets the max unflushed outcomes.
     *
     * @param maxUnflushedOutcomes at least 1
     * @throws IllegalArgumentException naming the property when below 1
     */
    public void setMaxUnflushedOutcomes(int maxUnflushedOutcomes) {
      this.maxUnflushedOutcomes =
          atLeast("ndp.storage.max-unflushed-outcomes", 1, maxUnflushedOutcomes);
    }

    /** {@return the buffer limit} */
    public int getBufferLimit() {
      return bufferLimit;
    }

    /**
     * Sets the buffer limit.
     *
     * @param bufferLimit at least 1
     * @throws IllegalArgumentException naming the property when below 1
     */
    public void setBufferLimit(int bufferLimit) {
      this.bufferLimit = atLeast("ndp.storage.buffer-limit", 1, bufferLimit);
    }

    /** {@return the sync timeout} */
    public Duration getSyncTimeout() {
      return syncTimeout;
    }

    /**
     * Sets the sync timeout.
     *
     * @param syncTimeout positive
     * @throws IllegalArgumentException naming the property when not positive
     */
    public void setSyncTimeout(Duration syncTimeout) {
      this.syncTimeout = positive("ndp.storage.sync-timeout", syncTimeout);
    }

    /** {@return the close timeout} */
    public Duration getCloseTimeout() {
      return closeTimeout;
    }

    /**
     * Sets the close timeout.
     *
     * @param closeTimeout zero or positive
     * @throws IllegalArgumentException naming the property when negative
     */
    public void setCloseTimeout(Duration closeTimeout) {
      if (closeTimeout.isNegative()) {
        throw invalid("ndp.storage.close-timeout", "must be zero or positive", closeTimeout);
      }
      this.closeTimeout = closeTimeout;
    }

    /** {@return the connection timeout} */
    public Duration getConnectionTimeout() {
      return connectionTimeout;
    }

    /**
     * Sets the connection timeout.
     *
     * @param connectionTimeout at least 250 ms
     * @throws IllegalArgumentException naming the property when shorter
     */
    public void setConnectionTimeout(Duration connectionTimeout) {
      if (connectionTimeout.toMillis() < 250) {
        throw invalid(
            "ndp.storage.connection-timeout", "must be at least 250ms", connectionTimeout);
      }
      this.connectionTimeout = connectionTimeout;
    }

    /** {@return the pool size} */
    public int getPoolSize() {
      return poolSize;
    }

    /**
     * Sets the pool size.
     *
     * @param poolSize at least 1
     * @throws IllegalArgumentException naming the property when below 1
     */
    public void setPoolSize(int poolSize) {
      this.poolSize = atLeast("ndp.storage.pool-size", 2, poolSize); // a writer and a reader
    }

    /** {@return the half-life} */
    public double getHalfLife() {
      return halfLife;
    }

    /**
     * Sets the half-life.
     *
     * @param halfLife at least 1, or infinite
     * @throws IllegalArgumentException naming the property when below 1
     */
    public void setHalfLife(double halfLife) {
      if (!(halfLife >= 1)) {
        throw invalid(
            "ndp.storage.half-life", "must be at least 1 outcome (or infinite)", halfLife);
      }
      this.halfLife = halfLife;
    }

    /** {@return the host name in reset markers, or null for the default} */
    public @Nullable String getHost() {
      return host;
    }

    /**
     * Sets the host name in reset markers.
     *
     * @param host the name
     */
    public void setHost(@Nullable String host) {
      this.host = host;
    }

    private static Duration positive(String property, Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw invalid(property, "must be positive", d);
      }
      return d;
    }
  }

  /**
   * The {@code ndp.selection.*} group. Not thread-safe.
   *
   * @since 0.2.0
   */
  public static class Selection {
    /** The selection policy: drift-aware (default), thompson or greedy. */
    private PolicyType policy = PolicyType.DRIFT_AWARE;

    /** A seed that makes selection deterministic (tests, simulations); random when unset. */
    private @Nullable Long seed;

    /** Whether a pattern new to a domain borrows a little evidence from its other domains. */
    private boolean borrowAcrossDomains = true;

    /** Candidates below this confidence are tried after the others (0 turns it off); [0, 1). */
    private double minConfidence = 0;

    /** The share of selections in which a candidate below the floor is probed; [0, 1]. */
    private double probeRate = 0;

    /** The share of selections that try a random allowed candidate first; [0, 1]. */
    private double explorationRate = 0;

    /** {@return the policy} */
    public PolicyType getPolicy() {
      return policy;
    }

    /**
     * Sets the policy.
     *
     * @param policy the policy
     */
    public void setPolicy(PolicyType policy) {
      this.policy = policy;
    }

    /** {@return the seed, or null} */
    public @Nullable Long getSeed() {
      return seed;
    }

    /**
     * Sets the seed.
     *
     * @param seed the seed
     */
    public void setSeed(@Nullable Long seed) {
      this.seed = seed;
    }

    /** {@return whether evidence is borrowed across domains} */
    public boolean isBorrowAcrossDomains() {
      return borrowAcrossDomains;
    }

    /**
     * Sets whether evidence is borrowed across domains.
     *
     * @param borrowAcrossDomains whether it is
     */
    public void setBorrowAcrossDomains(boolean borrowAcrossDomains) {
      this.borrowAcrossDomains = borrowAcrossDomains;
    }

    /** {@return the minimum-confidence floor} */
    public double getMinConfidence() {
      return minConfidence;
    }

    /**
     * Sets the minimum-confidence floor.
     *
     * @param minConfidence in [0, 1)
     * @throws IllegalArgumentException naming the property when outside
     */
    public void setMinConfidence(double minConfidence) {
      check("ndp.selection.min-confidence", () -> new Guardrails(minConfidence, 0, 0));
      this.minConfidence = minConfidence;
    }

    /** {@return the probe rate} */
    public double getProbeRate() {
      return probeRate;
    }

    /**
     * Sets the probe rate.
     *
     * @param probeRate in [0, 1]
     * @throws IllegalArgumentException naming the property when outside
     */
    public void setProbeRate(double probeRate) {
      check("ndp.selection.probe-rate", () -> new Guardrails(0, probeRate, 0));
      this.probeRate = probeRate;
    }

    /** {@return the exploration rate} */
    public double getExplorationRate() {
      return explorationRate;
    }

    /**
     * Sets the exploration rate.
     *
     * @param explorationRate in [0, 1]
     * @throws IllegalArgumentException naming the property when outside
     */
    public void setExplorationRate(double explorationRate) {
      check("ndp.selection.exploration-rate", () -> new Guardrails(0, 0, explorationRate));
      this.explorationRate = explorationRate;
    }

    /** {@return the policy these settings name} */
    SelectionPolicy toPolicy() {
      Long s = seed;
      switch (policy) {
        case GREEDY:
          return SelectionPolicy.greedy();
        case THOMPSON:
          return s == null
              ? SelectionPolicy.thompsonSampling()
              : SelectionPolicy.thompsonSampling(s);
        default:
          return s == null
              ? SelectionPolicy.driftAwareThompsonSampling()
              : SelectionPolicy.driftAwareThompsonSampling(s);
      }
    }

    /** {@return the guardrails these settings name} */
    Guardrails toGuardrails() {
      return new Guardrails(minConfidence, probeRate, explorationRate);
    }
  }

  /**
   * The {@code ndp.executor.*} group. Not thread-safe.
   *
   * @since 0.2.0
   */
  public static class Executor {
    /** How many ranked candidates are tried before the fallbacks; at least 1. */
    private int maxAttempts = 3; // PatternExecutor.DEFAULT_MAX_ATTEMPTS

    /** How deeply executions may nest (meta-orchestration); at least 0. */
    private int maxDepth = 8; // PatternExecutor.DEFAULT_MAX_DEPTH

    /** How many nested executions one top-level call may start in all; at least 0. */
    private int nestedBudget = 256; // PatternExecutor.DEFAULT_NESTED_BUDGET

    /** The timeout of contexts that set none; none when unset. */
    private @Nullable Duration defaultTimeout;

    /** A success slower than this counts as a failure in the statistics; none when unset. */
    private @Nullable Duration latencyBudget;

    /** Patterns (by name) tried, in order, after the ranked candidates failed. */
    private List<String> fallbackPatterns = new ArrayList<>();

    /** {@return the max attempts} */
    public int getMaxAttempts() {
      return maxAttempts;
    }

    /**
     * Sets the max attempts.
     *
     * @param maxAttempts at least 1
     * @throws IllegalArgumentException naming the property when below 1
     */
    public void setMaxAttempts(int maxAttempts) {
      this.maxAttempts = atLeast("ndp.executor.max-attempts", 1, maxAttempts);
    }

    /** {@return the max depth} */
    public int getMaxDepth() {
      return maxDepth;
    }

    /**
     * Sets the max depth.
     *
     * @param maxDepth at least 0
     * @throws IllegalArgumentException naming the property when negative
     */
    public void setMaxDepth(int maxDepth) {
      this.maxDepth = atLeast("ndp.executor.max-depth", 0, maxDepth);
    }

    /** {@return the nested budget} */
    public int getNestedBudget() {
      return nestedBudget;
    }

    /**
     * Sets the nested budget.
     *
     * @param nestedBudget at least 0
     * @throws IllegalArgumentException naming the property when negative
     */
    public void setNestedBudget(int nestedBudget) {
      this.nestedBudget = atLeast("ndp.executor.nested-budget", 0, nestedBudget);
    }

    /** {@return the default timeout, or null} */
    public @Nullable Duration getDefaultTimeout() {
      return defaultTimeout;
    }

    /**
     * Sets the default timeout.
     *
     * @param defaultTimeout positive
     * @throws IllegalArgumentException naming the property when not positive
     */
    public void setDefaultTimeout(@Nullable Duration defaultTimeout) {
      if (defaultTimeout != null) {
        check(
            "ndp.executor.default-timeout",
            () -> PatternExecutor.builder(new PatternRegistry()).defaultTimeout(defaultTimeout));
      }
      this.defaultTimeout = defaultTimeout;
    }

    /** {@return the latency budget, or null} */
    public @Nullable Duration getLatencyBudget() {
      return latencyBudget;
    }

    /**
     * Sets the latency budget.
     *
     * @param latencyBudget positive
     * @throws IllegalArgumentException naming the property when not positive
     */
    public void setLatencyBudget(@Nullable Duration latencyBudget) {
      if (latencyBudget != null) {
        check(
            "ndp.executor.latency-budget",
            () -> PatternExecutor.builder(new PatternRegistry()).latencyBudget(latencyBudget));
      }
      this.latencyBudget = latencyBudget;
    }

    /** {@return the fallback pattern names} */
    public List<String> getFallbackPatterns() {
      return fallbackPatterns;
    }

    /**
     * Sets the fallback pattern names.
     *
     * @param fallbackPatterns non-blank names
     * @throws IllegalArgumentException naming the property when one is blank
     */
    public void setFallbackPatterns(List<String> fallbackPatterns) {
      check(
          "ndp.executor.fallback-patterns",
          () ->
              PatternExecutor.builder(new PatternRegistry())
                  .fallbackPatterns(fallbackPatterns.toArray(String[]::new)));
      this.fallbackPatterns = new ArrayList<>(fallbackPatterns);
    }
  }

  /**
   * The {@code ndp.retry.*} group: {@link RetryPolicy}'s settings. Not thread-safe.
   *
   * @since 0.2.0
   */
  public static class Retry {
    /** Whether failed patterns are retried with backoff; off by default. */
    private boolean enabled;

    /** The most retries of one pattern in one execution; [0, 100]. */
    private int maxRetries = 2;

    /** The wait before the first retry; 1 ms to 1 hour. */
    private Duration initialBackoff = Duration.ofMillis(50);

    /** The factor between two successive waits; [1, 100]. */
    private double multiplier = 2;

    /** The longest wait; 1 ms to 1 hour, not shorter than the initial backoff. */
    private Duration maxBackoff = Duration.ofSeconds(2);

    /** The spread of each wait at random, as a fraction of it; [0, 1). */
    private double jitter = 0.5;

    /** The most retries of one execution over all its patterns; [0, 1000]. */
    private int budget = 10;

    /** {@return whether retries are on} */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Sets whether retries are on.
     *
     * @param enabled whether they are
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** {@return the max retries} */
    public int getMaxRetries() {
      return maxRetries;
    }

    /**
     * Sets the max retries.
     *
     * @param maxRetries in [0, 100]
     * @throws IllegalArgumentException naming the property when outside
     */
    public void setMaxRetries(int maxRetries) {
      check("ndp.retry.max-retries", () -> RetryPolicy.builder().maxRetries(maxRetries));
      this.maxRetries = maxRetries;
    }

    /** {@return the initial backoff} */
    public Duration getInitialBackoff() {
      return initialBackoff;
    }

    /**
     * Sets the initial backoff.
     *
     * @param initialBackoff 1 ms to 1 hour
     * @throws IllegalArgumentException naming the property when outside
     */
    public void setInitialBackoff(Duration initialBackoff) {
      check(
          "ndp.retry.initial-backoff", () -> RetryPolicy.builder().initialBackoff(initialBackoff));
      this.initialBackoff = initialBackoff;
    }

    /** {@return the multiplier} */
    public double getMultiplier() {
      return multiplier;
    }

    /**
     * Sets the multiplier.
     *
     * @param multiplier in [1, 100]
     * @throws IllegalArgumentException naming the property when outside
     */
    public void setMultiplier(double multiplier) {
      check("ndp.retry.multiplier", () -> RetryPolicy.builder().multiplier(multiplier));
      this.multiplier = multiplier;
    }

    /** {@return the max backoff} */
    public Duration getMaxBackoff() {
      return maxBackoff;
    }

    /**
     * Sets the max backoff.
     *
     * @param maxBackoff 1 ms to 1 hour
     * @throws IllegalArgumentException naming the property when outside
     */
    public void setMaxBackoff(Duration maxBackoff) {
      check("ndp.retry.max-backoff", () -> RetryPolicy.builder().maxBackoff(maxBackoff));
      this.maxBackoff = maxBackoff;
    }

    /** {@return the jitter} */
    public double getJitter() {
      return jitter;
    }

    /**
     * Sets the jitter.
     *
     * @param jitter in [0, 1)
     * @throws IllegalArgumentException naming the property when outside
     */
    public void setJitter(double jitter) {
      check("ndp.retry.jitter", () -> RetryPolicy.builder().jitter(jitter));
      this.jitter = jitter;
    }

    /** {@return the budget} */
    public int getBudget() {
      return budget;
    }

    /**
     * Sets the budget.
     *
     * @param budget in [0, 1000]
     * @throws IllegalArgumentException naming the property when outside
     */
    public void setBudget(int budget) {
      check("ndp.retry.budget", () -> RetryPolicy.builder().budget(budget));
      this.budget = budget;
    }

    /**
     * {@return the policy: none when disabled}
     *
     * @throws IllegalArgumentException naming {@code ndp.retry} when the settings do not combine
     */
    RetryPolicy toPolicy() {
      if (!enabled) {
        return RetryPolicy.none();
      }
      try {
        return RetryPolicy.builder()
            .maxRetries(maxRetries)
            .initialBackoff(initialBackoff)
            .multiplier(multiplier)
            .maxBackoff(maxBackoff)
            .jitter(jitter)
            .budget(budget)
            .build();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "ndp.retry.initial-backoff / ndp.retry.max-backoff: " + e.getMessage(), e);
      }
    }
  }

  /**
   * The {@code ndp.breaker.*} group: {@link BreakerPolicy}'s settings. Not thread-safe.
   *
   * @since 0.2.0
   */
  public static class Breaker {
    /** Whether a pattern is cut off in a domain while it fails there; off by default. */
    private boolean enabled;

    /** The failure rate, in percent, at which a breaker opens; (0, 100]. */
    private float failureRateThreshold = 50;

    /** How many of the last calls the failure rate is taken over; at least 1. */
    private int window = 20;

    /** How many calls must be counted before a breaker may open; at least 1. */
    private int minimumCalls = 10;

    /** How long an open breaker skips its pattern before probing. */
    private Duration coolDown = Duration.ofSeconds(30);

    /** How many probes a half-open breaker lets through; at least 1. */
    private int probes = 3;

    /** The most breakers (pattern × domain) kept; the least recently used are dropped. */
    private int maxBreakers = 10_000;

    /** {@return whether breakers are on} */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Sets whether breakers are on.
     *
     * @param enabled whether they are
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** {@return the failure rate threshold} */
    public float getFailureRateThreshold() {
      return failureRateThreshold;
    }

    /**
     * Sets the failure rate threshold.
     *
     * @param failureRateThreshold in (0, 100]
     * @throws IllegalArgumentException naming the property when outside
     */
    public void setFailureRateThreshold(float failureRateThreshold) {
      check(
          "ndp.breaker.failure-rate-threshold",
          () -> BreakerPolicy.builder().failureRateThreshold(failureRateThreshold));
      this.failureRateThreshold = failureRateThreshold;
    }

    /** {@return the window} */
    public int getWindow() {
      return window;
    }

    /**
     * Sets the window.
     *
     * @param window at least 1
     * @throws IllegalArgumentException naming the property when invalid
     */
    public void setWindow(int window) {
      check("ndp.breaker.window", () -> BreakerPolicy.builder().window(window));
      this.window = window;
    }

    /** {@return the minimum calls} */
    public int getMinimumCalls() {
      return minimumCalls;
    }

    /**
     * Sets the minimum calls.
     *
     * @param minimumCalls at least 1
     * @throws IllegalArgumentException naming the property when invalid
     */
    public void setMinimumCalls(int minimumCalls) {
      check("ndp.breaker.minimum-calls", () -> BreakerPolicy.builder().minimumCalls(minimumCalls));
      this.minimumCalls = minimumCalls;
    }

    /** {@return the cool-down} */
    public Duration getCoolDown() {
      return coolDown;
    }

    /**
     * Sets the cool-down.
     *
     * @param coolDown positive
     * @throws IllegalArgumentException naming the property when invalid
     */
    public void setCoolDown(Duration coolDown) {
      check("ndp.breaker.cool-down", () -> BreakerPolicy.builder().coolDown(coolDown));
      this.coolDown = coolDown;
    }

    /** {@return the probes} */
    public int getProbes() {
      return probes;
    }

    /**
     * Sets the probes.
     *
     * @param probes at least 1
     * @throws IllegalArgumentException naming the property when invalid
     */
    public void setProbes(int probes) {
      check("ndp.breaker.probes", () -> BreakerPolicy.builder().probes(probes));
      this.probes = probes;
    }

    /** {@return the most breakers kept} */
    public int getMaxBreakers() {
      return maxBreakers;
    }

    /**
     * Sets the most breakers kept.
     *
     * @param maxBreakers at least 1
     * @throws IllegalArgumentException naming the property when invalid
     */
    public void setMaxBreakers(int maxBreakers) {
      check("ndp.breaker.max-breakers", () -> BreakerPolicy.builder().maxBreakers(maxBreakers));
      this.maxBreakers = maxBreakers;
    }

    /**
     * {@return the policy: none when disabled}
     *
     * @throws IllegalArgumentException naming {@code ndp.breaker} when the settings do not combine
     */
    BreakerPolicy toPolicy() {
      if (!enabled) {
        return BreakerPolicy.none();
      }
      try {
        return BreakerPolicy.builder()
            .failureRateThreshold(failureRateThreshold)
            .window(window)
            .minimumCalls(minimumCalls)
            .coolDown(coolDown)
            .probes(probes)
            .maxBreakers(maxBreakers)
            .build();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("ndp.breaker: " + e.getMessage(), e);
      }
    }
  }

  /**
   * The {@code ndp.actuator.*} group. Not thread-safe.
   *
   * @since 0.2.0
   */
  public static class Actuator {
    /** How many recent decisions the ndp endpoint shows (the newest kept); at least 1. */
    private int recentDecisions = 50;

    /** {@return how many recent decisions are kept} */
    public int getRecentDecisions() {
      return recentDecisions;
    }

    /**
     * Sets how many recent decisions are kept.
     *
     * @param recentDecisions 1 to 10,000
     * @throws IllegalArgumentException naming the property when outside
     */
    public void setRecentDecisions(int recentDecisions) {
      if (recentDecisions < 1 || recentDecisions > 10_000) {
        throw invalid(
            "ndp.actuator.recent-decisions", "must be within [1, 10000]", recentDecisions);
      }
      this.recentDecisions = recentDecisions;
    }
  }

  /**
   * The {@code ndp.metrics.*} group. Not thread-safe.
   *
   * @since 0.2.0
   */
  public static class Metrics {
    /** Whether NDP's meters are registered in the application's MeterRegistry. */
    private boolean enabled = true;

    /** The most distinct domain tag values; further domains are tagged "other". */
    private int domainTags = 50;

    /** {@return whether metrics are on} */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Sets whether metrics are on.
     *
     * @param enabled whether they are
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** {@return the most domain tag values} */
    public int getDomainTags() {
      return domainTags;
    }

    /**
     * Sets the most domain tag values.
     *
     * @param domainTags at least 0
     * @throws IllegalArgumentException naming the property when negative
     */
    public void setDomainTags(int domainTags) {
      this.domainTags = atLeast("ndp.metrics.domain-tags", 0, domainTags);
    }
  }

  /**
   * One entry of {@code ndp.patterns}: a pattern definition. Not thread-safe.
   *
   * @since 0.2.0
   */
  public static class PatternProperties {
    /** The pattern type (kind), e.g. sequential, parallel, meta-orchestration. */
    private @Nullable String type;

    /** The pattern's unique name. */
    private @Nullable String name;

    /** What the pattern is for. */
    private String description = "";

    /** The kind's parameters, e.g. steps: [validate, store] for a sequential pattern. */
    private Map<String, Object> parameters = new LinkedHashMap<>();

    /** {@return the type} */
    public @Nullable String getType() {
      return type;
    }

    /**
     * Sets the type.
     *
     * @param type the type
     */
    public void setType(@Nullable String type) {
      this.type = type;
    }

    /** {@return the name} */
    public @Nullable String getName() {
      return name;
    }

    /**
     * Sets the name.
     *
     * @param name the name
     */
    public void setName(@Nullable String name) {
      this.name = name;
    }

    /** {@return the description} */
    public String getDescription() {
      return description;
    }

    /**
     * Sets the description.
     *
     * @param description the description
     */
    public void setDescription(String description) {
      this.description = description;
    }

    /** {@return the parameters} */
    public Map<String, Object> getParameters() {
      return parameters;
    }

    /**
     * Sets the parameters.
     *
     * @param parameters the parameters
     */
    public void setParameters(Map<String, Object> parameters) {
      this.parameters = new LinkedHashMap<>(parameters);
    }

    /**
     * {@return the definition}
     *
     * @param index this entry's index in {@code ndp.patterns}, for messages
     * @throws IllegalArgumentException naming {@code ndp.patterns[index]} when invalid
     */
    PatternDefinition toDefinition(int index) {
      String property = "ndp.patterns[" + index + "]";
      if (type == null || type.isBlank()) {
        throw invalid(property + ".type", "must be a pattern type", type);
      }
      if (name == null || name.isBlank()) {
        throw invalid(property + ".name", "must be a non-blank name", name);
      }
      try {
        return new PatternDefinition(type, name, description, Binding.plain(parameters));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(property + ": " + e.getMessage(), e);
      }
    }
  }

  private static int atLeast(String property, int min, int value) {
    if (value < min) {
      throw invalid(property, "must be at least " + min, value);
    }
    return value;
  }
}
