package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import io.ndp.api.ConfidenceStats;
import io.ndp.api.StorageUnavailableException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL ({@code NDP_TEST_PG_URL}) stopped in the middle of a run ({@code NDP_TEST_PG_CTL
 * stop}, a fast shutdown that ends every connection) and started again, while one storage records
 * in {@link Durability#SYNC} from three threads and another in {@link Durability#BATCHED} from one.
 *
 * <p>Proves that while it is down a SYNC recording throws {@link StorageUnavailableException} and
 * its outcome stays buffered, a BATCHED one is acknowledged into the buffer, {@link
 * JdbcStorage#health()} says unavailable with the driver's failure as the cause, and reads answer
 * (what was last read plus what is buffered) without throwing; and that once it is back, without
 * reopening the storages, everything acknowledged and everything buffered is committed, exactly
 * once, and health says available again. The figures are printed (line {@code outage}).
 */
class PostgresOutageTest {
  static final String SYNC_PATTERN = "outage-sync";
  static final String BATCHED_PATTERN = "outage-batched";
  static final int SYNC_THREADS = 3;
  static final Duration LONG = Duration.ofSeconds(60);

  /** Records one outcome after another into its own domain, counting what became of each. */
  static final class Recorder implements Runnable {
    final JdbcStorage storage;
    final String pattern;
    final String domain;
    final AtomicBoolean stop;
    final AtomicLong acknowledged = new AtomicLong();
    final AtomicLong thrownButBuffered = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    // Successes among the outcomes kept (acknowledged or buffered): what the database must hold.
    final AtomicLong keptSuccesses = new AtomicLong();
    final List<Throwable> unexpected = new CopyOnWriteArrayList<>();
    volatile StorageUnavailableException lastThrown;

    Recorder(JdbcStorage storage, String pattern, String domain, AtomicBoolean stop) {
      this.storage = storage;
      this.pattern = pattern;
      this.domain = domain;
      this.stop = stop;
    }

    @Override
    public void run() {
      for (long n = 0; !stop.get(); n++) {
        boolean success = n % 3 != 0;
        try {
          storage.confidence().recordOutcome(pattern, domain, success);
          acknowledged.incrementAndGet();
          keptSuccesses.addAndGet(success ? 1 : 0);
        } catch (StorageUnavailableException e) {
          lastThrown = e;
          if (String.valueOf(e.getMessage()).contains("refused")) {
            refused.incrementAndGet(); // the buffer limit: not kept
          } else {
            thrownButBuffered.incrementAndGet();
            keptSuccesses.addAndGet(success ? 1 : 0);
          }
        } catch (RuntimeException e) {
          unexpected.add(e);
          return;
        }
        // A steady pace, not a wait for a condition: a SYNC recording throws at once while the
        // database is down, and a tight loop would only fill the buffer up to its limit.
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
      }
    }

    long kept() {
      return acknowledged.get() + thrownButBuffered.get();
    }
  }

  @Test
  void postgresStoppedMidRun_buffersAndAnswersReads_thenCommitsEverythingOnceItIsBack()
      throws Exception {
    String url = TestDatabases.postgresUrl();
    TestDatabases.postgresCtl(); // skips (or fails in CI) before anything starts when unset
    TestDatabases.emptyPostgres();
    AtomicBoolean stop = new AtomicBoolean();
    List<Recorder> syncRecorders = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    boolean stopped = false;
    try (JdbcStorage sync = JdbcStorage.builder().url(url).durability(Durability.SYNC).open();
        JdbcStorage batched =
            JdbcStorage.builder().url(url).durability(Durability.BATCHED).open()) {
      for (int t = 0; t < SYNC_THREADS; t++) {
        syncRecorders.add(new Recorder(sync, SYNC_PATTERN, "s" + t, stop));
      }
      Recorder batchedRecorder = new Recorder(batched, BATCHED_PATTERN, "b0", stop);
      List<Recorder> all = new ArrayList<>(syncRecorders);
      all.add(batchedRecorder);
      for (Recorder r : all) {
        Thread thread = new Thread(r, "recorder " + r.pattern + "/" + r.domain);
        thread.start();
        threads.add(thread);
      }
      try {
        await("recording runs")
            .atMost(LONG)
            .until(() -> all.stream().allMatch(r -> r.acknowledged.get() >= 200));
        ConfidenceStats syncBefore = sync.confidence().stats(SYNC_PATTERN, "s0");
        ConfidenceStats batchedBefore = batched.confidence().stats(BATCHED_PATTERN, "b0");

        long stopAt = System.nanoTime();
        stopped = true;
        TestDatabases.postgresCtl("stop");
        await("both storages notice the outage")
            .atMost(LONG)
            .until(() -> !sync.health().available() && !batched.health().available());
        long noticedAfter = (System.nanoTime() - stopAt) / 1_000_000;
        long syncAckedWhenDown = total(syncRecorders, r -> r.acknowledged.get());
        long batchedAckedWhenDown = batchedRecorder.acknowledged.get();

        // Keep recording for a while against the stopped database.
        await("SYNC recordings throw and BATCHED ones are acknowledged while it is down")
            .atMost(LONG)
            .until(
                () ->
                    total(syncRecorders, r -> r.thrownButBuffered.get()) >= 500
                        && batchedRecorder.acknowledged.get() >= batchedAckedWhenDown + 500);

        StorageHealth down = sync.health();
        assertThat(down.available()).isFalse();
        assertThat(down.unavailableSince()).isPresent();
        assertThat(down.lastFailure())
            .as("health names the failure")
            .get()
            .isInstanceOf(StorageUnavailableException.class)
            .satisfies(
                f ->
                    assertThat(f)
                        .as("with the driver's exception as its cause")
                        .hasCauseInstanceOf(SQLException.class));
        assertThat(down.bufferedOutcomes()).as("what waits for the database").isPositive();
        assertThat(batched.health().available()).isFalse();
        assertThat(batched.health().bufferedOutcomes()).isPositive();
        assertThat(syncRecorders)
            .allSatisfy(
                r ->
                    assertThat(r.lastThrown)
                        .as("a SYNC recording while it is down throws, saying it stays buffered")
                        .isNotNull()
                        .hasMessageContaining("buffered"));

        // Reads answer from what was last read, plus what is buffered, without throwing.
        List<ConfidenceStats> duringOutage = new ArrayList<>();
        long readsStart = System.nanoTime();
        assertThatCode(
                () -> {
                  duringOutage.add(sync.confidence().stats(SYNC_PATTERN, "s0"));
                  duringOutage.add(batched.confidence().stats(BATCHED_PATTERN, "b0"));
                  duringOutage.add(sync.confidence().stats(SYNC_PATTERN));
                  sync.confidence().statsByDomain(SYNC_PATTERN);
                  batched.confidence().statsByDomain(BATCHED_PATTERN);
                })
            .as("reads while the database is down")
            .doesNotThrowAnyException();
        long readsMillis = (System.nanoTime() - readsStart) / 1_000_000;
        assertThat(duringOutage.get(0).total()).isGreaterThanOrEqualTo(syncBefore.total());
        assertThat(duringOutage.get(1).total())
            .as("the last read plus the buffered outcomes")
            .isGreaterThan(batchedBefore.total());
        long bufferedAtStart =
            sync.health().bufferedOutcomes() + batched.health().bufferedOutcomes();

        long startAt = System.nanoTime();
        TestDatabases.postgresCtl("start");
        stopped = false;
        long downMillis = (startAt - stopAt) / 1_000_000;

        await("both storages reach the database again")
            .atMost(LONG)
            .until(() -> sync.health().available() && batched.health().available());
        long availableAfter = (System.nanoTime() - startAt) / 1_000_000;
        long syncAckedWhenBack = total(syncRecorders, r -> r.acknowledged.get());
        await("SYNC recordings are acknowledged again")
            .atMost(LONG)
            .until(
                () -> total(syncRecorders, r -> r.acknowledged.get()) >= syncAckedWhenBack + 200);

        stop.set(true);
        for (Thread thread : threads) {
          thread.join(LONG.toMillis());
          assertThat(thread.isAlive()).as("%s ends", thread.getName()).isFalse();
        }
        await("everything buffered is committed, without reopening the storages")
            .atMost(LONG)
            .until(
                () ->
                    sync.health().bufferedOutcomes() == 0
                        && batched.health().bufferedOutcomes() == 0);
        long drainedAfter = (System.nanoTime() - startAt) / 1_000_000;

        for (Recorder r : all) {
          assertThat(r.unexpected).as("%s/%s: no other failure", r.pattern, r.domain).isEmpty();
        }
        Map<String, List<Long>> expected = new TreeMap<>();
        for (Recorder r : all) {
          expected.put(
              r.pattern + "/" + r.domain,
              List.of(r.keptSuccesses.get(), r.kept() - r.keptSuccesses.get()));
        }
        Map<String, List<Long>> rows = new TreeMap<>();
        long clocks;
        try (Connection c = DriverManager.getConnection(url);
            Statement s = c.createStatement()) {
          try (ResultSet rs =
              s.executeQuery("SELECT pattern, domain, successes, failures FROM ndp_confidence")) {
            while (rs.next()) {
              rows.put(
                  rs.getString(1) + "/" + rs.getString(2), List.of(rs.getLong(3), rs.getLong(4)));
            }
          }
          try (ResultSet rs = s.executeQuery("SELECT SUM(clock) FROM ndp_domain")) {
            rs.next();
            clocks = rs.getLong(1);
          }
        }

        System.out.printf(
            Locale.ROOT,
            "outage: SYNC acknowledged=%d thrownButBuffered=%d refused=%d; BATCHED"
                + " acknowledged=%d (%d while down) refused=%d; down %d ms (noticed after %d ms),"
                + " 5 reads while down took %d ms; buffered at restart %d, available %d ms and"
                + " drained %d ms after the start; committed %d%n",
            total(syncRecorders, r -> r.acknowledged.get()),
            total(syncRecorders, r -> r.thrownButBuffered.get()),
            total(syncRecorders, r -> r.refused.get()),
            batchedRecorder.acknowledged.get(),
            batchedRecorder.acknowledged.get() - batchedAckedWhenDown,
            batchedRecorder.refused.get(),
            downMillis,
            noticedAfter,
            readsMillis,
            bufferedAtStart,
            availableAfter,
            drainedAfter,
            clocks);

        assertThat(total(syncRecorders, r -> r.thrownButBuffered.get()))
            .as("SYNC recordings threw while the database was down")
            .isPositive();
        assertThat(syncAckedWhenDown).isPositive();
        assertThat(rows)
            .as(
                "per pattern/domain {successes, failures}: every acknowledged and every"
                    + " thrown-but-buffered outcome, committed exactly once")
            .isEqualTo(expected);
        assertThat(clocks).isEqualTo(total(all, Recorder::kept));
        assertThat(sync.confidence().refusedOutcomes())
            .isEqualTo(total(syncRecorders, r -> r.refused.get()));
        assertThat(batched.confidence().refusedOutcomes()).isEqualTo(batchedRecorder.refused.get());
        StorageHealth back = sync.health();
        assertThat(back.available()).isTrue();
        assertThat(back.lastFailure()).isEmpty();
        assertThat(back.unavailableSince()).isEmpty();
        assertThat(sync.confidence().stats(SYNC_PATTERN, "s0").total())
            .as("reads reach the database again")
            .isEqualTo(syncRecorders.get(0).kept());
      } finally {
        stop.set(true);
        if (stopped) {
          TestDatabases.postgresCtl("start");
        }
        for (Thread thread : threads) {
          thread.join(LONG.toMillis());
        }
      }
    }
  }

  private static long total(List<Recorder> recorders, ToLongFunction<Recorder> what) {
    return recorders.stream().mapToLong(what).sum();
  }
}
