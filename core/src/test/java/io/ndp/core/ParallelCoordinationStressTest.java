package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.ndp.api.Attempt;
import io.ndp.api.Delegate;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.api.ResourcePool;
import io.ndp.patterns.parallel.ParallelCoordinationPattern;
import io.ndp.patterns.parallel.ResourceTask;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * Stress test of the parallel kind through the real registry and executor: <b>32 threads × 10,000
 * executions each</b> (320,000 {@code executeBestPattern} calls) over 3 parallel patterns that
 * share one {@link ResourcePool} with capacities cpu=6, memory=5, network=4 (each pattern has three
 * tasks needing 1 to 3 units; the executor's default cached thread pool runs them).
 *
 * <p>Each call requires a random subset of the resources (so one, two or three patterns match and
 * the executor falls back between them) and carries a seed as payload; each delegate derives from
 * it (seeded, reproducible decisions) whether to fail with a checked exception, throw an unchecked
 * one, throw an {@link Error}, or hang past the context's deadline until interrupted. A counter per
 * resource inside the delegates (raised on entry, lowered on exit) records the maximum units ever
 * in use at once.
 *
 * <p>Asserted at the end: every call returned a result; the maximum observed never exceeded a
 * capacity; nothing is held (per pattern, in the pool, in the counters) and nobody waits; nothing
 * deadlocked (the whole run is bounded by {@link #OVERALL_BOUND}). The figures are printed to
 * stdout. Takes about 40 seconds on 2 cores (about 20 of them are the machinery without contention;
 * the rest is tasks waiting up to the 20 ms acquire timeout for contended units).
 */
class ParallelCoordinationStressTest {
  private static final int THREADS = 32;
  private static final int EXECUTIONS_PER_THREAD = 10_000;
  private static final long SEED = 20_240_604L;
  private static final Duration OVERALL_BOUND = Duration.ofMinutes(3);
  private static final Duration CONTEXT_TIMEOUT = Duration.ofMillis(100);
  private static final Duration ACQUIRE_TIMEOUT = Duration.ofMillis(20);

  private static final String[] RESOURCES = {"cpu", "memory", "network"};
  private static final int[] CAPACITIES = {6, 5, 4};

  /** Faults a delegate may inject, with their odds per 10,000 task runs. */
  enum Fault {
    FAIL(40),
    THROW(40),
    ERROR(10),
    TIMEOUT(15);

    final int per10k;

    Fault(int per10k) {
      this.per10k = per10k;
    }
  }

  private final AtomicIntegerArray inUse = new AtomicIntegerArray(RESOURCES.length);
  private final AtomicIntegerArray maxInUse = new AtomicIntegerArray(RESOURCES.length);
  private final AtomicLong overCapacityEntries = new AtomicLong();
  private final Map<Fault, LongAdder> injected = new EnumMap<>(Fault.class);
  private final LongAdder taskRuns = new LongAdder();

  ParallelCoordinationStressTest() {
    for (Fault f : Fault.values()) {
      injected.put(f, new LongAdder());
    }
  }

  @Test
  void executeBestPattern_32ThreadsX10000_neverExceedsCapacityNorLeaks() {
    assertTimeoutPreemptively(OVERALL_BOUND, this::run);
  }

  private void run() throws Exception {
    ResourcePool pool =
        new ResourcePool(
            Map.of(
                RESOURCES[0],
                CAPACITIES[0],
                RESOURCES[1],
                CAPACITIES[1],
                RESOURCES[2],
                CAPACITIES[2]));
    List<ParallelCoordinationPattern> patterns =
        List.of(
            pattern(
                pool,
                "render",
                List.of(
                    task("r_decode", Map.of("cpu", 2)),
                    task("r_scale", Map.of("cpu", 1, "memory", 1)),
                    task("r_cache", Map.of("memory", 2)))),
            pattern(
                pool,
                "transfer",
                List.of(
                    task("t_buffer", Map.of("memory", 1)),
                    task("t_send", Map.of("network", 1, "memory", 1)),
                    task("t_ack", Map.of("network", 1)))),
            pattern(
                pool,
                "pipeline",
                List.of(
                    task("p_fetch", Map.of("network", 2)),
                    task("p_compute", Map.of("cpu", 3, "memory", 1)),
                    task("p_store", Map.of("memory", 1, "network", 1)))));
    PatternRegistry registry = new PatternRegistry();
    patterns.forEach(registry::register);

    Map<OutcomeStatus, LongAdder> attemptsByStatus = new EnumMap<>(OutcomeStatus.class);
    for (OutcomeStatus s : OutcomeStatus.values()) {
      attemptsByStatus.put(s, new LongAdder());
    }
    LongAdder results = new LongAdder();
    LongAdder successes = new LongAdder();
    LongAdder noAttempt = new LongAdder();
    long start = System.nanoTime();
    try (PatternExecutor executor = new PatternExecutor(registry)) {
      for (ParallelCoordinationPattern p : patterns) {
        for (ResourceTask t : p.tasks()) {
          executor.delegates().register(t.delegate(), delegateFor(t));
        }
      }
      ExecutorService callers = Executors.newFixedThreadPool(THREADS);
      try {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          SplittableRandom random = new SplittableRandom(SEED + t);
          running.add(
              callers.submit(
                  () -> {
                    go.await();
                    for (int i = 0; i < EXECUTIONS_PER_THREAD; i++) {
                      PatternResult r = executor.executeBestPattern(context(random));
                      assertThat(r).isNotNull();
                      results.increment();
                      if (r.success()) {
                        successes.increment();
                      }
                      if (r.attempts().isEmpty()) {
                        noAttempt.increment();
                      }
                      for (Attempt a : r.attempts()) {
                        attemptsByStatus.get(a.status()).increment();
                      }
                    }
                    return null;
                  }));
        }
        go.countDown();
        for (Future<?> f : running) {
          f.get();
        }
      } finally {
        callers.shutdownNow();
      }
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    int leaked = 0;
    for (int v : pool.activeResources().values()) {
      leaked += v;
    }
    StringBuilder figures = new StringBuilder();
    figures.append(
        String.format(
            Locale.ROOT,
            "%nParallelCoordinationStressTest: %d threads x %d executions = %d executeBestPattern"
                + " calls in %.1f s%n",
            THREADS,
            EXECUTIONS_PER_THREAD,
            results.sum(),
            took.toMillis() / 1000.0));
    figures.append(
        String.format(
            Locale.ROOT,
            "  results returned: %d (succeeded %d, failed %d, of which deadline passed before"
                + " any attempt %d)%n",
            results.sum(),
            successes.sum(),
            results.sum() - successes.sum(),
            noAttempt.sum()));
    figures.append(
        String.format(Locale.ROOT, "  task runs (delegate calls): %d%n", taskRuns.sum()));
    figures.append("  faults injected:");
    long injectedTotal = 0;
    for (Fault f : Fault.values()) {
      figures.append(
          String.format(
              Locale.ROOT, " %s=%d", f.name().toLowerCase(Locale.ROOT), injected.get(f).sum()));
      injectedTotal += injected.get(f).sum();
    }
    figures.append(String.format(Locale.ROOT, " (total %d)%n", injectedTotal));
    figures.append("  pattern attempts by outcome:");
    attemptsByStatus.forEach(
        (s, n) -> {
          if (n.sum() > 0) {
            figures.append(' ').append(s).append('=').append(n.sum());
          }
        });
    figures.append(System.lineSeparator());
    figures.append("  max units in use observed vs capacity:");
    for (int r = 0; r < RESOURCES.length; r++) {
      figures.append(
          String.format(Locale.ROOT, " %s %d/%d", RESOURCES[r], maxInUse.get(r), CAPACITIES[r]));
    }
    figures.append(System.lineSeparator());
    figures.append(
        String.format(
            Locale.ROOT,
            "  leaked units: %d (pool %s, per pattern %s, waiting requests %d)%n",
            leaked,
            pool.activeResources(),
            patterns.stream().map(p -> p.name() + "=" + p.activeResources()).toList(),
            pool.waitingRequests()));
    System.out.print(figures);

    assertThat(results.sum()).isEqualTo((long) THREADS * EXECUTIONS_PER_THREAD);
    assertThat(overCapacityEntries.get()).as("delegate entries above a capacity").isZero();
    for (int r = 0; r < RESOURCES.length; r++) {
      assertThat(maxInUse.get(r)).as("max units of %s", RESOURCES[r]).isBetween(1, CAPACITIES[r]);
      assertThat(inUse.get(r)).as("units of %s still counted in use", RESOURCES[r]).isZero();
    }
    for (ParallelCoordinationPattern p : patterns) {
      assertThat(p.activeResources()).as("active resources of %s", p.name()).isEmpty();
    }
    assertThat(pool.activeResources()).isEmpty();
    assertThat(pool.waitingRequests()).isZero();
    for (Fault f : Fault.values()) {
      assertThat(injected.get(f).sum()).as("injected %s", f).isPositive();
    }
    assertThat(successes.sum()).as("most executions succeed").isGreaterThan(results.sum() / 2);
    assertThat(attemptsByStatus.get(OutcomeStatus.CONFLICT).sum()).as("conflicts").isPositive();
  }

  private static ParallelCoordinationPattern pattern(
      ResourcePool pool, String name, List<ResourceTask> tasks) {
    ParallelCoordinationPattern.Builder b =
        ParallelCoordinationPattern.builder(name, "stress " + name)
            .pool(pool)
            .acquireTimeout(ACQUIRE_TIMEOUT)
            .tasks(tasks);
    tasks.forEach(t -> b.resources(t.resources().keySet()));
    return b.build();
  }

  private static ResourceTask task(String name, Map<String, Integer> units) {
    return ResourceTask.of(name, units);
  }

  /** A random requirement (possibly none), a seed as payload, and a short deadline. */
  private static PatternContext context(SplittableRandom random) {
    List<String> required = new ArrayList<>();
    for (String r : RESOURCES) {
      if (random.nextInt(3) == 0) {
        required.add(r);
      }
    }
    return PatternContext.builder("stress", "parallel")
        .attribute(PatternContext.REQUIRED_RESOURCES, required)
        .payload(random.nextLong())
        .timeout(CONTEXT_TIMEOUT)
        .build();
  }

  /**
   * A delegate that counts the units its task holds while it runs and injects the fault its seed
   * decides: the payload's seed mixed with the delegate's name, so that every call is reproducible.
   */
  private Delegate delegateFor(ResourceTask task) {
    int[] units = new int[RESOURCES.length];
    for (int r = 0; r < RESOURCES.length; r++) {
      units[r] = task.resources().getOrDefault(RESOURCES[r], 0);
    }
    long salt = task.delegate().hashCode() * 0x9E3779B97F4A7C15L;
    return input -> {
      taskRuns.increment();
      for (int r = 0; r < RESOURCES.length; r++) {
        if (units[r] > 0) {
          int now = inUse.addAndGet(r, units[r]);
          maxInUse.accumulateAndGet(r, now, Math::max);
          if (now > CAPACITIES[r]) {
            overCapacityEntries.incrementAndGet();
          }
        }
      }
      try {
        SplittableRandom decide = new SplittableRandom((Long) input ^ salt);
        int roll = decide.nextInt(10_000);
        for (Fault f : Fault.values()) {
          if (roll < f.per10k) {
            injected.get(f).increment();
            inject(f, task);
          }
          roll -= f.per10k;
        }
        // Ordinary work: a few microseconds while holding the units.
        for (int spin = decide.nextInt(200); spin > 0; spin--) {
          Thread.onSpinWait();
        }
        return task.name();
      } finally {
        for (int r = 0; r < RESOURCES.length; r++) {
          if (units[r] > 0) {
            inUse.addAndGet(r, -units[r]);
          }
        }
      }
    };
  }

  private static void inject(Fault f, ResourceTask task) throws Exception {
    switch (f) {
      case FAIL -> throw new IOException("injected failure in " + task.name());
      case THROW -> throw new IllegalStateException("injected bug in " + task.name());
      case ERROR -> throw new InjectedError(task.name());
      case TIMEOUT -> {
        // Longer than any deadline: only the pattern's cancellation ends it.
        hang(TimeUnit.MINUTES.toMillis(5));
        throw new IllegalStateException("a hanging delegate was not interrupted");
      }
    }
  }

  /** An {@link Error} a delegate throws on purpose. */
  static final class InjectedError extends Error {
    private static final long serialVersionUID = 1L;

    InjectedError(String task) {
      super("injected error in " + task);
    }
  }

  /**
   * Blocks interruptibly for {@code millis}, like a delegate stuck in I/O; only an interrupt ends
   * it early.
   */
  private static void hang(long millis) throws InterruptedException {
    new java.util.concurrent.CountDownLatch(1)
        .await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
  }
}
