package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.patterns.meta.MetaOrchestrationPattern;
import io.ndp.patterns.parallel.ParallelCoordinationPattern;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Nesting never deadlocks on a bounded executor: a kind that waits runs the work the executor has
 * not started itself. Without that, meta-orchestration over two parallel domains on a pool of two
 * threads never returned.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BoundedExecutorTest {

  /** Meta over two domains, each served by a parallel pattern. */
  @ParameterizedTest(name = "{0} thread(s)")
  @ValueSource(ints = {1, 2, 4})
  void metaOverParallel_onASmallFixedPool_returns(int threads) {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    PatternRegistry registry = new PatternRegistry();
    try (PatternExecutor executor = PatternExecutor.builder(registry).executor(pool).build()) {
      registry.register(
          MetaOrchestrationPattern.builder("outer")
              .domains("left", "right")
              .defaultDomainAgentType("parallel")
              .build());
      registry.register(
          ParallelCoordinationPattern.builder("par", "")
              .capacity("cpu", 4)
              .task("a", Map.of("cpu", 1))
              .task("b", Map.of("cpu", 1))
              .task("c", Map.of("cpu", 1))
              .build());
      for (String t : List.of("a", "b", "c")) {
        executor.delegates().register(t, in -> t + "!");
      }

      PatternResult r =
          executor.executeBestPattern(
              PatternContext.builder("platform", "orchestrator")
                  .requiredDomains("left", "right")
                  .build());

      assertThat(r.success()).as(r.message()).isTrue();
      assertThat(registry.resourcePool().activeResources()).isEmpty();
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Meta over parallel over meta: the parallel pattern's tasks are delegates that run another
   * meta-orchestration through the same executor.
   */
  @ParameterizedTest(name = "{0} thread(s)")
  @ValueSource(ints = {1, 2, 4})
  void metaOverParallelOverMeta_onASmallFixedPool_returns(int threads) {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    PatternRegistry registry = new PatternRegistry();
    AtomicReference<PatternExecutor> self = new AtomicReference<>();
    try (PatternExecutor executor = PatternExecutor.builder(registry).executor(pool).build()) {
      self.set(executor);
      registry.register(
          MetaOrchestrationPattern.builder("outer")
              .domains("left", "right")
              .defaultDomainAgentType("parallel")
              .build());
      registry.register(
          ParallelCoordinationPattern.builder("par", "")
              .capacity("cpu", 4)
              .task("x", Map.of("cpu", 1))
              .task("y", Map.of("cpu", 1))
              .build());
      registry.register(MetaOrchestrationPattern.builder("inner").domains("p", "q").build());
      executor.delegates().register("p", in -> "p");
      executor.delegates().register("q", in -> "q");
      for (String t : List.of("x", "y")) {
        executor
            .delegates()
            .register(
                t,
                in -> {
                  PatternResult inner =
                      self.get()
                          .executeBestPattern(
                              PatternContext.builder("inner-" + t, "orchestrator")
                                  .requiredDomains("p", "q")
                                  .build());
                  if (!inner.success()) {
                    throw new IllegalStateException(inner.message());
                  }
                  return inner.output();
                });
      }

      PatternResult r =
          executor.executeBestPattern(
              PatternContext.builder("platform", "orchestrator")
                  .requiredDomains("left", "right")
                  .build());

      assertThat(r.success()).as(r.message()).isTrue();
      assertThat(registry.resourcePool().activeResources()).isEmpty();
    } finally {
      pool.shutdownNow();
    }
  }
}
