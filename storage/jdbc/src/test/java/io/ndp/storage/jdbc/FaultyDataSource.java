package io.ndp.storage.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.jspecify.annotations.Nullable;

/**
 * An in-memory H2 data source whose connections fail commits on demand, as a real database does now
 * and then: a commit aborted on a deadlock ({@link When#INSTEAD_OF_COMMIT}), or a commit carried
 * out whose answer never arrives because the connection broke ({@link When#AFTER_COMMIT}).
 *
 * <p>Thread-safe.
 */
final class FaultyDataSource {
  /** When the armed failure is thrown. */
  enum When {
    /** The commit is not carried out (the caller rolls back). */
    INSTEAD_OF_COMMIT,
    /** The commit is carried out, then the failure is thrown as if its answer were lost. */
    AFTER_COMMIT
  }

  private record Armed(When when, SQLException error) {}

  private final DataSource dataSource;
  private final AtomicReference<@Nullable Armed> armed = new AtomicReference<>();
  private final AtomicInteger failures = new AtomicInteger();

  /** Over a new in-memory H2 database named {@code name} (kept until the JVM exits). */
  FaultyDataSource(String name) {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1");
    this.dataSource =
        (DataSource)
            Proxy.newProxyInstance(
                FaultyDataSource.class.getClassLoader(),
                new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                  Object result = invoke(h2, method, args);
                  return result instanceof Connection c ? faulty(c) : result;
                });
  }

  /** The data source to give to {@link JdbcStorage.Builder#dataSource}. */
  DataSource dataSource() {
    return dataSource;
  }

  /** Makes the next commit, on any connection, fail once with {@code error}. */
  void failNextCommit(When when, SQLException error) {
    armed.set(new Armed(when, error));
  }

  /** How many commits failed as armed. */
  int failures() {
    return failures.get();
  }

  private Connection faulty(Connection target) {
    return (Connection)
        Proxy.newProxyInstance(
            FaultyDataSource.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              if (!method.getName().equals("commit")) {
                return invoke(target, method, args);
              }
              Armed a = armed.getAndSet(null);
              if (a == null) {
                return invoke(target, method, args);
              }
              if (a.when() == When.AFTER_COMMIT) {
                invoke(target, method, args);
              }
              failures.incrementAndGet();
              throw a.error();
            });
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
