package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.ndp.api.Attempt;
import io.ndp.api.ConfidenceStats;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * Many threads execute and record outcomes at once; at the end every count must agree exactly: the
 * results, the attempts in them, the delegate invocations and the statistics in storage.
 */
class ExecutorConcurrencyTest {

  private static final int THREADS = 16;
  private static final int PER_THREAD = 2_000;
  private static final String[] DOMAINS = {"orders", "billing", "shipping"};

  @Test
  void concurrentExecutions_loseNoOutcome() {
    assertTimeoutPreemptively(Duration.ofMinutes(2), this::run);
  }

  private void run() throws Exception {
    PatternRegistry registry = new PatternRegistry();
    PatternStorage storage = new PatternStorage(registry);
    List<SequentialDelegationPattern> patterns =
        List.of(
            new SequentialDelegationPattern("full", "", List.of("validate", "process", "store")),
            new SequentialDelegationPattern("short", "", List.of("validate", "store")),
            new SequentialDelegationPattern("audited", "", List.of("validate", "audit", "store")));
    for (SequentialDelegationPattern p : patterns) {
      registry.register(p);
      storage.storePattern(p);
    }
    try (PatternExecutor executor = new PatternExecutor(registry)) {
      Map<String, LongAdder> invocations = new ConcurrentHashMap<>();
      AtomicLong injected = new AtomicLong();
      for (String step : List.of("validate", "process", "store", "audit")) {
        executor
            .delegates()
            .register(
                step,
                in -> {
                  invocations.computeIfAbsent(step, k -> new LongAdder()).increment();
                  long roll = (Long) in;
                  // "store" fails for a deterministic fifth of the inputs.
                  if (step.equals("store") && roll % 5 == 0) {
                    injected.incrementAndGet();
                    throw new IllegalStateException("disk full for " + roll);
                  }
                  return in;
                });
      }

      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      CountDownLatch start = new CountDownLatch(1);
      LongAdder results = new LongAdder();
      LongAdder successes = new LongAdder();
      Map<String, LongAdder> succeededAttempts = new ConcurrentHashMap<>();
      Map<String, LongAdder> failedAttempts = new ConcurrentHashMap<>();
      for (int t = 0; t < THREADS; t++) {
        long seed = t;
        pool.execute(
            () -> {
              SplittableRandom random = new SplittableRandom(seed);
              try {
                start.await();
              } catch (InterruptedException e) {
                return;
              }
              for (int i = 0; i < PER_THREAD; i++) {
                PatternContext ctx =
                    PatternContext.builder(DOMAINS[random.nextInt(DOMAINS.length)], "sequential")
                        .requiredSteps(
                            random.nextBoolean() ? List.of("validate", "store") : List.of())
                        .payload(random.nextLong(1_000_000))
                        .build();
                PatternResult r = executor.executeBestPattern(ctx);
                results.increment();
                if (r.success()) {
                  successes.increment();
                }
                for (Attempt a : r.attempts()) {
                  (a.status() == OutcomeStatus.SUCCESS ? succeededAttempts : failedAttempts)
                      .computeIfAbsent(a.patternName(), k -> new LongAdder())
                      .increment();
                }
              }
            });
      }
      start.countDown();
      pool.shutdown();
      assertThat(pool.awaitTermination(90, TimeUnit.SECONDS)).isTrue();

      long total = (long) THREADS * PER_THREAD;
      assertThat(results.sum()).isEqualTo(total);
      long storedSuccesses = 0;
      long storedFailures = 0;
      for (SequentialDelegationPattern p : patterns) {
        ConfidenceStats stats = storage.statistics(p.name());
        assertThat(stats.successes()).as(p.name()).isEqualTo(sum(succeededAttempts, p.name()));
        assertThat(stats.failures()).as(p.name()).isEqualTo(sum(failedAttempts, p.name()));
        storedSuccesses += stats.successes();
        storedFailures += stats.failures();
      }
      assertThat(storedSuccesses).isEqualTo(successes.sum());
      // Every "store" invocation either failed (injected) or completed a successful attempt.
      assertThat(invocations.get("store").sum()).isEqualTo(storedSuccesses + storedFailures);
      assertThat(injected.get()).isEqualTo(storedFailures);
      assertThat(storedFailures).isPositive();
    }
  }

  private static long sum(Map<String, LongAdder> counts, String name) {
    LongAdder a = counts.get(name);
    return a == null ? 0 : a.sum();
  }
}
