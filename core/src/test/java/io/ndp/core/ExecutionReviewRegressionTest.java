package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.AbstractPattern;
import io.ndp.api.ExecutionScope;
import io.ndp.api.MatchResult;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternOutcome;
import io.ndp.api.PatternResult;
import io.ndp.api.ResourcePool;
import io.ndp.patterns.parallel.ParallelCoordinationPattern;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression tests for the defects a review of the execution changes (deadlines, caller-helps,
 * fairness, accounting) proved, one per defect, each named after what broke.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExecutionReviewRegressionTest {

  /**
   * Caller-helps swallows the host's interrupt: when the calling thread runs a parallel task itself
   * (the executor had not started it within 10 ms) and the host interrupts it, the task's delegate
   * consumes the interrupt, reports CANCELLED, and the run returns without restoring the flag. The
   * executor then does not see the interrupt and goes on to the next candidate. When a pool thread
   * runs the same task, the flag is restored and nothing else runs (the kind's documented contract:
   * "callerInterrupted_cancelsTasksReleasesAndRestoresFlag").
   */
  @Test
  void hostInterrupt_ofACallerRunningAParallelTaskItself_isKeptAndStopsTheExecution()
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(1);
    CountDownLatch releasePool = new CountDownLatch(1);
    pool.execute( // the only pool thread is busy: the caller will run task "a" itself
        () -> {
          try {
            releasePool.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    PatternRegistry registry = new PatternRegistry();
    try (PatternExecutor executor =
        PatternExecutor.builder(registry)
            .selectionPolicy(SelectionPolicy.greedy()) // "par" first
            .executor(pool)
            .build()) {
      registry.register(
          ParallelCoordinationPattern.builder("par", "")
              .capacity("cpu", 1)
              .task("a", Map.of("cpu", 1))
              .build());
      ScriptedPattern next = new ScriptedPattern("next", "parallel", 0.1, OutcomeStatus.SUCCESS);
      registry.register(next);
      executor.delegates().register("work", in -> "w");
      CountDownLatch aRunning = new CountDownLatch(1);
      AtomicReference<Thread> ranOn = new AtomicReference<>();
      executor
          .delegates()
          .register(
              "a",
              in -> {
                ranOn.set(Thread.currentThread());
                aRunning.countDown();
                new CountDownLatch(1).await(); // blocks until interrupted
                return "never";
              });
      AtomicReference<PatternResult> result = new AtomicReference<>();
      AtomicBoolean flagAfterReturn = new AtomicBoolean();
      Thread caller =
          new Thread(
              () -> {
                result.set(
                    executor.executeBestPattern(
                        PatternContext.builder("orders", "parallel").build()));
                flagAfterReturn.set(Thread.interrupted());
              });
      caller.start();
      assertThat(aRunning.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(ranOn.get()).as("the caller ran task 'a' itself").isSameAs(caller);

      caller.interrupt(); // the host cancels its call
      caller.join(10_000);

      assertThat(caller.isAlive()).isFalse();
      assertThat(result.get().attempts().get(0).status()).isEqualTo(OutcomeStatus.CANCELLED);
      assertThat(next.runs)
          .as("no further candidate runs after the host interrupted the call: %s", result.get())
          .hasValue(0);
      assertThat(flagAfterReturn).as("the host's interrupt is restored").isTrue();
    } finally {
      releasePool.countDown();
      pool.shutdownNow();
    }
  }

  /**
   * Ageing changes precedence with time, but nothing wakes a waiter when it does: a request that
   * fits and precedes every other waiter sleeps on with free units until some unrelated event (a
   * release, another waiter leaving) or its own timeout. Y (priority 0) waits for one unit of r; X
   * (priority 1) arrives ~10 ms later wanting both units. A unit is freed at 55 ms: X precedes
   * (effective 1 vs 0) but does not fit, so nobody is woken. From 100 ms (to ~110 ms, and again
   * every 100 ms) Y's effective priority equals X's and Y came first: by the pool's own rule Y is
   * to be granted the free unit, yet it is granted only when X's 3 s wait ends.
   */
  @Test
  void ageing_aWaiterThatComesToPrecedeByAgeing_isGrantedTheFreeUnit_notLeftAsleep()
      throws Exception {
    ResourcePool pool = new ResourcePool(Map.of("r", 2));
    ResourcePool.Lease h1 = pool.tryAcquireAll("h1", 0, Map.of("r", 1), Duration.ZERO).get();
    ResourcePool.Lease h2 = pool.tryAcquireAll("h2", 0, Map.of("r", 1), Duration.ZERO).get();
    java.util.concurrent.ThreadPoolExecutor threads =
        (java.util.concurrent.ThreadPoolExecutor) Executors.newFixedThreadPool(2);
    threads.prestartAllCoreThreads();
    try {
      // Warm-up (class loading) so that the timed part below runs in a few milliseconds.
      threads.submit(() -> pool.tryAcquireAll("w", 0, Map.of("r", 1), Duration.ZERO)).get();
      waitFor(() -> pool.waitingRequests() == 0);
      sleepUntil(System.nanoTime() + 1_000_000L);
      assertThat(Duration.ZERO).isLessThan(Duration.ofMillis(1)); // loads AssertJ's classes
      long tY = System.nanoTime();
      Future<Optional<ResourcePool.Lease>> y =
          threads.submit(() -> pool.tryAcquireAll("y", 0, Map.of("r", 1), Duration.ofSeconds(5)));
      waitFor(() -> pool.waitingRequests() == 1);
      sleepUntil(tY + 10_000_000L);
      Future<Optional<ResourcePool.Lease>> x =
          threads.submit(() -> pool.tryAcquireAll("x", 1, Map.of("r", 2), Duration.ofSeconds(3)));
      waitFor(() -> pool.waitingRequests() == 2);
      long tX = System.nanoTime();
      // Y precedes X (equal effective priority, earlier) whenever (now - tY) mod 100 ms is below
      // tX - tY (about 10 ms); X precedes (1 vs 0) for the rest of each 100 ms.
      sleepUntil(tY + 55_000_000L);
      assertThat(Duration.ofNanos(System.nanoTime() - tY))
          .as(
              "timing precondition: X (arrived after %s) precedes at the release",
              Duration.ofNanos(tX - tY))
          .isLessThan(Duration.ofMillis(95));
      assertThat(tX - tY).isLessThan(50_000_000L);

      h1.close(); // one unit free: X precedes (1 vs 0) but needs two; Y is held back for now
      long released = System.nanoTime();

      Optional<ResourcePool.Lease> yLease = y.get(10, TimeUnit.SECONDS);
      Duration yWaitedAfterRelease = Duration.ofNanos(System.nanoTime() - released);
      assertThat(yLease).isPresent();
      assertThat(yWaitedAfterRelease)
          .as("Y precedes X from 100 ms on (equal effective priority, earlier) and fits")
          .isLessThan(Duration.ofSeconds(1));
      yLease.get().close();
      h2.close();
      x.get(10, TimeUnit.SECONDS).ifPresent(ResourcePool.Lease::close);
      assertThat(pool.activeResources()).isEmpty();
    } finally {
      threads.shutdownNow();
    }
  }

  /**
   * The watchdog's disarm clears the thread's interrupt flag whenever the watch fired, even when
   * the flag was already set by the host before the deadline: the host's own interrupt is lost. The
   * host interrupts its call at ~20 ms; the step (busy, not checking interrupts) ends at 300 ms;
   * the watch fired at 100 ms on an already interrupted thread, yet disarm clears "its" interrupt.
   */
  @Test
  void hostInterruptBeforeTheDeadline_survivesTheWatchdogDisarm() throws Exception {
    PatternRegistry registry = new PatternRegistry();
    try (PatternExecutor executor = new PatternExecutor(registry)) {
      registry.register(new SequentialDelegationPattern("busy", "", List.of("spin")));
      CountDownLatch spinning = new CountDownLatch(1);
      executor
          .delegates()
          .register(
              "spin",
              in -> {
                spinning.countDown();
                long until = System.nanoTime() + 300_000_000L;
                while (System.nanoTime() < until) {
                  Thread.onSpinWait(); // busy, leaves the interrupt flag alone
                }
                return "done";
              });
      AtomicReference<PatternResult> result = new AtomicReference<>();
      AtomicBoolean flagAfterReturn = new AtomicBoolean();
      Thread caller =
          new Thread(
              () -> {
                result.set(
                    executor.executeBestPattern(
                        PatternContext.builder("orders", "sequential")
                            .timeout(Duration.ofMillis(100))
                            .build()));
                flagAfterReturn.set(Thread.interrupted());
              });
      caller.start();
      assertThat(spinning.await(10, TimeUnit.SECONDS)).isTrue();
      caller.interrupt(); // the host cancels its call, well before the 100 ms deadline
      caller.join(10_000);

      assertThat(result.get().attempts().get(0).status()).isEqualTo(OutcomeStatus.TIMED_OUT);
      assertThat(flagAfterReturn)
          .as("the host's interrupt (set before the watchdog fired) is kept")
          .isTrue();
    }
  }

  /**
   * A fallback dropped as a cycle is reported as "not registered": withoutCycles() removes it from
   * the selection's fallbacks, and the fallback loop reads the missing entry as an unregistered
   * pattern (a false diagnosis, and a REJECTED attempt that also makes any later fallback "not the
   * first attempt" for the TIMED_OUT rule).
   */
  @Test
  void fallbackDroppedAsACycle_isNotReportedAsUnregistered() {
    PatternRegistry registry = new PatternRegistry();
    AtomicReference<PatternResult> nested = new AtomicReference<>();
    try (PatternExecutor executor =
        PatternExecutor.builder(registry).fallbackPatterns("fb").build()) {
      registry.register(new NestingPattern("fb", "t", "u", nested));
      registry.register(new ScriptedPattern("q", "u", 1.0, OutcomeStatus.FAILED));
      executor.delegates().register("work", in -> in);

      executor.executeBestPattern(PatternContext.builder("orders", "t").payload("in").build());

      assertThat(registry.find("fb")).isPresent();
      assertThat(nested.get().message())
          .as("the nested execution's account of fallback 'fb'")
          .doesNotContain("fallback pattern 'fb' is not registered");
    }
  }

  /**
   * README and the record() javadoc: REJECTED (a missing delegate, a cycle) never counts and stays
   * visible "in the result's attempts and in registry.outcomesNotCounted(name)". A missing delegate
   * returns before record(), so it is not in outcomesNotCounted.
   */
  @Test
  void missingDelegate_isVisibleInOutcomesNotCounted() {
    PatternRegistry registry = new PatternRegistry();
    try (PatternExecutor executor = new PatternExecutor(registry)) {
      registry.register(new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS)); // no "work"

      PatternResult r = executor.executeBestPattern(PatternContext.builder("orders", "t").build());

      assertThat(r.attempts())
          .singleElement()
          .satisfies(a -> assertThat(a.status()).isEqualTo(OutcomeStatus.REJECTED));
      assertThat(registry.outcomesNotCounted("p")).containsEntry(OutcomeStatus.REJECTED, 1L);
    }
  }

  /** Serves {@code agent} by nesting a context of agent type {@code next}; keeps its result. */
  private static final class NestingPattern extends AbstractPattern {
    private final String agent;
    private final String next;
    private final AtomicReference<PatternResult> nested;

    NestingPattern(String name, String agent, String next, AtomicReference<PatternResult> nested) {
      super(name, "nests into " + next);
      this.agent = agent;
      this.next = next;
      this.nested = nested;
    }

    @Override
    public String type() {
      return "nesting";
    }

    @Override
    public Set<String> typeAliases() {
      return Set.of();
    }

    @Override
    public Set<String> agentTypes() {
      return Set.of(agent);
    }

    @Override
    public MatchResult match(PatternContext context) {
      return MatchResult.perfect();
    }

    @Override
    public PatternOutcome execute(PatternContext context, ExecutionScope scope) {
      PatternResult r =
          scope.executeBestPattern(
              PatternContext.builder(context.domain(), next).payload(context.payload()).build());
      nested.set(r);
      return r.success()
          ? PatternOutcome.success(r.output(), "nested ok")
          : PatternOutcome.failure(r.message(), null);
    }

    @Override
    public PatternDefinition definition() {
      return new PatternDefinition("nesting", name(), description(), Map.of());
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(1))
        .until(condition::getAsBoolean);
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }
}
