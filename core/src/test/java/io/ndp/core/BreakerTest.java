package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.Attempt;
import io.ndp.api.BreakerState;
import io.ndp.api.ConfidenceStats;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.api.event.BreakerStateChangedEvent;
import io.ndp.api.event.NdpListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Circuit breakers per pattern × domain on a fake ticker: a failing pattern is cut off in its
 * domain only, skipped (an attempt, not an outcome) while open, probed after the cool-down, and
 * closed or opened again by its probes; every change is an event, and explain() shows it.
 */
class BreakerTest {
  private final AtomicLong nanos = new AtomicLong();
  private final ConcurrentLinkedQueue<BreakerStateChangedEvent> changes =
      new ConcurrentLinkedQueue<>();
  private final NdpListener keeping =
      new NdpListener() {
        @Override
        public void onBreakerStateChanged(BreakerStateChangedEvent event) {
          changes.add(event);
        }
      };
  private final BreakerPolicy policy =
      BreakerPolicy.builder()
          .window(4)
          .minimumCalls(4)
          .failureRateThreshold(50)
          .coolDown(Duration.ofSeconds(10))
          .probes(2)
          .build();
  private final PatternRegistry registry =
      PatternRegistry.builder().ticker(nanos::get).circuitBreaker(policy).listener(keeping).build();
  // "eu" fails, every other domain succeeds, until the test says otherwise.
  private volatile boolean euDown = true;
  private final ScriptedPattern primary =
      new ScriptedPattern("primary", "t", 1.0, OutcomeStatus.SUCCESS)
          .script(
              c ->
                  euDown && c.domain().equals("eu") ? OutcomeStatus.FAILED : OutcomeStatus.SUCCESS);
  private final ScriptedPattern backup =
      new ScriptedPattern("backup", "other", 1.0, OutcomeStatus.SUCCESS);

  private PatternExecutor executor() {
    registry.register(primary).register(backup);
    PatternExecutor e =
        PatternExecutor.builder(registry).ticker(nanos::get).fallbackPatterns("backup").build();
    e.delegates().register("work", in -> in);
    return e;
  }

  private static PatternContext in(String domain) {
    return new PatternContext(domain, "t", Map.of());
  }

  private static List<String> tries(PatternResult r) {
    return r.attempts().stream().map(a -> a.patternName() + ":" + a.kind()).toList();
  }

