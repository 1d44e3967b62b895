package io.ndp.core;

import java.time.Duration;
import java.util.Locale;

/**
 * Latency statistics of one measured operation, as recorded by {@link PerformanceMeasurement}.
 * Percentiles come from an HdrHistogram with 3 significant digits.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name the operation
 * @param count how many calls were measured
 * @param errors how many of them threw
 * @param mean the mean latency
 * @param p50 the median latency
 * @param p95 the 95th percentile
 * @param p99 the 99th percentile
 * @param max the largest latency
 * @since 0.1.0
 */
public record PerformanceStats(
    String name,
    long count,
    long errors,
    Duration mean,
    Duration p50,
    Duration p95,
    Duration p99,
    Duration max) {

  /** A one-line summary in milliseconds. */
  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "%s: count=%d errors=%d mean=%.3fms p50=%.3fms p95=%.3fms p99=%.3fms max=%.3fms",
        name,
        count,
        errors,
        millis(mean),
        millis(p50),
        millis(p95),
        millis(p99),
        millis(max));
  }

  private static double millis(Duration d) {
    return d.toNanos() / 1_000_000.0;
  }
}
