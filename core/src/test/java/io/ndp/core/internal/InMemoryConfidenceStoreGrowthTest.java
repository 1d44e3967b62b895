package io.ndp.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.ndp.api.ConfidenceStats;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The compact layout of {@link InMemoryConfidenceStore}: a pattern's domains live in one array that
 * is replaced when a domain is added, and move to a map past {@value InMemoryConfidenceStore#SMALL}
 * domains or when a count outgrows 31 bits. Growing under contention must lose no outcome and
 * misweigh none.
 */
class InMemoryConfidenceStoreGrowthTest {

  private static final double H = 50;

  /**
   * Eight threads record into 60 patterns, each thread walking the (pattern, domain) pairs in its
   * own random order, so that arrays grow and patterns move to the map while the other threads
   * record into them; a reader runs alongside. A third of the patterns keep 10 domains (compact),
   * the rest get 24 (past {@code SMALL}: the map). With a low {@code compactMax} the counts also
   * outgrow the compact array mid-run (as past 31 bits).
   *
   * <p>Even domains only see successes, odd ones only failures. At the end every count is exact,
   * and in each domain the decayed sums over all patterns are the closed form: every tick of the
   * domain's clock is one outcome, weighing {@code 2^(-(now - tick) / h)}. A half-life of 5000,
   * close to the 9600 outcomes of a domain, keeps the whole run in the sums.
   */
  @ParameterizedTest(name = "halfLife={0} compactMax={1}")
  @CsvSource({
    "Infinity, 2147483647",
    "Infinity, 100",
    "50, 2147483647",
    "50, 100",
    "5000, 2147483647",
    "5000, 100"
  })
  void growingUnderContention_losesNothing_andWeighsExactly(double halfLife, long compactMax)
      throws Exception {
    InMemoryConfidenceStore store = new InMemoryConfidenceStore(halfLife, compactMax);
    int threads = 8;
    int patterns = 60;
    int domains = 24;
    int rounds = 20; // per thread and pair: 160 outcomes a pair, past compactMax = 100
    List<int[]> pairs = new ArrayList<>();
    for (int p = 0; p < patterns; p++) {
      for (int d = 0; d < domainsOf(p, domains); d++) {
        pairs.add(new int[] {p, d});
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    CountDownLatch start = new CountDownLatch(1);
    AtomicBoolean done = new AtomicBoolean();
    List<Future<?>> recorders = new ArrayList<>();
    Future<?> reader;
    try {
      for (int t = 0; t < threads; t++) {
        List<int[]> order = new ArrayList<>(pairs);
        Collections.shuffle(order, new Random(t));
        recorders.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int r = 0; r < rounds; r++) {
                    for (int[] pd : order) {
                      store.recordOutcome(pattern(pd[0]), domain(pd[1]), pd[1] % 2 == 0);
                    }
                  }
                  return null;
                }));
      }
      reader = pool.submit(() -> readWhileRecording(store, patterns, domains, start, done));
      start.countDown();
      for (Future<?> f : recorders) {
        f.get(2, TimeUnit.MINUTES);
      }
      done.set(true);
      reader.get(1, TimeUnit.MINUTES);
    } finally {
      pool.shutdownNow();
    }

    long each = (long) threads * rounds;
    long[] perDomain = new long[domains];
    for (int p = 0; p < patterns; p++) {
      int n = domainsOf(p, domains);
      long successes = 0;
      long failures = 0;
      for (int d = 0; d < n; d++) {
        ConfidenceStats s = store.stats(pattern(p), domain(d));
        boolean even = d % 2 == 0;
        assertThat(s.successes()).as("%s in %s", pattern(p), domain(d)).isEqualTo(even ? each : 0);
        assertThat(s.failures()).as("%s in %s", pattern(p), domain(d)).isEqualTo(even ? 0 : each);
        assertThat(even ? s.effectiveFailures() : s.effectiveSuccesses()).isZero();
        successes += s.successes();
        failures += s.failures();
        perDomain[d] += each;
      }
      assertThat(store.statsByDomain(pattern(p))).hasSize(n);
      ConfidenceStats total = store.stats(pattern(p));
      assertThat(total.successes()).isEqualTo(successes);
      assertThat(total.failures()).isEqualTo(failures);
    }
    for (int d = 0; d < domains; d++) {
      double weight = 0;
      for (int p = 0; p < patterns; p++) {
        ConfidenceStats s = store.stats(pattern(p), domain(d));
        weight += s.effectiveSampleSize();
      }
      double expected =
          halfLife == Double.POSITIVE_INFINITY ? perDomain[d] : geometric(perDomain[d], halfLife);
      assertThat(Math.abs(weight - expected) / expected)
          .as("decayed sum in %s: %s, closed form %s", domain(d), weight, expected)
          .isLessThanOrEqualTo(1e-6);
    }
  }

  /** Reads all along: no read fails, and the counts one reader sees never go back. */
  private static Void readWhileRecording(
      InMemoryConfidenceStore store,
      int patterns,
      int domains,
      CountDownLatch start,
      AtomicBoolean done)
      throws InterruptedException {
    start.await();
    Map<String, Long> seen = new HashMap<>();
    Random random = new Random(42);
    while (!done.get()) {
      String p = pattern(random.nextInt(patterns));
      String d = domain(random.nextInt(domains));
      ConfidenceStats one = store.stats(p, d);
      assertThat(one.total()).isGreaterThanOrEqualTo(seen.getOrDefault(p + "/" + d, 0L));
      seen.put(p + "/" + d, one.total());
      ConfidenceStats all = store.stats(p);
      assertThat(all.total()).isGreaterThanOrEqualTo(seen.getOrDefault(p, 0L));
      seen.put(p, all.total());
      for (ConfidenceStats s : store.statsByDomain(p).values()) {
        assertThat(s.effectiveSampleSize()).isLessThanOrEqualTo(s.total());
      }
    }
    return null;
  }

  /**
   * The move to the map keeps every number as it was: a store that moves after 5 outcomes of a
   * pattern and domain answers per domain exactly what one that keeps its compact arrays answers,
   * to the bit.
   */
  @Test
  void movingToTheMap_changesNoNumber() {
    InMemoryConfidenceStore moving = new InMemoryConfidenceStore(H, 5);
    InMemoryConfidenceStore compact = new InMemoryConfidenceStore(H);
    Random random = new Random(7);
    for (int i = 0; i < 5_000; i++) {
      String p = pattern(random.nextInt(4));
      String d = domain(random.nextInt(3));
      boolean success = random.nextInt(3) != 0;
      moving.recordOutcome(p, d, success);
      compact.recordOutcome(p, d, success);
      if (i % 97 == 0) {
        assertThat(moving.statsByDomain(p)).isEqualTo(compact.statsByDomain(p));
      }
    }
    for (int p = 0; p < 4; p++) {
      assertThat(moving.statsByDomain(pattern(p))).isEqualTo(compact.statsByDomain(pattern(p)));
      // Summed in another order of the domains: equal but for the last bit.
      ConfidenceStats sum = moving.stats(pattern(p));
      ConfidenceStats expected = compact.stats(pattern(p));
      assertThat(sum.total()).isEqualTo(expected.total());
      assertThat(sum.effectiveSampleSize())
          .isCloseTo(expected.effectiveSampleSize(), within(1e-12));
    }
  }

  /** Past SMALL domains a pattern is a map; reads, sorting and resets work alike. */
  @Test
  void manyDomains_areSortedByName_andResetLikeFew() {
    InMemoryConfidenceStore store = new InMemoryConfidenceStore(H);
    int domains = InMemoryConfidenceStore.SMALL * 3;
    for (int d = domains - 1; d >= 0; d--) {
      store.recordOutcome("wide", domain(d), true);
      store.recordOutcome("narrow", domain(d % 3), false);
    }

    assertThat(store.statsByDomain("wide")).hasSize(domains);
    assertThat(new ArrayList<>(store.statsByDomain("wide").keySet()))
        .isSorted()
        .contains(domain(0), domain(domains - 1));
    assertThat(store.stats("wide").successes()).isEqualTo(domains);
    assertThat(store.stats("wide", "unseen")).isEqualTo(ConfidenceStats.EMPTY);
    assertThat(store.stats("narrow").failures()).isEqualTo(domains);

    store.reset("wide");
    assertThat(store.statsByDomain("wide")).isEmpty();
    assertThat(store.stats("wide", domain(0))).isEqualTo(ConfidenceStats.EMPTY);
    store.recordOutcome("wide", domain(0), false);
    assertThat(store.stats("wide", domain(0)).failures()).isEqualTo(1);

    store.resetAll();
    assertThat(store.stats("narrow")).isEqualTo(ConfidenceStats.EMPTY);
    assertThat(store.stats("wide")).isEqualTo(ConfidenceStats.EMPTY);
  }

  /** A missing name is refused naming the parameter, not with a NullPointerException. */
  @Test
  void missingNames_areRefusedByName() {
    InMemoryConfidenceStore store = new InMemoryConfidenceStore(H);
    assertThatThrownBy(() -> store.recordOutcome(null, "eu", true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("patternName");
    assertThatThrownBy(() -> store.recordOutcome("p", null, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("domain");
    assertThatThrownBy(() -> store.stats(null, "eu")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.stats("p", null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.stats(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.statsByDomain(null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.reset(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new InMemoryConfidenceStore(H, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static int domainsOf(int pattern, int domains) {
    return pattern % 3 == 0 ? 10 : domains;
  }

  private static String pattern(int p) {
    return "pattern_" + p;
  }

  private static String domain(int d) {
    return "domain_" + (d < 10 ? "0" : "") + d;
  }

  private static double geometric(long n, double h) {
    double sum = 0;
    for (long k = 0; k < n; k++) {
      sum += Math.pow(2, -k / h);
    }
    return sum;
  }
}
