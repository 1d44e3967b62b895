package io.ndp.core;

import io.ndp.api.PatternContext;
import io.ndp.core.SelectionPolicy.Candidate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@link PatternExecutor#explain(PatternContext)} found: the candidates in the order they
 * would run, the configured fallbacks, and why the other patterns of the agent type were rejected.
 * {@link #toString()} prints a table.
 *
 * <p>Immutable and thread-safe.
 *
 * @param context the context explained
 * @param ranked the matching candidates, best first (the executor tries at most {@code maxAttempts}
 *     of them)
 * @param maxAttempts how many candidates the executor would try before the fallbacks
 * @param fallbacks the configured fallback pattern names
 * @param rejections pattern name to the reason it does not match
 * @since 0.1.0
 */
public record SelectionExplanation(
    PatternContext context,
    List<Candidate> ranked,
    int maxAttempts,
    List<String> fallbacks,
    Map<String, String> rejections) {

  /** Copies the collections. */
  public SelectionExplanation {
    ranked = List.copyOf(ranked);
    fallbacks = List.copyOf(fallbacks);
    rejections = Map.copyOf(rejections);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "selection for domain=%s agentType=%s (max attempts %d)%n",
            context.domain(),
            context.agentType(),
            maxAttempts));
    sb.append(
        String.format(
            Locale.ROOT,
            "  %-4s %-28s %6s %10s %8s %7s%n",
            "rank",
            "pattern",
            "match",
            "confidence",
            "outcomes",
            "score"));
    int rank = 1;
    for (Candidate c : ranked) {
      sb.append(
          String.format(
              Locale.ROOT,
              "  %-4d %-28s %6.3f %10.3f %8d %7.3f%n",
              rank++,
              c.pattern().name(),
              c.match().score(),
              c.confidence(),
              c.stats().total(),
              c.expectedScore()));
    }
    if (!fallbacks.isEmpty()) {
      sb.append("  fallbacks: ")
          .append(String.join(", ", fallbacks))
          .append(System.lineSeparator());
    }
    new TreeMap<>(rejections)
        .forEach(
            (name, reason) ->
                sb.append("  rejected ")
                    .append(name)
                    .append(": ")
                    .append(reason)
                    .append(System.lineSeparator()));
    return sb.toString();
  }
}
