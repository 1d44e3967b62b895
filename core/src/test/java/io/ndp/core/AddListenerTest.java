package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.ResourcePool;
import io.ndp.api.RuntimeClosedException;
import io.ndp.api.event.BreakerStateChangedEvent;
import io.ndp.api.event.ExecutionFinishedEvent;
import io.ndp.api.event.ExecutionStartedEvent;
import io.ndp.api.event.NdpListener;
import io.ndp.api.event.ResourceAcquiredEvent;
import io.ndp.api.event.StatisticsResetEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** A listener added to a running runtime hears what happens from then on. */
class AddListenerTest {

  /** Keeps the names of the events it hears. */
  static final class Keeping implements NdpListener {
    final ConcurrentLinkedQueue<String> heard = new ConcurrentLinkedQueue<>();

    @Override
    public void onExecutionStarted(ExecutionStartedEvent e) {
      heard.add("started");
    }

    @Override
    public void onExecutionFinished(ExecutionFinishedEvent e) {
      heard.add("finished");
    }

    @Override
    public void onStatisticsReset(StatisticsResetEvent e) {
      heard.add("reset");
    }

    @Override
    public void onBreakerStateChanged(BreakerStateChangedEvent e) {
      heard.add("breaker " + e.to());
    }

    @Override
    public void onResourceAcquired(ResourceAcquiredEvent e) {
      heard.add("acquired");
    }
  }

  @Test
  void aListenerAddedLater_hearsExecutionsResetsBreakersAndResourcesFromThenOn() throws Exception {
    ResourcePool pool = new ResourcePool(Map.of("gpu", 1));
    try (Ndp ndp =
        Ndp.builder()
            .resourcePool(pool)
            .circuitBreaker(
                BreakerPolicy.builder()
                    .window(1)
                    .minimumCalls(1)
                    .coolDown(Duration.ofMinutes(1))
                    .build())
            .build()) {
      ndp.delegates().register("work", in -> in);
      ndp.register(new ScriptedPattern("p", "t", 1.0, OutcomeStatus.FAILED));
      PatternContext c = new PatternContext("d", "t", Map.of());
      ndp.executor().executeBestPattern(c); // before: nobody hears it; the breaker opens

      Keeping late = new Keeping();
      ndp.addListener(late);
      ndp.registry().resetStatistics("p"); // closes the breaker, and says so
      ndp.executor().executeBestPattern(c); // fails: opens it again
      pool.tryAcquireAll(Map.of("gpu", 1), Duration.ZERO).orElseThrow().release();

      assertThat(late.heard)
          .containsExactly(
              "breaker CLOSED", "reset", "started", "breaker OPEN", "finished", "acquired");
    }
  }

  @Test
  void addingWhileExecutionsRun_losesNothingAndBreaksNothing() throws Exception {
    try (Ndp ndp = Ndp.builder().build()) {
      ndp.delegates().register("work", in -> in);
      ndp.register(new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS));
      PatternContext c = new PatternContext("d", "t", Map.of());
      AtomicBoolean running = new AtomicBoolean(true);
      LongAdder executed = new LongAdder();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        fs.add(
            pool.submit(
                () -> {
                  while (running.get()) {
                    assertThat(ndp.executor().executeBestPattern(c).success()).isTrue();
                    executed.increment();
                  }
                  return null;
                }));
      }
      List<Keeping> added = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        Keeping k = new Keeping();
        ndp.addListener(k);
        added.add(k);
      }
      long before = executed.sum();
      while (executed.sum() < before + 200) {
        Thread.onSpinWait();
      }
      running.set(false);
      for (Future<?> f : fs) {
        f.get(1, TimeUnit.MINUTES);
      }
      pool.shutdown();
      // Every listener heard executions; the last one added heard at least the last 200.
      assertThat(added).allSatisfy(k -> assertThat(k.heard).contains("finished"));
      long finishedByLast = added.get(49).heard.stream().filter("finished"::equals).count();
      assertThat(finishedByLast).isGreaterThanOrEqualTo(200);
    }
  }

  @Test
  void badInput_andAClosedRuntime_areRefused() {
    Ndp ndp = Ndp.builder().build();
    assertThatThrownBy(() -> ndp.addListener(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("listener");
    ndp.close();
    assertThatThrownBy(() -> ndp.addListener(new NdpListener() {}))
        .isInstanceOf(RuntimeClosedException.class);
  }
}
