package io.ndp.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.ndp.api.Attempt;
import io.ndp.api.PatternResult;
import io.ndp.api.ResourcePool;
import io.ndp.core.Ndp;
import io.ndp.core.SelectionPolicy;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Builds runtimes that report to metrics, and reads meters and results back for the tests. */
final class Runtimes {

  private Runtimes() {}

  /** A runtime with the built-in kinds, a greedy policy, two attempts, and the given pool. */
  static Ndp runtime(NdpMetrics metrics, ResourcePool pool) {
    return runtime(metrics, pool, b -> b);
  }

  /** The same, with more settings (e.g. retries and circuit breakers). */
  static Ndp runtime(
      NdpMetrics metrics, ResourcePool pool, java.util.function.UnaryOperator<Ndp.Builder> more) {
    return more.apply(
            Ndp.builder()
                .listener(metrics)
                .resourcePool(pool)
                .executor(b -> b.selectionPolicy(SelectionPolicy.greedy()).maxAttempts(2)))
        .build();
  }

  /** Sum of the counts of the timers named {@code name} that carry all the given tags. */
  static long timerCount(MeterRegistry meters, String name, String... tags) {
    return meters.find(name).tags(tags).timers().stream().mapToLong(Timer::count).sum();
  }

  /** Sum of the counters named {@code name} that carry all the given tags. */
  static double counterCount(MeterRegistry meters, String name, String... tags) {
    return meters.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
  }

  /** The value of the one gauge named {@code name} with exactly these tags. */
  static double gauge(MeterRegistry meters, String name, String... tags) {
    return meters.get(name).tags(tags).gauge().value();
  }

  /** The distinct values of tag {@code key} over the meters named {@code name}. */
  static Set<String> tagValues(MeterRegistry meters, String name, String key) {
    Set<String> values = new TreeSet<>();
    meters.find(name).meters().forEach(m -> values.add(m.getId().getTag(key)));
    return values;
  }

  /** The results' executions by "pattern/outcome", as the executions timer should count them. */
  static Map<String, Long> executionsByPatternAndOutcome(Collection<PatternResult> results) {
    Map<String, Long> counts = new TreeMap<>();
    for (PatternResult r : results) {
      String pattern = r.chosenPattern() != null ? r.chosenPattern() : NdpMetrics.NO_PATTERN;
      counts.merge(pattern + "/" + (r.success() ? "success" : "failure"), 1L, Long::sum);
    }
    return counts;
  }

  /** The results' attempts by "pattern/status/kind". */
  static Map<String, Long> attemptsByPatternStatusKind(Collection<PatternResult> results) {
    Map<String, Long> counts = new TreeMap<>();
    for (PatternResult r : results) {
      for (Attempt a : r.attempts()) {
        counts.merge(
            a.patternName() + "/" + lower(a.status()) + "/" + lower(a.kind()), 1L, Long::sum);
      }
    }
    return counts;
  }

  /** The results' moves to another pattern, by the pattern moved away from. */
  static Map<String, Long> fallbacksByFromPattern(Collection<PatternResult> results) {
    Map<String, Long> counts = new TreeMap<>();
    for (PatternResult r : results) {
      List<Attempt> attempts = r.attempts();
      for (int i = 1; i < attempts.size(); i++) {
        String from = attempts.get(i - 1).patternName();
        if (!attempts.get(i).patternName().equals(from)) {
          counts.merge(from, 1L, Long::sum);
        }
      }
    }
    return counts;
  }

  /** What the metrics counted, in the shape of {@link #executionsByPatternAndOutcome}. */
  static Map<String, Long> countedExecutions(MeterRegistry meters, String... tags) {
    Map<String, Long> counts = new TreeMap<>();
    for (Timer t : meters.find(NdpMetrics.EXECUTIONS).tags(tags).timers()) {
      if (t.count() > 0) {
        counts.merge(
            t.getId().getTag("pattern") + "/" + t.getId().getTag("outcome"), t.count(), Long::sum);
      }
    }
    return counts;
  }

  /** What the metrics counted, in the shape of {@link #attemptsByPatternStatusKind}. */
  static Map<String, Long> countedAttempts(MeterRegistry meters) {
    Map<String, Long> counts = new TreeMap<>();
    for (Timer t : meters.find(NdpMetrics.ATTEMPTS).timers()) {
      if (t.count() > 0) {
        counts.merge(
            t.getId().getTag("pattern")
                + "/"
                + t.getId().getTag("status")
                + "/"
                + t.getId().getTag("kind"),
            t.count(),
            Long::sum);
      }
    }
    return counts;
  }

  /** What the metrics counted as fallbacks, by pattern. */
  static Map<String, Long> countedFallbacks(MeterRegistry meters) {
    Map<String, Long> counts = new TreeMap<>();
    for (Counter c : meters.find(NdpMetrics.FALLBACKS).counters()) {
      if (c.count() > 0) {
        counts.merge(c.getId().getTag("pattern"), (long) c.count(), Long::sum);
      }
    }
    return counts;
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(java.util.Locale.ROOT);
  }
}
