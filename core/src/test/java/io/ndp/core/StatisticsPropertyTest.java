package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ndp.api.ConfidenceStats;
import io.ndp.core.internal.InMemoryConfidenceStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Properties of the forgetting statistics over many random histories (fixed seeds, so a failure
 * reproduces): the evidence is exactly the closed form, bounded by the counts and by the geometric
 * limit, and the score is the posterior mean of it.
 */
class StatisticsPropertyTest {

  private record Outcome(String pattern, String domain, boolean success) {}

  @Test
  void effectiveEvidenceIsTheClosedForm_forRandomHistories() {
    SplittableRandom random = new SplittableRandom(20261126);
    for (int trial = 0; trial < 300; trial++) {
      double halfLife = 1 + random.nextDouble() * 300;
      int patterns = 1 + random.nextInt(5);
      int domains = 1 + random.nextInt(3);
      int length = random.nextInt(600);
      InMemoryConfidenceStore store = new InMemoryConfidenceStore(halfLife);
      List<Outcome> history = new ArrayList<>();
      for (int i = 0; i < length; i++) {
        Outcome o =
            new Outcome(
                "p" + random.nextInt(patterns),
                "d" + random.nextInt(domains),
                random.nextDouble() < 0.7);
        history.add(o);
        store.recordOutcome(o.pattern(), o.domain(), o.success());
      }
      // Closed form: an outcome that was the t-th of its domain weighs 2^(-(N_d - t) / h).
      Map<String, Integer> perDomain = new HashMap<>();
      history.forEach(o -> perDomain.merge(o.domain(), 1, Integer::sum));
      Map<String, Integer> seen = new HashMap<>();
      Map<String, double[]> expected = new HashMap<>();
      for (Outcome o : history) {
        int t = seen.merge(o.domain(), 1, Integer::sum);
        double w = Math.pow(2, -(perDomain.get(o.domain()) - t) / halfLife);
        double[] e = expected.computeIfAbsent(o.pattern() + "@" + o.domain(), k -> new double[4]);
        e[o.success() ? 0 : 1] += w;
        e[o.success() ? 2 : 3] += 1;
      }
      double limit = 1 / (1 - Math.pow(2, -1 / halfLife)); // the most evidence there can be
      for (Map.Entry<String, double[]> e : expected.entrySet()) {
        String[] key = e.getKey().split("@");
        ConfidenceStats s = store.stats(key[0], key[1]);
        double[] x = e.getValue();
        String what = "trial " + trial + ", h=" + halfLife + ", " + e.getKey();
        assertThat(s.successes()).as(what).isEqualTo((long) x[2]);
        assertThat(s.failures()).as(what).isEqualTo((long) x[3]);
        assertThat(s.effectiveSuccesses()).as(what).isCloseTo(x[0], within(1e-9 * (1 + x[0])));
        assertThat(s.effectiveFailures()).as(what).isCloseTo(x[1], within(1e-9 * (1 + x[1])));
        assertThat(s.effectiveSuccesses()).as(what).isLessThanOrEqualTo(s.successes());
        assertThat(s.effectiveFailures()).as(what).isLessThanOrEqualTo(s.failures());
        assertThat(s.effectiveSampleSize()).as(what).isLessThanOrEqualTo(limit + 1e-9);
        assertThat(s.score())
            .as(what)
            .isCloseTo((1 + s.effectiveSuccesses()) / (2 + s.effectiveSampleSize()), within(1e-12));
      }
    }
  }

  /**
   * The store's quick answer to "any outcomes outside this domain?" agrees with the per-domain
   * snapshot, for both layouts (a pattern moves to the map past 16 domains) and both stores.
   */
  @Test
  void hasOutcomesOutside_agreesWithStatsByDomain() {
    SplittableRandom random = new SplittableRandom(99);
    for (InMemoryConfidenceStore store :
        List.of(new InMemoryConfidenceStore(), new InMemoryConfidenceStore(50))) {
      for (int trial = 0; trial < 200; trial++) {
        String pattern = "p" + trial;
        int domains = 1 + random.nextInt(trial % 2 == 0 ? 3 : 25);
        for (int i = 0, n = random.nextInt(40); i < n; i++) {
          store.recordOutcome(pattern, "d" + random.nextInt(domains), random.nextBoolean());
        }
        Map<String, ConfidenceStats> byDomain = store.statsByDomain(pattern);
        for (String asked : List.of("d0", "d1", "d24", "never-seen")) {
          boolean expected =
              byDomain.entrySet().stream()
                  .anyMatch(e -> !e.getKey().equals(asked) && e.getValue().total() > 0);
          assertThat(store.hasOutcomesOutside(pattern, asked))
              .as("%s asked %s, recorded %s", pattern, asked, byDomain.keySet())
              .isEqualTo(expected);
        }
      }
      assertThat(store.hasOutcomesOutside("unknown", "d0")).isFalse();
    }
  }

  @Test
  void withoutForgetting_theEvidenceIsTheCounts_andTheSumOverDomainsIsTheTotal() {
    SplittableRandom random = new SplittableRandom(7);
    for (int trial = 0; trial < 100; trial++) {
      InMemoryConfidenceStore store = new InMemoryConfidenceStore();
      long[] counts = new long[2];
      for (int i = 0, n = random.nextInt(300); i < n; i++) {
        boolean success = random.nextBoolean();
        store.recordOutcome("p", "d" + random.nextInt(20), success);
        counts[success ? 0 : 1]++;
      }
      ConfidenceStats all = store.stats("p");
      assertThat(all.successes()).isEqualTo(counts[0]);
      assertThat(all.failures()).isEqualTo(counts[1]);
      assertThat(all.effectiveSuccesses()).isEqualTo((double) counts[0]);
      assertThat(all.effectiveFailures()).isEqualTo((double) counts[1]);
      assertThat(store.statsByDomain("p").values().stream().mapToLong(ConfidenceStats::total).sum())
          .isEqualTo(counts[0] + counts[1]);
    }
  }
}
