package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ndp.api.ConfidenceStats;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternResult;
import io.ndp.api.StorageUnavailableException;
import io.ndp.core.Ndp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database that goes away and comes back (deterministically, through a data source the test
 * switches off): reads answer from what was read, outcomes are buffered up to the limit and never
 * silently dropped, executions keep working, and everything buffered is committed on recovery
 * without a restart.
 */
class OutageTest {
  @TempDir Path dir;

  private SwitchableDataSource source() {
    return new SwitchableDataSource("jdbc:h2:file:" + dir.toAbsolutePath().resolve("ndp"));
  }

  @Test
  void sync_duringAnOutage_throwsButBuffers_andCommitsEverythingOnRecovery() {
    SwitchableDataSource ds = source();
    try (JdbcStorage storage = JdbcStorage.builder().dataSource(ds).bufferLimit(100).open()) {
      JdbcConfidenceStore store = storage.confidence();
      store.recordOutcome("flow", "orders", true);
      assertThat(store.stats("flow", "orders")).isEqualTo(new ConfidenceStats(1, 0, 1, 0));

      ds.down = true;
      // The first outcome after the database went away: waits for its commit, which fails.
      assertThatThrownBy(() -> store.recordOutcome("flow", "orders", false))
          .isInstanceOf(StorageUnavailableException.class)
          .hasMessageContaining("is not committed")
          .hasMessageContaining("buffered");
      for (int i = 0; i < 9; i++) {
        assertThatThrownBy(() -> store.recordOutcome("flow", "orders", true))
            .isInstanceOf(StorageUnavailableException.class)
            .hasMessageContaining("will be committed when it answers again");
      }
      StorageHealth health = storage.health();
      assertThat(health.available()).isFalse();
      assertThat(health.bufferedOutcomes()).isEqualTo(10);
      assertThat(health.lastFailure())
          .get()
          .satisfies(e -> assertThat(e).hasRootCauseMessage("the test took the database down"));
      assertThat(health.unavailableSince()).isPresent();
      // Reads answer from the last read plus what is buffered.
      assertThat(store.stats("flow", "orders").successes()).isEqualTo(10);
      assertThat(store.stats("flow", "orders").failures()).isEqualTo(1);

      ds.down = false;
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> storage.health().bufferedOutcomes() == 0 && storage.health().available());
      assertThat(store.stats("flow", "orders"))
          .extracting(ConfidenceStats::successes, ConfidenceStats::failures)
          .containsExactly(10L, 1L);
    }
    try (JdbcStorage again = JdbcStorage.h2(dir)) {
      assertThat(again.confidence().stats("flow", "orders").total()).isEqualTo(11);
    }
  }

  @Test
  void batched_duringAnOutage_buffersUpToTheLimit_thenRefusesLoudly() {
    SwitchableDataSource ds = source();
    try (JdbcStorage storage =
        JdbcStorage.builder()
            .dataSource(ds)
            .durability(Durability.BATCHED)
            .maxUnflushedOutcomes(10)
            .maxUnflushedTime(Duration.ofMillis(20))
            .bufferLimit(50)
            .open()) {
      JdbcConfidenceStore store = storage.confidence();
      ds.down = true;
      for (int i = 0; i < 50; i++) {
        store.recordOutcome("flow", "orders", true); // acknowledged: buffered
      }
      assertThatThrownBy(() -> store.recordOutcome("flow", "orders", true))
          .isInstanceOf(StorageUnavailableException.class)
          .hasMessageContaining("refused")
          .hasMessageContaining("50 outcomes already wait")
          .hasMessageContaining("buffer limit");
      assertThat(store.refusedOutcomes()).isEqualTo(1);
      assertThat(storage.health().bufferedOutcomes()).isEqualTo(50);

      ds.down = false;
      await().atMost(Duration.ofSeconds(20)).until(() -> storage.health().bufferedOutcomes() == 0);
      store.recordOutcome("flow", "orders", false);
      store.flush(Duration.ofSeconds(10));
    }
    try (JdbcStorage again = JdbcStorage.h2(dir)) {
      assertThat(again.confidence().stats("flow", "orders"))
          .extracting(ConfidenceStats::successes, ConfidenceStats::failures)
          .containsExactly(50L, 1L);
    }
  }

  @Test
  void close_whileTheDatabaseIsDown_saysHowManyOutcomesWereNotCommitted() {
    SwitchableDataSource ds = source();
    JdbcStorage storage =
        JdbcStorage.builder()
            .dataSource(ds)
            .durability(Durability.BATCHED)
            .closeTimeout(Duration.ofMillis(300))
            .open();
    ds.down = true;
    for (int i = 0; i < 7; i++) {
      storage.confidence().recordOutcome("flow", "orders", true);
    }

    assertThatThrownBy(storage::close)
        .isInstanceOf(StorageUnavailableException.class)
        .hasMessageContaining("closed with 7 outcomes not committed");
  }

  @Test
  void runtime_keepsExecutingFromWhatItRead_whileTheDatabaseIsDown() {
    SwitchableDataSource ds = source();
    JdbcStorage storage =
        JdbcStorage.builder().dataSource(ds).staleness(Duration.ofMillis(50)).open();
    try (Ndp ndp = Ndp.builder().storage(storage).executor(b -> b.seed(3)).build()) {
      ndp.delegates().register("check", in -> in);
      ndp.register(
          new PatternDefinition("sequential", "flow", "", Map.of("steps", List.of("check"))));
      PatternContext ctx =
          PatternContext.builder("orders", "sequential")
              .attributes(Map.of("required_steps", List.of("check")))
              .payload("x")
              .build();
      for (int i = 0; i < 5; i++) {
        assertThat(ndp.executor().executeBestPattern(ctx).success()).isTrue();
      }

      ds.down = true;
      for (int i = 0; i < 5; i++) {
        PatternResult r = ndp.executor().executeBestPattern(ctx);
        assertThat(r.success()).as(r.message()).isTrue();
      }
      assertThat(storage.health().available()).isFalse();
      assertThat(storage.health().lastFailure().orElseThrow())
          .hasRootCauseMessage("the test took the database down");
      assertThat(storage.health().bufferedOutcomes()).isEqualTo(5);
      assertThat(ndp.registry().statistics("flow", "orders").successes()).isEqualTo(10);

      ds.down = false;
      await().atMost(Duration.ofSeconds(20)).until(() -> storage.health().bufferedOutcomes() == 0);
    }
    try (JdbcStorage again = JdbcStorage.h2(dir)) {
      assertThat(again.confidence().stats("flow", "orders").successes()).isEqualTo(10);
    }
  }
}
