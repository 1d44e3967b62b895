package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.ndp.api.ConfidenceStats;
import io.ndp.core.internal.InMemoryConfidenceStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Statistics that forget: each outcome's weight halves every half-life of outcomes in its domain,
 * exactly and whatever the order of concurrent outcomes; the counts never forget.
 */
class ForgettingStatisticsTest {

  /** The weight of ticks 1..n seen from tick n: the sum of 2^(-k/h) for k = 0..n-1. */
  private static double geometric(long n, double h) {
    double sum = 0;
    for (long k = 0; k < n; k++) {
      sum += Math.pow(2, -k / h);
    }
    return sum;
  }

  @Test
  void eachOutcomesWeightHalvesEveryHalfLifeOfTheDomain() {
    InMemoryConfidenceStore store = new InMemoryConfidenceStore(10);
    store.recordOutcome("p", "eu", true);
    for (int i = 0; i < 10; i++) {
      store.recordOutcome("p", "eu", false);
    }

    ConfidenceStats s = store.stats("p", "eu");

    assertThat(s.successes()).isEqualTo(1);
    assertThat(s.failures()).isEqualTo(10);
    // The success is 10 outcomes old: half its weight is left.
    assertThat(s.effectiveSuccesses()).isCloseTo(0.5, within(1e-12));
    assertThat(s.effectiveFailures()).isCloseTo(geometric(10, 10), within(1e-9));
    assertThat(s.score()).isCloseTo(1.5 / (0.5 + geometric(10, 10) + 2), within(1e-9));
  }

  @Test
  void aPatternThatIsNotChosenForgetsTooSoThatItIsExploredAgain() {
    InMemoryConfidenceStore store = new InMemoryConfidenceStore(10);
    for (int i = 0; i < 10; i++) {
      store.recordOutcome("old", "eu", false);
    }
    for (int i = 0; i < 100; i++) {
      store.recordOutcome("other", "eu", true);
    }
    for (int i = 0; i < 100; i++) {
      store.recordOutcome("other", "us", true); // another domain's clock: no effect on eu
    }

    ConfidenceStats old = store.stats("old", "eu");

    assertThat(old.failures()).isEqualTo(10);
    assertThat(old.effectiveFailures())
        .isCloseTo(geometric(10, 10) * Math.pow(2, -100 / 10.0), within(1e-12));
    assertThat(old.score()).isCloseTo(0.5, within(0.01));
    assertThat(store.stats("old").failures()).isEqualTo(10);
  }

  @Test
  void withoutAHalfLifeTheEvidenceIsTheCounts() {
    InMemoryConfidenceStore store = new InMemoryConfidenceStore();
    for (int i = 0; i < 1_000; i++) {
      store.recordOutcome("p", "eu", i % 4 != 0);
    }

    ConfidenceStats s = store.stats("p", "eu");

    assertThat(s.effectiveSuccesses()).isEqualTo(750);
    assertThat(s.effectiveFailures()).isEqualTo(250);
    assertThat(s).isEqualTo(new ConfidenceStats(750, 250));
  }

  /**
   * Every tick of the domain belongs to this pattern, so whatever order the threads' outcomes
   * arrive in, their weights must sum to the geometric series of all ticks; and nothing is lost.
   */
  @Test
  void concurrentOutcomesAreWeighedExactlyWhateverTheirOrderAndNoneIsLost() throws Exception {
    double h = 50;
    InMemoryConfidenceStore store = new InMemoryConfidenceStore(h);
    int threads = 8;
    int each = 20_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        boolean success = t % 2 == 0;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < each; i++) {
                    store.recordOutcome("p", "eu", success);
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    ConfidenceStats s = store.stats("p", "eu");

    long n = (long) threads * each;
    assertThat(s.successes()).isEqualTo(n / 2);
    assertThat(s.failures()).isEqualTo(n / 2);
    assertThat(s.effectiveSampleSize()).isCloseTo(geometric(n, h), within(1e-6));
  }

