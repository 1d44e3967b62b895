package io.ndp.core;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.ndp.api.Attempt;
import io.ndp.api.ConfidenceStore;
import io.ndp.api.DelegateDirectory;
import io.ndp.api.ExecutionScope;
import io.ndp.api.MatchResult;
import io.ndp.api.MissingDelegateException;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternOutcome;
import io.ndp.api.PatternResult;
import io.ndp.api.UnknownAgentTypeException;
import io.ndp.core.SelectionPolicy.Candidate;
import io.ndp.core.internal.InMemoryConfidenceStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the best pattern for a context and learns from the outcome.
 *
 * <p>{@link #executeBestPattern(PatternContext)}: the registry's patterns that serve the context's
 * agent type are matched against it; the matching ones are ranked by the {@link SelectionPolicy}
 * (by default {@code match × confidence in the context's domain}, unseen patterns at the neutral
 * prior 0.5); the best runs, and on failure the next, up to {@code maxAttempts}; then each
 * configured fallback pattern that matches. Every outcome is recorded and every attempt is in the
 * result.
 *
 * <p><b>Where confidence lives.</b> A pattern's confidence is read from and recorded into one
 * store: the executor's {@link Builder#storage storage} when one is wired (patterns it runs are
 * bound to it); otherwise the store the pattern is bound to (the {@link PatternStorage} it was
 * stored in); otherwise the executor's own in-memory store, to which the pattern is then bound. So
 * {@code pattern.confidenceScore()} always reflects what this executor recorded.
 *
 * <p>What counts: success counts as a success; failure, timeout and resource conflict count as
 * failures; a missing delegate (a host configuration error) and an interrupt are not counted.
 *
 * <p>Thread-safe: any number of threads may execute concurrently. {@link #close()} shuts down the
 * default thread pool if the executor created one.
 *
 * @since 0.1.0
 */
public final class PatternExecutor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PatternExecutor.class);

  /** Candidates tried before fallbacks, by default. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;

  /** How deeply executions may nest (meta-orchestration), by default. */
  public static final int DEFAULT_MAX_DEPTH = 8;

  private final PatternRegistry registry;
  private final @Nullable ConfidenceStore wiredStore;
  private final ConfidenceStore ownStore = new InMemoryConfidenceStore();
  private final DelegateDirectory delegates;
  private final SelectionPolicy policy;
  private final int maxAttempts;
  private final int maxDepth;
  private final List<String> fallbacks;
  private final Executor executor;
  private final @Nullable ExecutorService ownedExecutor;
  private final ConcurrentMap<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

  /**
   * An executor with the defaults: greedy selection, {@value #DEFAULT_MAX_ATTEMPTS} attempts, no
   * fallbacks, its own delegate directory, in-memory confidence and a cached daemon thread pool.
   *
   * @param registry the patterns to choose from
   */
  public PatternExecutor(PatternRegistry registry) {
    this(builder(registry));
  }

  private PatternExecutor(Builder b) {
    this.registry = b.registry;
    this.wiredStore = b.store;
    this.delegates = b.delegates != null ? b.delegates : new DelegateDirectory();
    this.policy = b.policy;
    this.maxAttempts = b.maxAttempts;
    this.maxDepth = b.maxDepth;
    this.fallbacks = List.copyOf(b.fallbacks);
    if (b.executor != null) {
      this.executor = b.executor;
      this.ownedExecutor = null;
    } else {
      ExecutorService pool =
          Executors.newCachedThreadPool(
              new ThreadFactoryBuilder().setDaemon(true).setNameFormat("ndp-worker-%d").build());
      this.executor = pool;
      this.ownedExecutor = pool;
    }
  }

  /**
   * Starts a builder.
   *
   * @param registry the patterns to choose from
   * @return the builder
   */
  public static Builder builder(PatternRegistry registry) {
    return new Builder(registry);
  }

  /** Returns the directory where the host registers its delegates. */
  public DelegateDirectory delegates() {
    return delegates;
  }

  /** Returns the registry this executor chooses from. */
  public PatternRegistry registry() {
    return registry;
  }

  /**
   * Runs the best matching pattern for {@code context}, falling back on failure.
   *
   * @param context what to do
   * @return the result; failed (never thrown) when no pattern matches or all attempts fail
   * @throws UnknownAgentTypeException when no registered pattern serves the agent type
   * @throws IllegalArgumentException when the context is null
   */
  public PatternResult executeBestPattern(PatternContext context) {
    return executeAtDepth(context, 0);
  }

  /**
   * Runs one given pattern for {@code context} (no selection, no fallback) and records its outcome,
   * e.g. to measure a pattern on its own.
   *
   * @param pattern the pattern
   * @param context what to do
   * @return the result with one attempt (or a rejection when the pattern does not match)
   */
  public PatternResult execute(Pattern pattern, PatternContext context) {
    requireContext(context);
    Objects.requireNonNull(pattern, "pattern");
    long start = System.nanoTime();
    MatchResult match = pattern.match(context);
    if (!match.isMatch()) {
      return new PatternResult(
          false,
          String.format(
              Locale.ROOT, "pattern '%s' does not match: %s", pattern.name(), match.reason()),
          null,
          null,
          List.of(),
          Map.of(pattern.name(), match.reason()),
          Duration.ofNanos(System.nanoTime() - start));
    }
    ExecutionScope scope = new Scope(deadlineOf(context), 0);
    Ran ran = run(pattern, context, scope, false, false);
    return finish(context, List.of(ran.attempt()), Map.of(), ran.output(), start);
  }

  /**
   * Ranks the candidates for {@code context} as {@link #executeBestPattern} would, without running
   * anything.
   *
   * @param context the context
   * @return the ranking, the fallbacks and the rejections
   * @throws UnknownAgentTypeException when no registered pattern serves the agent type
   */
  public SelectionExplanation explain(PatternContext context) {
    requireContext(context);
    Selection s = select(context);
    return new SelectionExplanation(context, s.ranked, maxAttempts, fallbacks, s.rejections);
  }

  private PatternResult executeAtDepth(PatternContext context, int depth) {
    requireContext(context);
    long start = System.nanoTime();
    if (depth > maxDepth) {
      return new PatternResult(
          false,
          String.format(
              Locale.ROOT,
              "nesting depth limit %d reached at domain '%s' (agent type '%s'); a pattern probably"
                  + " delegates back into itself",
              maxDepth,
              context.domain(),
              context.agentType()),
          null,
          null,
          List.of(),
          Map.of(),
          Duration.ofNanos(System.nanoTime() - start));
    }
    Selection selection = select(context);
    Scope scope = new Scope(deadlineOf(context), depth);
    List<Attempt> attempts = new ArrayList<>();
    Set<String> tried = new HashSet<>();
    for (Candidate c : selection.ranked) {
      if (tried.size() >= maxAttempts
          || scope.expired()
          || Thread.currentThread().isInterrupted()) {
        break;
      }
      tried.add(c.pattern().name());
      Ran ran = run(c.pattern(), context, scope, false, true);
      attempts.add(ran.attempt());
      if (ran.attempt().isSuccess()) {
        return finish(context, attempts, selection.rejections, ran.output(), start);
      }
    }
    for (String name : fallbacks) {
      if (tried.contains(name) || scope.expired() || Thread.currentThread().isInterrupted()) {
        continue;
      }
      tried.add(name);
      Optional<Pattern> fallback = registry.find(name);
      if (fallback.isEmpty()) {
        attempts.add(rejected(name, "fallback pattern '" + name + "' is not registered"));
        continue;
      }
      MatchResult match;
      try {
        match = fallback.get().match(context);
      } catch (RuntimeException e) {
        log.warn("fallback pattern '{}' threw from match() and is skipped", name, e);
        attempts.add(rejected(name, "fallback match() threw " + e));
        continue;
      }
      if (!match.isMatch()) {
        attempts.add(rejected(name, "fallback does not match: " + match.reason()));
        continue;
      }
      Ran ran = run(fallback.get(), context, scope, true, true);
      attempts.add(ran.attempt());
      if (ran.attempt().isSuccess()) {
        return finish(context, attempts, selection.rejections, ran.output(), start);
      }
    }
    return finish(context, attempts, selection.rejections, null, start);
  }

  private record Selection(List<Candidate> ranked, Map<String, String> rejections) {}

  private Selection select(PatternContext context) {
    List<Pattern> serving = registry.candidatesFor(context);
    if (serving.isEmpty()) {
      throw new UnknownAgentTypeException(context.agentType(), registry.agentTypes());
    }
    List<Candidate> matching = new ArrayList<>(serving.size());
    Map<String, String> rejections = new LinkedHashMap<>();
    for (Pattern p : serving) {
      MatchResult m;
      try {
        m = p.match(context);
      } catch (RuntimeException e) {
        log.warn("pattern '{}' threw from match() and is skipped", p.name(), e);
        rejections.put(p.name(), "match() threw " + e);
        continue;
      }
      if (m.isMatch()) {
        matching.add(new Candidate(p, m, storeFor(p).stats(p.name(), context.domain())));
      } else {
        rejections.put(p.name(), m.reason());
      }
    }
    List<Candidate> ranked = matching.isEmpty() ? List.of() : policy.rank(context, matching);
    return new Selection(ranked, rejections);
  }

  /** An attempt and, when it succeeded, its output. */
  private record Ran(Attempt attempt, @Nullable Object output) {}

  private Ran run(
      Pattern pattern,
      PatternContext context,
      ExecutionScope scope,
      boolean fallback,
      boolean mustBeRegistered) {
    AtomicInteger running = inFlight.computeIfAbsent(pattern.name(), k -> new AtomicInteger());
    running.incrementAndGet();
    try {
      // Candidates are chosen before they run: a pattern unregistered in between (its plugin is
      // stopping) must not start. Counting first, then checking, pairs with awaitIdle().
      if (mustBeRegistered && registry.find(pattern.name()).orElse(null) != pattern) {
        return new Ran(
            new Attempt(
                pattern.name(),
                fallback,
                OutcomeStatus.REJECTED,
                "pattern '" + pattern.name() + "' was withdrawn from the registry before it ran",
                null,
                Duration.ZERO),
            null);
      }
      return runCounted(pattern, context, scope, fallback);
    } finally {
      running.decrementAndGet();
    }
  }

  /**
   * Returns how many executions of the named pattern are running right now.
   *
   * @param patternName the pattern
   * @return the number of executions in flight
   */
  public int inFlight(String patternName) {
    AtomicInteger n = inFlight.get(patternName);
    return n == null ? 0 : n.get();
  }

  /**
   * Waits until no execution of the named patterns is running, e.g. before unloading the plugin
   * that provides them (unregister them first so that no new execution starts).
   *
   * @param patternNames the patterns
   * @param timeout how long to wait at most
   * @return whether they all finished in time
   * @throws InterruptedException when interrupted while waiting
   */
  public boolean awaitIdle(Collection<String> patternNames, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (patternNames.stream().anyMatch(n -> inFlight(n) > 0)) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted while waiting for " + patternNames);
      }
      // Unloading is rare; polling keeps the execution path free of locks and signals.
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    return true;
  }

  private Ran runCounted(
      Pattern pattern, PatternContext context, ExecutionScope scope, boolean fallback) {
    long start = System.nanoTime();
    PatternOutcome outcome;
    try {
      outcome = pattern.execute(context, scope);
      if (outcome == null) {
        outcome = PatternOutcome.failure("pattern returned no outcome", null);
      }
    } catch (MissingDelegateException e) {
      return new Ran(
          new Attempt(
              pattern.name(),
              fallback,
              OutcomeStatus.REJECTED,
              e.getMessage(),
              e,
              Duration.ofNanos(System.nanoTime() - start)),
          null);
    } catch (RuntimeException | Error e) {
      log.warn("pattern '{}' threw from execute()", pattern.name(), e);
      outcome = PatternOutcome.failure("pattern threw " + e, e);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    record(pattern, context, outcome.status());
    return new Ran(
        new Attempt(
            pattern.name(), fallback, outcome.status(), outcome.message(), outcome.cause(), took),
        outcome.isSuccess() ? outcome.output() : null);
  }

  private void record(Pattern pattern, PatternContext context, OutcomeStatus status) {
    switch (status) {
      case SUCCESS -> storeFor(pattern).recordOutcome(pattern.name(), context.domain(), true);
      case FAILED, TIMED_OUT, CONFLICT ->
          storeFor(pattern).recordOutcome(pattern.name(), context.domain(), false);
      case CANCELLED, REJECTED -> {
        // Not the pattern's merit or fault: an interrupt or a host configuration error.
      }
    }
  }

  /** The one store a pattern's confidence is recorded into and read from; see the class doc. */
  private ConfidenceStore storeFor(Pattern pattern) {
    if (wiredStore != null) {
      if (pattern.confidenceStore().orElse(null) != wiredStore) {
        pattern.bindConfidence(wiredStore);
      }
      return wiredStore;
    }
    Optional<ConfidenceStore> bound = pattern.confidenceStore();
    if (bound.isPresent()) {
      return bound.get();
    }
    pattern.bindConfidence(ownStore);
    return ownStore;
  }

  private PatternResult finish(
      PatternContext context,
      List<Attempt> attempts,
      Map<String, String> rejections,
      @Nullable Object output,
      long startNanos) {
    Duration total = Duration.ofNanos(System.nanoTime() - startNanos);
    Attempt last = attempts.isEmpty() ? null : attempts.get(attempts.size() - 1);
    if (last != null && last.isSuccess()) {
      return new PatternResult(
          true,
          String.format(
              Locale.ROOT,
              "pattern '%s' succeeded after %d attempt(s): %s",
              last.patternName(),
              attempts.size(),
              last.message()),
          last.patternName(),
          output,
          attempts,
          rejections,
          total);
    }
    StringBuilder why = new StringBuilder();
    why.append(
        String.format(
            Locale.ROOT,
            "no pattern succeeded for domain '%s', agent type '%s'",
            context.domain(),
            context.agentType()));
    if (attempts.isEmpty() && rejections.isEmpty()) {
      why.append(": nothing was tried");
    }
    for (Attempt a : attempts) {
      why.append(
          String.format(
              Locale.ROOT,
              "; '%s'%s %s: %s",
              a.patternName(),
              a.fallback() ? " (fallback)" : "",
              a.status(),
              a.message()));
    }
    rejections.forEach(
        (name, reason) ->
            why.append(String.format(Locale.ROOT, "; '%s' rejected: %s", name, reason)));
    return new PatternResult(false, why.toString(), null, null, attempts, rejections, total);
  }

  private static Attempt rejected(String name, String reason) {
    return new Attempt(name, true, OutcomeStatus.REJECTED, reason, null, Duration.ZERO);
  }

  private static void requireContext(@Nullable PatternContext context) {
    if (context == null) {
      throw new IllegalArgumentException("context must not be null");
    }
  }

  private static Optional<Instant> deadlineOf(PatternContext context) {
    return context.findTimeout().map(PatternExecutor::deadlineAfter);
  }

  /** Now plus {@code timeout}, saturated at {@link Instant#MAX} for absurdly long timeouts. */
  static Instant deadlineAfter(Duration timeout) {
    try {
      return Instant.now().plus(timeout);
    } catch (java.time.DateTimeException | ArithmeticException e) {
      return Instant.MAX;
    }
  }

  /**
   * Shuts down the thread pool this executor created, if any; a supplied executor is left alone.
   */
  @Override
  public void close() {
    if (ownedExecutor != null) {
      ownedExecutor.shutdownNow();
    }
  }

  /** One execution's scope: deadline and depth. */
  private final class Scope implements ExecutionScope {
    private final Optional<Instant> deadline;
    private final int depth;

    Scope(Optional<Instant> deadline, int depth) {
      this.deadline = deadline;
      this.depth = depth;
    }

    boolean expired() {
      return deadline.isPresent() && Instant.now().isAfter(deadline.get());
    }

    @Override
    public DelegateDirectory delegates() {
      return delegates;
    }

    @Override
    public Executor executor() {
      return executor;
    }

    @Override
    public Optional<Instant> deadline() {
      return deadline;
    }

    @Override
    public int depth() {
      return depth;
    }

    @Override
    public boolean serves(String agentType) {
      return !registry.patternsServing(agentType).isEmpty();
    }

    @Override
    public PatternResult executeBestPattern(PatternContext nested) {
      try {
        return executeAtDepth(nested, depth + 1);
      } catch (UnknownAgentTypeException e) {
        return new PatternResult(
            false, e.getMessage(), null, null, List.of(), Map.of(), Duration.ZERO);
      }
    }
  }

  /**
   * Configures a {@link PatternExecutor}. Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final PatternRegistry registry;
    private @Nullable ConfidenceStore store;
    private @Nullable DelegateDirectory delegates;
    private SelectionPolicy policy = SelectionPolicy.greedy();
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private int maxDepth = DEFAULT_MAX_DEPTH;
    private final List<String> fallbacks = new ArrayList<>();
    private @Nullable Executor executor;

    private Builder(PatternRegistry registry) {
      if (registry == null) {
        throw new IllegalArgumentException("registry must not be null");
      }
      this.registry = registry;
    }

    /** Records and reads confidence in this storage (see the class doc). */
    public Builder storage(PatternStorage storage) {
      return confidenceStore(Objects.requireNonNull(storage, "storage").confidenceStore());
    }

    /** Records and reads confidence in this store (see the class doc). */
    public Builder confidenceStore(ConfidenceStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** Uses this delegate directory (default: a new, empty one). */
    public Builder delegates(DelegateDirectory delegates) {
      this.delegates = Objects.requireNonNull(delegates, "delegates");
      return this;
    }

    /** Uses this selection policy (default: {@link SelectionPolicy#greedy()}). */
    public Builder selectionPolicy(SelectionPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Sets how many ranked candidates are tried before the fallbacks; at least 1. */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException(
            String.format(Locale.ROOT, "maxAttempts must be at least 1 but was %d", maxAttempts));
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** Sets how deeply executions may nest; at least 0. */
    public Builder maxDepth(int maxDepth) {
      if (maxDepth < 0) {
        throw new IllegalArgumentException(
            String.format(Locale.ROOT, "maxDepth must be at least 0 but was %d", maxDepth));
      }
      this.maxDepth = maxDepth;
      return this;
    }

    /** Adds patterns (by name) tried, in order, after the ranked candidates failed. */
    public Builder fallbackPatterns(String... names) {
      for (String n : names) {
        if (n == null || n.isBlank()) {
          throw new IllegalArgumentException(
              "fallback pattern names must be non-blank but got "
                  + (n == null ? "null" : "'" + n + "'"));
        }
        fallbacks.add(n);
      }
      return this;
    }

    /** Runs concurrent pattern work on this executor (default: a cached daemon pool it owns). */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Builds the executor. */
    public PatternExecutor build() {
      return new PatternExecutor(this);
    }
  }
}
