package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.ConfidenceStats;
import io.ndp.api.StorageUnavailableException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JdbcConfidenceStore's Javadoc: reads answer from the last rows read "while the database cannot be
 * reached"; "any other failure ... is thrown". A commit refused while the database answers (disk
 * full, {@code 53100}; a statement timeout; a constraint) goes through {@code
 * Database.failedWrite}, which records it as an outage; {@code shouldTry()} is then false and every
 * read answers from {@code lastRead} without asking the database — which answers reads perfectly
 * well. A pattern not among the last rows read then reads as having no committed evidence at all:
 * all it learned vanishes from selection until a commit succeeds again.
 */
class WritesRefusedReadsTest {
  @TempDir Path dir;

  /** H2 whose commits fail with "disk full" while {@code refuseCommits}; reads work throughout. */
  static DataSource refusingCommits(String url, boolean[] refuseCommits) {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL(url);
    return (DataSource)
        Proxy.newProxyInstance(
            DataSource.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> {
              Object result = invoke(h2, method, args);
              if (!(result instanceof Connection real)) {
                return result;
              }
              return Proxy.newProxyInstance(
                  Connection.class.getClassLoader(),
                  new Class<?>[] {Connection.class},
                  (p, m, a) -> {
                    if (m.getName().equals("commit") && refuseCommits[0]) {
                      throw new SQLException(
                          "could not extend file: No space left on device (test)", "53100");
                    }
                    return invoke(real, m, a);
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
  void readsWhileTheDatabaseRefusesWrites_answerWhatItHolds() {
    boolean[] refuseCommits = {false};
    DataSource ds =
        refusingCommits("jdbc:h2:file:" + dir.toAbsolutePath().resolve("ndp"), refuseCommits);
    try (JdbcStorage storage =
        JdbcStorage.builder().dataSource(ds).durability(Durability.SYNC).open()) {
      JdbcConfidenceStore store = storage.confidence();
      for (int i = 0; i < 10; i++) {
        store.recordOutcome("flow", "orders", true); // committed
      }
      refuseCommits[0] = true; // the disk is full: writes fail, reads work
      assertThatThrownBy(() -> store.recordOutcome("other", "orders", true))
          .isInstanceOf(StorageUnavailableException.class);

      ConfidenceStats read = store.stats("flow", "orders");
      ConfidenceStats readAll = store.stats("flow");
      refuseCommits[0] = false;
      assertThat(new long[] {read.successes(), readAll.successes()})
          .as(
              "successes of flow (10 committed, the database answers reads) read by stats(p, d) and"
                  + " stats(p) after one commit was refused for a full disk (health: %s)",
              storage.health())
          .containsExactly(10, 10);
    } catch (StorageUnavailableException closing) {
      // close() may name the outcome it could not commit; the assertion above decides.
    }
  }
}
