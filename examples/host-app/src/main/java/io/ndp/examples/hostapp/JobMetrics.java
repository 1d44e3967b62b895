package io.ndp.examples.hostapp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ndp.core.Ndp;
import io.ndp.micrometer.NdpMetrics;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The job's metrics: an {@link NdpMetrics} listener over a Prometheus meter registry, read once at
 * the end into a short table and a Prometheus text page. Not thread-safe to read while the job runs
 * (it is read once, after).
 */
final class JobMetrics {

  private final PrometheusMeterRegistry meters =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final NdpMetrics listener = NdpMetrics.builder(meters).build();

  /** The listener to hand the runtime's builder. */
  NdpMetrics listener() {
    return listener;
  }

  /** Binds the listener to the built runtime, so that the confidence gauges read it live. */
  void bindTo(Ndp ndp) {
    listener.bindTo(ndp);
  }

  /**
   * What the meters hold now, as a table and a Prometheus page; read it before the runtime closes.
   */
  Snapshot snapshot() {
    Map<String, Row> executions = new TreeMap<>();
    long topLevel = 0;
    long nested = 0;
    for (Timer t : meters.find(NdpMetrics.EXECUTIONS).timers()) {
      String key = t.getId().getTag("pattern") + " " + t.getId().getTag("outcome");
      executions.computeIfAbsent(key, k -> new Row()).add(t);
      if ("true".equals(t.getId().getTag("nested"))) {
        nested += t.count();
      } else {
        topLevel += t.count();
      }
    }
    Map<String, long[]> perPattern = new TreeMap<>();
    long attempts = 0;
    for (Timer t : meters.find(NdpMetrics.ATTEMPTS).timers()) {
      long[] a = perPattern.computeIfAbsent(t.getId().getTag("pattern"), k -> new long[4]);
      a[0] += t.count();
      if (!"success".equals(t.getId().getTag("status"))) {
        a[1] += t.count();
      }
      attempts += t.count();
    }
    long fallbacks = add(perPattern, NdpMetrics.FALLBACKS, 2);
    long retries = add(perPattern, NdpMetrics.RETRIES, 3);

    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "metrics (ndp-micrometer):%n"));
    sb.append(
        String.format(
            Locale.ROOT,
            "%-18s %-8s %10s %10s %10s%n",
            "pattern",
            "outcome",
            "executions",
            "mean ms",
            "max ms"));
    executions.forEach(
        (key, row) -> {
          String[] po = key.split(" ");
          sb.append(
              String.format(
                  Locale.ROOT,
                  "%-18s %-8s %10d %10.3f %10.3f%n",
                  po[0],
                  po[1],
                  row.count,
                  row.count == 0 ? 0.0 : row.totalMillis / row.count,
                  row.maxMillis));
        });
    sb.append(
        String.format(
            Locale.ROOT,
            "%-18s %8s %12s %10s %10s%n",
            "pattern",
            "attempts",
            "unsuccessful",
            "fallbacks",
            "retries"));
    perPattern.forEach(
        (pattern, a) ->
            sb.append(
                String.format(
                    Locale.ROOT, "%-18s %8d %12d %10d %10d%n", pattern, a[0], a[1], a[2], a[3])));
    sb.append(
        String.format(
            Locale.ROOT,
            "executions %d (and %d nested), attempts %d, fallbacks %d, retries %d%n",
            topLevel,
            nested,
            attempts,
            fallbacks,
            retries));
    return new Snapshot(sb.toString(), meters.scrape());
  }

  /** Adds the counters named {@code name} by pattern into column {@code column}; their sum. */
  private long add(Map<String, long[]> perPattern, String name, int column) {
    long sum = 0;
    for (Counter c : meters.find(name).counters()) {
      long n = (long) c.count();
      perPattern.computeIfAbsent(c.getId().getTag("pattern"), k -> new long[4])[column] += n;
      sum += n;
    }
    return sum;
  }

  /** One row of the executions table: the timers of a pattern and outcome, over all domains. */
  private static final class Row {
    long count;
    double totalMillis;
    double maxMillis;

    void add(Timer t) {
      count += t.count();
      totalMillis += t.totalTime(TimeUnit.NANOSECONDS) / 1e6;
      maxMillis = Math.max(maxMillis, t.max(TimeUnit.NANOSECONDS) / 1e6);
    }
  }

  /**
   * The metrics at the end of a job.
   *
   * @param table the short table printed after the job's summary
   * @param prometheus the Prometheus text exposition page
   */
  record Snapshot(String table, String prometheus) {}
}
