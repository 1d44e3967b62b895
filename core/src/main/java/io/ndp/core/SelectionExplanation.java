package io.ndp.core;

import io.ndp.api.BreakerState;
import io.ndp.api.Decision;
import io.ndp.api.PatternContext;
import io.ndp.core.SelectionPolicy.Candidate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What {@link PatternExecutor#explain(PatternContext)} found: the candidates in the order they
 * would run, the decision record (why each is where it is), the configured fallbacks, and why the
 * other patterns of the agent type were rejected. {@link #toString()} prints a table.
 *
 * <p>Immutable and thread-safe.
 *
 * @param context the context explained
 * @param ranked the matching candidates, best first (the executor tries at most {@code maxAttempts}
 *     of them)
 * @param maxAttempts how many candidates the executor would try before the fallbacks
 * @param fallbacks the configured fallback pattern names
 * @param rejections pattern name to the reason it does not match
 * @param decision for each candidate: match, posterior mean, effective sample size, sample drawn,
 *     and why it is where it is (the record a result of the same selection carries)
 * @param breakers the patterns among the candidates and fallbacks whose circuit breaker in the
 *     context's domain is open (they would be skipped) or half-open (their next calls are probes);
 *     empty when breakers are off or all are closed (since 0.2.0)
 * @since 0.1.0
 */
public record SelectionExplanation(
    PatternContext context,
    List<Candidate> ranked,
    int maxAttempts,
    List<String> fallbacks,
    Map<String, String> rejections,
    Decision decision,
    Map<String, BreakerState> breakers) {

  /** Copies the collections. */
  public SelectionExplanation {
    ranked = List.copyOf(ranked);
    fallbacks = List.copyOf(fallbacks);
    rejections = Map.copyOf(rejections);
    Objects.requireNonNull(decision, "decision");
    breakers = Map.copyOf(breakers);
  }

  /**
   * An explanation with no circuit breaker open or half-open.
   *
   * @param context the context explained
   * @param ranked the matching candidates, best first
   * @param maxAttempts how many candidates the executor would try before the fallbacks
   * @param fallbacks the configured fallback pattern names
   * @param rejections pattern name to the reason it does not match
   * @param decision the decision record of the ranking
   */
  public SelectionExplanation(
      PatternContext context,
      List<Candidate> ranked,
      int maxAttempts,
      List<String> fallbacks,
      Map<String, String> rejections,
      Decision decision) {
    this(context, ranked, maxAttempts, fallbacks, rejections, decision, Map.of());
  }

  /**
   * An explanation without a decision record ({@link Decision#NONE}).
   *
   * @param context the context explained
   * @param ranked the matching candidates, best first
   * @param maxAttempts how many candidates the executor would try before the fallbacks
   * @param fallbacks the configured fallback pattern names
   * @param rejections pattern name to the reason it does not match
   */
  public SelectionExplanation(
      PatternContext context,
      List<Candidate> ranked,
      int maxAttempts,
      List<String> fallbacks,
      Map<String, String> rejections) {
    this(context, ranked, maxAttempts, fallbacks, rejections, Decision.NONE, Map.of());
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
    sb.append("  policy: ").append(decision.policy());
    if (decision.minConfidence() > 0) {
      sb.append(String.format(Locale.ROOT, ", minimum confidence %.3f", decision.minConfidence()));
    }
    sb.append(System.lineSeparator()).append(decision);
    if (!fallbacks.isEmpty()) {
      sb.append("  fallbacks: ")
          .append(String.join(", ", fallbacks))
          .append(System.lineSeparator());
    }
    new TreeMap<>(breakers)
        .forEach(
            (name, state) ->
                sb.append("  circuit breaker of ")
                    .append(name)
                    .append(" in ")
                    .append(context.domain())
                    .append(": ")
                    .append(state)
                    .append(
                        state == BreakerState.OPEN
                            ? " (skipped until its cool-down ends)"
                            : " (its next calls are probes)")
                    .append(System.lineSeparator()));
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
