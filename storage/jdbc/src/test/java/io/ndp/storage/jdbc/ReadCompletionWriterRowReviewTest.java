package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.ConfidenceStats;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JdbcConfidenceStore.read: "a read counts every outcome acknowledged before it began, and none
 * twice", also around this store's writer row in ndp_writer, which tells reads which of its batches
 * the rows hold. Found by review: a host whose clock ran eight days ahead purged the rows of live
 * writers at its start-up (its clock said they were a week old), and reads without the row counted
 * a batch twice or missed one. Now rows are stamped and purged by the database's clock, and a read
 * without its row is exact when no commit is under way around it, and otherwise waits for the
 * commit (which writes the row again) and reads again.
 */
class ReadCompletionWriterRowReviewTest {
  @TempDir Path dir;

  private JdbcStorage open(Clock clock) {
    return JdbcStorage.builder()
        .h2File(dir)
        .durability(Durability.BATCHED)
        .maxUnflushedOutcomes(7)
        .maxUnflushedTime(Duration.ofMillis(1))
        .clock(clock)
        .open();
  }

  private long writerRows() throws Exception {
    try (Connection c =
            DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("ndp") + ";WRITE_DELAY=0");
        PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM ndp_writer");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void aHostWhoseClockRunsAhead_doesNotPurgeALiveWriter_andReadsStayExact() throws Exception {
    int threads = 4;
    int perThread = 2_000;
    AtomicLong acknowledged = new AtomicLong();
    AtomicLong started = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(threads + 2);
    try (JdbcStorage storage = open(Clock.systemUTC())) {
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
      // Other hosts start meanwhile, their clocks eight days ahead: their purge runs each time.
      Future<?> starter =
          pool.submit(
              () -> {
                go.await();
                Clock ahead = Clock.offset(Clock.systemUTC(), Duration.ofDays(8));
                for (int i = 0; i < 5 && running.get(); i++) {
                  try (JdbcStorage other = open(ahead)) {
                    other.confidence().stats("flow");
                  }
                }
                return null;
              });
      Future<Long> reader =
          pool.submit(
              () -> {
                go.await();
                long reads = 0;
                while (running.get()) {
                  long lower = acknowledged.get();
                  ConfidenceStats all = store.stats("flow");
                  long upper = started.get();
                  assertThat(all.total())
                      .as("read %d", reads)
                      .isLessThanOrEqualTo(upper)
                      .isGreaterThanOrEqualTo(lower);
                  reads++;
                }
                return reads;
              });
      go.countDown();
      starter.get(2, TimeUnit.MINUTES);
      for (Future<?> f : recorders) {
        f.get(2, TimeUnit.MINUTES);
      }
      running.set(false);
      assertThat(reader.get(2, TimeUnit.MINUTES)).isPositive();
      assertThat(writerRows()).as("the live writer's row survived").isEqualTo(1);
      assertThat(store.stats("flow").total()).isEqualTo((long) threads * perThread);
    } finally {
      running.set(false);
      pool.shutdownNow();
    }
  }

  @Test
  void withoutItsRow_aReadIsExact_whileIdleAndAcrossTheNextCommit() throws Exception {
    try (JdbcStorage storage = open(Clock.systemUTC())) {
      JdbcConfidenceStore store = storage.confidence();
      for (int i = 0; i < 100; i++) {
        store.recordOutcome("flow", "orders", i % 4 != 0);
      }
      store.flush(Duration.ofSeconds(30));
      // The row goes (as a purge of a writer idle for a week would take it).
      try (Connection c =
              DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("ndp") + ";WRITE_DELAY=0");
          PreparedStatement ps = c.prepareStatement("DELETE FROM ndp_writer")) {
        assertThat(ps.executeUpdate()).isEqualTo(1);
      }
      assertThat(store.stats("flow").total()).isEqualTo(100);
      assertThat(store.stats("flow", "orders").successes()).isEqualTo(75);

      // Recording again while reading: the first commit writes the row again.
      AtomicLong acknowledged = new AtomicLong(100);
      AtomicLong started = new AtomicLong(100);
      AtomicBoolean running = new AtomicBoolean(true);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<?> recorder =
            pool.submit(
                () -> {
                  for (int i = 0; i < 3_000; i++) {
                    started.incrementAndGet();
                    store.recordOutcome("flow", "orders", true);
                    acknowledged.incrementAndGet();
                  }
                  return null;
                });
        Future<Long> reader =
            pool.submit(
                () -> {
                  long reads = 0;
                  while (running.get()) {
                    long lower = acknowledged.get();
                    long total = store.stats("flow").total();
                    assertThat(total).isBetween(lower, started.get());
                    reads++;
                  }
                  return reads;
                });
        recorder.get(2, TimeUnit.MINUTES);
        running.set(false);
        assertThat(reader.get(2, TimeUnit.MINUTES)).isPositive();
      } finally {
        running.set(false);
        pool.shutdownNow();
      }
      assertThat(store.stats("flow").total()).isEqualTo(3_100);
      assertThat(writerRows()).isEqualTo(1);
    }
  }
}
