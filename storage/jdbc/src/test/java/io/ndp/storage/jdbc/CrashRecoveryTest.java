package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a killed process keeps: a child JVM ({@link CrashingRecorder}) records outcomes from several
 * threads, printing each acknowledgement, and is killed (SIGKILL) after a few thousand of them, in
 * the middle of its stream. The database is then reopened by a new storage, as a restarted host
 * would, and proves each durability's promise:
 *
 * <ul>
 *   <li>{@link Durability#SYNC}: every acknowledged outcome is there, and nothing more than the
 *       outcomes in flight (at most one per recorder thread);
 *   <li>{@link Durability#BATCHED}: at most {@code maxUnflushedOutcomes} acknowledged outcomes are
 *       lost;
 * </ul>
 *
 * <p>and in both, that every committed transaction advanced its domain clocks by exactly its
 * outcomes (the clocks add up to the outcomes found). For an H2 file in a temporary folder and for
 * PostgreSQL ({@code NDP_TEST_PG_URL}). The figures are printed (line {@code crash-recovery}).
 */
class CrashRecoveryTest {
  static final int THREADS = 4;
  static final int MAX_UNFLUSHED = 50;
  static final long KILL_AFTER_ACKS = 3000;
  // The child stops by itself after these, should the test not kill it.
  static final long CHILD_MAX_OUTCOMES = 1_000_000;
  static final long CHILD_MAX_SECONDS = 120;

  @ParameterizedTest(name = "{0}")
  @EnumSource(Durability.class)
  void h2File_processKilledMidStream_keepsWhatItsDurabilityPromises(
      Durability durability, @TempDir Path dir) throws SQLException {
    Path db = dir.resolve("db").toAbsolutePath();
    killAndCheck(
        "H2",
        durability,
        List.of("h2", db.toString()),
        JdbcStorage.builder().h2File(db),
        "jdbc:h2:file:" + db.resolve("ndp"),
        dir);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Durability.class)
  void postgres_processKilledMidStream_keepsWhatItsDurabilityPromises(
      Durability durability, @TempDir Path dir) throws SQLException {
    String url = TestDatabases.postgresUrl();
    TestDatabases.emptyPostgres();
    killAndCheck(
        "PostgreSQL", durability, List.of("url", url), JdbcStorage.builder().url(url), url, dir);
  }

  private void killAndCheck(
      String database,
      Durability durability,
      List<String> where,
      JdbcStorage.Builder reopen,
      String jdbcUrl,
      Path dir)
      throws SQLException {
    AtomicLong lastAck = new AtomicLong();
    AtomicLong ready = new AtomicLong();
    List<String> args = new ArrayList<>(where);
    args.addAll(
        List.of(
            durability.name(),
            Integer.toString(MAX_UNFLUSHED),
            Integer.toString(THREADS),
            Long.toString(CHILD_MAX_OUTCOMES),
            Long.toString(CHILD_MAX_SECONDS)));
    long acksAtKill;
    long recordingNanos;
    try (ChildJvm child =
        ChildJvm.start(
            "crashing-recorder-" + database + "-" + durability,
            CrashingRecorder.class,
            args,
            dir,
            line -> {
              if (line.startsWith("ack ")) {
                lastAck.set(Long.parseLong(line.substring(4)));
              } else if (line.equals("ready")) {
                ready.set(1);
              }
            })) {
      await("the child opens " + database)
          .atMost(Duration.ofSeconds(60))
          .failFast(child::assertAlive)
          .until(() -> ready.get() == 1);
      long start = System.nanoTime();
      child.go();
      await("the child acknowledges " + KILL_AFTER_ACKS + " outcomes")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(1))
          .failFast(child::assertAlive)
          .until(() -> lastAck.get() >= KILL_AFTER_ACKS);
      acksAtKill = lastAck.get();
      recordingNanos = System.nanoTime() - start;
      child.kill();
      assertThat(child.lines())
          .as("the child was killed mid-stream, before it finished or failed: %s", child.describe())
          .containsExactly("ready");
    }
    // Every ack line the child printed before it died, including those still in the pipe.
    long acknowledged = lastAck.get();

    long found;
    try (JdbcStorage reopened = reopen.open()) {
      found = reopened.confidence().stats(CrashingRecorder.PATTERN).total();
    }
    long clocks = sum(jdbcUrl, "SELECT COALESCE(SUM(clock), 0) FROM ndp_domain");

    System.out.printf(
        Locale.ROOT,
        "crash-recovery %s %s: acknowledged=%d (%d when the kill was decided, after %d ms)"
            + " found=%d lost=%d clocks=%d threads=%d maxUnflushedOutcomes=%d%n",
        database,
        durability,
        acknowledged,
        acksAtKill,
        recordingNanos / 1_000_000,
        found,
        Math.max(0, acknowledged - found),
        clocks,
        THREADS,
        MAX_UNFLUSHED);

    assertThat(acknowledged).isGreaterThanOrEqualTo(KILL_AFTER_ACKS);
    if (durability == Durability.SYNC) {
      assertThat(found)
          .as(
              "%s SYNC: every acknowledged outcome (%d) survives the kill of the process",
              database, acknowledged)
          .isGreaterThanOrEqualTo(acknowledged);
    } else {
      assertThat(acknowledged - found)
          .as(
              "%s BATCHED: acknowledged (%d) minus found (%d) is at most maxUnflushedOutcomes = %d",
              database, acknowledged, found, MAX_UNFLUSHED)
          .isLessThanOrEqualTo(MAX_UNFLUSHED);
    }
    assertThat(found)
        .as(
            "%s %s: no more than the acknowledged outcomes (%d) plus those in flight (at most one"
                + " per recorder thread, %d)",
            database, durability, acknowledged, THREADS)
        .isLessThanOrEqualTo(acknowledged + THREADS);
    assertThat(clocks)
        .as("each committed transaction advanced its domain clocks by exactly its outcomes")
        .isEqualTo(found);
  }

  private static long sum(String jdbcUrl, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
