package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * README: a commit locks its domains' rows "in the order of domain names so that two hosts never
 * deadlock; resets lock the same rows first, in the same order". A commit orders them in Java
 * ({@code TreeMap}, {@code String.compareTo}: UTF-16 code units), a reset in SQL ({@code ORDER BY
 * domain}: the database's collation). The two orders differ — under {@code C.UTF-8} for a BMP
 * character above U+E000 against a supplementary one ("Ａ" U+FF21 sorts after "😀" in Java, before
 * it in PostgreSQL), under {@code en_US.UTF-8} already for "Orders" against "billing" — and a reset
 * on one host deadlocks with a commit on another: PostgreSQL aborts one of them after {@code
 * deadlock_timeout} (1 s of stalled recorders) and it is retried (5 times at most, then it fails).
 *
 * <p>Deterministic: a third connection holds the row of "😀" so that the commit waits for it
 * holding nothing, the reset then locks "Ａ" and waits for "😀" too; once released, the commit gets
 * "😀" and waits for "Ａ". The test counts the deadlocks PostgreSQL reports for the database.
 */
class PostgresResetLockOrderTest {
  static final String EMOJI = "\uD83D\uDE00";
  static final String FULLWIDTH_A = "\uFF21";

  @Test
  void aResetAndACommitOnTwoHosts_neverDeadlock() throws Exception {
    String url = TestDatabases.postgresUrl();
    TestDatabases.emptyPostgres();
    assertThat(EMOJI.compareTo(FULLWIDTH_A)).as("Java orders the emoji first").isNegative();
    try (JdbcStorage recorder =
            JdbcStorage.builder()
                .url(url)
                .host("recorder")
                .durability(Durability.BATCHED)
                .maxUnflushedTime(Duration.ofMinutes(5))
                .open();
        JdbcStorage resetter = JdbcStorage.builder().url(url).host("resetter").open();
        Connection holder = DriverManager.getConnection(url);
        Connection watcher = DriverManager.getConnection(url)) {
      recorder.confidence().recordOutcome("flow", EMOJI, true);
      recorder.confidence().recordOutcome("flow", FULLWIDTH_A, true);
      recorder.confidence().flush(Duration.ofSeconds(10)); // both domain rows exist
      try (Statement s = watcher.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT domain FROM ndp_domain WHERE domain IN ('"
                      + EMOJI
                      + "', '"
                      + FULLWIDTH_A
                      + "') ORDER BY domain")) {
        rs.next();
        assertThat(rs.getString(1))
            .as("PostgreSQL orders the fullwidth A first")
            .isEqualTo(FULLWIDTH_A);
      }
      long deadlocksBefore = deadlocks(watcher);

      holder.setAutoCommit(false);
      try (PreparedStatement ps =
          holder.prepareStatement("SELECT domain FROM ndp_domain WHERE domain = ? FOR UPDATE")) {
        ps.setString(1, EMOJI);
        ps.executeQuery().close();
      }
      recorder.confidence().recordOutcome("flow", EMOJI, true);
      recorder.confidence().recordOutcome("flow", FULLWIDTH_A, false);
      CompletableFuture<Void> commit =
          CompletableFuture.runAsync(() -> recorder.confidence().flush(Duration.ofSeconds(60)));
      awaitLockWaiters(watcher, 1); // the commit waits for the emoji, holding nothing yet
      CompletableFuture<Void> reset =
          CompletableFuture.runAsync(() -> resetter.confidence().resetAll());
      awaitLockWaiters(watcher, 2); // the reset holds the fullwidth A and waits for the emoji
      holder.commit(); // the commit gets the emoji and asks for the fullwidth A

      commit.get(60, TimeUnit.SECONDS);
      reset.get(60, TimeUnit.SECONDS);
      long deadlocks = deadlocks(watcher) - deadlocksBefore;
      for (int i = 0; i < 50 && deadlocks == 0; i++) {
        Thread.sleep(100); // statistics reach pg_stat_database within a second or so
        deadlocks = deadlocks(watcher) - deadlocksBefore;
      }
      assertThat(deadlocks)
          .as(
              "deadlocks PostgreSQL detected between a resetAll on one host and a commit into"
                  + " domains \"%s\" and \"%s\" on another",
              FULLWIDTH_A, EMOJI)
          .isZero();
    }
  }

  private static long deadlocks(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SELECT pg_stat_clear_snapshot()");
      try (ResultSet rs =
          s.executeQuery(
              "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void awaitLockWaiters(Connection c, int n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                      + " AND wait_event_type = 'Lock'")) {
        rs.next();
        if (rs.getInt(1) >= n) {
          Thread.sleep(200); // let the waiter settle in its wait
          return;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("fewer than " + n + " transactions wait for a lock after 20 s");
  }
}
