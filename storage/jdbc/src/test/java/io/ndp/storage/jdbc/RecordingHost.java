package io.ndp.storage.jdbc;

import io.ndp.api.StorageUnavailableException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A child JVM of {@link MultiHostPostgresTest}: one host with its own {@link JdbcStorage} (its own
 * connection pool). Opens it, prints {@code ready}, waits for {@code go}, records its {@link
 * MultiHostSchedule} from several threads (thread {@code t} of {@code T} records outcomes {@code t,
 * t+T, ...}), closes the storage (which commits what is buffered) and prints {@code done} with its
 * figures. A recording that throws is counted (a {@link StorageUnavailableException} in SYNC leaves
 * the outcome buffered); anything else makes it print {@code error} and exit 3.
 *
 * <p>Arguments: jdbcUrl, host number, durability, threads, outcomes.
 */
final class RecordingHost {
  private RecordingHost() {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    int host = Integer.parseInt(args[1]);
    Durability durability = Durability.valueOf(args[2]);
    int threads = Integer.parseInt(args[3]);
    int outcomes = Integer.parseInt(args[4]);
    PrintStream out = System.out;
    JdbcStorage storage =
        JdbcStorage.builder().url(url).durability(durability).host("test-host-" + host).open();
    out.println("ready");
    out.flush();
    ChildJvm.awaitGoOrExitWithParent();

    long start = System.nanoTime();
    AtomicLong thrown = new AtomicLong();
    List<Thread> recorders = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int first = t;
      Thread recorder =
          new Thread(
              () -> {
                try {
                  for (int i = first; i < outcomes; i += threads) {
                    MultiHostSchedule.Outcome o = MultiHostSchedule.outcome(host, i);
                    try {
                      storage.confidence().recordOutcome(o.pattern(), o.domain(), o.success());
                    } catch (StorageUnavailableException e) {
                      if (thrown.getAndIncrement() == 0) {
                        System.err.println("first recording that threw: " + e);
                      }
                    }
                  }
                } catch (RuntimeException e) {
                  synchronized (out) {
                    out.println("error " + e);
                    out.flush();
                  }
                  Runtime.getRuntime().halt(3);
                }
              },
              "recorder " + t);
      recorder.start();
      recorders.add(recorder);
    }
    for (Thread recorder : recorders) {
      recorder.join();
    }
    long recorded = System.nanoTime() - start;
    long refused = storage.confidence().refusedOutcomes();
    try {
      storage.close();
    } catch (RuntimeException e) {
      out.println("error closing: " + e);
      out.flush();
      Runtime.getRuntime().halt(4);
    }
    out.printf(
        Locale.ROOT,
        "done host=%d durability=%s outcomes=%d thrown=%d refused=%d recordMillis=%d"
            + " closeMillis=%d%n",
        host,
        durability,
        outcomes,
        thrown.get(),
        refused,
        recorded / 1_000_000,
        (System.nanoTime() - start - recorded) / 1_000_000);
    out.flush();
  }
}
