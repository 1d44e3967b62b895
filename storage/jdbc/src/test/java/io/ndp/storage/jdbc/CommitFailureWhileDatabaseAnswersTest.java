package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ndp.storage.jdbc.FaultyDataSource.When;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * One commit aborted while the database answers (a deadlock, {@code 40P01}, as {@link
 * ResetWhileRecordingPostgresTest} provokes) must not lift the bound of {@link Durability#BATCHED}:
 * while the database answers, at most {@code maxUnflushedOutcomes} acknowledged outcomes are
 * uncommitted, so a crash loses at most that many.
 *
 * <p>The writer keeps the failure of its last commit until one succeeds, and a BATCHED recorder
 * waits for room only while there is no such failure: after one aborted commit, for the writer's
 * backoff, every recording is acknowledged at once, however many wait, though {@code health()} says
 * the database is available.
 */
class CommitFailureWhileDatabaseAnswersTest {
  static final int MAX_UNFLUSHED = 50;
  static final int OUTCOMES = 20_000;

  @Test
  void batched_oneCommitAbortedOnADeadlock_stillAcknowledgesAtMostMaxUnflushedUncommitted() {
    FaultyDataSource faulty = new FaultyDataSource("deadlock-victim");
    try (JdbcStorage storage =
        JdbcStorage.builder()
            .dataSource(faulty.dataSource())
            .durability(Durability.BATCHED)
            .maxUnflushedOutcomes(MAX_UNFLUSHED)
            .open()) {
      faulty.failNextCommit(
          When.INSTEAD_OF_COMMIT,
          new SQLException("ERROR: deadlock detected (simulated)", "40P01"));
      long mostUncommitted = 0;
      boolean availableThen = true;
      for (int i = 0; i < OUTCOMES; i++) {
        storage.confidence().recordOutcome("p" + i % 7, "d" + i % 3, i % 2 == 0);
        StorageHealth h = storage.health();
        if (h.bufferedOutcomes() > mostUncommitted) {
          mostUncommitted = h.bufferedOutcomes();
          availableThen = h.available();
        }
      }
      await("everything is committed in the end")
          .atMost(Duration.ofSeconds(30))
          .until(() -> storage.health().bufferedOutcomes() == 0);
      System.out.printf(
          Locale.ROOT,
          "commit-failure: one commit aborted (%d); at most %d acknowledged outcomes uncommitted"
              + " (health said available: %s), maxUnflushedOutcomes %d%n",
          faulty.failures(),
          mostUncommitted,
          availableThen,
          MAX_UNFLUSHED);

      assertThat(faulty.failures()).as("the armed commit failed").isEqualTo(1);
      assertThat(
              storage.confidence().stats("p0").total()
                  + storage.confidence().stats("p1").total()
                  + storage.confidence().stats("p2").total()
                  + storage.confidence().stats("p3").total()
                  + storage.confidence().stats("p4").total()
                  + storage.confidence().stats("p5").total()
                  + storage.confidence().stats("p6").total())
          .as("the aborted batch was committed on the retry, once")
          .isEqualTo(OUTCOMES);
      assertThat(mostUncommitted)
          .as(
              "acknowledged outcomes uncommitted at once, after a deadlock, while the database"
                  + " answers (health available: %s): at most maxUnflushedOutcomes = %d",
              availableThen, MAX_UNFLUSHED)
          .isLessThanOrEqualTo(MAX_UNFLUSHED);
    }
  }
}
