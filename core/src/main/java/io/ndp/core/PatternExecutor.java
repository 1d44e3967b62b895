package io.ndp.core;

import com.github.benmanes.caffeine.cache.Ticker;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.ndp.api.Attempt;
import io.ndp.api.BreakerState;
import io.ndp.api.ConfidenceStats;
import io.ndp.api.Decision;
import io.ndp.api.DelegateDirectory;
import io.ndp.api.ExecutionScope;
import io.ndp.api.MatchResult;
import io.ndp.api.MissingDelegateException;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternOutcome;
import io.ndp.api.PatternResult;
import io.ndp.api.Prior;
import io.ndp.api.RuntimeClosedException;
import io.ndp.api.StorageException;
import io.ndp.api.UnknownAgentTypeException;
import io.ndp.api.event.AttemptFinishedEvent;
import io.ndp.api.event.AttemptStartedEvent;
import io.ndp.api.event.ConfidenceThresholdCrossedEvent;
import io.ndp.api.event.ExecutionFinishedEvent;
import io.ndp.api.event.ExecutionStartedEvent;
import io.ndp.api.event.FallbackEvent;
import io.ndp.api.event.NdpListener;
import io.ndp.api.event.RetryEvent;
import io.ndp.core.SelectionPolicy.Candidate;
import io.ndp.core.internal.ConfidenceService;
import io.ndp.core.internal.ExecutionTracker;
import io.ndp.core.internal.ExecutionTracker.Execution;
import io.ndp.core.internal.Listeners;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the best pattern for a context and learns from the outcome.
 *
 * <p>{@link #executeBestPattern(PatternContext)}: the registry's patterns that serve the context's
 * agent type are matched against it; the matching ones are ranked by the {@link SelectionPolicy}
 * (by default {@link SelectionPolicy#defaultPolicy() drift-aware Thompson sampling}: {@code match ×
 * a draw from the pattern's posterior in the context's domain}, which starts from its {@link
 * io.ndp.api.Prior prior} and, while a domain has little evidence of a pattern, a few
 * pseudo-outcomes borrowed from the pattern's other domains: {@link Builder#borrowAcrossDomains});
 * an operator's {@link Pins} and the {@link Guardrails} then adjust the order; the first runs, and
 * on failure the next, up to {@code maxAttempts}; then each configured fallback pattern that
 * matches. Every outcome is recorded, every attempt is in the result, and the result's {@link
 * io.ndp.api.Decision} says why the candidates ran in that order.
 *
 * <p><b>Retries and circuit breakers.</b> A pattern that fails retryably is tried again after a
 * backoff, as its {@link RetryPolicy} allows ({@link Builder#retry}); a pattern whose {@linkplain
 * PatternRegistry.Builder#circuitBreaker circuit breaker} in the context's domain is open is
 * skipped, and one whose breaker is half-open runs as a probe. Every retry, skip and probe is an
 * attempt in the result ({@link io.ndp.api.Attempt#kind()}); {@link #explain} names the open and
 * half-open breakers. {@link #execute(Pattern, PatternContext)} runs its pattern once, without
 * either.
 *
 * <p><b>The cost of selection</b> follows the number of candidates, not of patterns: the registry
 * indexes what each pattern {@linkplain Pattern#offers() offers}, and only the patterns that offer
 * everything the context requires (and those that declare no offers) are asked {@link
 * Pattern#match}. A result's rejections name the patterns asked that declined; when none matched,
 * every pattern of the agent type is asked, so that a failed result says why each one declined.
 *
 * <p><b>Where confidence lives.</b> In the registry's runtime: outcomes are recorded into, and
 * ranks read from, the statistics owned by the {@link PatternRegistry} this executor was built
 * over. The executor keeps none of its own and binds nothing, so any number of executors over one
 * registry see and feed the same figures, and {@link #explain} changes nothing.
 *
 * <p><b>Lifecycle.</b> An execution is in flight from before it selects until it returns. {@link
 * #shutdown()} refuses new calls with {@link RuntimeClosedException} (nested executions of those in
 * flight still run); {@link #awaitTermination} waits for those in flight; {@link #close()} does
 * both (up to {@link #DEFAULT_DRAIN_TIMEOUT}), names what is still running when it gives up, and
 * then shuts down the thread pool it created. Outcomes of executions that end after a drain gave up
 * are not recorded: they are the close's doing, not the pattern's.
 *
 * <p>What counts (see {@code record}): SUCCESS for the pattern (against it when slower than the
 * {@linkplain Builder#latencyBudget latency budget}, if one is set); FAILED against it; TIMED_OUT
 * against it only on the first attempt, which had the whole budget; CONFLICT, CANCELLED and
 * REJECTED never (contention, interrupts, host errors and cycles are not the pattern's doing).
 *
 * <p><b>Nesting.</b> A candidate that already runs further up the chain of enclosing executions is
 * rejected (a cycle, named in the result, counted against nobody); the depth is bounded by {@code
 * maxDepth} and the number of nested executions per top-level call by {@code nestedBudget}.
 *
 * <p>Thread-safe: any number of threads may execute concurrently.
 *
 * @since 0.1.0
 */
public final class PatternExecutor implements AutoCloseable {

  /** Outcomes of a domain's own evidence below which a pattern borrows from its other domains. */
  static final double BORROW_UNTIL = 20;

  /** Pseudo-outcomes borrowed at most from a pattern's other domains. */
  static final double MAX_BORROWED = 10;

  private static final Logger log = LoggerFactory.getLogger(PatternExecutor.class);
  // Rate limit of the warning when the store refuses an outcome (its database is down).
  private final AtomicLong lastStorageWarning = new AtomicLong(System.nanoTime() - 2_000_000_000L);
  private final LongAdder storageFailuresNotLogged = new LongAdder();
  private final AtomicLong lastPredicateWarning =
      new AtomicLong(System.nanoTime() - 2_000_000_000L);

  /** Candidates tried before fallbacks, by default. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;

  /** How deeply executions may nest (meta-orchestration), by default. */
  public static final int DEFAULT_MAX_DEPTH = 8;

  /** Threads of the executor's own pool when none is given: four per processor, at least 8. */
  public static final int DEFAULT_THREADS =
      Math.max(8, 4 * Runtime.getRuntime().availableProcessors());

  /** How many nested executions one top-level call may start, in all, by default. */
  public static final int DEFAULT_NESTED_BUDGET = 256;

  /** How long {@link #close()} waits for executions in flight. */
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

  private final PatternRegistry registry;
  private final ConfidenceService confidence;
  private final ExecutionTracker tracker;
  // Outcomes are recorded under the read lock; a drain that gives up takes the write lock to set
  // abandoned, so no outcome starts being recorded after it gave up.
  private final ReentrantReadWriteLock recording = new ReentrantReadWriteLock();
  // Set by shutdown(): refuse new calls. Set when a drain gave up: record no more outcomes.
  private volatile boolean shutdown;
  private volatile boolean abandoned;
  private final DelegateDirectory delegates;
  private final SelectionPolicy policy;
  // Read once: a lambda's toString() builds a string on every call.
  private final String policyName;
  private final Guardrails guardrails;
  // The guardrails' draws: per-thread, or seeded.
  private final SelectionRandom guardrailDraws;
  private final int maxAttempts;
  private final boolean borrowAcrossDomains;
  private final int maxDepth;
  private final int nestedBudget;
  private final List<String> fallbacks;
  private final Executor executor;
  private final Ticker ticker;
  // 0: none.
  private final long latencyBudgetNanos;
  private final @Nullable Duration defaultTimeout;
  // Interrupts an attempt's thread when its deadline passes; one daemon thread, owned here.
  private final ScheduledThreadPoolExecutor watchdog;
  private final @Nullable ExecutorService ownedExecutor;
  // Of executions and attempts. Every event is created behind `listening()`: without a listener,
  // the hot path allocates nothing more.
  private final Listeners events;
  private final RetryPolicy retryPolicy;
  private final Map<String, RetryPolicy> retryPolicies;
  // Whether any pattern may be retried; when not, executions share noRetries.
  private final boolean mayRetry;
  private final int[] noRetries = {0};
  private final Sleeper sleeper;
  private final Breakers breakers;

  /** Whether a listener is registered (one may be added while the runtime runs). */
  private boolean listening() {
    return events.active();
  }

  /** Adds a listener of executions and attempts from now on (see {@link Ndp#addListener}). */
  void addListener(NdpListener listener) {
    events.add(listener);
  }

  boolean removeListener(NdpListener listener) {
    return events.remove(listener);
  }

  /** Waits a backoff; tests pass one that advances a fake ticker. */
  interface Sleeper {
    void sleep(long nanos) throws InterruptedException;
  }

  /**
   * An executor with the defaults: {@linkplain SelectionPolicy#defaultPolicy() drift-aware Thompson
   * sampling}, {@value #DEFAULT_MAX_ATTEMPTS} attempts, no fallbacks, its own delegate directory
   * and a bounded daemon thread pool of {@link #DEFAULT_THREADS}; confidence is the registry's.
   *
   * @param registry the patterns to choose from
   */
  public PatternExecutor(PatternRegistry registry) {
    this(builder(registry));
  }

  private PatternExecutor(Builder b) {
    this.registry = b.registry;
    this.confidence = b.registry.confidence();
    this.tracker = b.registry.executions();
    this.delegates = b.delegates != null ? b.delegates : new DelegateDirectory();
    this.guardrailDraws = new SelectionRandom(b.seed, Arrangement.SALT);
    this.policy =
        b.policy != null
            ? b.policy
            : b.seed != null
                ? SelectionPolicy.defaultPolicy(b.seed)
                : SelectionPolicy.defaultPolicy();
    this.guardrails = b.guardrails;
    this.policyName = String.valueOf(this.policy);
    this.maxAttempts = b.maxAttempts;
    this.borrowAcrossDomains = b.borrowAcrossDomains;
    this.maxDepth = b.maxDepth;
    this.nestedBudget = b.nestedBudget;
    this.ticker = b.ticker;
    this.latencyBudgetNanos = b.latencyBudget == null ? 0 : saturatedNanos(b.latencyBudget);
    this.defaultTimeout = b.defaultTimeout;
    this.watchdog =
        new ScheduledThreadPoolExecutor(
            1, new ThreadFactoryBuilder().setDaemon(true).setNameFormat("ndp-deadline-%d").build());
    this.watchdog.setRemoveOnCancelPolicy(true);
    this.fallbacks = List.copyOf(b.fallbacks);
    this.events = Listeners.of(b.listeners, "executor");
    this.retryPolicy = b.retryPolicy;
    this.retryPolicies = Map.copyOf(b.retryPolicies);
    this.mayRetry =
        retryPolicy.enabled() || retryPolicies.values().stream().anyMatch(RetryPolicy::enabled);
    this.sleeper = b.sleeper;
    this.breakers = b.registry.breakers();
    if (b.executor != null) {
      this.executor = b.executor;
      this.ownedExecutor = null;
    } else {
      // Bounded: the kinds run work the executor has not started themselves while they wait, so
      // nested executions never deadlock on it, and a burst never creates unbounded threads.
      ExecutorService pool =
          Executors.newFixedThreadPool(
              DEFAULT_THREADS,
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
   * @throws RuntimeClosedException after {@link #shutdown()}
   */
  public PatternResult executeBestPattern(PatternContext context) {
    requireContext(context);
    PatternResult result;
    try (Execution e = enter(context)) {
      result = runAtDepth(context, 0, e, Chain.EMPTY, new AtomicInteger(nestedBudget), NO_DEADLINE);
    }
    // After the execution left the tracker: a listener still busy does not keep it in flight.
    finished(context, result, 0);
    return result;
  }

  /** Reports an execution's end, once it is no longer in flight. */
  private void finished(PatternContext context, PatternResult result, int depth) {
    if (listening()) {
      events.executionFinished(new ExecutionFinishedEvent(context, result, depth));
    }
  }

  /** Reports an execution's start, once it is known to be served (its selection was made). */
  private void started(PatternContext context, int depth) {
    if (listening()) {
      events.executionStarted(new ExecutionStartedEvent(context, depth));
    }
  }

  /** Enters an execution, then refuses it if shut down (see {@link ExecutionTracker}). */
  private Execution enter(PatternContext context) {
    Execution e = tracker.enter(context, this);
    if (shutdown) {
      e.close();
      throw new RuntimeClosedException(describe(context));
    }
    return e;
  }

  private static String describe(PatternContext context) {
    return ExecutionTracker.describe(context);
  }

  /**
   * Runs one given pattern for {@code context} (no selection, no fallback) and records its outcome,
   * e.g. to measure a pattern on its own.
   *
   * @param pattern the pattern, registered in this executor's registry
   * @param context what to do
   * @return the result with one attempt (or a rejection when the pattern does not match, is not
   *     registered in this executor's registry, or is {@linkplain Pins#forbid forbidden} in the
   *     context's domain)
   * @throws RuntimeClosedException after {@link #shutdown()}
   */
  public PatternResult execute(Pattern pattern, PatternContext context) {
    requireContext(context);
    if (pattern == null) {
      throw new IllegalArgumentException("pattern must not be null");
    }
    PatternResult result;
    try (Execution e = enter(context)) {
      e.chose(Set.of(pattern.name()));
      started(context, 0);
      result = executeOne(pattern, context);
    }
    finished(context, result, 0);
    return result;
  }

  private PatternResult executeOne(Pattern pattern, PatternContext context) {
    PatternResult refusal = refusal(pattern, context);
    if (refusal != null) {
      if (listening()) {
        Attempt only = refusal.attempts().get(0);
        events.attemptStarted(new AttemptStartedEvent(context, only.patternName(), 0, false));
        events.attemptFinished(new AttemptFinishedEvent(context, only, 0));
      }
      return refusal;
    }
    long start = System.nanoTime();
    MatchResult match;
    try {
      match = pattern.match(context);
    } catch (RuntimeException | Error e) {
      rethrowIfFatal(e);
      log.warn("pattern '{}' threw from match()", pattern.name(), e);
      match = MatchResult.noMatch("match() threw " + e);
    }
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
    Scope scope =
        new Scope(
            deadlineOf(context, NO_DEADLINE), 0, Chain.EMPTY, new AtomicInteger(nestedBudget));
    List<Attempt> attempts = List.of();
    if (listening()) {
      beforeAttempt(context, attempts, pattern.name(), false);
    }
    Ran ran = run(pattern, context, scope, false, true);
    attempts = List.of(ran.attempt());
    if (listening()) {
      afterAttempt(context, attempts);
    }
    return finish(context, attempts, Map.of(), ran.output(), start, Decision.NONE);
  }

  /** Why a pattern run directly is refused before it is asked anything, or null when it is not. */
  private @Nullable PatternResult refusal(Pattern pattern, PatternContext context) {
    long start = System.nanoTime();
    if (registry.find(pattern.name()).orElse(null) != pattern) {
      // Only the registry's instances are owned by this runtime (confidence, resources).
      return refused(
          pattern,
          String.format(
              Locale.ROOT,
              "pattern '%s' is not registered in this executor's registry; register it first",
              pattern.name()),
          start);
    }
    if (registry.pins().any()
        && registry.pins().forbidden(context.domain()).contains(pattern.name())) {
      return refused(
          pattern,
          String.format(
              Locale.ROOT,
              "pattern '%s' is forbidden by an operator in domain '%s'",
              pattern.name(),
              context.domain()),
          start);
    }
    return null;
  }

  /**
   * Ranks the candidates for {@code context} as {@link #executeBestPattern} would, without running
   * anything. A diagnostic: it asks every pattern of the agent type, including those the offer
   * index would skip, so that the rejections say why each one declined; its cost grows with the
   * number of patterns.
   *
   * @param context the context
   * @return the ranking, the fallbacks and the rejections
   * @throws UnknownAgentTypeException when no registered pattern serves the agent type
   * @throws RuntimeClosedException after {@link #shutdown()}
   */
  public SelectionExplanation explain(PatternContext context) {
    requireContext(context);
    if (shutdown) {
      throw new RuntimeClosedException("explain(" + describe(context) + ")");
    }
    Selection s = select(context, true);
    Map<String, BreakerState> open = new HashMap<>();
    if (breakers.enabled()) {
      List<String> names = new ArrayList<>(fallbacks);
      s.ranked.forEach(c -> names.add(c.pattern().name()));
      for (String name : names) {
        BreakerState state = breakers.state(name, context.domain());
        if (state != BreakerState.CLOSED) {
          open.put(name, state);
        }
      }
    }
    // As a run would tell it: a candidate whose breaker is open is skipped without using up an
    // attempt, so one more entry is within reach (the result's decision says the same).
    int ran = 0;
    int skipped = 0;
    for (Candidate c : s.ranked) {
      if (ran >= maxAttempts) {
        break;
      }
      if (open.get(c.pattern().name()) == BreakerState.OPEN) {
        skipped++;
      } else {
        ran++;
      }
    }
    return new SelectionExplanation(
        context,
        s.ranked,
        maxAttempts,
        fallbacks,
        s.rejections,
        afterSkips(s.arrangement.decision(), skipped),
        open);
  }

  private PatternResult runAtDepth(
      PatternContext context,
      int depth,
      Execution execution,
      Chain chain,
      AtomicInteger budget,
      long enclosingDeadline) {
    requireContext(context);
    long start = System.nanoTime();
    if (depth > maxDepth) {
      started(context, depth);
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
    Selection selection = withoutCycles(select(context, false), chain, context);
    // Started only once served: a call refused for its agent type is reported neither started
    // nor finished (the host gets the exception); every start has its finish.
    started(context, depth);
    try {
      return runSelected(
          context, depth, execution, chain, budget, enclosingDeadline, selection, start);
    } catch (RuntimeException | Error t) {
      // Every start has its finish, also when something escapes (an Error rethrown, a bug): the
      // listeners hear a failed result, the caller gets the exception.
      if (listening()) {
        finished(
            context,
            new PatternResult(
                false,
                "ended by " + t,
                null,
                null,
                List.of(),
                Map.of(),
                Duration.ofNanos(System.nanoTime() - start)),
            depth);
      }
      throw t;
    }
  }

  /** The rest of {@link #runAtDepth}, once the execution is reported started. */
  private PatternResult runSelected(
      PatternContext context,
      int depth,
      Execution execution,
      Chain chain,
      AtomicInteger budget,
      long enclosingDeadline,
      Selection selection,
      long start) {
    execution.chose(selection.names());
    Scope scope = new Scope(deadlineOf(context, enclosingDeadline), depth, chain, budget);
    List<Attempt> attempts = new ArrayList<>(2);
    // Retries left to this execution, over all its patterns; without a policy that retries,
    // nothing is allocated (the shared array is never written: no retry is ever made).
    int[] retryBudget = mayRetry ? new int[] {retryPolicy.budget()} : noRetries;
    // The names tried, which the fallbacks skip: only kept when there are fallbacks.
    List<String> tried = fallbacks.isEmpty() ? null : new ArrayList<>();
    int ranCandidates = 0;
    int skippedCandidates = 0;
    for (Candidate c : selection.ranked) {
      if (ranCandidates >= maxAttempts
          || scope.expired()
          || Thread.currentThread().isInterrupted()) {
        break;
      }
      if (tried != null) {
        tried.add(c.pattern().name());
      }
      int before = attempts.size();
      Ran ran = attempt(c.pattern(), context, scope, false, attempts, retryBudget);
      // A candidate skipped by its open breaker does not use up an attempt; one that ran did, even
      // when its retry was then skipped (its breaker opened during the backoff).
      boolean anyRan = false;
      for (int i = before; i < attempts.size(); i++) {
        anyRan |= attempts.get(i).kind() != Attempt.Kind.SKIPPED;
      }
      if (anyRan || attempts.size() == before) {
        ranCandidates++;
      } else {
        skippedCandidates++;
      }
      if (ran.attempt().isSuccess()) {
        return finish(
            context,
            attempts,
            selection.rejections,
            ran.output(),
            start,
            afterSkips(selection.arrangement.decision(), skippedCandidates));
      }
    }
    for (String name : fallbacks) {
      if (tried.contains(name) || scope.expired() || Thread.currentThread().isInterrupted()) {
        continue;
      }
      tried.add(name);
      if (selection.cyclic.contains(name)) {
        continue; // named among the rejections as a cycle
      }
      Pattern fallback = selection.fallbacks.get(name);
      if (fallback == null) {
        addRejected(
            context,
            attempts,
            rejected(name, true, "fallback pattern '" + name + "' is not registered"));
        continue;
      }
      MatchResult match;
      try {
        match = fallback.match(context);
      } catch (RuntimeException | Error e) {
        rethrowIfFatal(e);
        log.warn("fallback pattern '{}' threw from match() and is skipped", name, e);
        addRejected(context, attempts, rejected(name, true, "fallback match() threw " + e));
        continue;
      }
      if (!match.isMatch()) {
        addRejected(
            context, attempts, rejected(name, true, "fallback does not match: " + match.reason()));
        continue;
      }
      Ran ran = attempt(fallback, context, scope, true, attempts, retryBudget);
      if (ran.attempt().isSuccess()) {
        return finish(
            context,
            attempts,
            selection.rejections,
            ran.output(),
            start,
            afterSkips(selection.arrangement.decision(), skippedCandidates));
      }
    }
    return finish(
        context,
        attempts,
        selection.rejections,
        null,
        start,
        afterSkips(selection.arrangement.decision(), skippedCandidates));
  }

  /**
   * The decision as the result tells it: candidates skipped because their breaker was open did not
   * use up an attempt, so {@code skipped} more entries were within reach ({@link Decision#why} then
   * calls none of those that ran "skipped"), said in a note.
   */
  private static Decision afterSkips(Decision d, int skipped) {
    if (skipped == 0) {
      return d;
    }
    int reach = (int) Math.min(Integer.MAX_VALUE, (long) d.maxAttempts() + skipped);
    List<String> notes = new ArrayList<>(d.notes());
    notes.add(
        String.format(
            Locale.ROOT,
            "%d candidate(s) skipped because their circuit breaker was open; they do not use up an"
                + " attempt, so the first %d entries were within reach",
            skipped,
            reach));
    return new Decision(d.policy(), d.minConfidence(), reach, d.entries(), notes);
  }

  /**
   * Reports that a pattern is about to be tried: after an attempt that did not succeed, first the
   * move from that one to this one.
   */
  private void beforeAttempt(
      PatternContext context, List<Attempt> attempts, String name, boolean fallback) {
    beforeAttempt(context, attempts, name, fallback, false);
  }

  private void beforeAttempt(
      PatternContext context,
      List<Attempt> attempts,
      String name,
      boolean fallback,
      boolean retry) {
    if (!attempts.isEmpty() && !retry) {
      Attempt previous = attempts.get(attempts.size() - 1);
      events.fallback(
          new FallbackEvent(
              context,
              previous.patternName(),
              name,
              fallback,
              previous.status() + ": " + previous.message()));
    }
    events.attemptStarted(new AttemptStartedEvent(context, name, attempts.size(), fallback));
  }

  /** Reports the attempt just added. */
  private void afterAttempt(PatternContext context, List<Attempt> attempts) {
    int index = attempts.size() - 1;
    events.attemptFinished(new AttemptFinishedEvent(context, attempts.get(index), index));
  }

  /** Adds a fallback refused before it ran; reported like any attempt, so none goes unseen. */
  private void addRejected(PatternContext context, List<Attempt> attempts, Attempt refused) {
    if (listening()) {
      beforeAttempt(context, attempts, refused.patternName(), refused.fallback());
    }
    attempts.add(refused);
    if (listening()) {
      afterAttempt(context, attempts);
    }
  }

  /** The ranked candidates and the fallbacks, all read from the registry in one step. */
  private record Selection(
      List<Candidate> ranked,
      Map<String, Pattern> fallbacks,
      Map<String, String> rejections,
      Set<String> cyclic,
      Arrangement arrangement) {
    Set<String> names() {
      if (fallbacks.isEmpty() && ranked.size() == 1) {
        return Set.of(ranked.get(0).pattern().name()); // the common case, without a hash table
      }
      Set<String> names = new HashSet<>(fallbacks.keySet());
      ranked.forEach(c -> names.add(c.pattern().name()));
      return names;
    }
  }

  /**
   * Asks the patterns whose offers cover the context (see {@link Pattern#offers()}) and ranks those
   * that match; when none does, or when {@code everyPattern}, asks every pattern of the agent type,
   * so that the rejections say why each one declined.
   */
  private Selection select(PatternContext context, boolean everyPattern) {
    if (!everyPattern) {
      Selection s = selectAmong(registry.candidatesFor(context), context);
      if (!s.ranked.isEmpty()) {
        return s;
      }
    }
    Collection<Pattern> serving = registry.servingAll(context);
    if (serving.isEmpty()) {
      throw new UnknownAgentTypeException(context.agentType(), registry.agentTypes());
    }
    return selectAmong(serving, context);
  }

  private Selection selectAmong(Collection<Pattern> serving, PatternContext context) {
    List<Candidate> matching = new ArrayList<>(serving.size());
    // Made on the first rejection: most calls have none.
    Map<String, String> rejections = null;
    for (Pattern p : serving) {
      MatchResult m;
      try {
        m = p.match(context);
      } catch (RuntimeException | Error e) {
        // One pattern's failure (e.g. a NoClassDefFoundError from its plugin) rejects it for this
        // call only; the others still serve.
        rethrowIfFatal(e);
        log.warn("pattern '{}' threw from match() and is skipped", p.name(), e);
        rejections = rejections == null ? new LinkedHashMap<>() : rejections;
        rejections.put(p.name(), "match() threw " + e);
        continue;
      }
      if (m.isMatch()) {
        ConfidenceStats here = confidence.stats(p.name(), context.domain());
        Prior prior = priorOf(p);
        matching.add(
            new Candidate(p, m, here, borrowed(p.name(), context.domain(), here, prior), prior));
      } else {
        rejections = rejections == null ? new LinkedHashMap<>() : rejections;
        rejections.put(p.name(), m.reason());
      }
    }
    Map<String, String> rejected = rejections == null ? Map.of() : rejections;
    Arrangement arranged =
        matching.isEmpty()
            ? Arrangement.EMPTY
            : Arrangement.of(
                policyName,
                policy.score(context, matching),
                context,
                matching,
                registry.pins(),
                guardrails,
                guardrailDraws,
                maxAttempts,
                rejected);
    Map<String, Pattern> fallbackPatterns = fallbacks.isEmpty() ? Map.of() : new LinkedHashMap<>();
    for (String name : fallbacks) {
      registry.find(name).ifPresent(p -> fallbackPatterns.put(name, p));
    }
    return new Selection(arranged.ranked(), fallbackPatterns, rejected, Set.of(), arranged);
  }

  /**
   * Cold start: while the domain has less than {@link #BORROW_UNTIL} outcomes of evidence for a
   * pattern, it borrows up to {@link #MAX_BORROWED} pseudo-outcomes at the rate of every outcome
   * recorded in its other domains (shrunk toward the pattern's prior), fading linearly as the
   * domain's own evidence grows. Reads the pattern's other domains only then.
   */
  private SelectionPolicy.Borrowed borrowed(
      String pattern, String domain, ConfidenceStats here, Prior prior) {
    double own = here.effectiveSampleSize();
    if (!borrowAcrossDomains || own >= BORROW_UNTIL) {
      return SelectionPolicy.Borrowed.NONE;
    }
    if (!confidence.hasOutcomesOutside(pattern, domain)) {
      // Nothing recorded anywhere else (the usual case of a candidate that is seldom chosen): no
      // per-domain snapshot to build on every selection.
      return SelectionPolicy.Borrowed.NONE;
    }
    // Every outcome elsewhere, not only the recent ones: whether the domains drift together is
    // unknown, and a cold start needs the most experience there is. Read per domain in one
    // snapshot, leaving this domain out: outcomes recorded here meanwhile are never "elsewhere".
    long successes = 0;
    long failures = 0;
    for (Map.Entry<String, ConfidenceStats> e : confidence.statsByDomain(pattern).entrySet()) {
      if (!e.getKey().equals(domain)) {
        successes += e.getValue().successes();
        failures += e.getValue().failures();
      }
    }
    long elsewhere = successes + failures;
    if (elsewhere <= 0) {
      return SelectionPolicy.Borrowed.NONE;
    }
    double rate = (successes + prior.alpha()) / (elsewhere + prior.alpha() + prior.beta());
    double weight = Math.min(elsewhere, MAX_BORROWED) * (1.0 - own / BORROW_UNTIL);
    return new SelectionPolicy.Borrowed(rate * weight, (1.0 - rate) * weight);
  }

  /** A pattern run directly that is refused before it runs: one rejected attempt, not recorded. */
  private static PatternResult refused(Pattern pattern, String why, long startNanos) {
    return new PatternResult(
        false,
        why,
        null,
        null,
        List.of(rejected(pattern.name(), false, why)),
        Map.of(pattern.name(), why),
        Duration.ofNanos(System.nanoTime() - startNanos));
  }

  /** Nanoseconds as milliseconds, exactly: 100, 0.5, 1.9. */
  private static String millis(long nanos) {
    return java.math.BigDecimal.valueOf(nanos, 6).stripTrailingZeros().toPlainString();
  }

  /** A pattern's prior; one that throws or returns null is judged by the neutral one (logged). */
  private static Prior priorOf(Pattern p) {
    try {
      Prior prior = p.prior();
      if (prior != null) {
        return prior;
      }
      log.warn("pattern '{}' returned a null prior(); the neutral prior is used", p.name());
    } catch (RuntimeException | LinkageError e) {
      log.warn("pattern '{}' threw from prior(); the neutral prior is used", p.name(), e);
    }
    return Prior.NEUTRAL;
  }

  /** Whether no attempt so far used any of the budget (rejections do not). */
  private static boolean noneRan(List<Attempt> attempts) {
    for (Attempt a : attempts) {
      if (a.status() != OutcomeStatus.REJECTED) {
        return false;
      }
    }
    return true;
  }

  /**
   * Tries one pattern: skipped while its circuit breaker in the domain is open; otherwise run (a
   * probe while it is half-open), its outcome counted by the breaker, and retried as the pattern's
   * {@link RetryPolicy} allows. Every try, skip and retry is added to {@code attempts} and
   * reported.
   *
   * @return the last try
   */
  private Ran attempt(
      Pattern pattern,
      PatternContext context,
      Scope scope,
      boolean fallback,
      List<Attempt> attempts,
      int[] retryBudget) {
    String name = pattern.name();
    RetryPolicy retry = retryPolicies.getOrDefault(name, retryPolicy);
    io.github.resilience4j.retry.Retry.AsyncContext<Attempt> sequence = null;
    Breakers.Breaker breaker = breakers.enabled() ? breakers.of(name, context.domain()) : null;
    if (breaker == null && !retry.enabled()) {
      // The common case, kept small: one run, no breaker, no retry.
      if (listening()) {
        beforeAttempt(context, attempts, name, fallback);
      }
      Ran ran =
          runReported(
              pattern,
              context,
              scope,
              fallback,
              noneRan(attempts),
              Attempt.Kind.RUN,
              attempts.size());
      attempts.add(ran.attempt());
      if (listening()) {
        afterAttempt(context, attempts);
      }
      return ran;
    }
    int retries = 0;
    long backoffMillis = 0;
    Attempt failed = null;
    while (true) {
      Attempt.Kind kind = retries > 0 ? Attempt.Kind.RETRY : Attempt.Kind.RUN;
      Breakers.Permit permit = null;
      if (breaker != null) {
        permit = Breakers.acquire(breaker);
        registry.breakersChanged(); // asking may have turned it half-open
        if (permit == null) {
          if (retries > 0) {
            retryBudget[0]++; // the breaker opened during the backoff: this retry was not made
          }
          Attempt skip =
              new Attempt(
                  name,
                  fallback,
                  OutcomeStatus.REJECTED,
                  breakers.skipped(name, context.domain(), breaker),
                  null,
                  Duration.ZERO,
                  Attempt.Kind.SKIPPED);
          if (listening()) {
            beforeAttempt(context, attempts, name, fallback, retries > 0);
          }
          attempts.add(skip);
          if (listening()) {
            afterAttempt(context, attempts);
          }
          return new Ran(skip, null);
        }
        if (permit.probe() && kind == Attempt.Kind.RUN) {
          kind = Attempt.Kind.PROBE; // a retry stays a RETRY, even when it probes too
        }
      }
      boolean first = noneRan(attempts);
      Ran ran;
      boolean counted = false;
      try {
        // Inside the try: a listener's Error here still gives the permission back.
        if (listening()) {
          if (failed != null) {
            // The retry is made (its backoff waited, its breaker let it through): announced now,
            // so that every retry event has its attempt.
            events.retry(
                new RetryEvent(context, name, retries, Duration.ofMillis(backoffMillis), failed));
          }
          beforeAttempt(context, attempts, name, fallback, retries > 0);
        }
        ran = runReported(pattern, context, scope, fallback, first, kind, attempts.size());
        if (kind != Attempt.Kind.RUN) {
          ran = new Ran(withKind(ran.attempt(), kind), ran.output());
        }
        if (permit != null) {
          Breakers.record(
              permit,
              ran.attempt().status(),
              first,
              ran.attempt().duration().toNanos(),
              ran.attempt().status() + ": " + ran.attempt().message());
          counted = true;
        }
      } finally {
        if (permit != null && !counted) {
          Breakers.release(permit); // a fatal error: the call is not the pattern's to count
        }
      }
      if (permit != null) {
        registry.breakersChanged();
      }
      attempts.add(ran.attempt());
      if (listening()) {
        afterAttempt(context, attempts);
      }
      Attempt done = ran.attempt();
      if (done.isSuccess() || !retry.enabled()) {
        return ran;
      }
      try {
        if (!retry.retryable(done)) {
          return ran;
        }
        if (sequence == null) {
          sequence = retry.sequence();
        }
        backoffMillis = sequence.onResult(done); // counts this try; -1 when out of retries
      } catch (RuntimeException e) {
        // The host's retryOn predicate threw: no retry, and the execution goes on as without.
        predicateFailed(name, e);
        return ran;
      }
      if (backoffMillis < 0 || retryBudget[0] <= 0) {
        return ran;
      }
      long backoff = TimeUnit.MILLISECONDS.toNanos(backoffMillis);
      if (scope.hasDeadline() && scope.deadlineNanos - ticker.read() <= backoff) {
        return ran; // the retry could not start before the deadline
      }
      if (scope.expired() || Thread.currentThread().isInterrupted() || abandoned) {
        return ran;
      }
      if (breaker != null && breakers.state(name, context.domain()) == BreakerState.OPEN) {
        return ran; // this failure opened its breaker: the retry would only be skipped
      }
      retryBudget[0]--;
      retries++;
      failed = done;
      try {
        sleeper.sleep(backoff);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // the caller's, or the deadline's: stop here
        return ran;
      }
      if (scope.expired() || abandoned || Thread.currentThread().isInterrupted()) {
        return ran; // the deadline passed, or a drain gave up on this execution meanwhile
      }
    }
  }

  /**
   * Runs one try; when something escapes it (an Error the executor does not absorb), reports the
   * attempt finished (FAILED, "ended by ...") before it goes on: every attempt reported started is
   * reported finished.
   */
  private Ran runReported(
      Pattern pattern,
      PatternContext context,
      Scope scope,
      boolean fallback,
      boolean first,
      Attempt.Kind kind,
      int index) {
    long began = ticker.read();
    try {
      return run(pattern, context, scope, fallback, first);
    } catch (RuntimeException | Error t) {
      if (listening()) {
        events.attemptFinished(
            new AttemptFinishedEvent(
                context,
                new Attempt(
                    pattern.name(),
                    fallback,
                    OutcomeStatus.FAILED,
                    "ended by " + t,
                    t,
                    Duration.ofNanos(ticker.read() - began),
                    kind),
                index));
      }
      throw t;
    }
  }

  /** Logs a retryOn predicate that threw, at most once a second. */
  private void predicateFailed(String pattern, RuntimeException e) {
    long now = System.nanoTime();
    long last = lastPredicateWarning.get();
    if (now - last >= 1_000_000_000L && lastPredicateWarning.compareAndSet(last, now)) {
      log.warn(
          "the retryOn predicate threw for pattern '{}'; not retried (logged at most once a second)",
          pattern,
          e);
    }
  }

  private static Attempt withKind(Attempt a, Attempt.Kind kind) {
    return new Attempt(
        a.patternName(), a.fallback(), a.status(), a.message(), a.error(), a.duration(), kind);
  }

  /** An attempt and, when it succeeded, its output. */
  private record Ran(Attempt attempt, @Nullable Object output) {}

  /**
   * Runs one attempt in a scope of its own, whose chain names this pattern, so that the executions
   * it nests can see it.
   */
  private Ran run(
      Pattern pattern, PatternContext context, Scope scope, boolean fallback, boolean first) {
    Scope attempt =
        new Scope(
            scope.deadlineNanos,
            scope.depth,
            scope.chain.plus(pattern.name(), context.domain()),
            scope.budget);
    return runCounted(pattern, context, attempt, fallback, first);
  }

  /**
   * Drops the candidates (and fallbacks) that already run further up this chain: running one again
   * would nest it into itself. Each is named as a rejection with the cycle.
   */
  private static Selection withoutCycles(Selection s, Chain chain, PatternContext context) {
    if (chain == Chain.EMPTY) {
      return s;
    }
    Set<String> cycles = new HashSet<>();
    Map<String, String> rejections = new LinkedHashMap<>(s.rejections);
    for (Candidate c : s.ranked) {
      String name = c.pattern().name();
      if (chain.contains(name)) {
        cycles.add(name);
        rejections.put(
            name, "cycle: " + chain.describe() + " -> " + name + "(" + context.domain() + ")");
      }
    }
    Arrangement arranged = cycles.isEmpty() ? s.arrangement : s.arrangement.without(cycles);
    Map<String, Pattern> fallbackPatterns = new LinkedHashMap<>();
    Set<String> cyclic = new HashSet<>();
    s.fallbacks.forEach(
        (name, p) -> {
          if (chain.contains(name)) {
            cyclic.add(name);
            rejections.put(
                name, "cycle: " + chain.describe() + " -> " + name + "(" + context.domain() + ")");
          } else {
            fallbackPatterns.put(name, p);
          }
        });
    return cycles.isEmpty() && cyclic.isEmpty()
        ? s
        : new Selection(
            arranged.ranked(), fallbackPatterns, rejections, Set.copyOf(cyclic), arranged);
  }

  /** The patterns (and their domains) of the enclosing executions, innermost last. Immutable. */
  private record Chain(@Nullable Chain parent, String pattern, String domain) {
    static final Chain EMPTY = new Chain(null, "", "");

    Chain plus(String patternName, String patternDomain) {
      return new Chain(this, patternName, patternDomain);
    }

    boolean contains(String patternName) {
      for (Chain c = this; c != null && c != EMPTY; c = c.parent) {
        if (c.pattern.equals(patternName)) {
          return true;
        }
      }
      return false;
    }

    String describe() {
      List<String> links = new ArrayList<>();
      for (Chain c = this; c != null && c != EMPTY; c = c.parent) {
        links.add(0, c.pattern + "(" + c.domain + ")");
      }
      return String.join(" -> ", links);
    }
  }

  /**
   * Returns how many executions in flight over this executor's registry (by any executor) chose the
   * named pattern as a candidate or fallback.
   *
   * @param patternName the pattern
   * @return the number of such executions
   */
  public int inFlight(String patternName) {
    return patternName == null ? 0 : tracker.inFlight(patternName);
  }

  /**
   * Waits until no execution that was in flight when called — by any executor over this registry,
   * except those of the calling thread — may still run one of the named patterns, e.g. before
   * unloading the plugin that provides them (unregister them first: an execution that selects
   * afterwards cannot choose them). Executions count from selection on.
   *
   * @param patternNames the patterns
   * @param timeout how long to wait at most
   * @return whether they all finished in time
   * @throws InterruptedException when interrupted while waiting
   * @throws IllegalArgumentException when the names, one of them or the timeout is null, or the
   *     timeout is negative
   */
  public boolean awaitIdle(Collection<String> patternNames, Duration timeout)
      throws InterruptedException {
    if (patternNames == null || timeout == null || timeout.isNegative()) {
      throw new IllegalArgumentException(
          "awaitIdle needs pattern names and a zero or positive timeout but got "
              + patternNames
              + ", "
              + timeout);
    }
    for (String name : patternNames) {
      if (name == null) {
        // Refused here, whatever runs: the answer must not depend on which set an execution chose.
        throw new IllegalArgumentException(
            "awaitIdle got a null pattern name among " + patternNames);
      }
    }
    return awaitRunning(patternNames, timeout).isEmpty();
  }

  /** Like {@link #awaitIdle} but names the executions still running when the time ran out. */
  List<String> awaitRunning(Collection<String> patternNames, Duration timeout)
      throws InterruptedException {
    return tracker.awaitEnd(patternNames, timeout);
  }

  private Ran runCounted(
      Pattern pattern, PatternContext context, Scope scope, boolean fallback, boolean first) {
    long start = ticker.read();
    PatternOutcome outcome;
    Watch watch = scope.hasDeadline() ? arm(scope) : null;
    try {
      outcome = pattern.execute(context, scope);
      if (outcome == null) {
        outcome = PatternOutcome.failure("pattern returned no outcome", null);
      }
    } catch (MissingDelegateException e) {
      if (watch != null) {
        watch.disarm();
      }
      registry.notCounted(pattern.name(), OutcomeStatus.REJECTED);
      return new Ran(
          new Attempt(
              pattern.name(),
              fallback,
              OutcomeStatus.REJECTED,
              e.getMessage(),
              e,
              Duration.ofNanos(ticker.read() - start)),
          null);
    } catch (RuntimeException | Error e) {
      rethrowIfFatal(e);
      log.warn("pattern '{}' threw from execute()", pattern.name(), e);
      outcome = PatternOutcome.failure("pattern threw " + e, e);
    } finally {
      if (watch != null) {
        watch.disarm();
      }
    }
    outcome = enforceDeadline(pattern, scope, outcome, watch);
    Duration took = Duration.ofNanos(ticker.read() - start);
    boolean slow =
        latencyBudgetNanos > 0 && outcome.isSuccess() && took.toNanos() > latencyBudgetNanos;
    List<ConfidenceThresholdCrossedEvent> crossed =
        recordUnlessAbandoned(pattern, context, outcome.status(), first, slow);
    if (crossed == null) {
      // The runtime gave up waiting and tore down what this execution used (e.g. its plugin):
      // whatever happened is the close's doing, not the pattern's.
      return new Ran(
          new Attempt(
              pattern.name(),
              fallback,
              OutcomeStatus.CANCELLED,
              "ended after the runtime closed; not recorded (was: "
                  + outcome.status()
                  + ": "
                  + outcome.message()
                  + ")",
              outcome.cause(),
              took),
          null);
    }
    if (!crossed.isEmpty()) {
      // After the recording lock was released: a listener never runs under it.
      registry.confidenceCrossed(crossed);
    }
    String message =
        slow
            ? outcome.message()
                + " (slower than the latency budget of "
                + millis(latencyBudgetNanos)
                + " ms: counted as a failure for learning)"
            : outcome.message();
    return new Ran(
        new Attempt(pattern.name(), fallback, outcome.status(), message, outcome.cause(), took),
        outcome.isSuccess() ? outcome.output() : null);
  }

  /**
   * Keeps an attempt to its deadline: a success that ends after it is TIMED_OUT (its output is
   * dropped); a run that failed or was cancelled because the watchdog interrupted it at the
   * deadline is TIMED_OUT, naming a delegate that ignored the interrupt and ran on.
   */
  private PatternOutcome enforceDeadline(
      Pattern pattern, Scope scope, PatternOutcome outcome, @Nullable Watch watch) {
    if (!scope.hasDeadline() || outcome.status() == OutcomeStatus.TIMED_OUT) {
      return outcome;
    }
    boolean late = scope.expired();
    boolean interrupted = watch != null && watch.fired();
    if (!late && !interrupted) {
      return outcome;
    }
    if (outcome.status() == OutcomeStatus.SUCCESS) {
      return PatternOutcome.of(
          OutcomeStatus.TIMED_OUT,
          String.format(
              Locale.ROOT,
              "pattern '%s' succeeded after its deadline%s; the result is dropped (was: %s)",
              pattern.name(),
              interrupted ? " (it ignored the interrupt at the deadline and ran on)" : "",
              outcome.message()),
          null);
    }
    if (outcome.status() == OutcomeStatus.FAILED || outcome.status() == OutcomeStatus.CANCELLED) {
      return PatternOutcome.of(
          OutcomeStatus.TIMED_OUT, "deadline passed: " + outcome.message(), outcome.cause());
    }
    return outcome;
  }

  private Watch arm(Scope scope) {
    Watch w = new Watch(Thread.currentThread());
    long delay = Math.max(0, scope.deadlineNanos - ticker.read());
    try {
      w.future = watchdog.schedule(w::fire, delay, TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // The executor is closing: the attempt runs without a watchdog.
    }
    return w;
  }

  /** Interrupts one attempt's thread at its deadline, once; disarmed when the attempt ends. */
  private static final class Watch {
    private static final int ARMED = 0;
    private static final int FIRING = 1;
    private static final int FIRED = 2;
    private static final int DISARMED = 3;

    private final Thread thread;
    private final AtomicInteger state = new AtomicInteger(ARMED);
    private volatile java.util.concurrent.@Nullable Future<?> future;
    private volatile boolean alreadyInterrupted;
    private boolean fired;

    Watch(Thread thread) {
      this.thread = thread;
    }

    void fire() {
      if (state.compareAndSet(ARMED, FIRING)) {
        // An interrupt already set (by the host) is not ours to clear later.
        alreadyInterrupted = thread.isInterrupted();
        thread.interrupt();
        state.set(FIRED);
      }
    }

    /** Called by the attempt's own thread when it ends: no interrupt leaks into its next work. */
    void disarm() {
      if (state.compareAndSet(ARMED, DISARMED)) {
        java.util.concurrent.Future<?> f = future;
        if (f != null) {
          f.cancel(false);
        }
        return;
      }
      while (state.get() == FIRING) {
        Thread.onSpinWait();
      }
      if (state.get() == FIRED) {
        fired = true;
        state.set(DISARMED);
        if (!alreadyInterrupted) {
          Thread.interrupted(); // the interrupt was ours, delivered for the deadline
        }
      }
    }

    boolean fired() {
      return fired;
    }
  }

  /**
   * Records the outcome unless a drain gave up; returns null when it did, else the confidence
   * crossings it caused (for the caller to report once the lock is released).
   */
  private @Nullable List<ConfidenceThresholdCrossedEvent> recordUnlessAbandoned(
      Pattern pattern, PatternContext context, OutcomeStatus status, boolean first, boolean slow) {
    recording.readLock().lock();
    try {
      if (abandoned) {
        return null;
      }
      return record(pattern, context, status, first, slow);
    } finally {
      recording.readLock().unlock();
    }
  }

  /**
   * What counts, in one place: SUCCESS counts for the pattern in its domain; FAILED counts against
   * it; TIMED_OUT counts against it only when it was the first attempt (it had the whole budget — a
   * later candidate may have been left too little by those before it); CONFLICT (contention for
   * shared resources), CANCELLED (an interrupt) and REJECTED (a host configuration error, a cycle)
   * are the environment's doing and never count. Whatever does not count is still in the result's
   * attempts and in {@link PatternRegistry#outcomesNotCounted(String)}.
   */
  private List<ConfidenceThresholdCrossedEvent> record(
      Pattern pattern, PatternContext context, OutcomeStatus status, boolean first, boolean slow) {
    switch (status) {
      case SUCCESS -> {
        return count(pattern.name(), context.domain(), !slow);
      }
      case FAILED -> {
        return count(pattern.name(), context.domain(), false);
      }
      case TIMED_OUT -> {
        if (first) {
          return count(pattern.name(), context.domain(), false);
        }
        registry.notCounted(pattern.name(), status);
        return List.of();
      }
      case CONFLICT, CANCELLED, REJECTED -> {
        registry.notCounted(pattern.name(), status);
        return List.of();
      }
      default -> throw new IllegalStateException("unknown status " + status);
    }
  }

  /**
   * Records an outcome into the statistics. A store that cannot take it (its database is down)
   * throws a {@link StorageException} saying whether it kept the outcome in its buffer; the
   * execution still returns its result, and the failure is logged (at most once a second, with the
   * number of failures not logged).
   */
  private List<ConfidenceThresholdCrossedEvent> count(
      String pattern, String domain, boolean success) {
    try {
      return confidence.record(pattern, domain, success);
    } catch (StorageException e) {
      long now = System.nanoTime();
      long last = lastStorageWarning.get();
      if (now - last >= 1_000_000_000L && lastStorageWarning.compareAndSet(last, now)) {
        long quiet = storageFailuresNotLogged.sumThenReset();
        log.warn(
            "outcome of {} in {} not acknowledged by the store ({} more since the last warning):"
                + " {}",
            pattern,
            domain,
            quiet,
            e.getMessage(),
            e);
      } else {
        storageFailuresNotLogged.increment();
      }
      return List.of();
    }
  }

  private PatternResult finish(
      PatternContext context,
      List<Attempt> attempts,
      Map<String, String> rejections,
      @Nullable Object output,
      long startNanos,
      Decision decision) {
    Duration total = Duration.ofNanos(System.nanoTime() - startNanos);
    Attempt last = attempts.isEmpty() ? null : attempts.get(attempts.size() - 1);
    if (last != null && last.isSuccess()) {
      // Concatenation, not String.format: this runs on every successful call.
      return new PatternResult(
          true,
          "pattern '"
              + last.patternName()
              + "' succeeded after "
              + attempts.size()
              + " attempt(s): "
              + last.message(),
          last.patternName(),
          output,
          attempts.size() == 1 ? List.of(last) : attempts, // no array copy for the common case
          rejections,
          total,
          decision);
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
    return new PatternResult(
        false, why.toString(), null, null, attempts, rejections, total, decision);
  }

  /** The JVM's own failures (out of memory, stack overflow) are not a pattern's to absorb. */
  private static void rethrowIfFatal(Throwable t) {
    if (t instanceof VirtualMachineError vme) {
      throw vme;
    }
  }

  private static Attempt rejected(String name, boolean fallback, String reason) {
    return new Attempt(name, fallback, OutcomeStatus.REJECTED, reason, null, Duration.ZERO);
  }

  private static void requireContext(@Nullable PatternContext context) {
    if (context == null) {
      throw new IllegalArgumentException("context must not be null");
    }
  }

  /** Ticker value meaning "no deadline". */
  private static final long NO_DEADLINE = Long.MAX_VALUE;

  /**
   * The deadline of a context, on this executor's monotonic ticker: its timeout (or the executor's
   * default) from now, never later than the enclosing execution's deadline.
   */
  private long deadlineOf(PatternContext context, long enclosing) {
    Duration timeout = context.findTimeout().orElse(defaultTimeout);
    if (timeout == null) {
      return enclosing;
    }
    long own = saturatedAdd(ticker.read(), saturatedNanos(timeout));
    return Math.min(own, enclosing);
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    // Overflow: the signs of a and b agree and the sum's differs.
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE - 1 : Math.min(sum, Long.MAX_VALUE - 1);
  }

  /**
   * Refuses new calls from now on with {@link RuntimeClosedException}; executions in flight go on
   * (their nested executions included). Returns at once.
   */
  public void shutdown() {
    shutdown = true;
  }

  /** Whether a drain that gave up waits for a recording in progress (for tests). */
  boolean drainWaitsForRecording() {
    return recording.hasQueuedThreads();
  }

  /** From now on no outcome is recorded; waits for recordings that already began. */
  private void abandon() {
    recording.writeLock().lock();
    try {
      abandoned = true;
    } finally {
      recording.writeLock().unlock();
    }
  }

  /** Returns whether {@link #shutdown()} was called. */
  public boolean isShutdown() {
    return shutdown;
  }

  /**
   * Waits for this executor's executions in flight to end (except one of the calling thread), after
   * {@link #shutdown()}. Before {@code shutdown()} it only reports what runs. When it gives up on a
   * shut-down executor, no outcome starts being recorded afterwards (one already being written to
   * the store is waited for).
   *
   * @param timeout how long to wait at most
   * @return the executions still running when the time ran out (empty when all ended); from then on
   *     their outcomes are not recorded
   * @throws InterruptedException when interrupted while waiting
   */
  public List<String> awaitTermination(Duration timeout) throws InterruptedException {
    if (timeout == null || timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must be zero or positive but was " + timeout);
    }
    List<String> running = tracker.awaitAll(this, timeout);
    // Only a closing executor gives up on what runs; before shutdown() this is just a probe. An
    // execution of the calling thread (a delegate that closes) is given up on too: it cannot end
    // first, and what it uses is torn down after this returns.
    if (shutdown && (!running.isEmpty() || tracker.runsOnThisThread(this))) {
      abandon();
    }
    return running;
  }

  /**
   * Shuts down, waits up to {@link #DEFAULT_DRAIN_TIMEOUT} for executions in flight (logging those
   * still running when it gives up), then stops the thread pool this executor created, if any; a
   * supplied executor is left alone. Idempotent.
   */
  @Override
  public void close() {
    shutdown();
    try {
      // A drain that already gave up (e.g. the facade's, with its own timeout) is not repeated.
      List<String> running = awaitTermination(abandoned ? Duration.ZERO : DEFAULT_DRAIN_TIMEOUT);
      if (!running.isEmpty()) {
        log.warn(
            "closed with executions still running after {}: {}", DEFAULT_DRAIN_TIMEOUT, running);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abandon();
    }
    if (ownedExecutor != null) {
      ownedExecutor.shutdownNow();
    }
    watchdog.shutdownNow();
  }

  /**
   * One attempt's scope: deadline, depth, the chain of enclosing patterns and the nested-execution
   * budget its top-level call shares with every execution it nests.
   */
  private final class Scope implements ExecutionScope {
    private final long deadlineNanos;
    private final int depth;
    private final Chain chain;
    private final AtomicInteger budget;

    Scope(long deadlineNanos, int depth, Chain chain, AtomicInteger budget) {
      this.deadlineNanos = deadlineNanos;
      this.depth = depth;
      this.chain = chain;
      this.budget = budget;
    }

    boolean hasDeadline() {
      return deadlineNanos != NO_DEADLINE;
    }

    @Override
    public boolean expired() {
      return hasDeadline() && deadlineNanos - ticker.read() <= 0;
    }

    @Override
    public Optional<Duration> timeLeft() {
      if (!hasDeadline()) {
        return Optional.empty();
      }
      return Optional.of(Duration.ofNanos(Math.max(0, deadlineNanos - ticker.read())));
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
      return timeLeft()
          .map(
              left -> {
                try {
                  return Instant.now().plus(left);
                } catch (java.time.DateTimeException | ArithmeticException tooFar) {
                  return Instant.MAX;
                }
              });
    }

    @Override
    public int depth() {
      return depth;
    }

    @Override
    public boolean serves(String agentType) {
      return registry.serves(agentType);
    }

    @Override
    public PatternResult executeBestPattern(PatternContext nested) {
      requireContext(nested);
      // Nested executions of one in flight run even after shutdown(): they are part of the drain.
      if (budget.decrementAndGet() < 0) {
        return new PatternResult(
            false,
            String.format(
                Locale.ROOT,
                "nested execution budget of %d per call exhausted at domain '%s' (agent type '%s',"
                    + " via %s)",
                nestedBudget,
                nested.domain(),
                nested.agentType(),
                chain.describe()),
            null,
            null,
            List.of(),
            Map.of(),
            Duration.ZERO);
      }
      PatternResult result;
      try (Execution e = tracker.enter(nested, PatternExecutor.this)) {
        result = runAtDepth(nested, depth + 1, e, chain, budget, deadlineNanos);
      } catch (UnknownAgentTypeException e) {
        // The pattern gets a failed result, not the exception: report it as an execution.
        started(nested, depth + 1);
        result =
            new PatternResult(
                false, e.getMessage(), null, null, List.of(), Map.of(), Duration.ZERO);
      }
      finished(nested, result, depth + 1);
      return result;
    }
  }

  /**
   * Configures a {@link PatternExecutor}. Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final PatternRegistry registry;
    private @Nullable DelegateDirectory delegates;
    private @Nullable SelectionPolicy policy;
    private Guardrails guardrails = Guardrails.NONE;
    private @Nullable Long seed;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private boolean borrowAcrossDomains = true;
    private int maxDepth = DEFAULT_MAX_DEPTH;
    private int nestedBudget = DEFAULT_NESTED_BUDGET;
    private Ticker ticker = Ticker.systemTicker();
    private RetryPolicy retryPolicy = RetryPolicy.none();
    private final Map<String, RetryPolicy> retryPolicies = new HashMap<>();
    private Sleeper sleeper = TimeUnit.NANOSECONDS::sleep;
    private @Nullable Duration latencyBudget;
    private @Nullable Duration defaultTimeout;
    private final List<String> fallbacks = new ArrayList<>();
    private @Nullable Executor executor;
    private final List<NdpListener> listeners = new ArrayList<>();

    private Builder(PatternRegistry registry) {
      if (registry == null) {
        throw new IllegalArgumentException("registry must not be null");
      }
      this.registry = registry;
    }

    /** Uses this delegate directory (default: a new, empty one). */
    public Builder delegates(DelegateDirectory delegates) {
      this.delegates = Checks.notNull(delegates, "PatternExecutor.Builder.delegates(delegates)");
      return this;
    }

    /**
     * Uses this selection policy (default: {@link SelectionPolicy#defaultPolicy()}, seeded with
     * {@link #seed} when one is set).
     */
    public Builder selectionPolicy(SelectionPolicy policy) {
      if (policy == null) {
        throw new IllegalArgumentException("selectionPolicy must not be null");
      }
      this.policy = policy;
      return this;
    }

    /**
     * Bounds what the policy may do: a minimum-confidence floor and an exploration floor (default:
     * {@link Guardrails#NONE}).
     *
     * @param guardrails the guardrails
     * @return this builder
     */
    public Builder guardrails(Guardrails guardrails) {
      if (guardrails == null) {
        throw new IllegalArgumentException("guardrails must not be null");
      }
      this.guardrails = guardrails;
      return this;
    }

    /**
     * Makes selection deterministic: the guardrails' draws, and the default policy's when no policy
     * is set, come from this seed and the state each selection sees (the context's domain and agent
     * type, each candidate's name, match and statistics), whatever thread asks. The same state
     * gives the same decision; a run whose outcomes are recorded in the same order makes the same
     * decisions. For tests and simulations.
     *
     * @param seed the seed
     * @return this builder
     */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Whether a pattern with little evidence in the context's domain borrows a few pseudo-outcomes
     * from its other domains (default: yes); off, a new domain starts from the neutral prior.
     *
     * @param enabled borrow across domains
     * @return this builder
     */
    public Builder borrowAcrossDomains(boolean enabled) {
      this.borrowAcrossDomains = enabled;
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

    /**
     * Sets how many nested executions one top-level call may start in all (meta-orchestration nests
     * one per domain it delegates), so that a pattern cannot fan out without bound; at least 0.
     * Default {@link #DEFAULT_NESTED_BUDGET}.
     *
     * @param budget nested executions per top-level call
     * @return this builder
     */
    public Builder nestedBudget(int budget) {
      if (budget < 0) {
        throw new IllegalArgumentException(
            String.format(Locale.ROOT, "nestedBudget must be at least 0 but was %d", budget));
      }
      this.nestedBudget = budget;
      return this;
    }

    /**
     * Sets the monotonic clock deadlines are kept and attempts are timed on (default: {@link
     * Ticker#systemTicker()}, i.e. {@code System.nanoTime()}); tests use a fake one. The watchdog
     * that interrupts an attempt at its deadline schedules on real time.
     *
     * @param ticker the clock
     * @return this builder
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = Checks.notNull(ticker, "PatternExecutor.Builder.ticker(ticker)");
      return this;
    }

    /**
     * Makes "best" mean "succeeds within the budget" (default: no budget, every success counts): a
     * successful attempt that took longer than {@code budget} is still a success for the caller
     * (its output is returned, its attempt says SUCCESS, with a note in the message), but it is
     * recorded as a failure in the pattern's statistics, so that selection learns to prefer
     * patterns that succeed in time. Attempts are timed on {@link #ticker}.
     *
     * @param budget positive
     * @return this builder
     */
    public Builder latencyBudget(Duration budget) {
      if (budget == null || budget.isNegative() || budget.isZero()) {
        throw new IllegalArgumentException("latencyBudget must be positive but was " + budget);
      }
      this.latencyBudget = budget;
      return this;
    }

    /**
     * Sets the timeout of contexts that set none (default: none).
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder defaultTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("defaultTimeout must be positive but was " + timeout);
      }
      this.defaultTimeout = timeout;
      return this;
    }

    /** Adds patterns (by name) tried, in order, after the ranked candidates failed. */
    public Builder fallbackPatterns(String... names) {
      Checks.notNull(names, "PatternExecutor.Builder.fallbackPatterns(names)");
      for (String n : names) { // all checked first: a refused call adds none of them
        if (n == null || n.isBlank()) {
          throw new IllegalArgumentException(
              "fallback pattern names must be non-blank but got "
                  + (n == null ? "null" : "'" + n + "'"));
        }
      }
      fallbacks.addAll(Arrays.asList(names));
      return this;
    }

    /**
     * Runs concurrent pattern work on this executor (default: a bounded daemon pool of {@link
     * #DEFAULT_THREADS} it owns). Any executor works, even one thread: a kind that waits runs the
     * work the executor has not started itself.
     */
    public Builder executor(Executor executor) {
      this.executor = Checks.notNull(executor, "PatternExecutor.Builder.executor(executor)");
      return this;
    }

    /**
     * Retries a pattern after a retryable failure, with backoff (see {@link RetryPolicy}); default
     * {@link RetryPolicy#none()}. Each retry is an attempt of kind {@link Attempt.Kind#RETRY} in
     * the result and a {@link io.ndp.api.event.RetryEvent} to the listeners.
     *
     * @param policy the policy for every pattern without one of its own
     * @return this builder
     * @throws IllegalArgumentException when it is null
     * @since 0.2.0
     */
    public Builder retry(RetryPolicy policy) {
      this.retryPolicy = checkRetry(policy);
      return this;
    }

    /**
     * Retries one pattern with a policy of its own (e.g. {@link RetryPolicy#none()} for one whose
     * delegates are not idempotent). The execution's budget of retries is the default policy's.
     *
     * @param patternName the pattern's name
     * @param policy its policy
     * @return this builder
     * @throws IllegalArgumentException when either is null or the name is blank
     * @since 0.2.0
     */
    public Builder retry(String patternName, RetryPolicy policy) {
      if (patternName == null || patternName.isBlank()) {
        throw new IllegalArgumentException(
            "patternName must be non-blank but was "
                + (patternName == null ? "null" : "'" + patternName + "'"));
      }
      retryPolicies.put(patternName, checkRetry(policy));
      return this;
    }

    private static RetryPolicy checkRetry(RetryPolicy policy) {
      if (policy == null) {
        throw new IllegalArgumentException(
            "retry policy must not be null; use RetryPolicy.none() for none");
      }
      return policy;
    }

    /** How backoffs are waited (tests advance a fake ticker). */
    Builder sleeper(Sleeper sleeper) {
      this.sleeper = Checks.notNull(sleeper, "PatternExecutor.Builder.sleeper(sleeper)");
      return this;
    }

    /**
     * Adds a listener of this executor's executions: each one's start and end (with the result
     * returned to the caller), each attempt's start and end, each move to another pattern after one
     * did not succeed. Called in the order added, synchronously on the thread that runs the
     * execution, with no lock held; one that throws is logged (at most once a second) and skipped,
     * and never changes a result. Without listeners no event is created. Statistics events (resets,
     * confidence crossings) come from the registry's listeners: {@link
     * PatternRegistry.Builder#listener}.
     *
     * @param listener the listener
     * @return this builder
     * @throws IllegalArgumentException when it is null
     * @since 0.2.0
     */
    public Builder listener(NdpListener listener) {
      if (listener == null) {
        throw new IllegalArgumentException("listener must not be null");
      }
      listeners.add(listener);
      return this;
    }

    /** Builds the executor. */
    public PatternExecutor build() {
      return new PatternExecutor(this);
    }
  }
}
