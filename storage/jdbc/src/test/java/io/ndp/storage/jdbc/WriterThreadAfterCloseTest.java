package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.StorageUnavailableException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code close()} while the database is down gives up after the close timeout and says how many
 * outcomes were not committed. The writer thread must then stop: the storage is closed (its pool
 * too), nobody can flush or read what it still holds.
 */
class WriterThreadAfterCloseTest {
  @TempDir Path dir;

  private static List<Thread> writerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("ndp-outcome-writer") && t.isAlive())
        .toList();
  }

  @Test
  void closeDuringAnOutage_stopsTheWriterThread() throws Exception {
    List<Thread> before = writerThreads();
    SwitchableDataSource ds =
        new SwitchableDataSource("jdbc:h2:file:" + dir.toAbsolutePath().resolve("ndp"));
    JdbcStorage storage =
        JdbcStorage.builder()
            .dataSource(ds)
            .durability(Durability.BATCHED)
            .closeTimeout(Duration.ofMillis(300))
            .open();
    storage.confidence().recordOutcome("flow", "orders", true);
    storage.confidence().flush(Duration.ofSeconds(10));
    ds.down = true;
    storage.confidence().recordOutcome("flow", "orders", true);
    assertThatThrownBy(storage::close)
        .isInstanceOf(StorageUnavailableException.class)
        .hasMessageContaining("1 outcomes not committed");

    // close() joined for up to its timeout plus one second; give the thread more than that.
    Thread.sleep(3_000);
    List<Thread> leaked = writerThreads().stream().filter(t -> !before.contains(t)).toList();
    assertThat(leaked)
        .as(
            "writer threads still alive 3 s after close() returned (they retry a closed storage"
                + " forever): %s",
            leaked.stream().map(t -> t.getName() + " " + t.getState()).toList())
        .isEmpty();
  }
}
