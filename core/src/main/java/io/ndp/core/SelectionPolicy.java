package io.ndp.core;

import io.ndp.api.ConfidenceStats;
import io.ndp.api.MatchResult;
import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import java.util.List;

/**
 * Orders the matching candidates of a context; the executor runs them in that order until one
 * succeeds.
 *
 * <p>Implementations must be thread-safe: the executor calls {@link #rank} concurrently.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface SelectionPolicy {

  /**
   * Orders candidates, best first.
   *
   * @param context the context being served
   * @param candidates the patterns that match it, with their match and confidence in its domain
   * @return the same candidates (or a subset), best first
   */
  List<Candidate> rank(PatternContext context, List<Candidate> candidates);

  /**
   * The default: highest {@code match score × confidence score} first (confidence in the context's
   * domain, neutral prior 0.5 for unseen patterns); ties broken by name. Deterministic.
   */
  static SelectionPolicy greedy() {
    return GreedySelectionPolicy.INSTANCE;
  }

  /**
   * Thompson sampling: each candidate's confidence is drawn from its Beta(successes + 1, failures +
   * 1) posterior in the context's domain and multiplied by its match score. Explores patterns with
   * few outcomes while exploiting the proven ones.
   */
  static SelectionPolicy thompsonSampling() {
    return new ThompsonSamplingPolicy(null);
  }

  /**
   * Thompson sampling with a fixed seed, for reproducible runs and tests.
   *
   * @param seed the random seed
   * @return the policy
   */
  static SelectionPolicy thompsonSampling(long seed) {
    return new ThompsonSamplingPolicy(seed);
  }

  /**
   * Thompson sampling that follows drift: draws from every outcome while nothing drifts, and from
   * the recent (effective) evidence once some candidate's recent success rate departs from its
   * long-run rate. Needs statistics that forget ({@link PatternRegistry.Builder#halfLife}).
   *
   * @return the policy, with per-thread random draws
   */
  static SelectionPolicy driftAwareThompsonSampling() {
    return new DriftAwareThompsonPolicy(null);
  }

  /**
   * {@link #driftAwareThompsonSampling()} with a fixed seed, for reproducible runs and tests.
   *
   * @param seed the random seed
   * @return the policy
   */
  static SelectionPolicy driftAwareThompsonSampling(long seed) {
    return new DriftAwareThompsonPolicy(seed);
  }

  /**
   * A pattern that matches a context, with what the policy needs to rank it.
   *
   * <p>Immutable and thread-safe.
   *
   * @param pattern the pattern
   * @param match how well it matches the context
   * @param stats its recorded outcomes in the context's domain
   * @since 0.1.0
   */
  record Candidate(Pattern pattern, MatchResult match, ConfidenceStats stats) {

    /** Returns {@code match score × confidence score}: the greedy rank key. */
    public double expectedScore() {
      return match.score() * stats.score();
    }
  }
}
