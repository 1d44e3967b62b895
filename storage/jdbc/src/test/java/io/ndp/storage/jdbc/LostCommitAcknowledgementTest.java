package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ndp.api.StorageUnavailableException;
import io.ndp.storage.jdbc.FaultyDataSource.When;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A commit that the database carried out but whose answer never reached the storage (the connection
 * broke between the two) must not count its outcomes twice.
 *
 * <p>This is what {@link PostgresOutageTest} runs into when PostgreSQL is stopped while the writer
 * commits: a fast shutdown lets a backend finish a COMMIT it has begun and then ends the connection
 * ({@code FATAL 57P01}) before the answer, so the driver reports a failure for a transaction that
 * is committed. The writer takes every failure for "nothing committed", puts the batch back and
 * commits it again once the database answers: the batch is counted twice (seen in that test: 852
 * BATCHED outcomes, or one SYNC outcome, too many). Here the same is made deterministic with a data
 * source whose connection commits and then throws a connection failure ({@code 08006}) once.
 */
class LostCommitAcknowledgementTest {
  static final double NEVER = Double.POSITIVE_INFINITY;

  @ParameterizedTest(name = "{0}")
  @EnumSource(Durability.class)
  void commitCarriedOutButItsAnswerLost_outcomesAreCountedOnce(Durability durability) {
    FaultyDataSource faulty = new FaultyDataSource("lost-answer-" + durability);
    try (JdbcStorage storage =
        JdbcStorage.builder()
            .dataSource(faulty.dataSource())
            .durability(durability)
            .halfLife(NEVER)
            .open()) {
      faulty.failNextCommit(
          When.AFTER_COMMIT,
          new SQLException(
              "An I/O error occurred while sending to the backend (simulated: the commit was"
                  + " carried out, its answer lost)",
              "08006"));
      boolean thrown = false;
      try {
        storage.confidence().recordOutcome("p", "d", true);
      } catch (StorageUnavailableException e) {
        thrown = true; // SYNC: "it is buffered and will be committed when it answers again"
      }
      if (durability == Durability.BATCHED) {
        assertThat(thrown).as("BATCHED acknowledges into the buffer").isFalse();
      }
      await("the writer is done with the outcome")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  faulty.failures() == 1
                      && storage.health().available()
                      && storage.health().bufferedOutcomes() == 0);

      assertThat(storage.confidence().stats("p", "d").total())
          .as(
              "%s: one outcome recorded, whose commit was carried out but answered with a"
                  + " connection failure (SYNC recorder threw: %s)",
              durability, thrown)
          .isEqualTo(1);
    }
  }
}
