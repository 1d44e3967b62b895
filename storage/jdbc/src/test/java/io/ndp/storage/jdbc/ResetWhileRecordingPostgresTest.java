package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A reset while the same storage records into the rows it deletes must not fail on a deadlock
 * (PostgreSQL, {@code NDP_TEST_PG_URL}).
 *
 * <p>The writer locks the clock row of each domain it records into ({@code ndp_domain}) and then
 * updates the pattern rows of that domain in the order of their names; a reset deletes the rows it
 * forgets ({@code DELETE FROM ndp_confidence WHERE domain = ?}, or {@code WHERE pattern = ?}) in
 * whatever order the table yields them, without taking the domain's lock first. When each holds a
 * row the other wants next, PostgreSQL aborts one of them ({@code 40P01 deadlock detected}): the
 * reset then throws a {@link io.ndp.api.StorageException} to its caller (seen in {@code
 * PostgresStoreContractTests$SyncConfidence.resetDomain_whileOthersRecord_losesNoOutcomeOfAnotherDomain}),
 * or the writer's batch is rolled back and retried; then, until a commit succeeds, the writer
 * counts the database as failed although it answers: BATCHED recorders stop waiting for room (seen:
 * 100,000 acknowledged outcomes uncommitted, far beyond {@code maxUnflushedOutcomes}) and the
 * reset's flush throws "cannot flush: ... which is unavailable" while {@code health()} says
 * available.
 *
 * <p>Here many rows per domain (or per pattern), inserted again after each reset in a scrambled
 * order, and large BATCHED batches make it likely within a few hundred resets (on a 2-core machine:
 * resetDomain failed in 6 runs of 6, reset in 2 of 6; with SYNC recorders 2 runs of 10).
 */
class ResetWhileRecordingPostgresTest {
  static final int ROWS = 40;
  static final int RECORDERS = 4;
  static final int RESETS = 1000;
  static final Duration AT_MOST = Duration.ofSeconds(10);

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"resetDomain", "reset"})
  void resetWhileThisStorageRecordsIntoItsRows_neverFailsOnADeadlock(String reset)
      throws InterruptedException {
    Durability durability = Durability.BATCHED;
    String url = TestDatabases.postgresUrl();
    TestDatabases.emptyPostgres();
    AtomicBoolean stop = new AtomicBoolean();
    List<Throwable> resetFailures = new CopyOnWriteArrayList<>();
    List<Throwable> recordFailures = new CopyOnWriteArrayList<>();
    AtomicLong recorded = new AtomicLong();
    long resets = 0;
    try (JdbcStorage storage = JdbcStorage.builder().url(url).durability(durability).open()) {
      List<Thread> recorders = new ArrayList<>();
      for (int t = 0; t < RECORDERS; t++) {
        int first = t;
        Thread recorder =
            new Thread(
                () -> {
                  for (int i = first; !stop.get(); i += RECORDERS) {
                    // Rows in a scrambled order: after a reset they are inserted again in the
                    // order the outcomes come, not in the order of their names.
                    int row = (int) Math.floorMod(i * 0x9E3779B97F4A7C15L >>> 7, (long) ROWS);
                    try {
                      if (reset.equals("resetDomain")) {
                        storage.confidence().recordOutcome("p" + row, "the-domain", i % 3 != 0);
                      } else {
                        storage.confidence().recordOutcome("the-pattern", "d" + row, i % 3 != 0);
                      }
                      recorded.incrementAndGet();
                    } catch (RuntimeException e) {
                      recordFailures.add(e);
                    }
                  }
                },
                "recorder " + t);
        recorder.start();
        recorders.add(recorder);
      }
      long deadline = System.nanoTime() + AT_MOST.toNanos();
      try {
        while (resets < RESETS && System.nanoTime() < deadline && resetFailures.isEmpty()) {
          try {
            if (reset.equals("resetDomain")) {
              storage.confidence().resetDomain("the-domain");
            } else {
              storage.confidence().reset("the-pattern");
            }
            resets++;
          } catch (RuntimeException e) {
            resetFailures.add(e);
          }
        }
      } finally {
        stop.set(true);
        for (Thread recorder : recorders) {
          recorder.join(AT_MOST.toMillis());
        }
      }
    }
    System.out.printf(
        Locale.ROOT,
        "reset-while-recording %s %s: %d resets done, %d outcomes recorded, reset failures %s%n",
        reset,
        durability,
        resets,
        recorded.get(),
        resetFailures);
    assertThat(resetFailures).as("%s while the storage records into its rows", reset).isEmpty();
    assertThat(recordFailures).as("recordings while %s runs", reset).isEmpty();
  }
}
