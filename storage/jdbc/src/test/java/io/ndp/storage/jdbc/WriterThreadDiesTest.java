package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer turns a RuntimeException thrown by a commit (e.g. by the data source) into a failure
 * it retries; but the idle {@code Probe} that ends an outage catches only SQLException, and {@code
 * run()} has no guard around it: a data source that throws an unchecked exception while the
 * database is away kills the single writer thread. Nothing tells anyone: health() reports the
 * outage as over once another call reaches the database, every later outcome is buffered and never
 * committed, SYNC recorders time out, and close() waits its timeout and blames the database.
 */
class WriterThreadDiesTest {
  @TempDir Path dir;

  private static final int UP = 0;
  private static final int DOWN = 1; // the usual SQLTransientConnectionException
  private static final int UNCHECKED = 2; // the data source throws an unchecked exception

  static DataSource source(String url, AtomicInteger state) {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL(url);
    return (DataSource)
        Proxy.newProxyInstance(
            DataSource.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> {
              if (method.getName().equals("getConnection")) {
                if (state.get() == DOWN) {
                  throw new SQLTransientConnectionException("the test took it down", "08001");
                }
                if (state.get() == UNCHECKED) {
                  throw new IllegalStateException("cannot resolve the database host (test)");
                }
              }
              try {
                return method.invoke(h2, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  private static List<Thread> writerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("ndp-outcome-writer") && t.isAlive())
        .toList();
  }

  @Test
  void anUncheckedExceptionFromTheDataSourceDuringAnOutage_doesNotStopTheWriter() throws Exception {
    List<Thread> before = writerThreads();
    AtomicInteger state = new AtomicInteger(UP);
    DataSource ds = source("jdbc:h2:file:" + dir.toAbsolutePath().resolve("ndp"), state);
    try (JdbcStorage storage =
        JdbcStorage.builder()
            .dataSource(ds)
            .durability(Durability.SYNC)
            .syncTimeout(Duration.ofSeconds(3))
            .closeTimeout(Duration.ofMillis(300))
            .open()) {
      JdbcConfidenceStore store = storage.confidence();
      store.recordOutcome("flow", "orders", true);
      List<Thread> mine = writerThreads().stream().filter(t -> !before.contains(t)).toList();
      assertThat(mine).hasSize(1);

      state.set(DOWN);
      store.stats("flow"); // a read notices the outage; the idle writer probes the database
      state.set(UNCHECKED);
      Thread.sleep(1_500); // the probe runs twice a second
      state.set(UP);

      Throwable recorded = null;
      try {
        store.recordOutcome("flow", "orders", true);
      } catch (RuntimeException e) {
        recorded = e;
      }
      assertThat(recorded)
          .as(
              "a SYNC outcome recorded once the database is back (writer thread alive: %s,"
                  + " buffered: %d, health: %s)",
              mine.get(0).isAlive(), store.bufferedOutcomes(), storage.health())
          .isNull();
    } catch (RuntimeException closing) {
      // close() names the outcomes it could not commit; the assertion above decides.
    }
  }
}
