package io.ndp.core;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.WriterReaderPhaser;

/**
 * Measures named operations into HdrHistograms: count, errors, mean, p50, p95, p99, max.
 *
 * <p>Thread-safe: any number of threads may measure the same name concurrently. {@link #stats} is a
 * consistent snapshot: its count, errors and percentiles are of the same calls (never more errors
 * than calls), and {@link #reset} never loses nor breaks a call being measured.
 *
 * <pre>{@code
 * PerformanceMeasurement perf = new PerformanceMeasurement();
 * Function<PatternContext, PatternResult> executePattern =
 *     perf.wrap("pattern_execution", ctx -> executor.execute(pattern, ctx));
 * executePattern.apply(context);
 * perf.printStats("pattern_execution");
 * }</pre>
 *
 * @since 0.1.0
 */
public final class PerformanceMeasurement {

  private final ConcurrentMap<String, Operation> operations = new ConcurrentHashMap<>();

  /** Creates an empty measurement. */
  public PerformanceMeasurement() {}

  /**
   * Runs and measures {@code work}. A call that throws is measured and counted as an error.
   *
   * @param name the operation
   * @param work the work
   * @param <T> the result type
   * @return what {@code work} returned
   */
  public <T> T measure(String name, Supplier<T> work) {
    Operation op = operation(name);
    long start = System.nanoTime();
    boolean ok = false;
    try {
      T result = work.get();
      ok = true;
      return result;
    } finally {
      op.record(System.nanoTime() - start, ok);
    }
  }

  /**
   * Runs and measures {@code work}.
   *
   * @param name the operation
   * @param work the work
   */
  public void measure(String name, Runnable work) {
    measure(
        name,
        () -> {
          work.run();
          return null;
        });
  }

  /**
   * Wraps a function so that every call is measured: the Java form of a measuring decorator.
   *
   * @param name the operation
   * @param function the function
   * @param <T> the argument type
   * @param <R> the result type
   * @return a measured function
   */
  public <T, R> Function<T, R> wrap(String name, Function<T, R> function) {
    operation(name);
    return input -> measure(name, () -> function.apply(input));
  }

  /**
   * Wraps a supplier so that every call is measured.
   *
   * @param name the operation
   * @param supplier the supplier
   * @param <T> the result type
   * @return a measured supplier
   */
  public <T> Supplier<T> wrap(String name, Supplier<T> supplier) {
    operation(name);
    return () -> measure(name, supplier);
  }

  /**
   * Returns the statistics of an operation.
   *
   * @param name the operation
   * @return its statistics (all zero when it was wrapped but never called)
   * @throws IllegalArgumentException when nothing was measured under that name
   */
  public PerformanceStats stats(String name) {
    Operation op = operations.get(name);
    if (op == null) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT, "no operation named '%s' was measured; measured: %s", name, names()));
    }
    return op.stats(name);
  }

  /** Returns the names measured so far, sorted. */
  public Set<String> names() {
    return new TreeSet<>(operations.keySet());
  }

  /**
   * Prints {@link #stats(String)} as one line to standard output (the guide's {@code print_stats}).
   *
   * @param name the operation
   */
  public void printStats(String name) {
    printStats(name, System.out);
  }

  /**
   * Prints {@link #stats(String)} as one line to {@code out}.
   *
   * @param name the operation
   * @param out where to print
   */
  public void printStats(String name, PrintStream out) {
    out.println(stats(name));
  }

  /**
   * Forgets an operation's measurements so far. A call being measured at that moment is counted in
   * the new period (never lost), and {@link #stats} of the name keeps working (all zero until the
   * next call ends).
   *
   * @param name the operation
   */
  public void reset(String name) {
    Operation op = operations.get(name);
    if (op != null) {
      op.reset();
    }
  }

  private Operation operation(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(
          "operation name must be non-blank but was " + (name == null ? "null" : "'" + name + "'"));
    }
    return operations.computeIfAbsent(name, n -> new Operation());
  }

  /**
   * One operation's measurements. Each call records its latency and, when it failed, its error in
   * one writer critical section of a {@link WriterReaderPhaser} (HdrHistogram's own mechanism
   * behind its {@code Recorder}); a snapshot swaps in a fresh interval and waits for the writers of
   * the old one, so a snapshot never sees an error without its call, and totals and percentiles are
   * of the same calls.
   */
  private static final class Operation {
    private final WriterReaderPhaser phaser = new WriterReaderPhaser();
    private volatile Interval active = new Interval();
    // Guarded by the phaser's reader lock.
    private final Histogram total = new Histogram(3);
    private long totalErrors;

    /** Calls recorded since the last snapshot: written concurrently, read after the swap. */
    private static final class Interval {
      // Auto-resizing, so no upper bound has to be guessed; 3 significant digits.
      final ConcurrentHistogram latencies = new ConcurrentHistogram(3);
      final LongAdder errors = new LongAdder();
    }

    void record(long nanos, boolean ok) {
      long critical = phaser.writerCriticalSectionEnter();
      try {
        Interval i = active;
        i.latencies.recordValue(Math.max(0, nanos));
        if (!ok) {
          i.errors.increment();
        }
      } finally {
        phaser.writerCriticalSectionExit(critical);
      }
    }

    /** Moves the calls recorded so far into the totals (or drops them); caller holds readerLock. */
    private void swap(boolean keep) {
      Interval old = active;
      active = new Interval();
      phaser.flipPhase();
      if (keep) {
        total.add(old.latencies);
        totalErrors += old.errors.sum();
      }
    }

    void reset() {
      phaser.readerLock();
      try {
        swap(false);
        total.reset();
        totalErrors = 0;
      } finally {
        phaser.readerUnlock();
      }
    }

    PerformanceStats stats(String name) {
      phaser.readerLock();
      try {
        swap(true);
        long count = total.getTotalCount();
        if (count == 0) {
          return new PerformanceStats(
              name,
              0,
              0,
              Duration.ZERO,
              Duration.ZERO,
              Duration.ZERO,
              Duration.ZERO,
              Duration.ZERO);
        }
        return new PerformanceStats(
            name,
            count,
            totalErrors,
            Duration.ofNanos(Math.round(total.getMean())),
            Duration.ofNanos(total.getValueAtPercentile(50)),
            Duration.ofNanos(total.getValueAtPercentile(95)),
            Duration.ofNanos(total.getValueAtPercentile(99)),
            Duration.ofNanos(total.getMaxValue()));
      } finally {
        phaser.readerUnlock();
      }
    }
  }
}
