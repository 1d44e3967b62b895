package io.ndp.patterns.meta;

import io.ndp.api.Attempt;
import io.ndp.api.Delegate;
import io.ndp.api.ExecutionScope;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternOutcome;
import io.ndp.api.PatternResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One run of a {@link MetaOrchestrationPattern} over one context: starts each domain once its
 * required prerequisites have succeeded, collects the completions, stops on the first failure, the
 * deadline or an interrupt, and waits for every domain it started before it returns.
 *
 * <p>Not thread-safe: used by the one thread that called {@link MetaOrchestrationPattern#execute}.
 * Domain tasks share only the completion queue and the {@code failureSeen} flag with it.
 */
final class Orchestration {
  /** How long the caller waits for the executor to start domains before it runs one itself. */
  private static final long HELP_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  /** Why the coordinating loop stopped before every planned domain had run. */
  private enum Stop {
    FAILED,
    TIMED_OUT,
    INTERRUPTED
  }

  private static final Duration MAX_WAIT = Duration.ofNanos(Long.MAX_VALUE);

  private final MetaOrchestrationPattern pattern;
  private final PatternContext context;
  private final ExecutionScope scope;
  private final List<String> plan;
  private final Set<String> planned;
  private final Map<String, List<String>> dependents;
  private final Map<String, Integer> waitingOn = new HashMap<>();

  /** Tasks in start order. */
  private final Map<String, DomainTask> started = new LinkedHashMap<>();

  /** Every started task, for a failing domain to interrupt the others from its own thread. */
  private final List<DomainTask> all = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Started tasks whose completion the coordinator has not taken yet. */
  private final Set<DomainTask> inFlight = new HashSet<>();

  private final BlockingQueue<DomainTask> completions = new LinkedBlockingQueue<>();

  /** The coordinator: domains it runs itself run "inline". */
  private final Thread coordinator = Thread.currentThread();

  /** Set by a task that failed, so that the coordinator starts nothing more. */
  private volatile boolean failureSeen;

  private boolean interrupted;

  Orchestration(
      MetaOrchestrationPattern pattern,
      PatternContext context,
      ExecutionScope scope,
      List<String> plan) {
    this.pattern = pattern;
    this.context = context;
    this.scope = scope;
    this.plan = plan;
    this.planned = new LinkedHashSet<>(plan);
    this.dependents = DomainGraph.dependents(plan, pattern.dependencies());
    for (String d : plan) {
      waitingOn.put(
          d, DomainGraph.requiredPrerequisites(d, planned, pattern.dependencies()).size());
    }
  }

  PatternOutcome run() {
    if (Thread.currentThread().isInterrupted()) {
      return PatternOutcome.of(
          OutcomeStatus.CANCELLED, "interrupted before any domain started; planned: " + plan, null);
    }
    if (deadlinePassed()) {
      return PatternOutcome.of(
          OutcomeStatus.TIMED_OUT,
          "deadline passed before any domain started; planned: " + plan,
          null);
    }
    for (String d : plan) {
      if (waitingOn.get(d) == 0) {
        start(d);
      }
    }
    Stop stop = null;
    DomainTask failed = null;
    while (!inFlight.isEmpty()) {
      DomainTask done;
      try {
        done = nextCompletion();
      } catch (InterruptedException e) {
        interrupted = true;
        stop = Stop.INTERRUPTED;
        break;
      }
      if (done == null) {
        stop = Stop.TIMED_OUT;
        break;
      }
      inFlight.remove(done);
      if (!done.result().success()) {
        failed = done;
        stop = Stop.FAILED;
        break;
      }
      for (String dependent : dependents.getOrDefault(done.domain, List.of())) {
        if (planned.contains(dependent) && waitingOn.merge(dependent, -1, Integer::sum) == 0) {
          start(dependent);
        }
      }
    }
    if (stop != null) {
      cancelAndAwaitStarted();
    }
    PatternOutcome outcome = outcome(stop, failed);
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return outcome;
  }

  /** Runs one domain the executor has not started yet on this thread; whether it ran one. */
  private boolean helpOne() {
    for (DomainTask t : inFlight) {
      if (t.isQueued()) {
        t.run(); // claims it, or returns at once when a pool thread claimed it first
        return true;
      }
    }
    return false;
  }

  private void start(String domain) {
    if (failureSeen) {
      return; // the loop ends on that failure; this domain stays "not started"
    }
    Delegate delegate = scope.delegates().find(domain).orElse(null);
    DomainTask task = new DomainTask(domain, inputFor(domain), delegate);
    started.put(domain, task);
    inFlight.add(task);
    all.add(task);
    try {
      scope.executor().execute(task);
    } catch (RejectedExecutionException e) {
      task.rejected(e);
    }
  }

  /** The payload, or the required prerequisites' outputs plus the payload; see the class doc. */
  private @Nullable Object inputFor(String domain) {
    List<String> prereqs =
        DomainGraph.requiredPrerequisites(domain, planned, pattern.dependencies());
    if (prereqs.isEmpty()) {
      return context.payload();
    }
    Map<String, @Nullable Object> input = new LinkedHashMap<>();
    for (String p : prereqs) {
      input.put(p, started.get(p).result().output());
    }
    input.put(MetaOrchestrationPattern.PAYLOAD_KEY, context.payload());
    return Collections.unmodifiableMap(input);
  }

  private @Nullable DomainTask nextCompletion() throws InterruptedException {
    // A waiting caller runs the domains the executor has not started yet itself, so that a bounded
    // executor whose threads all wait on nested work still makes progress.
    while (true) {
      DomainTask quick = completions.poll(HELP_AFTER_NANOS, TimeUnit.NANOSECONDS);
      if (quick != null) {
        return quick;
      }
      if (!helpOne()) {
        break;
      }
    }
    Optional<Duration> timeLeft = scope.timeLeft();
    if (timeLeft.isEmpty()) {
      return completions.take();
    }
    Duration left = timeLeft.get();
    if (left.isNegative() || left.isZero()) {
      return null;
    }
    // A deadline centuries away does not fit in a long of nanoseconds: wait as long as we can.
    long nanos = left.compareTo(MAX_WAIT) >= 0 ? Long.MAX_VALUE : left.toNanos();
    return completions.poll(nanos, TimeUnit.NANOSECONDS);
  }

  private boolean deadlinePassed() {
    return scope.expired();
  }

  /**
   * Interrupts the running domains, forgets the queued ones and waits for every running one to end,
   * so that no domain work outlives the pattern's return.
   */
  private void cancelAndAwaitStarted() {
    for (DomainTask task : new ArrayList<>(inFlight)) {
      if (!task.cancel()) {
        inFlight.remove(task); // never started and never will
      }
    }
    while (!inFlight.isEmpty()) {
      try {
        inFlight.remove(completions.take());
      } catch (InterruptedException e) {
        interrupted = true; // restored when the outcome is returned; keep waiting
      }
    }
  }

  private PatternOutcome outcome(@Nullable Stop stop, @Nullable DomainTask failed) {
    Map<String, @Nullable Object> outputs = new LinkedHashMap<>();
    List<String> ran = new ArrayList<>();
    List<String> cancelled = new ArrayList<>();
    List<String> alsoFailed = new ArrayList<>();
    List<String> notStarted = new ArrayList<>();
    for (String d : plan) {
      DomainTask task = started.get(d);
      if (task == null) {
        notStarted.add(d);
      } else if (task.skipped()) {
        cancelled.add(d + " (before it started)");
      } else if (task.result().success()) {
        outputs.put(d, task.result().output());
        ran.add(describeSuccess(task));
      } else if (task != failed && task.interruptedByUs()) {
        cancelled.add(d);
      } else if (task != failed) {
        alsoFailed.add(
            String.format(
                Locale.ROOT, "'%s' (%s): %s", d, task.result().how(), task.result().message()));
      }
    }
    Map<String, @Nullable Object> output = Collections.unmodifiableMap(outputs);
    if (stop == null) {
      return PatternOutcome.success(
          output,
          String.format(
              Locale.ROOT, "orchestrated %d domain(s): %s", ran.size(), String.join(", ", ran)));
    }
    StringBuilder message = new StringBuilder();
    OutcomeStatus status;
    Throwable cause = null;
    switch (stop) {
      case FAILED -> {
        DomainResult r = failed.result();
        status = r.timedOut() ? OutcomeStatus.TIMED_OUT : OutcomeStatus.FAILED;
        cause =
            new DomainFailedException(
                pattern.name(),
                r.nestedPath().isEmpty() ? List.of(failed.domain) : r.nestedPath(),
                r.reason(),
                r.cause());
        message.append(
            String.format(
                Locale.ROOT, "domain '%s' failed (%s): %s", failed.domain, r.how(), r.message()));
      }
      case TIMED_OUT -> {
        status = OutcomeStatus.TIMED_OUT;
        message.append("deadline passed while orchestrating domains");
      }
      case INTERRUPTED -> {
        status = OutcomeStatus.CANCELLED;
        message.append("interrupted while orchestrating domains");
      }
      default -> throw new IllegalStateException("unknown stop " + stop);
    }
    appendList(message, "also failed", alsoFailed);
    appendList(message, "cancelled", cancelled);
    appendList(message, "not started", notStarted);
    appendList(message, "completed", ran);
    return new PatternOutcome(status, output, message.toString(), cause);
  }

  private String describeSuccess(DomainTask task) {
    List<String> after =
        DomainGraph.requiredPrerequisites(task.domain, planned, pattern.dependencies());
    return task.domain
        + " by "
        + task.result().how()
        + (after.isEmpty() ? "" : " after " + String.join(" and ", after));
  }

  private static void appendList(StringBuilder message, String label, List<String> items) {
    if (!items.isEmpty()) {
      message.append("; ").append(label).append(": ").append(String.join(", ", items));
    }
  }

  /**
   * How one domain ended.
   *
   * @param success whether its handler succeeded
   * @param output the handler's output on success
   * @param how what handled it: {@code delegate}, {@code pattern 'x'} or the nested context
   * @param message why it failed (empty on success)
   * @param cause the failure, if any
   * @param timedOut whether it failed because the deadline had passed
   * @param nestedPath when the nested context re-entered this pattern: the domain at each level
   * @param reason the innermost reason (the message unless the pattern was re-entered)
   */
  record DomainResult(
      boolean success,
      @Nullable Object output,
      String how,
      String message,
      @Nullable Throwable cause,
      boolean timedOut,
      List<String> nestedPath,
      String reason) {

    static DomainResult ok(@Nullable Object output, String how) {
      return new DomainResult(true, output, how, "", null, false, List.of(), "");
    }

    static DomainResult failed(String how, String message, @Nullable Throwable cause) {
      return failed(how, message, cause, false);
    }

    static DomainResult failed(
        String how, String message, @Nullable Throwable cause, boolean timedOut) {
      return new DomainResult(false, null, how, message, cause, timedOut, List.of(), message);
    }
  }

  /** One domain's handler, run on the scope's executor. */
  private final class DomainTask implements Runnable {
    private final String domain;
    private final @Nullable Object input;
    private final @Nullable Delegate delegate;

    // Guarded by this: the handshake between run() and cancel() ensures that an interrupt meant
    // for this domain never hits the pool thread after it has moved on to other work.
    private boolean queued = true;
    private boolean skipped;
    private boolean interruptedByUs;
    private @Nullable Thread runner;

    // Written before the task is put on the completion queue, read after it is taken from it.
    private volatile @Nullable DomainResult result;

    DomainTask(String domain, @Nullable Object input, @Nullable Delegate delegate) {
      this.domain = domain;
      this.input = input;
      this.delegate = delegate;
    }

    @Override
    public void run() {
      synchronized (this) {
        if (!queued) {
          return; // cancelled before it started
        }
        queued = false;
        runner = Thread.currentThread();
      }
      DomainResult r;
      Error fatal = null;
      try {
        r = handle();
      } catch (VirtualMachineError e) {
        r = DomainResult.failed(how(), "handler threw " + e, e);
        fatal = e;
      } catch (Throwable t) {
        r = DomainResult.failed(how(), "handler threw " + t, t);
      }
      synchronized (this) {
        runner = null;
        if (interruptedByUs) {
          Thread.interrupted(); // clear our own interrupt before the thread goes back to its pool
        } else if (Thread.currentThread() == coordinator
            && (Thread.currentThread().isInterrupted()
                || r.cause() instanceof InterruptedException)) {
          // Run inline and interrupted by someone else: the interrupt was meant for the
          // coordinator, who must still see it.
          Thread.currentThread().interrupt();
        }
      }
      complete(r);
      if (fatal != null) {
        throw fatal;
      }
    }

    synchronized boolean isQueued() {
      return queued && !skipped;
    }

    void rejected(RejectedExecutionException e) {
      synchronized (this) {
        queued = false;
      }
      complete(
          DomainResult.failed(how(), "the executor rejected the domain's task: " + describe(e), e));
    }

    private void complete(DomainResult r) {
      result = r;
      if (!r.success()) {
        failureSeen = true;
      }
      // Posted first, so that the coordinator learns of a failure before the interrupts it causes.
      completions.add(this);
      if (!r.success()) {
        // Fail fast from here: the coordinator may itself be running another domain and cannot
        // cancel it until that one returns.
        for (DomainTask other : all) {
          if (other != this) {
            other.interruptIfRunning();
          }
        }
      }
    }

    synchronized void interruptIfRunning() {
      if (runner != null && !interruptedByUs) {
        interruptedByUs = true;
        runner.interrupt();
      }
    }

    /**
     * Cancels the task.
     *
     * @return whether a completion was or will be posted (it started); false when it never will
     */
    synchronized boolean cancel() {
      if (skipped) {
        return false;
      }
      if (queued) {
        queued = false;
        skipped = true;
        return false;
      }
      if (runner != null) {
        interruptedByUs = true;
        runner.interrupt();
      }
      return true;
    }

    synchronized boolean skipped() {
      return skipped;
    }

    synchronized boolean interruptedByUs() {
      return interruptedByUs;
    }

    DomainResult result() {
      DomainResult r = result;
      if (r == null) {
        throw new IllegalStateException("domain '" + domain + "' has not completed");
      }
      return r;
    }

    private String how() {
      return delegate != null
          ? "delegate"
          : "nested context with agent type '" + pattern.agentTypeFor(domain) + "'";
    }

    private DomainResult handle() {
      if (deadlinePassed()) {
        return DomainResult.failed(how(), "deadline passed before the domain started", null, true);
      }
      if (delegate != null) {
        try {
          return DomainResult.ok(delegate.execute(input), "delegate");
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return DomainResult.failed(how(), "interrupted", e);
        } catch (Exception e) {
          return DomainResult.failed(how(), describe(e), e);
        }
      }
      // The nested context gets what is left of this run's deadline, never more.
      Duration timeout = scope.timeLeft().orElse(null);
      if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
        return DomainResult.failed(how(), "deadline passed before the domain started", null, true);
      }
      PatternContext nested;
      try {
        nested = nestedContext(timeout);
      } catch (RuntimeException e) {
        return DomainResult.failed(how(), "cannot build its nested context: " + describe(e), e);
      }
      PatternResult r;
      try {
        r = scope.executeBestPattern(nested);
      } catch (RuntimeException e) {
        return DomainResult.failed(how(), describe(e), e);
      }
      if (r.success()) {
        return DomainResult.ok(r.output(), "pattern '" + r.chosenPattern() + "'");
      }
      // A nested failure once the deadline has passed is this run's timeout, not the domain's
      // fault.
      boolean timedOut = deadlinePassed();
      DomainFailedException reentered = reentered(r);
      if (reentered == null) {
        return DomainResult.failed(how(), r.message(), lastError(r), timedOut);
      }
      // The nested context selected this pattern again: report the chain once, not once per level.
      List<String> path = new ArrayList<>();
      path.add(domain);
      path.addAll(reentered.domainPath());
      String message =
          String.format(
              Locale.ROOT,
              "pattern '%s' was selected again for it, %d level(s) deep (%s): %s",
              pattern.name(),
              path.size() - 1,
              String.join(" > ", path),
              reentered.reason());
      return new DomainResult(
          false,
          null,
          how(),
          message,
          reentered.getCause(),
          timedOut,
          List.copyOf(path),
          reentered.reason());
    }

    /** The failure of this same pattern in the nested result's attempts, if it was selected. */
    private @Nullable DomainFailedException reentered(PatternResult r) {
      DomainFailedException found = null;
      for (Attempt a : r.attempts()) {
        if (a.error() instanceof DomainFailedException e
            && e.patternName().equals(pattern.name())) {
          found = e;
        }
      }
      return found;
    }

    private PatternContext nestedContext(@Nullable Duration timeout) {
      Map<String, Object> attributes = new LinkedHashMap<>(context.attributes());
      attributes.remove(PatternContext.REQUIRED_DOMAINS);
      attributes.putAll(pattern.domainAttributes(domain));
      return PatternContext.builder(domain, pattern.agentTypeFor(domain))
          .attributes(attributes)
          .priority(context.priority())
          .payload(input)
          .timeout(timeout)
          .build();
    }
  }

  private static @Nullable Throwable lastError(PatternResult r) {
    Throwable last = null;
    for (Attempt a : r.attempts()) {
      if (a.error() != null) {
        last = a.error();
      }
    }
    return last;
  }

  private static String describe(Throwable e) {
    return e.getMessage() == null ? e.getClass().getName() : e.getMessage();
  }
}
