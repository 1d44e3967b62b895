package io.ndp.patterns.meta;

import io.ndp.api.Attempt;
import io.ndp.api.Delegate;
import io.ndp.api.ExecutionScope;
import io.ndp.api.FailurePolicy;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternOutcome;
import io.ndp.api.PatternResult;
import io.ndp.api.TaskGroup;
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
import org.jspecify.annotations.Nullable;

/**
 * One run of a {@link MetaOrchestrationPattern} over one context: starts each domain once its
 * required prerequisites have succeeded, collects the completions, stops on the first failure, the
 * deadline or an interrupt, and waits for every domain it started before it returns.
 *
 * <p>The domains run in a {@link TaskGroup}: on the scope's executor or, while the coordinator
 * waits, on its own thread (so a bounded executor never deadlocks); a failing domain cancels the
 * others from its own thread.
 *
 * <p>Not thread-safe: used by the one thread that called {@link MetaOrchestrationPattern#execute}.
 */
final class Orchestration {

  /** Why the coordinating loop stopped before every planned domain had run. */
  private enum Stop {
    FAILED,
    TIMED_OUT,
    INTERRUPTED,
    QUORUM_REACHED,
    QUORUM_UNREACHABLE
  }

  private final MetaOrchestrationPattern pattern;
  private final PatternContext context;
  private final ExecutionScope scope;
  private final List<String> plan;
  private final Set<String> planned;
  private final Map<String, List<String>> dependents;
  private final Map<String, Integer> waitingOn = new HashMap<>();

  /** The domains started, in start order, with how they ended once they did. */
  private final Map<String, @Nullable DomainResult> started = new LinkedHashMap<>();

  /** The domains this run's own cancel skipped (never started) or interrupted. */
  private final Set<String> skipped = new HashSet<>();

  private final Set<String> interruptedByUs = new HashSet<>();

  private final TaskGroup<DomainResult> group;
  private final FailurePolicy policy;

  /** Domains that failed while the policy let the others go on, in the order they failed. */
  private final List<String> failures = new ArrayList<>();

  private boolean interrupted;

