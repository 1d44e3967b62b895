package io.ndp.storage.jdbc;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The child JVM of {@link CrashRecoveryTest}: opens a storage, prints {@code ready}, waits for
 * {@code go}, then records outcomes of {@link #PATTERN} from several threads (thread {@code t} in
 * domain {@code d<t>}) and prints {@code ack <n>} for each acknowledged one, {@code n} counting the
 * acknowledgements so far (printed in order, flushed at once). It is meant to be killed mid-stream;
 * it stops by itself after {@code maxOutcomes} outcomes or {@code maxSeconds}.
 *
 * <p>Arguments: {@code h2 <dir>} or {@code url <jdbcUrl>}, then the durability, {@code
 * maxUnflushedOutcomes}, threads, maxOutcomes, maxSeconds.
 */
final class CrashingRecorder {
  static final String PATTERN = "crash";

  private CrashingRecorder() {}

  public static void main(String[] args) throws Exception {
    JdbcStorage.Builder builder = JdbcStorage.builder();
    if (args[0].equals("h2")) {
      builder.h2File(Path.of(args[1]));
    } else {
      builder.url(args[1]);
    }
    Durability durability = Durability.valueOf(args[2]);
    int maxUnflushed = Integer.parseInt(args[3]);
    int threads = Integer.parseInt(args[4]);
    long maxOutcomes = Long.parseLong(args[5]);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[6]));
    JdbcStorage storage = builder.durability(durability).maxUnflushedOutcomes(maxUnflushed).open();
    PrintStream out = System.out;
    out.println("ready");
    out.flush();
    ChildJvm.awaitGoOrExitWithParent();

    Object printing = new Object();
    long[] acknowledged = {0};
    AtomicLong next = new AtomicLong();
    List<Thread> recorders = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String domain = "d" + t;
      Thread recorder =
          new Thread(
              () -> {
                for (long n = next.getAndIncrement();
                    n < maxOutcomes && System.nanoTime() < deadline;
                    n = next.getAndIncrement()) {
                  try {
                    storage.confidence().recordOutcome(PATTERN, domain, n % 2 == 0);
                  } catch (RuntimeException e) {
                    synchronized (printing) {
                      out.println("error " + e);
                      out.flush();
                    }
                    Runtime.getRuntime().halt(3);
                  }
                  synchronized (printing) {
                    acknowledged[0]++;
                    out.println("ack " + acknowledged[0]);
                    out.flush();
                  }
                }
              },
              "recorder " + t);
      recorder.start();
      recorders.add(recorder);
    }
    for (Thread recorder : recorders) {
      recorder.join();
    }
    storage.close();
    out.println("finished " + acknowledged[0]);
    out.flush();
  }
}
