package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ndp.api.StorageUnavailableException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
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
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:lost-ack-" + durability + ";DB_CLOSE_DELAY=-1");
    AtomicBoolean loseNextAnswer = new AtomicBoolean();
    AtomicInteger answersLost = new AtomicInteger();
    DataSource ds = losingCommitAnswers(h2, loseNextAnswer, answersLost);
    try (JdbcStorage storage =
        JdbcStorage.builder().dataSource(ds).durability(durability).halfLife(NEVER).open()) {
      loseNextAnswer.set(true);
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
                  answersLost.get() == 1
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

  /**
   * A data source whose connections, while {@code loseNextAnswer} is set, carry out one commit and
   * then throw the connection failure a driver reports when the connection breaks before the
   * answer.
   */
  private static DataSource losingCommitAnswers(
      DataSource target, AtomicBoolean loseNextAnswer, AtomicInteger answersLost) {
    InvocationHandler dataSource =
        (proxy, method, args) -> {
          Object result = invoke(target, method, args);
          if (result instanceof Connection c) {
            return Proxy.newProxyInstance(
                LostCommitAcknowledgementTest.class.getClassLoader(),
                new Class<?>[] {Connection.class},
                (p, m, a) -> {
                  Object r = invoke(c, m, a);
                  if (m.getName().equals("commit") && loseNextAnswer.getAndSet(false)) {
                    answersLost.incrementAndGet();
                    throw new SQLException(
                        "An I/O error occurred while sending to the backend (simulated: the"
                            + " commit was carried out, its answer lost)",
                        "08006");
                  }
                  return r;
                });
          }
          return result;
        };
    return (DataSource)
        Proxy.newProxyInstance(
            LostCommitAcknowledgementTest.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            dataSource);
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
