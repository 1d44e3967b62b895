package io.ndp.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ndp.storage.jdbc.Durability;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The storage benchmark records into a fresh database and its tear-down proves, from the tables,
 * that every acknowledged outcome is there: it fails when the counts differ or nothing was
 * recorded, and removes the database either way.
 */
class StorageRecordingBenchmarkTest {

  static StorageRecordingBenchmark open(String database, Durability durability) throws Exception {
    StorageRecordingBenchmark b = new StorageRecordingBenchmark();
    b.database = database;
    b.durability = durability;
    b.setUp();
    return b;
  }

  @ParameterizedTest
  @EnumSource(Durability.class)
  void h2HoldsExactlyWhatOneThreadRecorded(Durability durability) throws Exception {
    StorageRecordingBenchmark b = open(StorageRecordingBenchmark.H2, durability);
    Path folder = b.h2Folder();
    StorageRecordingBenchmark.Cursor cursor = new StorageRecordingBenchmark.Cursor();
    for (int i = 0; i < 300; i++) {
      b.record1Thread(cursor);
    }
    assertThat(b.recorded()).isEqualTo(300);
    b.tearDown();
    assertThat(folder).doesNotExist();
  }

  @ParameterizedTest
  @EnumSource(Durability.class)
  void h2HoldsExactlyWhatFourThreadsRecorded(Durability durability) throws Exception {
    StorageRecordingBenchmark b = open(StorageRecordingBenchmark.H2, durability);
    recordOnFourThreads(b, 200);
    assertThat(b.recorded()).isEqualTo(800);
    b.tearDown();
    assertThat(b.h2Folder()).doesNotExist();
  }

  @ParameterizedTest
  @EnumSource(Durability.class)
  void postgresHoldsExactlyWhatFourThreadsRecorded(Durability durability) throws Exception {
    assumeTrue(
        StorageRecordingBenchmark.postgresUrl().isPresent(),
        StorageRecordingBenchmark.PG_URL_VARIABLE + " is not set: PostgreSQL not tested");
    StorageRecordingBenchmark b = open(StorageRecordingBenchmark.POSTGRESQL, durability);
    recordOnFourThreads(b, 100);
    b.record1Thread(new StorageRecordingBenchmark.Cursor());
    assertThat(b.recorded()).isEqualTo(401);
    b.tearDown();
  }

  @Test
  void tearDownFailsWhenTheStoreHoldsAnOutcomeTheBenchmarkDidNotRecord() throws Exception {
    StorageRecordingBenchmark b = open(StorageRecordingBenchmark.H2, Durability.SYNC);
    b.record1Thread(new StorageRecordingBenchmark.Cursor());
    b.store().recordOutcome("pattern_1", "domain_0", true);
    assertThatThrownBy(b::tearDown)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("h2 SYNC holds 2 successes and 0 failures (domain clocks 2)")
        .hasMessageContaining("but 1 and 0 were recorded");
    assertThat(b.h2Folder()).doesNotExist();
  }

  @Test
  void tearDownFailsWhenNothingWasRecorded() throws Exception {
    StorageRecordingBenchmark b = open(StorageRecordingBenchmark.H2, Durability.BATCHED);
    assertThatThrownBy(b::tearDown)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("measured nothing");
    assertThat(b.h2Folder()).doesNotExist();
  }

  @Test
  void postgresIsSkippedOnlyWhenItsVariableIsUnsetOrBlank() {
    String variable = StorageRecordingBenchmark.PG_URL_VARIABLE;
    assertThat(StorageRecordingBenchmark.postgresUrl(Map.of())).isEmpty();
    assertThat(StorageRecordingBenchmark.postgresUrl(Map.of(variable, " "))).isEmpty();
    assertThat(StorageRecordingBenchmark.postgresUrl(Map.of(variable, "jdbc:postgresql://h/db")))
        .contains("jdbc:postgresql://h/db");
  }

  @Test
  void postgresFailsAtSetupNamingTheVariableWhenItIsUnset() {
    assumeTrue(StorageRecordingBenchmark.postgresUrl().isEmpty(), "the variable is set here");
    assertThatThrownBy(() -> open(StorageRecordingBenchmark.POSTGRESQL, Durability.SYNC))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(StorageRecordingBenchmark.PG_URL_VARIABLE + " is not set");
  }

  private static void recordOnFourThreads(StorageRecordingBenchmark b, int each) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        done.add(
            pool.submit(
                () -> {
                  StorageRecordingBenchmark.Cursor cursor = new StorageRecordingBenchmark.Cursor();
                  for (int i = 0; i < each; i++) {
                    b.record4Threads(cursor);
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
