package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.Attempt;
import io.ndp.api.BreakerState;
import io.ndp.api.ConfidenceStats;
import io.ndp.api.Delegate;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.api.ResourcePool;
import io.ndp.api.event.AttemptFinishedEvent;
import io.ndp.api.event.BreakerStateChangedEvent;
import io.ndp.api.event.ExecutionFinishedEvent;
import io.ndp.api.event.NdpListener;
import io.ndp.api.event.RetryEvent;
import io.ndp.patterns.meta.MetaOrchestrationPattern;
import io.ndp.patterns.parallel.ParallelCoordinationPattern;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fault soak across the three kinds through one executor on its default bounded pool: sequential,
 * parallel (tasks on shared capacities) and meta-orchestration (domains nested into the parallel
 * kind). Each delegate, decided by a seeded random per call, succeeds, fails, throws, throws an
 * {@link Error}, hangs past the context's deadline until interrupted, or spins past it ignoring the
 * interrupt; and some callers are interrupted from outside.
 *
 * <p>The parallel and meta-orchestration calls pick a failure policy at random (FAIL_FAST,
 * COLLECT_ALL, BEST_EFFORT, QUORUM(1)).
 *
 * <p>Asserted at the end: every call returned; nothing is held in the pool and nobody waits; no
 * delegate is still running after the executor closed; every result is explained by its attempts
 * (success exactly when its last attempt succeeded); for the top-level patterns, the confidence the
 * registry recorded equals the outcomes that count, taken from the results. Printed: the figures,
 * and the time from a parallel run's deadline to its return (by then its units are released).
 *
 * <p>Run twice: as it is, and with retries and circuit breakers on (a quarter of the calls, in
 * domain d3, meet two and a half times the faults, so that breakers open there). Asserted too: what
 * a listener counted (executions, attempts, retries) equals what the results say.
 *
 * <p>{@code -Dndp.soak.executions=N} sets the size (100,000 in {@code mvn verify}; the {@code soak}
 * profile runs 1,000,000).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class FaultSoakTest {
  private static final int THREADS = 16;
  private static final Duration TIMEOUT = Duration.ofMillis(50);
  private static final String[] DOMAINS = {"d0", "d1", "d2", "d3"};
  private static final String[] POLICIES = {"FAIL_FAST", "COLLECT_ALL", "BEST_EFFORT", "QUORUM(1)"};

  enum Fault {
    NONE,
    FAIL,
    THROW,
    ERROR,
    HANG,
    SWALLOW
  }

  private final Map<Fault, LongAdder> injected = new EnumMap<>(Fault.class);
  private final AtomicInteger running = new AtomicInteger();

  /** A delegate that does a little work, or the fault its input's seed picks. */
  private Delegate delegate(String name) {
    return in -> {
      running.incrementAndGet();
      try {
        long seed = in instanceof Long l ? l : (long) name.hashCode();
        SplittableRandom r = new SplittableRandom(seed ^ name.hashCode());
        // An odd seed is a call in the troubled domain: a fault two and a half times as often.
        int roll = (seed & 1) == 1 ? r.nextInt(400) : r.nextInt(1000);
        Fault f =
            roll < 20
                ? Fault.FAIL
                : roll < 35
                    ? Fault.THROW
                    : roll < 40
                        ? Fault.ERROR
                        : roll < 47 ? Fault.HANG : roll < 49 ? Fault.SWALLOW : Fault.NONE;
        injected.get(f).increment();
        switch (f) {
          case FAIL -> throw new java.io.IOException("injected failure in " + name);
          case THROW -> throw new IllegalStateException("injected exception in " + name);
          case ERROR -> throw new AssertionError("injected error in " + name);
          case HANG -> {
            Object lock = new Object();
            synchronized (lock) {
              lock.wait(TIMEOUT.toMillis() * 20); // past the deadline, until interrupted
            }
            return "hung";
          }
          case SWALLOW -> {
            long until = System.nanoTime() + TIMEOUT.toNanos() * 2;
            while (System.nanoTime() < until) {
              Thread.interrupted(); // ignores the deadline's interrupt
            }
            return "late";
          }
          default -> {
            return name + ":" + (seed & 0xff);
          }
        }
      } finally {
        running.decrementAndGet();
      }
    };
  }

  /** Counts the events of top-level executions (domains d0..d3), as a metrics binding would. */
  static final class Counting implements NdpListener {
    final LongAdder attempts = new LongAdder();
    final LongAdder retries = new LongAdder();
    final LongAdder skips = new LongAdder();
    final LongAdder executions = new LongAdder();
    final ConcurrentLinkedQueue<BreakerStateChangedEvent> changes = new ConcurrentLinkedQueue<>();

    private static boolean topLevel(PatternContext c) {
      return c.domain().length() == 2 && c.domain().charAt(0) == 'd';
    }

    @Override
    public void onAttemptFinished(AttemptFinishedEvent e) {
      if (topLevel(e.context())) {
        attempts.increment();
        if (e.attempt().kind() == Attempt.Kind.SKIPPED) {
          skips.increment();
        }
      }
    }

    @Override
    public void onRetry(RetryEvent e) {
      if (topLevel(e.context())) {
        retries.increment();
      }
    }

    @Override
    public void onExecutionFinished(ExecutionFinishedEvent e) {
      if (e.depth() == 0) {
        executions.increment();
      }
    }

    @Override
    public void onBreakerStateChanged(BreakerStateChangedEvent e) {
      changes.add(e);
    }
  }

  @ParameterizedTest(name = "retries and breakers: {0}")
  @ValueSource(booleans = {false, true})
  void faultSoak_acrossAllKinds_leavesNothingBehind_andCountsExactly(boolean resilient)
      throws Exception {
    for (Fault f : Fault.values()) {
      injected.put(f, new LongAdder());
    }
    int executions = Integer.getInteger("ndp.soak.executions", 100_000);
    Counting counting = new Counting();
    PatternRegistry.Builder rb =
        PatternRegistry.builder()
            .resourcePool(new ResourcePool(Map.of("cpu", 4, "memory", 3)))
            .listener(counting);
    if (resilient) {
      rb.circuitBreaker(
          BreakerPolicy.builder()
              .window(20)
              .minimumCalls(10)
              .failureRateThreshold(30)
              .coolDown(Duration.ofMillis(20))
              .probes(2)
              .build());
    }
    PatternRegistry registry = rb.build();
    registry.register(new SequentialDelegationPattern("seq-a", "", List.of("parse", "store")));
    registry.register(
        new SequentialDelegationPattern("seq-b", "", List.of("parse", "check", "store")));
    registry.register(
        ParallelCoordinationPattern.builder("par", "")
            .resources("cpu", "memory")
            .task("crunch", Map.of("cpu", 2))
            .task("cache", Map.of("memory", 1, "cpu", 1))
            .acquireTimeout(Duration.ofMillis(20))
            .build());
    registry.register(
        MetaOrchestrationPattern.builder("meta")
            .domains("auth", "compute")
            .domainAgentType("compute", "parallel")
            .after("compute", "auth")
            .build());
    Map<String, LongAdder> byStatus = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<String> unexplained = new ConcurrentLinkedQueue<>();
    // pattern -> domain -> [successes, failures] counted from the results (top level only)
    Map<String, Map<String, long[]>> expected = new ConcurrentHashMap<>();
    ConcurrentHistogram deadlineToReturn = new ConcurrentHistogram(3);
    AtomicLong interruptsSent = new AtomicLong();
    LongAdder retriesInResults = new LongAdder();
    LongAdder attemptsInResults = new LongAdder();
    long t0 = System.nanoTime();
    PatternExecutor.Builder eb = PatternExecutor.builder(registry).listener(counting);
    if (resilient) {
      eb.retry(
          RetryPolicy.builder()
              .maxRetries(1)
              .initialBackoff(Duration.ofMillis(1))
              .maxBackoff(Duration.ofMillis(5))
              .budget(2)
              .build());
    }
    try (PatternExecutor executor = eb.build()) {
      for (String d : List.of("parse", "store", "check", "crunch", "cache", "auth")) {
        executor.delegates().register(d, delegate(d));
      }
      ExecutorService callers = Executors.newFixedThreadPool(THREADS);
      List<Future<?>> futures = new ArrayList<>();
      int perThread = executions / THREADS;
      for (int t = 0; t < THREADS; t++) {
        int id = t;
        futures.add(
            callers.submit(
                () -> {
                  SplittableRandom random = new SplittableRandom(1_000 + id);
                  for (int i = 0; i < perThread; i++) {
                    String agent =
                        switch (random.nextInt(3)) {
                          case 0 -> "sequential";
                          case 1 -> "parallel";
                          default -> "orchestrator";
                        };
                    String domain = DOMAINS[random.nextInt(DOMAINS.length)];
                    long payload = random.nextLong();
                    // d3 is the troubled domain (odd seeds: more faults).
                    payload = domain.equals("d3") ? payload | 1 : payload & ~1L;
                    PatternContext.Builder b =
                        PatternContext.builder(domain, agent).payload(payload).timeout(TIMEOUT);
                    if (agent.equals("orchestrator")) {
                      b.requiredDomains("auth", "compute");
                    }
                    if (!agent.equals("sequential")) {
                      b.attribute("failure_policy", POLICIES[random.nextInt(POLICIES.length)]);
                    }
                    if (random.nextInt(500) == 0) {
                      Thread.currentThread().interrupt(); // an interrupt from outside
                      interruptsSent.incrementAndGet();
                    }
                    long start = System.nanoTime();
                    PatternResult r = executor.executeBestPattern(b.build());
                    long end = System.nanoTime();
                    Thread.interrupted();
                    account(r, domain, byStatus, unexplained, expected);
                    retriesInResults.add(r.retries());
                    attemptsInResults.add(r.attempts().size());
                    if (agent.equals("parallel")
                        && !r.attempts().isEmpty()
                        && r.attempts().get(0).status() == OutcomeStatus.TIMED_OUT) {
                      deadlineToReturn.recordValue(Math.max(0, end - start - TIMEOUT.toNanos()));
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(9, TimeUnit.MINUTES);
      }
      callers.shutdown();
      assertThat(callers.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);

    Map<String, Long> faults = new TreeMap<>();
    injected.forEach((f, n) -> faults.put(f.name(), n.sum()));
    Map<String, Long> statuses = new TreeMap<>();
    byStatus.forEach((k, v) -> statuses.put(k, v.sum()));
    System.out.printf(
        "FaultSoakTest (retries and breakers %s): %d executions in %.1f s on %d caller threads;"
            + " faults injected %s; caller interrupts %d; first attempts by outcome %s%n",
        resilient ? "on" : "off",
        executions,
        took.toMillis() / 1000.0,
        THREADS,
        faults,
        interruptsSent.get(),
        statuses);
    System.out.printf(
        "  attempts %d, retries %d, breaker skips %d, breaker changes %d%n",
        attemptsInResults.sum(),
        retriesInResults.sum(),
        counting.skips.sum(),
        counting.changes.size());
    System.out.printf(
        "  parallel timeouts: %d; deadline to return (units released): p50 %.1f ms, p99 %.1f ms,"
            + " max %.1f ms%n",
        deadlineToReturn.getTotalCount(),
        deadlineToReturn.getValueAtPercentile(50) / 1e6,
        deadlineToReturn.getValueAtPercentile(99) / 1e6,
        deadlineToReturn.getMaxValue() / 1e6);
    System.out.printf(
        "  after close: units held %s, waiting %d, delegates still running %d%n",
        registry.resourcePool().activeResources(),
        registry.resourcePool().waitingRequests(),
        running.get());

    assertThat(unexplained).isEmpty();
    assertThat(registry.resourcePool().activeResources()).isEmpty();
    assertThat(registry.resourcePool().waitingRequests()).isZero();
    assertThat(running).hasValue(0);
    for (String pattern : List.of("seq-a", "seq-b", "par", "meta")) {
      for (String domain : DOMAINS) {
        long[] e = expected.getOrDefault(pattern, Map.of()).getOrDefault(domain, new long[2]);
        ConfidenceStats stats = registry.statistics(pattern, domain);
        assertThat(new long[] {stats.successes(), stats.failures()})
            .as("%s in %s", pattern, domain)
            .containsExactly(e[0], e[1]);
      }
    }
    assertThat(faults.values().stream().mapToLong(Long::longValue).sum()).isPositive();
    // What listeners (a metrics binding) counted equals what the results say.
    assertThat(counting.executions.sum()).isEqualTo((long) executions / THREADS * THREADS);
    assertThat(counting.attempts.sum()).isEqualTo(attemptsInResults.sum());
    assertThat(counting.retries.sum()).isEqualTo(retriesInResults.sum());
    if (resilient) {
      assertThat(retriesInResults.sum()).as("retries were made").isPositive();
      assertThat(counting.skips.sum()).as("breakers skipped patterns").isPositive();
      // Per breaker, each change starts where the one before ended.
      Map<String, BreakerState> at = new java.util.HashMap<>();
      for (BreakerStateChangedEvent c : counting.changes) {
        String key = c.patternName() + "@" + c.domain();
        assertThat(c.from()).as(key).isEqualTo(at.getOrDefault(key, BreakerState.CLOSED));
        at.put(key, c.to());
      }
    } else {
      assertThat(retriesInResults.sum() + counting.skips.sum()).isZero();
    }
  }

  /**
   * Checks that a result is explained by its attempts and adds the outcomes that count (see {@code
   * PatternExecutor}: SUCCESS for, FAILED against, TIMED_OUT against on the first attempt that ran
   * only).
   */
  private static void account(
      PatternResult r,
      String domain,
      Map<String, LongAdder> byStatus,
      ConcurrentLinkedQueue<String> unexplained,
      Map<String, Map<String, long[]>> expected) {
    List<Attempt> attempts = r.attempts();
    boolean lastSucceeded = !attempts.isEmpty() && attempts.get(attempts.size() - 1).isSuccess();
    if (r.success() != lastSucceeded
        || (r.success()
            && !attempts.get(attempts.size() - 1).patternName().equals(r.chosenPattern()))
        || attempts.stream().limit(Math.max(0, attempts.size() - 1)).anyMatch(Attempt::isSuccess)) {
      unexplained.add(r.message());
    }
    if (!attempts.isEmpty()) {
      byStatus.computeIfAbsent(attempts.get(0).status().name(), k -> new LongAdder()).increment();
    }
    boolean noneRanBefore = true;
    for (int i = 0; i < attempts.size(); i++) {
      Attempt a = attempts.get(i);
      int slot =
          switch (a.status()) {
            case SUCCESS -> 0;
            case FAILED -> 1;
            case TIMED_OUT -> noneRanBefore ? 1 : -1;
            default -> -1;
          };
      noneRanBefore &= a.status() == OutcomeStatus.REJECTED; // a skip did not run
      if (slot >= 0) {
        long[] counts =
            expected
                .computeIfAbsent(a.patternName(), k -> new ConcurrentHashMap<>())
                .computeIfAbsent(domain, k -> new long[2]);
        synchronized (counts) {
          counts[slot]++;
        }
      }
    }
  }
}
