package io.ndp.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.ConfidenceStats;
import io.ndp.api.ConfidenceStore;
import io.ndp.core.ConfidenceStoreContractTest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs the {@link ConfidenceStore} contract against the in-memory store. */
class InMemoryConfidenceStoreTest extends ConfidenceStoreContractTest {

  @Override
  protected ConfidenceStore newStore() {
    return new InMemoryConfidenceStore();
  }

  /**
   * A pattern's domains are an array while few and a map beyond: domains added concurrently, across
   * that switch, lose no domain and no increment.
   */
  @Test
  void manyDomains_addedConcurrently_loseNoIncrement() throws Exception {
    int threads = 8;
    int domains = 40;
    int rounds = 500;
    ConfidenceStore s = newStore();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int offset = t;
      done.add(
          pool.submit(
              () -> {
                start.await();
                for (int r = 0; r < rounds; r++) {
                  for (int d = 0; d < domains; d++) {
                    s.recordOutcome("flow", "domain_" + ((d + offset) % domains), (r & 1) == 0);
                  }
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();

    long each = (long) threads * rounds / 2;
    assertThat(s.statsByDomain("flow")).hasSize(domains);
    for (int d = 0; d < domains; d++) {
      assertThat(s.stats("flow", "domain_" + d)).isEqualTo(new ConfidenceStats(each, each));
    }
    assertThat(s.stats("flow")).isEqualTo(new ConfidenceStats(each * domains, each * domains));
  }
}
