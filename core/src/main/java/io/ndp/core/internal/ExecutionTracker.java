package io.ndp.core.internal;

import io.ndp.api.PatternContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The executions in flight, each from before it reads the registry (selection) until it ended.
 *
 * <p>Why from selection on: a withdrawal (a plugin stop, a close) first removes patterns from the
 * registry and then looks at what is in flight. An execution enters here before it reads the
 * registry, so either the withdrawal sees it and waits for it, or it read the registry after the
 * removal and cannot choose a withdrawn pattern. Nothing is locked on the execution path: one
 * concurrent-set insert and remove per execution.
 *
 * <p>Waits never wait for an execution of the waiting thread itself (it could not end meanwhile).
 *
 * <p>Thread-safe.
 */
public final class ExecutionTracker {
  private final Set<Execution> inFlight = ConcurrentHashMap.newKeySet();

  /** One execution in flight. Close it when it ends. */
  public final class Execution implements AutoCloseable {
    // Described only when read (a drain that gives up): the hot path does not pay for the text.
    private final PatternContext context;
    private final Object owner;
    private final Thread thread = Thread.currentThread();
    // Null while the execution is still choosing; then the patterns it may run.
    private volatile @Nullable Set<String> chosen;

    private Execution(PatternContext context, Object owner) {
      this.context = context;
      this.owner = owner;
    }

    /**
     * Says which patterns this execution may run (its candidates and fallbacks), once chosen.
     *
     * @param patternNames the names
     */
    public void chose(Set<String> patternNames) {
      this.chosen = patternNames;
    }

    /** Whether this execution may run one of {@code names} or has not chosen yet. */
    boolean mayRun(Collection<String> names) {
      Set<String> c = chosen;
      if (c == null) {
        return true;
      }
      for (String n : names) {
        if (c.contains(n)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public void close() {
      inFlight.remove(this);
    }

    @Override
    public String toString() {
      return describe(context);
    }
  }

  /**
   * Enters an execution; call before reading the registry.
   *
   * @param context what runs, described in the message of a drain that gives up (only then)
   * @param owner who runs it (an executor), so that a drain can wait for one owner's executions
   * @return the execution, to close when it ends
   */
  public Execution enter(PatternContext context, Object owner) {
    Execution e = new Execution(context, owner);
    inFlight.add(e);
    return e;
  }

  /**
   * Describes the execution of a context, as drains and refusals name it.
   *
   * @param context the context
   * @return e.g. {@code execution in domain 'orders', agent type 'sequential'}
   */
  public static String describe(PatternContext context) {
    return "execution in domain '"
        + context.domain()
        + "', agent type '"
        + context.agentType()
        + "'";
  }

  /** Whether the calling thread runs an execution of {@code owner} right now. */
  public boolean runsOnThisThread(Object owner) {
    Thread me = Thread.currentThread();
    for (Execution e : inFlight) {
      if (e.thread == me && e.owner == owner) {
        return true;
      }
    }
    return false;
  }

  /** Returns how many executions are in flight. */
  public int size() {
    return inFlight.size();
  }

  /** Returns how many executions in flight chose the named pattern as a candidate or fallback. */
  public int inFlight(String patternName) {
    int n = 0;
    for (Execution e : inFlight) {
      Set<String> c = e.chosen;
      if (c != null && c.contains(patternName)) {
        n++;
      }
    }
    return n;
  }

  /**
   * Waits until every execution in flight now that may run one of {@code patternNames} (or has not
   * chosen yet) has ended. Executions that enter later are not waited for: they read the registry
   * after the caller withdrew the patterns.
   *
   * @param patternNames the withdrawn patterns
   * @param timeout how long to wait at most
   * @return the descriptions of those still running when the time ran out; empty when all ended
   * @throws InterruptedException when interrupted while waiting
   */
  public List<String> awaitEnd(Collection<String> patternNames, Duration timeout)
      throws InterruptedException {
    if (patternNames.isEmpty()) {
      return List.of();
    }
    return awaitEnd(e -> e.mayRun(patternNames), timeout);
  }

  /**
   * Waits until every execution of {@code owner} in flight now has ended.
   *
   * @param owner whose executions
   * @param timeout how long to wait at most
   * @return the descriptions of those still running when the time ran out; empty when all ended
   * @throws InterruptedException when interrupted while waiting
   */
  public List<String> awaitAll(Object owner, Duration timeout) throws InterruptedException {
    return awaitEnd(e -> e.owner == owner, timeout);
  }

  private List<String> awaitEnd(Predicate<Execution> which, Duration timeout)
      throws InterruptedException {
    List<Execution> waitFor = new ArrayList<>();
    Thread me = Thread.currentThread();
    for (Execution e : inFlight) {
      // An execution of the waiting thread itself (a delegate that closes or stops) cannot end
      // while its thread waits here: it is not waited for.
      if (e.thread != me && which.test(e)) {
        waitFor.add(e);
      }
    }
    long deadline = System.nanoTime() + saturatedNanos(timeout);
    while (true) {
      // One that was still choosing may since have chosen other patterns: no need to wait for it.
      waitFor.removeIf(e -> !inFlight.contains(e) || !which.test(e));
      if (waitFor.isEmpty()) {
        return List.of();
      }
      if (System.nanoTime() - deadline >= 0) {
        return waitFor.stream().map(Execution::toString).sorted().toList();
      }
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted while waiting for " + waitFor);
      }
      // Draining is rare; polling keeps the execution path free of locks and signals.
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 2;
    }
  }
}
