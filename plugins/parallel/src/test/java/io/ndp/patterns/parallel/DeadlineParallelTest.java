package io.ndp.patterns.parallel;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.DelegateDirectory;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternOutcome;
import io.ndp.api.ResourcePool;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A task that ignores the deadline's interrupt: named, and its units held until it ends. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DeadlineParallelTest {
  private final ExecutorService workers = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    workers.shutdownNow();
  }

  @Test
  void taskIgnoringTheInterrupt_isNamed_andItsUnitsAreFreeWhenTheRunReturns() {
    DelegateDirectory delegates = new DelegateDirectory();
    ResourcePool pool = new ResourcePool();
    delegates.register("quick", in -> "Q");
    delegates.register(
        "stubborn",
        in -> {
          long until = System.nanoTime() + 300_000_000L;
          while (System.nanoTime() < until) {
            Thread.interrupted(); // ignores interrupts
          }
          return "late";
        });
    ParallelCoordinationPattern p =
        ParallelCoordinationPattern.builder("p", "")
            .pool(pool)
            .capacity("cpu", 2)
            .task("quick", Map.of("cpu", 1))
            .task("stubborn", Map.of("cpu", 1))
            .build();

    PatternOutcome o =
        p.execute(
            new PatternContext("orders", "parallel", Map.of()),
            new TestScope(delegates, workers, Duration.ofMillis(100)));

    assertThat(o.status()).isEqualTo(OutcomeStatus.TIMED_OUT);
    assertThat(o.message())
        .contains("unfinished: stubborn")
        .contains("[stubborn] ignored the interrupt and ran on, holding its units until it ended");
    assertThat(o.output()).isEqualTo(Map.of("quick", "Q"));
    assertThat(pool.activeResources()).isEmpty();
  }
}
