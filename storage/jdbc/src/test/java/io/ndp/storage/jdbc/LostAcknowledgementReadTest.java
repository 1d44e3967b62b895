package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.StorageUnavailableException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A commit whose acknowledgement is lost (the transaction is durable, the driver then reports a
 * broken connection) puts the batch back in the queue. The writer's retry skips what the database
 * holds (its {@code last_seq}), but reads add every queued outcome without comparing it with the
 * {@code last_seq} they read: until a retry is acknowledged, a read counts those outcomes twice,
 * though the README promises that "a read adds each buffered outcome exactly once".
 */
class LostAcknowledgementReadTest {
  @TempDir Path dir;

  /** H2, whose commits succeed and then report a broken connection while {@code loseAcks}. */
  static final class LosingAcks extends H2TestDataSource {
    volatile boolean loseAcks;

    LosingAcks(String url) {
      super(url);
    }

    @Override
    public Connection getConnection() throws SQLException {
      Connection real = h2.getConnection();
      return (Connection)
          Proxy.newProxyInstance(
              Connection.class.getClassLoader(),
              new Class<?>[] {Connection.class},
              (proxy, method, args) -> {
                Object result;
                try {
                  result = method.invoke(real, args);
                } catch (InvocationTargetException e) {
                  throw e.getCause();
                }
                if (method.getName().equals("commit") && loseAcks) {
                  throw new SQLException("connection reset after the commit (test)", "08006");
                }
                return result;
              });
    }
  }

  @Test
  void readsAfterACommitWhoseAcknowledgementWasLost_countEachOutcomeOnce() throws Exception {
    LosingAcks ds = new LosingAcks("jdbc:h2:file:" + dir.toAbsolutePath().resolve("ndp"));
    try (JdbcStorage storage =
        JdbcStorage.builder()
            .dataSource(ds)
            .durability(Durability.BATCHED)
            .closeTimeout(Duration.ofSeconds(5))
            .open()) {
      JdbcConfidenceStore store = storage.confidence();
      ds.loseAcks = true;
      store.recordOutcome("flow", "orders", true);
      // The commit is durable but reported as failed: the outcome goes back to the queue.
      assertThatThrownBy(() -> store.flush(Duration.ofSeconds(10)))
          .isInstanceOf(StorageUnavailableException.class);

      long most = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      while (System.nanoTime() < deadline && most <= 1) {
        most = Math.max(most, store.stats("flow", "orders").successes());
        Thread.sleep(20);
      }
      ds.loseAcks = false;
      assertThat(most)
          .as(
              "successes read while the acknowledged-but-reported-failed commit waits for its"
                  + " retry; exactly one success was recorded (buffered: %d)",
              store.bufferedOutcomes())
          .isEqualTo(1);
    }
  }
}
