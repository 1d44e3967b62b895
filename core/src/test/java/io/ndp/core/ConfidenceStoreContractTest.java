package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.ConfidenceStats;
import io.ndp.api.ConfidenceStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link ConfidenceStore}, for every implementation: extend this class and return a
 * fresh, empty store from {@link #newStore()}. A durable store (H2, PostgreSQL) must start each
 * test empty, for example by calling {@link ConfidenceStore#resetAll()} on a shared database, and
 * may add its own {@code @AfterEach} to release it.
 */
public abstract class ConfidenceStoreContractTest {

  private static final int THREADS = 8;
  private static final int PER_THREAD = 10_000;
  private static final List<String> PATTERNS = List.of("full", "short", "audited");
  private static final List<String> DOMAINS = List.of("orders", "billing");

  /** The store under test, new for each test. */
  protected ConfidenceStore store;

  /**
   * Returns an empty store; called once before each test.
   *
   * @return the store under test
   */
  protected abstract ConfidenceStore newStore();

  @BeforeEach
  void createStore() {
    store = newStore();
  }

  @Test
  void unseenPattern_hasEmptyStatsEverywhere() {
    assertThat(store.stats("never", "orders")).isEqualTo(ConfidenceStats.EMPTY);
    assertThat(store.stats("never")).isEqualTo(ConfidenceStats.EMPTY);
    assertThat(store.statsByDomain("never")).isEmpty();
  }

  @Test
  void seenPattern_inUnseenDomain_hasEmptyStats() {
    store.recordOutcome("flow", "orders", true);

    assertThat(store.stats("flow", "billing")).isEqualTo(ConfidenceStats.EMPTY);
  }

  @Test
  void recordOutcome_countsPerDomain_andSumsOverDomains() {
    store.recordOutcome("flow", "orders", true);
    store.recordOutcome("flow", "orders", true);
    store.recordOutcome("flow", "orders", false);
    store.recordOutcome("flow", "billing", false);
    store.recordOutcome("other", "orders", true);

    assertThat(store.stats("flow", "orders")).isEqualTo(new ConfidenceStats(2, 1));
    assertThat(store.stats("flow", "billing")).isEqualTo(new ConfidenceStats(0, 1));
    assertThat(store.stats("flow")).isEqualTo(new ConfidenceStats(2, 2));
    assertThat(store.statsByDomain("flow"))
        .containsOnly(
            Map.entry("orders", new ConfidenceStats(2, 1)),
            Map.entry("billing", new ConfidenceStats(0, 1)));
    assertThat(store.stats("other")).isEqualTo(new ConfidenceStats(1, 0));
  }

  @Test
  void statsByDomain_isASnapshot_thatLaterRecordsDoNotChange() {
    store.recordOutcome("flow", "orders", true);
    Map<String, ConfidenceStats> before = store.statsByDomain("flow");

    store.recordOutcome("flow", "orders", true);
    store.recordOutcome("flow", "billing", false);

    assertThat(before).containsOnly(Map.entry("orders", new ConfidenceStats(1, 0)));
  }

  @Test
  void statsByDomain_mutatedByTheCaller_leavesTheStoreUnchanged() {
    store.recordOutcome("flow", "orders", true);
    Map<String, ConfidenceStats> snapshot = store.statsByDomain("flow");

    // Either the map is unmodifiable or it is the caller's own copy; both are allowed.
    try {
      snapshot.put("orders", new ConfidenceStats(99, 99));
      snapshot.put("billing", new ConfidenceStats(7, 7));
      snapshot.remove("orders");
    } catch (UnsupportedOperationException unmodifiable) {
      // fine
    }
    try {
      store.statsByDomain("flow").clear();
    } catch (UnsupportedOperationException unmodifiable) {
      // fine
    }

    assertThat(store.statsByDomain("flow"))
        .containsOnly(Map.entry("orders", new ConfidenceStats(1, 0)));
    assertThat(store.stats("flow", "billing")).isEqualTo(ConfidenceStats.EMPTY);
    assertThat(store.stats("flow")).isEqualTo(new ConfidenceStats(1, 0));
  }

  @Test
  void reset_forgetsOnlyThatPattern() {
    store.recordOutcome("flow", "orders", true);
    store.recordOutcome("flow", "billing", false);
    store.recordOutcome("other", "orders", false);

    store.reset("flow");

    assertThat(store.stats("flow")).isEqualTo(ConfidenceStats.EMPTY);
    assertThat(store.stats("flow", "orders")).isEqualTo(ConfidenceStats.EMPTY);
    assertThat(store.statsByDomain("flow")).isEmpty();
    assertThat(store.stats("other", "orders")).isEqualTo(new ConfidenceStats(0, 1));
  }

  @Test
  void reset_ofUnseenPattern_changesNothing() {
    store.recordOutcome("flow", "orders", true);

    store.reset("never");

    assertThat(store.stats("flow")).isEqualTo(new ConfidenceStats(1, 0));
  }

  @Test
  void recordOutcome_afterReset_startsFromZero() {
    store.recordOutcome("flow", "orders", true);
    store.reset("flow");

    store.recordOutcome("flow", "orders", false);

    assertThat(store.stats("flow", "orders")).isEqualTo(new ConfidenceStats(0, 1));
  }

  @Test
  void resetAll_forgetsEveryPattern_andTheStoreStaysUsable() {
    store.recordOutcome("flow", "orders", true);
    store.recordOutcome("other", "billing", false);

    store.resetAll();

    assertThat(store.stats("flow")).isEqualTo(ConfidenceStats.EMPTY);
    assertThat(store.stats("other")).isEqualTo(ConfidenceStats.EMPTY);
    assertThat(store.statsByDomain("other")).isEmpty();
    store.recordOutcome("flow", "orders", true);
    assertThat(store.stats("flow")).isEqualTo(new ConfidenceStats(1, 0));
  }

  @Test
  void resetDomain_forgetsThatDomainOfEveryPattern_only() {
    store.recordOutcome("flow", "orders", true);
    store.recordOutcome("flow", "billing", false);
    store.recordOutcome("other", "orders", false);
    store.recordOutcome("other", "billing", true);

    store.resetDomain("orders");

    assertThat(store.stats("flow", "orders")).isEqualTo(ConfidenceStats.EMPTY);
    assertThat(store.stats("other", "orders")).isEqualTo(ConfidenceStats.EMPTY);
    assertThat(store.statsByDomain("flow"))
        .containsOnly(Map.entry("billing", new ConfidenceStats(0, 1)));
    assertThat(store.stats("flow")).isEqualTo(new ConfidenceStats(0, 1));
    assertThat(store.stats("other", "billing")).isEqualTo(new ConfidenceStats(1, 0));
    store.resetDomain("never-seen");
    store.recordOutcome("flow", "orders", true);
    assertThat(store.stats("flow", "orders")).isEqualTo(new ConfidenceStats(1, 0));
    assertThat(store.stats("flow")).isEqualTo(new ConfidenceStats(1, 1));
  }

  @Test
  void resetDomain_ofAPatternWithManyDomains_keepsTheOthersExact() {
    for (int d = 0; d < 40; d++) {
      for (int k = 0; k <= d % 3; k++) {
        store.recordOutcome("wide", "d" + d, d % 2 == 0);
      }
    }

    store.resetDomain("d7");
    store.resetDomain("d0");

    Map<String, ConfidenceStats> left = store.statsByDomain("wide");
    assertThat(left).hasSize(38).doesNotContainKeys("d7", "d0");
    for (int d = 1; d < 40; d++) {
      if (d != 7) {
        long n = d % 3 + 1;
        assertThat(left.get("d" + d))
            .as("d%d", d)
            .isEqualTo(d % 2 == 0 ? new ConfidenceStats(n, 0) : new ConfidenceStats(0, n));
      }
    }
  }

  @Test
  void resetDomain_whileOthersRecord_losesNoOutcomeOfAnotherDomain() throws Exception {
    int perThread = 2_000;
    ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    java.util.concurrent.atomic.AtomicBoolean recording =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    try {
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    String p = PATTERNS.get((thread + i) % PATTERNS.size());
                    // Every other outcome goes to the domain being reset; many domains make the
                    // in-memory tables grow and move while the resets copy them.
                    String d = i % 2 == 0 ? "kept" : (i % 4 == 1 ? "reset" : "extra" + (i % 23));
                    store.recordOutcome(p, d, i % 3 != 0);
                  }
                  return null;
                }));
      }
      Future<?> resetter =
          pool.submit(
              () -> {
                start.await();
                while (recording.get()) {
                  store.resetDomain("reset");
                }
                return null;
              });
      start.countDown();
      for (Future<?> f : done) {
        f.get(2, TimeUnit.MINUTES);
      }
      recording.set(false);
      resetter.get(2, TimeUnit.MINUTES);
    } finally {
      recording.set(false);
      pool.shutdownNow();
    }

    long kept = 0;
    for (String p : PATTERNS) {
      kept += store.stats(p, "kept").total();
    }
    assertThat(kept).isEqualTo((long) THREADS * perThread / 2);
  }

  @Test
  void concurrentRecording_losesNoIncrement() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    try {
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < PER_THREAD; i++) {
                    int n = thread * PER_THREAD + i;
                    store.recordOutcome(pattern(n), domain(n), success(n));
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(2, TimeUnit.MINUTES); // rethrows whatever a recorder threw
      }
    } finally {
      pool.shutdownNow();
    }

    // The same deterministic schedule, counted on one thread.
    long total = 0;
    for (String p : PATTERNS) {
      long patternSuccesses = 0;
      long patternFailures = 0;
      for (String d : DOMAINS) {
        long s = 0;
        long f = 0;
        for (int n = 0; n < THREADS * PER_THREAD; n++) {
          if (pattern(n).equals(p) && domain(n).equals(d)) {
            if (success(n)) {
              s++;
            } else {
              f++;
            }
          }
        }
        assertThat(store.stats(p, d)).as("%s in %s", p, d).isEqualTo(new ConfidenceStats(s, f));
        assertThat(store.statsByDomain(p)).containsEntry(d, new ConfidenceStats(s, f));
        patternSuccesses += s;
        patternFailures += f;
      }
      assertThat(store.stats(p)).isEqualTo(new ConfidenceStats(patternSuccesses, patternFailures));
      total += patternSuccesses + patternFailures;
    }
    assertThat(total).isEqualTo((long) THREADS * PER_THREAD);
  }

  private static String pattern(int n) {
    return PATTERNS.get(n % PATTERNS.size());
  }

  private static String domain(int n) {
    return DOMAINS.get((n / PATTERNS.size()) % DOMAINS.size());
  }

  private static boolean success(int n) {
    return n % 7 != 0;
  }
}
