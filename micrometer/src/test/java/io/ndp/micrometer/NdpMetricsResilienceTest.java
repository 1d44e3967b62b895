package io.ndp.micrometer;

import static io.ndp.micrometer.Runtimes.attemptsByPatternStatusKind;
import static io.ndp.micrometer.Runtimes.countedAttempts;
import static io.ndp.micrometer.Runtimes.countedExecutions;
import static io.ndp.micrometer.Runtimes.countedFallbacks;
import static io.ndp.micrometer.Runtimes.counterCount;
import static io.ndp.micrometer.Runtimes.executionsByPatternAndOutcome;
import static io.ndp.micrometer.Runtimes.fallbacksByFromPattern;
import static io.ndp.micrometer.Runtimes.gauge;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ndp.api.Attempt;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.api.ResourcePool;
import io.ndp.api.event.BreakerStateChangedEvent;
import io.ndp.api.event.NdpListener;
import io.ndp.core.BreakerPolicy;
import io.ndp.core.Ndp;
import io.ndp.core.RetryPolicy;
import io.ndp.patterns.parallel.ParallelCoordinationPattern;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * Retries and circuit breakers on, faults injected, many threads: what the meters counted equals
 * what the results say (executions, attempts by kind, fallbacks, retries), the breaker transitions
 * equal the events, and the gauges are at rest at the end.
 */
class NdpMetricsResilienceTest {
  private static final int THREADS = 8;
  private static final int PER_THREAD = 1_000;

  @Test
  void withRetriesAndBreakers_countsInMetricsEqualTheResults() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    NdpMetrics metrics = NdpMetrics.builder(meters).build();
    LongAdder transitions = new LongAdder();
    NdpListener counting =
        new NdpListener() {
          @Override
          public void onBreakerStateChanged(BreakerStateChangedEvent e) {
            transitions.increment();
          }
        };
    Queue<PatternResult> results = new ConcurrentLinkedQueue<>();
    try (Ndp ndp =
        Runtimes.runtime(
            metrics,
            new ResourcePool(Map.of("cpu", 2)),
            b ->
                b.listener(counting)
                    .retry(
                        RetryPolicy.builder()
                            .maxRetries(2)
                            .initialBackoff(Duration.ofMillis(1))
                            .maxBackoff(Duration.ofMillis(2))
                            .build())
                    .circuitBreaker(
                        BreakerPolicy.builder()
                            .window(10)
                            .minimumCalls(5)
                            .failureRateThreshold(40)
                            .coolDown(Duration.ofMillis(5))
                            .probes(2)
                            .build()))) {
      metrics.bindTo(ndp);
      ndp.register(new SequentialDelegationPattern("seq_a", "a", List.of("step_a")));
      ndp.register(new SequentialDelegationPattern("seq_b", "b", List.of("step_b")));
      ndp.register(new ParallelCoordinationPattern("par", "cpu", Set.of("cpu")));
      // Domain "bad" fails most of the time (breakers open there), the others now and then.
      ndp.delegates().register("step_a", in -> fail(in, 0.15, 0.8, "a"));
      ndp.delegates().register("step_b", in -> fail(in, 0.05, 0.3, "b"));
      ndp.delegates().register("cpu", in -> fail(in, 0.05, 0.5, "cpu"));

      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  SplittableRandom random = new SplittableRandom(thread);
                  for (int i = 0; i < PER_THREAD; i++) {
                    String domain = random.nextInt(4) == 0 ? "bad" : "d" + random.nextInt(3);
                    long seed = random.nextLong();
                    Object payload = new Payload(domain.equals("bad"), seed);
                    PatternContext context =
                        random.nextInt(4) == 0
                            ? PatternContext.builder(domain, "parallel")
                                .requiredResources("cpu")
                                .payload(payload)
                                .build()
                            : PatternContext.builder(domain, "sequential").payload(payload).build();
                    results.add(ndp.executor().executeBestPattern(context));
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(2, TimeUnit.MINUTES);
      }
      pool.shutdown();

      assertThat(results).hasSize(THREADS * PER_THREAD);
      long retries = results.stream().mapToLong(PatternResult::retries).sum();
      long skips =
          results.stream()
              .flatMap(r -> r.attempts().stream())
              .filter(a -> a.kind() == Attempt.Kind.SKIPPED)
              .count();
      assertThat(retries).as("retries were made").isPositive();
      assertThat(skips).as("breakers skipped patterns").isPositive();
      assertThat(countedExecutions(meters, "nested", "false"))
          .isEqualTo(executionsByPatternAndOutcome(results));
      assertThat(countedAttempts(meters)).isEqualTo(attemptsByPatternStatusKind(results));
      assertThat(countedFallbacks(meters)).isEqualTo(fallbacksByFromPattern(results));
      assertThat((long) counterCount(meters, NdpMetrics.RETRIES)).isEqualTo(retries);
      assertThat((long) counterCount(meters, NdpMetrics.BREAKER_TRANSITIONS))
          .isEqualTo(transitions.sum())
          .isPositive();
      assertThat(gauge(meters, NdpMetrics.IN_FLIGHT)).isZero();
      assertThat(gauge(meters, NdpMetrics.RESOURCE_IN_USE, "resource", "cpu")).isZero();
      assertThat(ndp.registry().resourcePool().activeResources()).isEmpty();
    }
  }

  /** A delegate's input: whether it runs in the troubled domain, and the seed of its fault. */
  private record Payload(boolean bad, long seed) {}

  private static Object fail(Object in, double rate, double badRate, String what) {
    Payload p = (Payload) in;
    // A fresh draw per call, so that a retry may succeed where its first try failed.
    double roll = new SplittableRandom(p.seed() ^ System.nanoTime()).nextDouble();
    if (roll < (p.bad() ? badRate : rate)) {
      throw new IllegalStateException(what + " fails");
    }
    return what + " ok";
  }
}
