package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.patterns.parallel.ParallelCoordinationPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The guide's "Parallel Pattern" and "Resource Monitoring" snippets, in Java, with real delegates.
 */
@Timeout(30)
class ParallelResourceMonitoringTest {

  @Test
  void monitoringLoop_whileTasksRun_printsTheirActiveResourcesThenNone() throws Exception {
    PatternRegistry registry = new PatternRegistry();
    PatternStorage storage = new PatternStorage(registry);
    // Guide, 3. Parallel Pattern
    Set<String> resources = Set.of("cpu", "memory", "network");
    ParallelCoordinationPattern parallelPattern =
        new ParallelCoordinationPattern(
            "resource_manager", "Resource-based parallel execution", resources);
    registry.register(parallelPattern);
    storage.storePattern(parallelPattern);

    CountDownLatch running = new CountDownLatch(2);
    CountDownLatch finish = new CountDownLatch(1);
    try (PatternExecutor executor = new PatternExecutor(registry)) {
      for (String r : List.of("cpu", "memory")) {
        executor
            .delegates()
            .register(
                r,
                input -> {
                  running.countDown();
                  finish.await(10, TimeUnit.SECONDS);
                  return r + " done";
                });
      }
      PatternContext context =
          new PatternContext(
              "your_domain", "parallel", Map.of("required_resources", List.of("cpu", "memory")));
      CompletableFuture<PatternResult> execution =
          CompletableFuture.supplyAsync(() -> executor.executeBestPattern(context));
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();

      // Guide, Monitoring 2. Resource Monitoring
      List<String> printed = new ArrayList<>();
      List<Pattern> parallelPatterns = storage.getPatternsByType("ParallelCoordinationPattern");
      for (Pattern pattern : parallelPatterns) {
        printed.add(pattern.name() + " active resources: " + pattern.activeResources());
      }
      printed.forEach(System.out::println);

      assertThat(printed).containsExactly("resource_manager active resources: {cpu=1, memory=1}");
      finish.countDown();
      PatternResult result = execution.get(10, TimeUnit.SECONDS);
      assertThat(result.success()).isTrue();
      assertThat(result.output()).isEqualTo(Map.of("cpu", "cpu done", "memory", "memory done"));
      // execute returns only after every task released its units.
      assertThat(parallelPattern.activeResources()).isEmpty();
    }
  }
}
