package io.ndp.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.api.event.ExecutionFinishedEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RecentDecisionsTest {

  private static ExecutionFinishedEvent finished(String domain, int depth) {
    PatternContext c = PatternContext.builder(domain, "sequential").payload("secret").build();
    PatternResult r =
        new PatternResult(true, "ok", "p", "output", List.of(), Map.of(), Duration.ofMillis(3));
    return new ExecutionFinishedEvent(c, r, depth);
  }

  @Test
  void keepsTheNewest_newestFirst() {
    RecentDecisions recent = new RecentDecisions(3, Clock.systemUTC());
    for (int i = 0; i < 5; i++) {
      recent.onExecutionFinished(finished("d" + i, 0));
    }
    assertThat(recent.newestFirst())
        .extracting(RecentDecisions.DecisionSummary::domain)
        .containsExactly("d4", "d3", "d2");
  }

  @Test
  void nestedExecutions_areNotDecisionsOfTheirOwn() {
    RecentDecisions recent = new RecentDecisions(3, Clock.systemUTC());
    recent.onExecutionFinished(finished("nested", 1));
    assertThat(recent.newestFirst()).isEmpty();
  }

  @Test
  void capacityBelowOne_isRefused() {
    assertThatThrownBy(() -> new RecentDecisions(0, Clock.systemUTC()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("capacity must be at least 1 but was 0");
  }

  @Test
  void manyThreads_neverKeepMoreThanTheCapacity() throws Exception {
    RecentDecisions recent = new RecentDecisions(10, Clock.systemUTC());
    int threads = 8;
    int each = 2_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Object>> done = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        String domain = "t" + t;
        done.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < each; i++) {
                    recent.onExecutionFinished(finished(domain, 0));
                    assertThat(recent.newestFirst().size()).isLessThanOrEqualTo(10);
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<Object> f : done) {
        f.get(60, TimeUnit.SECONDS); // rethrows a failed assertion of that thread
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(recent.newestFirst()).hasSize(10);
  }
}