  @Test
  void aFailingPattern_isCutOffInItsDomainOnly_probedAfterTheCoolDown_andClosedByItsProbes() {
    try (PatternExecutor e = executor()) {
      for (int i = 0; i < 4; i++) {
        PatternResult r = e.executeBestPattern(in("eu"));
        assertThat(tries(r)).containsExactly("primary:RUN", "backup:RUN");
        assertThat(r.success()).isTrue();
      }
      assertThat(registry.breakerState("primary", "eu")).isEqualTo(BreakerState.OPEN);
      assertThat(registry.breakerState("primary", "us")).isEqualTo(BreakerState.CLOSED);
      assertThat(changes)
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.patternName()).isEqualTo("primary");
                assertThat(c.domain()).isEqualTo("eu");
                assertThat(c.from()).isEqualTo(BreakerState.CLOSED);
                assertThat(c.to()).isEqualTo(BreakerState.OPEN);
                assertThat(c.reason()).contains("100.0%").contains("50.0%");
              });
      ConfidenceStats before = registry.statistics("primary", "eu");
      assertThat(before.total()).isEqualTo(4);

      // Open: skipped in eu (an attempt, not an outcome); us is not affected.
      PatternResult skipped = e.executeBestPattern(in("eu"));
      assertThat(tries(skipped)).containsExactly("primary:SKIPPED", "backup:RUN");
      Attempt skip = skipped.attempts().get(0);
      assertThat(skip.status()).isEqualTo(OutcomeStatus.REJECTED);
      assertThat(skip.duration()).isZero();
      assertThat(skip.message()).contains("circuit breaker", "'eu'", "OPEN");
      assertThat(skipped.fallbacksTried()).isEqualTo(1);
      assertThat(primary.runs).hasValue(4);
      assertThat(registry.statistics("primary", "eu").total()).isEqualTo(before.total());
      assertThat(tries(e.executeBestPattern(in("us")))).containsExactly("primary:RUN");
      assertThat(e.explain(in("eu")).breakers()).isEqualTo(Map.of("primary", BreakerState.OPEN));
      assertThat(e.explain(in("eu")).toString()).contains("circuit breaker of primary in eu: OPEN");
      assertThat(e.explain(in("us")).breakers()).isEmpty();

      // After the cool-down: probes; eu has recovered, so two probes close it.
      nanos.addAndGet(Duration.ofSeconds(10).plusMillis(1).toNanos());
      euDown = false;
      assertThat(tries(e.executeBestPattern(in("eu")))).containsExactly("primary:PROBE");
      assertThat(registry.breakerState("primary", "eu")).isEqualTo(BreakerState.HALF_OPEN);
      assertThat(tries(e.executeBestPattern(in("eu")))).containsExactly("primary:PROBE");
      assertThat(registry.breakerState("primary", "eu")).isEqualTo(BreakerState.CLOSED);
      assertThat(tries(e.executeBestPattern(in("eu")))).containsExactly("primary:RUN");
      assertThat(changes)
          .extracting(c -> c.from() + ">" + c.to())
          .containsExactly("CLOSED>OPEN", "OPEN>HALF_OPEN", "HALF_OPEN>CLOSED");
    }
  }

  @Test
  void failingProbes_openTheBreakerForAnotherCoolDown() {
    try (PatternExecutor e = executor()) {
      for (int i = 0; i < 4; i++) {
        e.executeBestPattern(in("eu"));
      }
      nanos.addAndGet(Duration.ofSeconds(11).toNanos());
      assertThat(tries(e.executeBestPattern(in("eu"))))
          .containsExactly("primary:PROBE", "backup:RUN");
      assertThat(tries(e.executeBestPattern(in("eu"))))
          .containsExactly("primary:PROBE", "backup:RUN");
      assertThat(registry.breakerState("primary", "eu")).isEqualTo(BreakerState.OPEN);
      assertThat(tries(e.executeBestPattern(in("eu"))))
          .containsExactly("primary:SKIPPED", "backup:RUN");
      assertThat(changes)
          .extracting(c -> c.from() + ">" + c.to())
          .containsExactly("CLOSED>OPEN", "OPEN>HALF_OPEN", "HALF_OPEN>OPEN");
    }
  }

  @Test
  void outcomesThatAreNotThePatternsDoing_doNotOpenIt() {
    primary.script(c -> OutcomeStatus.CONFLICT);
    try (PatternExecutor e = executor()) {
      for (int i = 0; i < 20; i++) {
        assertThat(tries(e.executeBestPattern(in("eu"))))
            .containsExactly("primary:RUN", "backup:RUN");
      }
      assertThat(registry.breakerState("primary", "eu")).isEqualTo(BreakerState.CLOSED);
      assertThat(changes).isEmpty();
    }
  }

  @Test
  void unregistering_forgetsThePatternsBreakers() {
    try (PatternExecutor e = executor()) {
      for (int i = 0; i < 4; i++) {
        e.executeBestPattern(in("eu"));
      }
      assertThat(registry.breakerState("primary", "eu")).isEqualTo(BreakerState.OPEN);
      registry.unregister("primary");
      assertThat(registry.breakerState("primary", "eu")).isEqualTo(BreakerState.CLOSED);
    }
  }

  @Test
  void resettingStatistics_closesTheBreakersItForgets_andSaysSo() {
    try (PatternExecutor e = executor()) {
      for (int i = 0; i < 4; i++) {
        e.executeBestPattern(in("eu"));
        e.executeBestPattern(in("us"));
      }
      assertThat(registry.breakerState("primary", "eu")).isEqualTo(BreakerState.OPEN);
      registry.resetDomainStatistics("us");
      assertThat(registry.breakerState("primary", "eu")).isEqualTo(BreakerState.OPEN);
      registry.resetStatistics("primary");
      assertThat(registry.breakerState("primary", "eu")).isEqualTo(BreakerState.CLOSED);
      assertThat(changes)
          .extracting(c -> c.from() + ">" + c.to() + " " + c.reason())
          .containsExactly(
              "CLOSED>OPEN " + changes.peek().reason(), "OPEN>CLOSED statistics reset");
      assertThat(tries(e.executeBestPattern(in("eu"))))
          .containsExactly("primary:RUN", "backup:RUN");
    }
  }

  /**
   * Many threads through a breaker that opens, half-opens and closes: every call is run or skipped
   * (never lost), and the state changes are delivered in order.
   */
  @Test
  void manyThreads_everyCallIsRunOrSkipped_andChangesArriveInOrder() throws Exception {
    primary.script(
        c ->
            java.util.concurrent.ThreadLocalRandom.current().nextDouble() < 0.6
                ? OutcomeStatus.FAILED
                : OutcomeStatus.SUCCESS);
    int threads = 8;
    int each = 400;
    AtomicInteger skips = new AtomicInteger();
    AtomicInteger ran = new AtomicInteger();
    try (PatternExecutor e = executor()) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        fs.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < each; i++) {
                    if (i % 50 == 0) {
                      nanos.addAndGet(Duration.ofSeconds(11).toNanos()); // cool-downs end
                    }
                    PatternResult r = e.executeBestPattern(in("eu"));
                    assertThat(r.success()).isTrue(); // the backup always serves
                    Attempt first = r.attempts().get(0);
                    assertThat(first.patternName()).isEqualTo("primary");
                    if (first.kind() == Attempt.Kind.SKIPPED) {
                      skips.incrementAndGet();
                    } else {
                      ran.incrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : fs) {
        f.get(2, TimeUnit.MINUTES);
      }
      pool.shutdown();
    }
    assertThat(skips.get() + ran.get()).isEqualTo(threads * each);
    assertThat(primary.runs.get()).isEqualTo(ran.get());
    assertThat(skips.get()).as("the breaker opened").isPositive();
    assertThat(changes).extracting(BreakerStateChangedEvent::to).contains(BreakerState.OPEN);
    // Transitions chain: each one starts where the one before ended.
    BreakerState at = BreakerState.CLOSED;
    for (BreakerStateChangedEvent c : changes) {
      assertThat(c.from()).as("changes in order").isEqualTo(at);
      at = c.to();
    }
    assertThat(at).isEqualTo(registry.breakerState("primary", "eu"));
  }

  @Test
  void theBuilder_refusesEveryBadValue_byName() {
    assertThatThrownBy(() -> BreakerPolicy.builder().failureRateThreshold(0))
        .hasMessageContaining("failureRateThreshold");
    assertThatThrownBy(() -> BreakerPolicy.builder().window(0)).hasMessageContaining("window");
    assertThatThrownBy(() -> BreakerPolicy.builder().minimumCalls(-1))
        .hasMessageContaining("minimumCalls");
    assertThatThrownBy(() -> BreakerPolicy.builder().coolDown(null))
        .hasMessageContaining("coolDown")
        .hasMessageContaining("null");
    assertThatThrownBy(() -> BreakerPolicy.builder().probes(0)).hasMessageContaining("probes");
    assertThatThrownBy(() -> BreakerPolicy.builder().maxBreakers(0))
        .hasMessageContaining("maxBreakers");
    assertThatThrownBy(() -> BreakerPolicy.builder().window(5).minimumCalls(6).build())
        .hasMessageContaining("minimumCalls 6");
    assertThatThrownBy(() -> PatternRegistry.builder().circuitBreaker(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("BreakerPolicy.none()");
    assertThatThrownBy(() -> registry.breakerState(null, "eu")).hasMessageContaining("patternName");
    assertThat(BreakerPolicy.none().enabled()).isFalse();
  }
}