  Orchestration(
      MetaOrchestrationPattern pattern,
      PatternContext context,
      ExecutionScope scope,
      List<String> plan,
      FailurePolicy policy) {
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
    // A failing domain cancels the others from its own thread: the coordinator may itself be
    // running a domain (the group runs unstarted ones on it while it waits).
    this.policy = policy;
    this.group =
        TaskGroup.<DomainResult>open(scope)
            .cancelOnFailure(policy.kind() == FailurePolicy.Kind.FAIL_FAST);
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
    String failed = null;
    try {
      while (group.outstanding() > 0) {
        Optional<TaskGroup.Completion<DomainResult>> next;
        try {
          next = group.next();
        } catch (InterruptedException e) {
          interrupted = true;
          stop = Stop.INTERRUPTED;
          break;
        }
        if (next.isEmpty()) {
          stop = Stop.TIMED_OUT;
          break;
        }
        DomainResult r = record(next.get());
        if (!r.success()) {
          if (policy.kind() == FailurePolicy.Kind.FAIL_FAST) {
            failed = next.get().name();
            stop = Stop.FAILED;
            break;
          }
          // The others go on; this domain's dependents never start.
          failures.add(next.get().name());
          if (r.timedOut() || deadlinePassed()) {
            stop = Stop.TIMED_OUT; // a deadline ends every policy
            break;
          }
          if (policy.kind() == FailurePolicy.Kind.QUORUM && reachable() < policy.quorum()) {
            stop = Stop.QUORUM_UNREACHABLE;
            break;
          }
          continue;
        }
        if (policy.kind() == FailurePolicy.Kind.QUORUM && succeeded() >= policy.quorum()) {
          stop = Stop.QUORUM_REACHED;
          break;
        }
        if (deadlinePassed()) {
          stop = Stop.TIMED_OUT; // a deadline ends every policy; nothing more starts
          break;
        }
        for (String dependent : dependents.getOrDefault(next.get().name(), List.of())) {
          if (planned.contains(dependent) && waitingOn.merge(dependent, -1, Integer::sum) == 0) {
            start(dependent);
          }
        }
      }
    } catch (RuntimeException | Error e) {
      // Whatever escaped (an Error from a domain run on this thread), no domain may outlive us.
      cancelAndAwaitStarted();
      throw e;
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

  private boolean anyFailed() {
    for (DomainResult r : started.values()) {
      if (r != null && !r.success()) {
        return true;
      }
    }
    return !failures.isEmpty();
  }

  private int succeeded() {
    int n = 0;
    for (DomainResult r : started.values()) {
      if (r != null && r.success()) {
        n++;
      }
    }
    return n;
  }

  /** How many planned domains can still succeed: not failed, nor blocked behind a failure. */
  private int reachable() {
    Set<String> lost = new HashSet<>();
    java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(failures);
    while (!todo.isEmpty()) {
      String d = todo.removeFirst();
      if (lost.add(d)) {
        todo.addAll(dependents.getOrDefault(d, List.of()));
      }
    }
    return plan.size() - lost.size();
  }

  /** Keeps how a domain ended; returns it. */
  private DomainResult record(TaskGroup.Completion<DomainResult> c) {
    DomainResult r;
    if (c.succeeded()) {
      r = c.value();
    } else if (c.failure() instanceof DomainFailure f) {
      r = f.result;
    } else {
      Throwable t = c.failure();
      r = DomainResult.failed(how(c.name()), "handler threw " + t, t);
    }
    started.put(c.name(), r);
    if (c.interruptedByGroup()) {
      interruptedByUs.add(c.name());
    }
    return r;
  }

  private void start(String domain) {
    if (policy.kind() == FailurePolicy.Kind.FAIL_FAST && anyFailed()) {
      return; // a domain already failed: the loop ends on it; this one stays "not started"
    }
    Delegate delegate = scope.delegates().find(domain).orElse(null);
    @Nullable Object input = inputFor(domain);
    started.put(domain, null);
    group.fork(domain, () -> handleGuarded(domain, input, delegate));
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
      DomainResult r = started.get(p);
      input.put(p, r == null ? null : r.output());
    }
    input.put(MetaOrchestrationPattern.PAYLOAD_KEY, context.payload());
    return Collections.unmodifiableMap(input);
  }

  private boolean deadlinePassed() {
    return scope.expired();
  }

  /**
   * Skips the queued domains, interrupts the running ones and waits for every running one to end,
   * so that no domain work outlives the pattern's return; then learns how they ended.
   */
  private void cancelAndAwaitStarted() {
    group.cancel();
    group.awaitStarted(null);
    skipped.addAll(group.skippedUnits()); // by this cancel, or by a failing domain's
    if (Thread.interrupted()) {
      interrupted = true; // restored when the outcome is returned
    }
    for (TaskGroup.Completion<DomainResult> c : group.drain()) {
      record(c);
    }
  }

  private PatternOutcome outcome(@Nullable Stop stop, @Nullable String failed) {
    Map<String, @Nullable Object> outputs = new LinkedHashMap<>();
    List<String> ran = new ArrayList<>();
    List<String> cancelled = new ArrayList<>();
    List<String> alsoFailed = new ArrayList<>();
    List<String> notStarted = new ArrayList<>();
    for (String d : plan) {
      DomainResult r = started.get(d);
      if (!started.containsKey(d)) {
        notStarted.add(d);
      } else if (skipped.contains(d)) {
        cancelled.add(d + " (before it started)");
      } else if (r == null) {
        cancelled.add(d); // still running after the cancel (ignores interrupts)
      } else if (r.success()) {
        outputs.put(d, r.output());
        ran.add(describeSuccess(d, r));
      } else if (!d.equals(failed) && interruptedByUs.contains(d)) {
        cancelled.add(d);
      } else if (!d.equals(failed)) {
        alsoFailed.add(String.format(Locale.ROOT, "'%s' (%s): %s", d, r.how(), r.message()));
      }
    }
    Map<String, @Nullable Object> output = Collections.unmodifiableMap(outputs);
    if (policy.kind() != FailurePolicy.Kind.FAIL_FAST
        && (stop == null || stop == Stop.QUORUM_REACHED || stop == Stop.QUORUM_UNREACHABLE)) {
      return policyOutcome(stop, output, ran, cancelled, alsoFailed, notStarted);
    }
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
        DomainResult r = started.get(failed);
        status = r.timedOut() ? OutcomeStatus.TIMED_OUT : OutcomeStatus.FAILED;
        cause =
            new DomainFailedException(
                pattern.name(),
                r.nestedPath().isEmpty() ? List.of(failed) : r.nestedPath(),
                r.reason(),
                r.cause());
        message.append(
            String.format(
                Locale.ROOT, "domain '%s' failed (%s): %s", failed, r.how(), r.message()));
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

  /** The outcome under COLLECT_ALL, BEST_EFFORT or QUORUM(n), once the loop ended. */
  private PatternOutcome policyOutcome(
      @Nullable Stop stop,
      Map<String, @Nullable Object> output,
      List<String> ran,
      List<String> cancelled,
      List<String> failedOthers,
      List<String> notStarted) {
    boolean success =
        switch (policy.kind()) {
          case COLLECT_ALL -> failures.isEmpty();
          case BEST_EFFORT -> !output.isEmpty() || plan.isEmpty();
          case QUORUM -> stop == Stop.QUORUM_REACHED || output.size() >= policy.quorum();
          case FAIL_FAST -> failures.isEmpty();
        };
    List<String> failedList = failedOthers; // every failed domain, in plan order
    StringBuilder message = new StringBuilder();
    if (success) {
      message.append(
          String.format(
              Locale.ROOT,
              "orchestrated %d domain(s) under %s: %s",
              ran.size(),
              policy,
              String.join(", ", ran)));
    } else {
      message.append(
          String.format(
              Locale.ROOT,
              "%s not met: %d of %d domain(s) succeeded",
              policy,
              ran.size(),
              plan.size()));
    }
    appendList(message, "failed", failedList);
    appendList(message, "cancelled", cancelled);
    appendList(message, "not started", notStarted);
    if (success) {
      return PatternOutcome.success(output, message.toString());
    }
    Throwable cause = null;
    if (!failures.isEmpty()) {
      String first = failures.get(0);
      DomainResult r = started.get(first);
      cause =
          new DomainFailedException(
              pattern.name(),
              r.nestedPath().isEmpty() ? List.of(first) : r.nestedPath(),
              r.reason(),
              r.cause());
    }
    return new PatternOutcome(OutcomeStatus.FAILED, output, message.toString(), cause);
  }

  private String describeSuccess(String domain, DomainResult r) {
    List<String> after = DomainGraph.requiredPrerequisites(domain, planned, pattern.dependencies());
    return domain
        + " by "
        + r.how()
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

  /** A domain that failed, carried through the task group so that it cancels the others. */
  private static final class DomainFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient DomainResult result;

    DomainFailure(DomainResult result) {
      super(result.message(), null, false, false);
      this.result = result;
    }
  }

  /** Runs one domain's handler: its result, or a {@link DomainFailure} when it failed. */
  private DomainResult handleGuarded(
      String domain, @Nullable Object input, @Nullable Delegate delegate) {
    DomainResult r;
    try {
      r = new Handler(domain, input, delegate).handle();
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable t) {
      r = DomainResult.failed(how(domain), "handler threw " + t, t);
    }
    if (!r.success()) {
      throw new DomainFailure(r);
    }
    return r;
  }

  private String how(String domain) {
    return scope.delegates().find(domain).isPresent()
        ? "delegate"
        : "nested context with agent type '" + pattern.agentTypeFor(domain) + "'";
  }

  /** One domain's handler: its delegate, or the best pattern for its nested context. */
  private final class Handler {
    private final String domain;
    private final @Nullable Object input;
    private final @Nullable Delegate delegate;

    Handler(String domain, @Nullable Object input, @Nullable Delegate delegate) {
      this.domain = domain;
      this.input = input;
      this.delegate = delegate;
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
