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
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.api.ResourcePool;
import io.ndp.core.Ndp;
import io.ndp.patterns.meta.MetaOrchestrationPattern;
import io.ndp.patterns.parallel.ParallelCoordinationPattern;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A scripted run over the three built-in kinds with real delegates, known failures and fallbacks:
 * what the meters hold afterwards equals what the returned results say.
 */
@Timeout(60)
class NdpMetricsRunTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  /** Every tenth payload fails whatever pattern serves it. */
  private static boolean poison(int i) {
    return i % 10 == 9;
  }

  private static Object work(String what, Object payload) {
    if (payload instanceof Integer i && poison(i)) {
      throw new IllegalStateException(what + " refuses poison payload " + i);
    }
    return what + "(" + payload + ")";
  }

  @Test
  void scriptedRun_overTheThreeKinds_metersEqualTheReturnedResults() {
    NdpMetrics metrics = NdpMetrics.builder(meters).build();
    ResourcePool pool = new ResourcePool(Map.of("cpu", 2, "gpu", 1));
    List<PatternResult> sequential = new ArrayList<>();
    List<PatternResult> parallel = new ArrayList<>();
    List<PatternResult> meta = new ArrayList<>();
    try (Ndp ndp = Runtimes.runtime(metrics, pool)) {
      metrics.bindTo(ndp);
      // Two sequential patterns serve "sequential" contexts: the fast one also fails every fourth
      // payload, so the executor falls back to the safe one.
      ndp.register(new SequentialDelegationPattern("seq_fast", "fast", List.of("fast_store")));
      ndp.register(new SequentialDelegationPattern("seq_safe", "safe", List.of("safe_store")));
      ndp.register(
          new ParallelCoordinationPattern("par_main", "cpu and gpu", Set.of("cpu", "gpu")));
      ndp.register(
          new MetaOrchestrationPattern("meta_main", "auth and data", Set.of("auth", "data")));
      ndp.delegates()
          .register(
              "fast_store",
              in -> {
                if ((Integer) in % 4 == 0) {
                  throw new IllegalStateException("fast store is full for " + in);
                }
                return work("fast", in);
              });
      ndp.delegates().register("safe_store", in -> work("safe", in));
      ndp.delegates().register("cpu", in -> work("cpu", in));
      ndp.delegates().register("gpu", in -> work("gpu", in));
      ndp.delegates().register("auth", in -> work("auth", in));
      ndp.delegates().register("data", in -> "rows");

      for (int i = 0; i < 40; i++) {
        sequential.add(
            ndp.executor()
                .executeBestPattern(
                    PatternContext.builder("orders", "sequential").payload(i).build()));
      }
      for (int i = 0; i < 20; i++) {
        parallel.add(
            ndp.executor()
                .executeBestPattern(
                    PatternContext.builder("compute", "parallel")
                        .requiredResources("cpu", "gpu")
                        .payload(i)
                        .build()));
      }
      for (int i = 0; i < 20; i++) {
        meta.add(
            ndp.executor()
                .executeBestPattern(
                    PatternContext.builder("platform", "orchestrator")
                        .requiredDomains("auth", "data")
                        .payload(i)
                        .build()));
      }

      List<PatternResult> all = new ArrayList<>(sequential);
      all.addAll(parallel);
      all.addAll(meta);
      // The script: the poison payloads fail, everything else succeeds.
      assertThat(all.stream().filter(r -> !r.success())).hasSize(4 + 2 + 2);
      assertThat(sequential.stream().mapToLong(PatternResult::fallbacksTried).sum())
          .as("seq_fast fails payloads 0, 4, 8... while it ranks first")
          .isPositive();

      // Executions: per pattern and outcome, exactly what the results say; none nested here.
      assertThat(countedExecutions(meters)).isEqualTo(executionsByPatternAndOutcome(all));
      assertThat(timerCount(meters, NdpMetrics.EXECUTIONS, "outcome", "failure")).isEqualTo(8);
      assertThat(timerCount(meters, NdpMetrics.EXECUTIONS, "outcome", "success")).isEqualTo(72);
      assertThat(timerCount(meters, NdpMetrics.EXECUTIONS, "nested", "true")).isZero();
      assertThat(countedExecutions(meters, "domain", "orders"))
          .isEqualTo(executionsByPatternAndOutcome(sequential));
      assertThat(countedExecutions(meters, "domain", "compute"))
          .isEqualTo(executionsByPatternAndOutcome(parallel));
      assertThat(countedExecutions(meters, "domain", "platform"))
          .isEqualTo(executionsByPatternAndOutcome(meta));
      double recorded =
          meters.find(NdpMetrics.EXECUTIONS).timers().stream()
              .mapToDouble(t -> t.totalTime(TimeUnit.NANOSECONDS))
              .sum();
      long returned = all.stream().mapToLong(r -> r.totalDuration().toNanos()).sum();
      assertThat(recorded).isCloseTo(returned, within(1.0));
      double max =
          meters.find(NdpMetrics.EXECUTIONS).timers().stream()
              .mapToDouble(t -> t.max(TimeUnit.NANOSECONDS))
              .max()
              .orElseThrow();
      assertThat(max)
          .isEqualTo(
              (double)
                  all.stream()
                      .map(PatternResult::totalDuration)
                      .max(Duration::compareTo)
                      .get()
                      .toNanos());

      // Attempts and fallbacks, per tag tuple.
      assertThat(countedAttempts(meters)).isEqualTo(attemptsByPatternStatusKind(all));
      assertThat(countedFallbacks(meters)).isEqualTo(fallbacksByFromPattern(all));
      // Only the sequential kind has a second candidate to fall back to.
      assertThat(countedFallbacks(meters).keySet()).isNotEmpty().isSubsetOf("seq_fast", "seq_safe");

      // Gauges at rest.
      assertThat(gauge(meters, NdpMetrics.IN_FLIGHT)).isZero();
      assertThat(gauge(meters, NdpMetrics.RESOURCE_IN_USE, "resource", "cpu")).isZero();
      assertThat(gauge(meters, NdpMetrics.RESOURCE_IN_USE, "resource", "gpu")).isZero();
      assertThat(gauge(meters, NdpMetrics.RESOURCE_CAPACITY, "resource", "cpu")).isEqualTo(2);
      assertThat(gauge(meters, NdpMetrics.RESOURCE_CAPACITY, "resource", "gpu")).isEqualTo(1);
      assertThat(tagValues(meters, NdpMetrics.EXECUTIONS, "domain"))
          .containsExactly("compute", "orders", "platform");

      // Confidence: the registry's live figure, per pattern and domain.
      double safe = gauge(meters, NdpMetrics.CONFIDENCE, "pattern", "seq_safe", "domain", "orders");
      assertThat(safe)
          .isEqualTo(ndp.registry().getPattern("seq_safe").confidenceScore("orders"))
          .isGreaterThan(0.5);
      assertThat(gauge(meters, NdpMetrics.CONFIDENCE, "pattern", "par_main", "domain", "compute"))
          .isEqualTo(ndp.registry().getPattern("par_main").confidenceScore("compute"));
      assertThat(meters.find(NdpMetrics.CONFIDENCE).tags("domain", "orders").gauges())
          .extracting(g -> g.getId().getTag("pattern"))
          .containsExactlyInAnyOrder("seq_fast", "seq_safe");
    }
  }

  @Test
  void nestedExecutions_areTaggedNested_andTheirAttemptsCounted() {
    NdpMetrics metrics = NdpMetrics.builder(meters).build();
    List<PatternResult> results = new ArrayList<>();
    try (Ndp ndp = Runtimes.runtime(metrics, new ResourcePool())) {
      metrics.bindTo(ndp);
      ndp.register(
          new MetaOrchestrationPattern("meta_main", "auth and billing", Set.of("auth", "billing")));
      // billing has no delegate: a nested execution of the best sequential pattern serves it.
      ndp.register(new SequentialDelegationPattern("billing_flow", "charge", List.of("charge")));
      ndp.delegates().register("auth", in -> "token");
      ndp.delegates().register("charge", in -> "charged");
      for (int i = 0; i < 12; i++) {
        results.add(
            ndp.executor()
                .executeBestPattern(
                    PatternContext.builder("platform", "orchestrator")
                        .requiredDomains("auth", "billing")
                        .payload(i)
                        .build()));
      }
    }

    assertThat(results).allMatch(PatternResult::success);
    assertThat(countedExecutions(meters, "nested", "false"))
        .isEqualTo(executionsByPatternAndOutcome(results))
        .containsExactly(Map.entry("meta_main/success", 12L));
    assertThat(countedExecutions(meters, "nested", "true"))
        .containsExactly(Map.entry("billing_flow/success", 12L));
    assertThat(timerCount(meters, NdpMetrics.EXECUTIONS, "nested", "true", "domain", "billing"))
        .isEqualTo(12);
    // Each top-level result holds its one attempt; each nested run had one of its own.
    assertThat(timerCount(meters, NdpMetrics.ATTEMPTS, "pattern", "meta_main")).isEqualTo(12);
    assertThat(timerCount(meters, NdpMetrics.ATTEMPTS, "pattern", "billing_flow")).isEqualTo(12);
    assertThat(gauge(meters, NdpMetrics.IN_FLIGHT)).isZero();
  }

  @Test
  void parallelRun_resourceGaugeReachesCapacity_thenReturnsToZero() throws Exception {
    NdpMetrics metrics = NdpMetrics.builder(meters).build();
    CountDownLatch running = new CountDownLatch(2);
    CountDownLatch finish = new CountDownLatch(1);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try (Ndp ndp = Runtimes.runtime(metrics, new ResourcePool(Map.of("cpu", 2)))) {
      metrics.bindTo(ndp);
      ndp.register(new ParallelCoordinationPattern("par_cpu", "cpu", Set.of("cpu")));
      ndp.delegates()
          .register(
              "cpu",
              in -> {
                running.countDown();
                if (!finish.await(30, TimeUnit.SECONDS)) {
                  throw new IllegalStateException("never told to finish");
                }
                return "done " + in;
              });
      assertThat(gauge(meters, NdpMetrics.RESOURCE_CAPACITY, "resource", "cpu"))
          .as("binding reads the declared capacities")
          .isEqualTo(2);
      List<CompletableFuture<PatternResult>> runs = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        PatternContext context =
            PatternContext.builder("compute", "parallel")
                .requiredResources("cpu")
                .payload(i)
                .build();
        runs.add(
            CompletableFuture.supplyAsync(
                () -> ndp.executor().executeBestPattern(context), threads));
      }
      assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();

      // Both tasks hold their unit: acquisitions are reported before a task's delegate runs.
      assertThat(gauge(meters, NdpMetrics.RESOURCE_IN_USE, "resource", "cpu"))
          .isEqualTo(2)
          .isEqualTo(gauge(meters, NdpMetrics.RESOURCE_CAPACITY, "resource", "cpu"))
          .isEqualTo(ndp.registry().resourcePool().activeResources().get("cpu").doubleValue());
      assertThat(gauge(meters, NdpMetrics.IN_FLIGHT)).isEqualTo(2);

      finish.countDown();
      for (CompletableFuture<PatternResult> run : runs) {
        assertThat(run.get(30, TimeUnit.SECONDS).success()).isTrue();
      }
      assertThat(gauge(meters, NdpMetrics.RESOURCE_IN_USE, "resource", "cpu")).isZero();
      assertThat(gauge(meters, NdpMetrics.IN_FLIGHT)).isZero();
      Timer timer = meters.get(NdpMetrics.EXECUTIONS).tags("pattern", "par_cpu").timer();
      assertThat(timer.count()).isEqualTo(2);
    } finally {
      finish.countDown();
      threads.shutdownNow();
    }
  }
}
