package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ndp.api.ConfidenceStats;
import io.ndp.api.StorageUnavailableException;
import io.ndp.core.internal.InMemoryConfidenceStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README: during an outage "reads answer at once from the rows last read plus this host's own
 * outcomes since". A commit whose acknowledgement was lost is retried; the retry finds the batch
 * already committed ({@code last_seq}) and skips all of it, so {@code rememberCommitted} gets no
 * sums and no domain clocks: the last rows read never learn of that batch. Once the database goes
 * away again (before a read refreshes them), reads answer without the batch's outcomes — and
 * without their decay of the pattern's older evidence — for as long as that outage lasts.
 */
class LostAcknowledgementThenOutageTest {
  @TempDir Path dir;

  /** H2 that can lose the next commit acknowledgement ({@code loseAck}) or be {@code down}. */
  static DataSource source(String url, AtomicBoolean loseAck, AtomicBoolean down) {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL(url);
    return (DataSource)
        Proxy.newProxyInstance(
            DataSource.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> {
              if (method.getName().equals("getConnection") && down.get()) {
                throw new SQLTransientConnectionException("the test took it down", "08001");
              }
              Object result = invoke(h2, method, args);
              if (!(result instanceof Connection real)) {
                return result;
              }
              return Proxy.newProxyInstance(
                  Connection.class.getClassLoader(),
                  new Class<?>[] {Connection.class},
                  (p, m, a) -> {
                    Object r = invoke(real, m, a);
                    if (m.getName().equals("commit") && loseAck.getAndSet(false)) {
                      // this one acknowledgement only
                      throw new SQLException("connection reset after the commit (test)", "08006");
                    }
                    return r;
                  });
            });
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Test
  void readsDuringAnOutage_includeABatchWhoseFirstAcknowledgementWasLost() {
    AtomicBoolean loseAck = new AtomicBoolean();
    AtomicBoolean down = new AtomicBoolean();
    DataSource ds = source("jdbc:h2:file:" + dir.toAbsolutePath().resolve("ndp"), loseAck, down);
    double halfLife = 4;
    InMemoryConfidenceStore memory = new InMemoryConfidenceStore(halfLife);
    try (JdbcStorage storage =
        JdbcStorage.builder()
            .dataSource(ds)
            .halfLife(halfLife)
            .durability(Durability.SYNC)
            .closeTimeout(Duration.ofSeconds(5))
            .open()) {
      JdbcConfidenceStore store = storage.confidence();
      for (int i = 0; i < 3; i++) {
        store.recordOutcome("flow", "orders", true);
        memory.recordOutcome("flow", "orders", true);
      }
      assertThat(store.stats("flow", "orders").successes()).isEqualTo(3); // the rows last read

      loseAck.set(true); // the next commit is durable, its acknowledgement lost
      assertThatThrownBy(() -> store.recordOutcome("flow", "orders", false))
          .isInstanceOf(StorageUnavailableException.class);
      memory.recordOutcome("flow", "orders", false);
      // The writer retries: the database already holds the batch, the retry skips it.
      await().atMost(Duration.ofSeconds(10)).until(() -> store.bufferedOutcomes() == 0);
      assertThat(storage.health().available()).isTrue();

      down.set(true); // the database goes away again
      ConfidenceStats during = store.stats("flow", "orders");
      down.set(false);
      ConfidenceStats exact = memory.stats("flow", "orders");
      assertThat(
              new double[] {
                during.successes(),
                during.failures(),
                during.effectiveSuccesses(),
                during.effectiveFailures()
              })
          .as(
              "successes, failures, effective successes and failures read during an outage (all 4"
                  + " outcomes committed before it, one of them on a retry after its"
                  + " acknowledgement was lost); exact: %s",
              exact)
          .containsExactly(
              new double[] {
                exact.successes(),
                exact.failures(),
                exact.effectiveSuccesses(),
                exact.effectiveFailures()
              },
              org.assertj.core.api.Assertions.within(1e-9));
    }
  }
}
