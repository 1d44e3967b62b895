package io.ndp.core;

import io.ndp.api.ConfidenceStats;
import io.ndp.api.MatchResult;
import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import java.util.List;
import java.util.Objects;

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
   * The default: highest {@code match score × confidence} first ({@link Candidate#confidence()}:
   * the posterior mean in the context's domain, 0.5 for an unseen pattern unless it borrowed from
   * its other domains); ties broken by name. Deterministic.
   */
  static SelectionPolicy greedy() {
    return GreedySelectionPolicy.INSTANCE;
  }

  /**
   * Thompson sampling: each candidate's confidence is drawn from its Beta({@link
   * Candidate#alpha()}, {@link Candidate#beta()}) posterior in the context's domain (its effective
   * evidence plus what it borrowed) and multiplied by its match score. Explores patterns with few
   * outcomes while exploiting the proven ones.
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
   * @param borrowed evidence borrowed from its other domains while this one has little of its own
   *     ({@link Borrowed#NONE} otherwise)
   * @since 0.1.0
   */
  record Candidate(Pattern pattern, MatchResult match, ConfidenceStats stats, Borrowed borrowed) {

    /** Checks that nothing is null. */
    public Candidate {
      Objects.requireNonNull(pattern, "pattern");
      Objects.requireNonNull(match, "match");
      Objects.requireNonNull(stats, "stats");
      Objects.requireNonNull(borrowed, "borrowed");
    }

    /**
     * A candidate judged by its own evidence in the domain only.
     *
     * @param pattern the pattern
     * @param match how well it matches the context
     * @param stats its recorded outcomes in the context's domain
     */
    public Candidate(Pattern pattern, MatchResult match, ConfidenceStats stats) {
      this(pattern, match, stats, Borrowed.NONE);
    }

    /** Returns the first parameter of its Beta posterior: 1 + effective successes + borrowed. */
    public double alpha() {
      return 1.0 + stats.effectiveSuccesses() + borrowed.successes();
    }

    /** Returns the second parameter of its Beta posterior: 1 + effective failures + borrowed. */
    public double beta() {
      return 1.0 + stats.effectiveFailures() + borrowed.failures();
    }

    /** Returns the posterior mean, {@code alpha / (alpha + beta)}: its confidence. */
    public double confidence() {
      return alpha() / (alpha() + beta());
    }

    /** Returns {@code match score × confidence}: the greedy rank key. */
    public double expectedScore() {
      return match.score() * confidence();
    }
  }

  /**
   * Pseudo-outcomes a candidate borrows from the pattern's experience in other domains while the
   * context's domain has little evidence of its own (cold start): the rate seen elsewhere, shrunk
   * toward the neutral prior, with a weight of a few outcomes that fades as the domain's own
   * evidence grows.
   *
   * @param successes borrowed successes, finite and non-negative
   * @param failures borrowed failures, finite and non-negative
   * @since 0.2.0
   */
  record Borrowed(double successes, double failures) {

    /** Nothing borrowed. */
    public static final Borrowed NONE = new Borrowed(0, 0);

    /** Checks the weights. */
    public Borrowed {
      if (!(successes >= 0 && failures >= 0)
          || Double.isInfinite(successes)
          || Double.isInfinite(failures)) {
        throw new IllegalArgumentException(
            "borrowed evidence must be finite and non-negative but was "
                + successes
                + " successes and "
                + failures
                + " failures");
      }
    }
  }
}
