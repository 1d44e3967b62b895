package io.ndp.patterns.parallel;

import io.ndp.api.Delegate;
import io.ndp.api.ExecutionScope;
import io.ndp.api.FailurePolicy;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternOutcome;
import io.ndp.api.ResourcePool;
import io.ndp.api.TaskGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One execution of a {@link ParallelCoordinationPattern}: forks every task into a {@link TaskGroup}
 * (which runs them on the scope's executor, or on the calling thread while it waits), takes their
 * completions, and on the first unsuccessful one (or the deadline, or an interrupt of the calling
 * thread) cancels the rest — a failing task cancels the others itself, at once. It returns only
 * once every task has either released its lease or never started, so the pattern holds nothing
 * after {@link #run()}.
 *
 * <p>Confined to the calling thread; the tasks run concurrently in the group.
 */
final class ParallelRun {
  /** How long cancelled tasks get to end before they are named as ignoring the interrupt. */
  private static final Duration STUBBORN_AFTER = Duration.ofMillis(50);

  private final ParallelCoordinationPattern pattern;
  // Resolved once by the pattern: every task acquires from, and releases into, this pool.
  private final ResourcePool pool;
  private final PatternContext context;
  private final ExecutionScope scope;
  private final List<ResourceTask> tasks;
  private final List<Delegate> delegates;
  private final FailurePolicy policy;

  ParallelRun(
      ParallelCoordinationPattern pattern,
      ResourcePool pool,
      PatternContext context,
      ExecutionScope scope,
      List<ResourceTask> tasks,
      List<Delegate> delegates,
      FailurePolicy policy) {
    this.pattern = pattern;
    this.pool = pool;
    this.context = context;
    this.scope = scope;
    this.tasks = List.copyOf(tasks);
    this.delegates = List.copyOf(delegates);
    this.policy = policy;
  }

  PatternOutcome run() {
    if (Thread.currentThread().isInterrupted()) {
      return PatternOutcome.of(
          OutcomeStatus.CANCELLED,
          prefix() + "interrupted before any of its " + tasks.size() + " task(s) started",
          null);
    }
    if (scope.expired()) {
      return PatternOutcome.of(
          OutcomeStatus.TIMED_OUT,
          prefix() + "deadline passed before any of its " + tasks.size() + " task(s) started",
          null);
    }
    boolean failFast = policy.kind() == FailurePolicy.Kind.FAIL_FAST;
    TaskGroup<@Nullable Object> group =
        TaskGroup.<@Nullable Object>open(scope).cancelOnFailure(failFast);
    for (int i = 0; i < tasks.size(); i++) {
      ResourceTask task = tasks.get(i);
      Delegate delegate = delegates.get(i);
      group.fork(task.name(), () -> runTask(task, delegate));
    }
    Map<String, @Nullable Object> done = new LinkedHashMap<>();
    List<TaskGroup.Completion<@Nullable Object>> failures = new ArrayList<>();
    try {
      boolean quorum = policy.kind() == FailurePolicy.Kind.QUORUM;
      while (done.size() + failures.size() < tasks.size()) {
        // Quorum answers each completion; the other policies need waking only when all ended or
        // (fail fast) one failed, which saves a wake-up of this thread per task.
        List<TaskGroup.Completion<@Nullable Object>> ended =
            quorum ? group.next().map(List::of).orElse(List.of()) : group.awaitAll(failFast);
        if (ended.isEmpty()) {
          if (!scope.expired() && group.outstanding() > 0) {
            continue; // nothing ended yet and time is left: wait again
          }
          return stopAll(group, timedOut(done, failures));
        }
        if (scope.expired()
            && !(failFast && hasOwnFailure(ended))
            && unfinishedAfter(ended, done, failures)) {
          // Past the deadline, a task the group interrupted (one this thread ran itself, stopped
          // by the group's timer) is unfinished, not failed.
          for (TaskGroup.Completion<@Nullable Object> c : ended) {
            if (c.succeeded()) {
              done.put(c.name(), c.value());
            } else if (!c.interruptedByGroup()) {
              failures.add(c);
            }
          }
          return stopAll(group, timedOut(done, failures));
        }
        for (TaskGroup.Completion<@Nullable Object> c : ended) {
          if (!c.succeeded()) {
            if (failFast) {
              return stopAll(group, unsuccessful(c, done));
            }
            failures.add(c);
            if (policy.kind() == FailurePolicy.Kind.QUORUM
                && tasks.size() - failures.size() < policy.quorum()) {
              return stopAll(group, quorumUnreachable(done, failures));
            }
            continue;
          }
          done.put(c.name(), c.value());
          if (policy.kind() == FailurePolicy.Kind.QUORUM && done.size() >= policy.quorum()) {
            return stopAll(
                group,
                PatternOutcome.success(
                    ordered(done),
                    prefix()
                        + String.format(
                            Locale.ROOT,
                            "%s reached: %s; cancelled the rest",
                            policy,
                            String.join(", ", ordered(done).keySet()))));
          }
        }
      }
    } catch (RuntimeException | Error e) {
      // Whatever went wrong while collecting, no task may keep running or holding units.
      stopAll(group, null);
      throw e;
    } catch (InterruptedException e) {
      stopAll(group, null);
      Thread.currentThread().interrupt();
      return new PatternOutcome(
          OutcomeStatus.CANCELLED,
          partial(done),
          prefix()
              + String.format(
                  Locale.ROOT,
                  "interrupted; cancelled %d unfinished task(s)",
                  tasks.size() - done.size() - failures.size()),
          e);
    }
    group.awaitStarted(null);
    if (!failures.isEmpty()) {
      return withFailures(done, failures);
    }
    Map<String, @Nullable Object> outputs = new LinkedHashMap<>();
    for (ResourceTask t : tasks) {
      outputs.put(t.name(), done.get(t.name()));
    }
    return PatternOutcome.success(
        Collections.unmodifiableMap(outputs),
        // Concatenation, not String.format: this runs on every successful call.
        "ran " + tasks.size() + " task(s) concurrently: " + String.join(", ", outputs.keySet()));
  }

  /**
   * Whether a task failed by itself (not interrupted by the group): under fail fast, that failure
   * is the outcome even when the deadline passed while the others were being cancelled.
   */
  private static boolean hasOwnFailure(List<TaskGroup.Completion<@Nullable Object>> ended) {
    for (TaskGroup.Completion<@Nullable Object> c : ended) {
      if (!c.succeeded() && !c.interruptedByGroup()) {
        return true;
      }
    }
    return false;
  }

  /** Whether some task is unfinished once {@code ended} is counted (interrupted ones are not). */
  private boolean unfinishedAfter(
      List<TaskGroup.Completion<@Nullable Object>> ended,
      Map<String, @Nullable Object> done,
      List<TaskGroup.Completion<@Nullable Object>> failures) {
    int finished = done.size() + failures.size();
    for (TaskGroup.Completion<@Nullable Object> c : ended) {
      if (c.succeeded() || !c.interruptedByGroup()) {
        finished++;
      }
    }
    return finished < tasks.size();
  }

  /** One task: acquire every resource at once, run the delegate, release. */
  private @Nullable Object runTask(ResourceTask task, Delegate delegate) throws Exception {
    Duration wait = pattern.acquireTimeout();
    Duration left = scope.remaining(wait);
    if (left.compareTo(wait) < 0) {
      wait = left;
    }
    Optional<ResourcePool.Lease> acquired =
        pool.tryAcquireAll(pattern.name(), context.priority(), task.resources(), wait);
    if (acquired.isEmpty()) {
      throw conflict(task, wait);
    }
    try (ResourcePool.Lease lease = acquired.get()) {
      return delegate.execute(context.payload());
    }
  }

  private ResourceConflictException conflict(ResourceTask task, Duration waited) {
    Map<String, Integer> inUse = new LinkedHashMap<>();
    Map<String, Integer> capacities = new LinkedHashMap<>();
    Map<String, Integer> active = pool.activeResources();
    Map<String, Integer> all = pool.capacities();
    for (String r : task.resources().keySet()) {
      inUse.put(r, active.getOrDefault(r, 0));
      capacities.put(r, all.getOrDefault(r, 0));
    }
    return new ResourceConflictException(
        pattern.name(), task.name(), task.resources(), waited, inUse, capacities);
  }

  private PatternOutcome timedOut(
      Map<String, @Nullable Object> done, List<TaskGroup.Completion<@Nullable Object>> failures) {
    List<String> failed = new ArrayList<>();
    for (TaskGroup.Completion<@Nullable Object> f : failures) {
      failed.add(f.name());
    }
    List<String> unfinished = new ArrayList<>();
    for (ResourceTask t : tasks) {
      if (!done.containsKey(t.name()) && !failed.contains(t.name())) {
        unfinished.add(t.name());
      }
    }
    String alsoFailed =
        failures.isEmpty()
            ? ""
            : "; failed before: "
                + String.join(
                    "; ",
                    failures.stream()
                        .map(f -> "'" + f.name() + "': " + describe(f.failure()))
                        .toList());
    return new PatternOutcome(
        OutcomeStatus.TIMED_OUT,
        partial(done),
        prefix()
            + String.format(
                Locale.ROOT,
                "deadline passed with %d of %d task(s) unfinished: %s; they were cancelled%s",
                unfinished.size(),
                tasks.size(),
                String.join(", ", unfinished),
                alsoFailed),
        null);
  }

  private PatternOutcome unsuccessful(
      TaskGroup.Completion<@Nullable Object> c, Map<String, @Nullable Object> done) {
    String task = c.name();
    Throwable cause = c.failure();
    int others = tasks.size() - done.size() - 1;
    OutcomeStatus status =
        cause instanceof ResourceConflictException
            ? OutcomeStatus.CONFLICT
            : cause instanceof InterruptedException
                ? OutcomeStatus.CANCELLED
                : OutcomeStatus.FAILED;
    String message =
        switch (status) {
          case CONFLICT ->
              String.format(
                  Locale.ROOT,
                  "resources not free: %s; cancelled %d other task(s)",
                  cause.getMessage(),
                  others);
          case CANCELLED ->
              String.format(
                  Locale.ROOT,
                  "task '%s' was interrupted by someone else; cancelled %d other task(s)",
                  task,
                  others);
          default ->
              String.format(
                  Locale.ROOT,
                  "task '%s' (delegate '%s') failed: %s; cancelled %d other task(s)",
                  task,
                  delegateOf(task),
                  describe(cause),
                  others);
        };
    return new PatternOutcome(status, partial(done), prefix() + message, cause);
  }

  /** COLLECT_ALL and BEST_EFFORT once every task ended and some failed. */
  private PatternOutcome withFailures(
      Map<String, @Nullable Object> done, List<TaskGroup.Completion<@Nullable Object>> failures) {
    List<String> why = new ArrayList<>();
    for (TaskGroup.Completion<@Nullable Object> f : failures) {
      why.add("'" + f.name() + "': " + describe(f.failure()));
    }
    String summary =
        String.format(
            Locale.ROOT,
            "%d of %d task(s) failed (%s): %s",
            failures.size(),
            tasks.size(),
            policy,
            String.join("; ", why));
    if (policy.kind() == FailurePolicy.Kind.BEST_EFFORT && !done.isEmpty()) {
      return PatternOutcome.success(ordered(done), prefix() + summary);
    }
    TaskGroup.Completion<@Nullable Object> first = failures.get(0);
    OutcomeStatus status =
        first.failure() instanceof ResourceConflictException
            ? OutcomeStatus.CONFLICT
            : OutcomeStatus.FAILED;
    return new PatternOutcome(status, partial(done), prefix() + summary, first.failure());
  }

  private PatternOutcome quorumUnreachable(
      Map<String, @Nullable Object> done, List<TaskGroup.Completion<@Nullable Object>> failures) {
    TaskGroup.Completion<@Nullable Object> last = failures.get(failures.size() - 1);
    return new PatternOutcome(
        last.failure() instanceof ResourceConflictException
            ? OutcomeStatus.CONFLICT
            : OutcomeStatus.FAILED,
        partial(done),
        prefix()
            + String.format(
                Locale.ROOT,
                "%s can no longer be reached: %d of %d task(s) failed (last: '%s': %s); cancelled"
                    + " the rest",
                policy,
                failures.size(),
                tasks.size(),
                last.name(),
                describe(last.failure())),
        last.failure());
  }

  /** The outputs in task order. */
  private Map<String, @Nullable Object> ordered(Map<String, @Nullable Object> done) {
    Map<String, @Nullable Object> out = new LinkedHashMap<>();
    for (ResourceTask t : tasks) {
      if (done.containsKey(t.name())) {
        out.put(t.name(), done.get(t.name()));
      }
    }
    return Collections.unmodifiableMap(out);
  }

  private String delegateOf(String taskName) {
    for (ResourceTask t : tasks) {
      if (t.name().equals(taskName)) {
        return t.delegate();
      }
    }
    return taskName;
  }

  /**
   * Cancels every task and waits until all have released or never started, returns {@code o}. Not
   * bounded: releasing before the delegate stops would let two tasks hold the same units; a
   * delegate that ignores interrupts delays the return until it ends. An interrupt while waiting is
   * kept for the caller.
   */
  private @Nullable PatternOutcome stopAll(
      TaskGroup<@Nullable Object> group, @Nullable PatternOutcome o) {
    group.cancel();
    // Name the tasks that ignore the interrupt; their units stay held until they end.
    List<String> stubborn = group.awaitStarted(STUBBORN_AFTER);
    group.awaitStarted(null);
    if (o == null || stubborn.isEmpty()) {
      return o;
    }
    return new PatternOutcome(
        o.status(),
        o.output(),
        o.message()
            + String.format(
                Locale.ROOT,
                "; %s ignored the interrupt and ran on, holding its units until it ended",
                stubborn),
        o.cause());
  }

  private Map<String, @Nullable Object> partial(Map<String, @Nullable Object> done) {
    if (done.isEmpty()) {
      return Map.of();
    }
    return Collections.unmodifiableMap(new LinkedHashMap<>(done));
  }

  private String prefix() {
    return "parallel pattern '" + pattern.name() + "': ";
  }

  private static String describe(@Nullable Throwable t) {
    if (t == null) {
      return "no cause";
    }
    return t.getMessage() == null
        ? t.getClass().getName()
        : t.getClass().getName() + ": " + t.getMessage();
  }
}