  @Test
  void theRegistryBuilderRefusesBadHalfLivesNamingTheValue() {
    for (double bad : new double[] {0, 0.5, -1, Double.NaN, Double.NEGATIVE_INFINITY}) {
      assertThatThrownBy(() -> PatternRegistry.builder().halfLife(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(String.valueOf(bad));
    }
    // Infinite: never forget, the effective evidence is the counts.
    PatternRegistry never = PatternRegistry.builder().halfLife(Double.POSITIVE_INFINITY).build();
    for (int i = 0; i < 1_000; i++) {
      never.confidence().record("p", "d", i % 2 == 0);
    }
    assertThat(never.statistics("p", "d").effectiveSampleSize()).isEqualTo(1_000);
    // The default forgets with a half-life of 100 outcomes.
    PatternRegistry byDefault = new PatternRegistry();
    for (int i = 0; i < 1_000; i++) {
      byDefault.confidence().record("p", "d", i % 2 == 0);
    }
    assertThat(byDefault.statistics("p", "d").effectiveSampleSize())
        .isCloseTo(geometric(1_000, PatternRegistry.Builder.DEFAULT_HALF_LIFE), within(1e-6));
    assertThatThrownBy(
            () ->
                PatternRegistry.builder()
                    .halfLife(10)
                    .confidenceStore(new InMemoryConfidenceStore()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("custom confidence store");
    assertThatThrownBy(
            () ->
                PatternRegistry.builder()
                    .confidenceStore(new InMemoryConfidenceStore())
                    .halfLife(10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("custom confidence store");
    assertThatThrownBy(() -> new InMemoryConfidenceStore(0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0.5");
  }

  @Test
  void aRegistryBuiltWithAHalfLifeRecordsExecutionsIntoForgettingStatistics() {
    PatternRegistry registry = PatternRegistry.builder().halfLife(10).build();
    registry.register(
        new ScriptedPattern("p", "sequential", 1.0, io.ndp.api.OutcomeStatus.SUCCESS));
    io.ndp.api.DelegateDirectory delegates = new io.ndp.api.DelegateDirectory();
    delegates.register("work", input -> input);
    PatternExecutor executor = PatternExecutor.builder(registry).delegates(delegates).build();
    io.ndp.api.PatternContext context =
        io.ndp.api.PatternContext.builder("eu", "sequential").payload("x").build();

    for (int i = 0; i < 100; i++) {
      assertThat(executor.executeBestPattern(context).success()).isTrue();
    }

    ConfidenceStats s = registry.statistics("p", "eu");
    assertThat(s.successes()).isEqualTo(100);
    assertThat(s.effectiveSuccesses()).isCloseTo(geometric(100, 10), within(1e-9));
    assertThat(registry.statistics("p").successes()).isEqualTo(100);
  }

  @Test
  void theFacadeTakesAHalfLifeForItsRegistry() {
    try (Ndp ndp = Ndp.builder().serviceLoader(false).halfLife(10).build()) {
      ndp.registry()
          .register(new ScriptedPattern("p", "sequential", 1.0, io.ndp.api.OutcomeStatus.SUCCESS));
      ndp.delegates().register("work", input -> input);
      io.ndp.api.PatternContext context =
          io.ndp.api.PatternContext.builder("eu", "sequential").payload("x").build();
      for (int i = 0; i < 100; i++) {
        assertThat(ndp.executor().executeBestPattern(context).success()).isTrue();
      }

      assertThat(ndp.registry().statistics("p", "eu").effectiveSuccesses())
          .isCloseTo(geometric(100, 10), within(1e-9));
    }
    assertThatThrownBy(
            () -> Ndp.builder().halfLife(10).confidenceStore(new InMemoryConfidenceStore()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("custom confidence store");
  }

  @Test
  void statsRefuseEvidenceOutsideTheCounts() {
    assertThatThrownBy(() -> new ConfidenceStats(1, 1, 2.5, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2.5 of 1 successes");
    assertThatThrownBy(() -> new ConfidenceStats(1, 1, 0, -0.1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ConfidenceStats(1, 1, Double.NaN, 0))
        .isInstanceOf(IllegalArgumentException.class);
    ConfidenceStats sum = new ConfidenceStats(3, 1, 1.5, 0.5).plus(new ConfidenceStats(1, 1));
    assertThat(sum).isEqualTo(new ConfidenceStats(4, 2, 2.5, 1.5));
  }
}
