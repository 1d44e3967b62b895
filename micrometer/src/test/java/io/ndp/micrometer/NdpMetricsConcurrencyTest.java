package io.ndp.micrometer;

import static io.ndp.micrometer.Runtimes.attemptsByPatternStatusKind;
import static io.ndp.micrometer.Runtimes.countedAttempts;
import static io.ndp.micrometer.Runtimes.countedExecutions;
import static io.ndp.micrometer.Runtimes.countedFallbacks;
import static io.ndp.micrometer.Runtimes.executionsByPatternAndOutcome;
import static io.ndp.micrometer.Runtimes.fallbacksByFromPattern;
import static io.ndp.micrometer.Runtimes.gauge;
import static io.ndp.micrometer.Runtimes.tagValues;
import static io.ndp.micrometer.Runtimes.timerCount;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.api.ResourcePool;
import io.ndp.core.Ndp;
import io.ndp.patterns.parallel.ParallelCoordinationPattern;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many threads report at once: the counts are exact at the end, the gauges back at rest, and the
 * cardinality guard admits exactly its number of domains.
 */
@Timeout(120)
class NdpMetricsConcurrencyTest {

  private static final int THREADS = 8;
  private static final int PER_THREAD = 500;

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @Test
  void eightThreadsTimesFiveHundredExecutions_countsAreExact_andGaugesAtRest() throws Exception {
    NdpMetrics metrics = NdpMetrics.builder(meters).domainTags(50).build();
    Queue<PatternResult> results = new ConcurrentLinkedQueue<>();
    try (Ndp ndp = Runtimes.runtime(metrics, new ResourcePool(Map.of("cpu", 3)))) {
      metrics.bindTo(ndp);
      ndp.register(new SequentialDelegationPattern("seq_a", "a", List.of("step_a")));
      ndp.register(new SequentialDelegationPattern("seq_b", "b", List.of("step_b")));
      ndp.register(new ParallelCoordinationPattern("par", "cpu", Set.of("cpu")));
      // step_a fails every third payload, step_b every seventh: failures and fallbacks both ways.
      ndp.delegates().register("step_a", in -> fail((Integer) in % 3 == 0, "a", in));
      ndp.delegates().register("step_b", in -> fail((Integer) in % 7 == 0, "b", in));
      ndp.delegates().register("cpu", in -> fail((Integer) in % 11 == 0, "cpu", in));

      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < PER_THREAD; i++) {
                    int n = thread * PER_THREAD + i;
                    // 100 domains over a guard of 50: the race to be admitted is on.
                    String domain = "d" + (n % 100);
                    PatternContext context =
                        n % 4 == 0
                            ? PatternContext.builder(domain, "parallel")
                                .requiredResources("cpu")
                                .payload(n)
                                .build()
                            : PatternContext.builder(domain, "sequential").payload(n).build();
                    results.add(ndp.executor().executeBestPattern(context));
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(100, TimeUnit.SECONDS);
      }
      pool.shutdown();

      assertThat(results).hasSize(THREADS * PER_THREAD);
      assertThat(timerCount(meters, NdpMetrics.EXECUTIONS)).isEqualTo(THREADS * PER_THREAD);
      assertThat(countedExecutions(meters)).isEqualTo(executionsByPatternAndOutcome(results));
      assertThat(timerCount(meters, NdpMetrics.EXECUTIONS, "outcome", "failure"))
          .isEqualTo(results.stream().filter(r -> !r.success()).count())
          .isPositive();
      assertThat(countedAttempts(meters)).isEqualTo(attemptsByPatternStatusKind(results));
      assertThat(countedFallbacks(meters)).isEqualTo(fallbacksByFromPattern(results)).isNotEmpty();
      assertThat(gauge(meters, NdpMetrics.IN_FLIGHT)).isZero();
      assertThat(gauge(meters, NdpMetrics.RESOURCE_IN_USE, "resource", "cpu")).isZero();
      assertThat(gauge(meters, NdpMetrics.RESOURCE_CAPACITY, "resource", "cpu")).isEqualTo(3);

      Set<String> domains = tagValues(meters, NdpMetrics.EXECUTIONS, "domain");
      assertThat(domains).hasSize(51).contains(NdpMetrics.OTHER_DOMAIN);
      assertThat(tagValues(meters, NdpMetrics.CONFIDENCE, "domain"))
          .hasSize(50)
          .doesNotContain(NdpMetrics.OTHER_DOMAIN);
      // Each admitted domain got its whole traffic (4000 / 100 executions), "other" the rest.
      for (String d : domains) {
        long expected = d.equals(NdpMetrics.OTHER_DOMAIN) ? 50L * 40 : 40;
        assertThat(timerCount(meters, NdpMetrics.EXECUTIONS, "domain", d))
            .as(d)
            .isEqualTo(expected);
      }
    }
  }

  private static Object fail(boolean fails, String what, Object in) {
    if (fails) {
      throw new IllegalStateException(what + " fails for " + in);
    }
    return what + "(" + in + ")";
  }
}
