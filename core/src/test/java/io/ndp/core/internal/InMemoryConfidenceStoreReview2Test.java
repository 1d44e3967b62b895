package io.ndp.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.ConfidenceStats;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Second review of the compact {@link InMemoryConfidenceStore}: reads from one moment. */
class InMemoryConfidenceStoreReview2Test {

  private static String dom(int d) {
    return "d" + (d < 10 ? "00" : d < 100 ? "0" : "") + d;
  }

  /**
   * The class promises that a forgetting store's numbers are from one moment. One thread records
   * round-robin over the domains of a pattern, so at every moment the counts along the round are
   * non-increasing and differ by at most one. A snapshot from one moment keeps that; one stitched
   * from several moments does not. Compact (10 domains) and map (17 domains) alike.
   */
  @Test
  void forgettingStatsByDomain_isOneMoment_compactAndMap() throws Exception {
    for (int domains : new int[] {10, InMemoryConfidenceStore.SMALL + 1}) {
      InMemoryConfidenceStore store = new InMemoryConfidenceStore(100);
      for (int d = 0; d < domains; d++) {
        store.recordOutcome("p", dom(d), true);
      }
      AtomicBoolean stop = new AtomicBoolean();
      Thread writer =
          new Thread(
              () -> {
                while (!stop.get()) {
                  for (int d = 0; d < domains; d++) {
                    store.recordOutcome("p", dom(d), true);
                  }
                }
              });
      writer.start();
      String bad = null;
      try {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (bad == null && System.nanoTime() < end) {
          Map<String, ConfidenceStats> by = store.statsByDomain("p");
          long first = by.get(dom(0)).total();
          long prev = first;
          for (int d = 1; d < domains; d++) {
            long c = by.get(dom(d)).total();
            if (c > prev || first - c > 1) {
              bad = "domains=" + domains + " snapshot " + by;
              break;
            }
            prev = c;
          }
        }
      } finally {
        stop.set(true);
        writer.join();
      }
      Map<String, ConfidenceStats> last = store.statsByDomain("p");
      long hi = last.values().stream().mapToLong(ConfidenceStats::total).max().orElseThrow();
      long lo = last.values().stream().mapToLong(ConfidenceStats::total).min().orElseThrow();
      assertThat(hi - lo).as("at rest, nothing lost: %s", last).isLessThanOrEqualTo(1);
      assertThat(bad).isNull();
    }
  }
}
