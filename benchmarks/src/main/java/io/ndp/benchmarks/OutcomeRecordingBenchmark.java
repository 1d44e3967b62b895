package io.ndp.benchmarks;

import com.github.benmanes.caffeine.cache.Ticker;
import io.ndp.core.internal.ConfidenceService;
import io.ndp.core.internal.InMemoryConfidenceStore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Outcome recording in memory through the runtime's confidence service (into the store; an
 * in-memory store is read directly, so no snapshot is invalidated), on 1 and on 2 threads, over 100
 * patterns in 10 domains, each thread walking the same keys, into a store that never forgets and
 * into one with the runtime's default half-life. Goal: at least 10 M outcomes/s on 1 thread, more
 * on 2.
 *
 * <p>The one benchmark that reaches into {@code core.internal}: recording is not public API on its
 * own (hosts record by executing), and timing a whole execution would hide what recording costs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class OutcomeRecordingBenchmark {

  private static final int KEYS = 1024;

  /** The store's half-life: {@code never} forgets, or the runtime's default of 100 outcomes. */
  @Param({"never", "100"})
  public String halfLife;

  private ConfidenceService service;
  private final String[] patterns = new String[KEYS];
  private final String[] domains = new String[KEYS];

  @Setup
  public void setUp() {
    service =
        halfLife.equals("never")
            ? ConfidenceService.inMemory()
            : new ConfidenceService(
                new InMemoryConfidenceStore(Double.parseDouble(halfLife)),
                ConfidenceService.DEFAULT_CACHE_SIZE,
                null,
                Ticker.systemTicker());
    for (int i = 0; i < KEYS; i++) {
      patterns[i] = "pattern_" + (i % 100);
      domains[i] = "domain_" + (i % 10);
    }
  }

  /** Each thread walks its own key sequence. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;

    int advance() {
      next = (next + 1) & (KEYS - 1);
      return next;
    }
  }

  @Benchmark
  @Threads(1)
  public void record1Thread(Cursor cursor) {
    int i = cursor.advance();
    service.record(patterns[i], domains[i], (i & 3) != 0);
  }

  @Benchmark
  @Threads(2)
  public void record2Threads(Cursor cursor) {
    int i = cursor.advance();
    service.record(patterns[i], domains[i], (i & 3) != 0);
  }
}
