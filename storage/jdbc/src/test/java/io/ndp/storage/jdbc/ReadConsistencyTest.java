package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.ConfidenceStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * While outcomes move from the buffer into the database (many small commits), a read counts each
 * outcome at most once: never more than were recorded, never fewer than were acknowledged before
 * the read began.
 */
class ReadConsistencyTest {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(Durability.class)
  void readsDuringCommits_neverCountAnOutcomeTwice(Durability durability) throws Exception {
    int threads = 4;
    int perThread = 3_000;
    AtomicLong started = new AtomicLong();
    AtomicLong acknowledged = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    try (JdbcStorage storage =
        JdbcStorage.builder()
            .h2File(dir)
            .durability(durability)
            .maxUnflushedOutcomes(7)
            .maxUnflushedTime(Duration.ofMillis(1))
            .open()) {
      JdbcConfidenceStore store = storage.confidence();
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> recorders = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        recorders.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < perThread; i++) {
                    started.incrementAndGet();
                    store.recordOutcome("flow", i % 2 == 0 ? "orders" : "billing", i % 3 != 0);
                    acknowledged.incrementAndGet();
                  }
                  return null;
                }));
      }
      Future<Long> reader =
          pool.submit(
              () -> {
                go.await();
                long reads = 0;
                while (running.get()) {
                  long lower = acknowledged.get(); // read before: the read must see them all
                  ConfidenceStats all = store.stats("flow");
                  long upper = started.get(); // read after: at least what the read could see
                  assertThat(all.total())
                      .as("read %d", reads)
                      .isLessThanOrEqualTo(upper)
                      .isGreaterThanOrEqualTo(lower);
                  ConfidenceStats orders = store.stats("flow", "orders");
                  assertThat(orders.total()).isLessThanOrEqualTo(started.get());
                  reads++;
                }
                return reads;
              });
      go.countDown();
      for (Future<?> f : recorders) {
        f.get(2, TimeUnit.MINUTES);
      }
      // The recorders are done: their outcomes were acknowledged, so a read sees them all.
      assertThat(store.stats("flow").total()).isEqualTo((long) threads * perThread);
      running.set(false);
      assertThat(reader.get(2, TimeUnit.MINUTES)).isPositive();
      store.flush(Duration.ofSeconds(30));
      assertThat(store.stats("flow").total()).isEqualTo((long) threads * perThread);
    } finally {
      running.set(false);
      pool.shutdownNow();
    }
  }
}
