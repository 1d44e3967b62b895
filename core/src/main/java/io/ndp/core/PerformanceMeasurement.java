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

/**
 * Measures named operations into HdrHistograms: count, errors, mean, p50, p95, p99, max.
 *
 * <p>Thread-safe: any number of threads may measure the same name concurrently; {@link #stats}
 * reads a consistent copy.
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
   * Forgets an operation's measurements.
   *
   * @param name the operation
   */
  public void reset(String name) {
    operations.remove(name);
  }

  private Operation operation(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(
          "operation name must be non-blank but was " + (name == null ? "null" : "'" + name + "'"));
    }
    return operations.computeIfAbsent(name, n -> new Operation());
  }

  private static final class Operation {
    // Auto-resizing, so no upper bound has to be guessed; 3 significant digits.
    private final ConcurrentHistogram histogram = new ConcurrentHistogram(3);
    private final LongAdder errors = new LongAdder();

    void record(long nanos, boolean ok) {
      histogram.recordValue(Math.max(0, nanos));
      if (!ok) {
        errors.increment();
      }
    }

    PerformanceStats stats(String name) {
      Histogram copy = histogram.copy();
      long count = copy.getTotalCount();
      if (count == 0) {
        return new PerformanceStats(
            name, 0, 0, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO);
      }
      return new PerformanceStats(
          name,
          count,
          errors.sum(),
          Duration.ofNanos(Math.round(copy.getMean())),
          Duration.ofNanos(copy.getValueAtPercentile(50)),
          Duration.ofNanos(copy.getValueAtPercentile(95)),
          Duration.ofNanos(copy.getValueAtPercentile(99)),
          Duration.ofNanos(copy.getMaxValue()));
    }
  }
}
