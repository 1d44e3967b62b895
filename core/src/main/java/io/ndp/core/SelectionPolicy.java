package io.ndp.core;

import io.ndp.api.ConfidenceStats;
import io.ndp.api.MatchResult;
import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import io.ndp.api.Prior;
import java.util.ArrayList;
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
   * Orders candidates, best first, saying for each the confidence it was ranked by (the sample
   * drawn, or the posterior mean): what decision records show. The default calls {@link #rank} and
   * reports no sample ({@code NaN}); the built-in policies report theirs.
   *
   * @param context the context being served
   * @param candidates the patterns that match it
   * @return the same candidates (or a subset), best first, with their samples
   * @since 0.2.0
   */
  default List<Scored> score(PatternContext context, List<Candidate> candidates) {
    List<Candidate> ranked = rank(context, candidates);
    List<Scored> scored = new ArrayList<>(ranked.size());
    for (Candidate c : ranked) {
      scored.add(new Scored(c, Double.NaN));
    }
    return scored;
  }

  /**
   * The default policy: {@link #driftAwareThompsonSampling()}, chosen by the simulator's figures
   * (README, "Selection"): near plain Thompson sampling when nothing drifts, and it recovers from
   * drift in about a third of the runs, given statistics that forget (on by default).
   *
   * @return the default policy, with per-thread random draws
   * @since 0.2.0
   */
  static SelectionPolicy defaultPolicy() {
    return driftAwareThompsonSampling();
  }

  /**
   * The default policy with a fixed seed: {@link #driftAwareThompsonSampling(long)}.
   *
   * @param seed the random seed
   * @return the policy
   * @since 0.2.0
   */
  static SelectionPolicy defaultPolicy(long seed) {
    return driftAwareThompsonSampling(seed);
  }

  /**
   * Greedy: highest {@code match score × confidence} first ({@link Candidate#confidence()}: the
   * posterior mean in the context's domain, the prior's mean for an unseen pattern unless it
   * borrowed from its other domains); ties broken by name. Deterministic, but it never explores: a
   * pattern that lost early is never tried again while another succeeds.
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
   * Thompson sampling with a fixed seed, for reproducible runs and tests. The draws of a selection
   * depend only on the seed and the state it sees (the context's domain and agent type, each
   * candidate's name, match and statistics), not on which thread asks or in what order: the same
   * state gives the same decision on any thread.
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
   * {@link #driftAwareThompsonSampling()} with a fixed seed, for reproducible runs and tests;
   * deterministic on several threads as {@link #thompsonSampling(long)} is.
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
   * @param prior what it is believed to do before any outcome ({@link Pattern#prior()})
   * @since 0.1.0
   */
  record Candidate(
      Pattern pattern, MatchResult match, ConfidenceStats stats, Borrowed borrowed, Prior prior) {

    /** Checks that nothing is null. */
    public Candidate {
      Objects.requireNonNull(pattern, "pattern");
      Objects.requireNonNull(match, "match");
      Objects.requireNonNull(stats, "stats");
      Objects.requireNonNull(borrowed, "borrowed");
      Objects.requireNonNull(prior, "prior");
    }

    /**
     * A candidate with the prior its pattern declares.
     *
     * @param pattern the pattern
     * @param match how well it matches the context
     * @param stats its recorded outcomes in the context's domain
     * @param borrowed evidence borrowed from its other domains
     * @throws IllegalArgumentException when the pattern declares no prior ({@code null})
     */
    public Candidate(Pattern pattern, MatchResult match, ConfidenceStats stats, Borrowed borrowed) {
      this(pattern, match, stats, borrowed, priorOf(pattern));
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

    private static Prior priorOf(Pattern pattern) {
      Objects.requireNonNull(pattern, "pattern");
      Prior prior = pattern.prior();
      if (prior == null) {
        throw new IllegalArgumentException(
            "pattern '" + pattern.name() + "' returned a null prior(); return Prior.NEUTRAL");
      }
      return prior;
    }

    /**
     * Returns the first parameter of its Beta posterior: the prior's alpha + effective successes +
     * borrowed successes.
     */
    public double alpha() {
      return prior.alpha() + stats.effectiveSuccesses() + borrowed.successes();
    }

    /**
     * Returns the second parameter of its Beta posterior: the prior's beta + effective failures +
     * borrowed failures.
     */
    public double beta() {
      return prior.beta() + stats.effectiveFailures() + borrowed.failures();
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
   * A candidate as a policy ranked it.
   *
   * @param candidate the candidate
   * @param sample the confidence it was ranked by: a draw from its posterior, or its posterior
   *     mean; {@code NaN} when the policy does not say
   * @since 0.2.0
   */
  record Scored(Candidate candidate, double sample) {

    /** Checks the candidate. */
    public Scored {
      Objects.requireNonNull(candidate, "candidate");
    }

    /** Returns the rank key, {@code match score × sample}. */
    public double key() {
      return candidate.match().score() * sample;
    }

    /** The candidates of a ranking, in its order. */
    static List<Candidate> candidates(List<Scored> scored) {
      List<Candidate> out = new ArrayList<>(scored.size());
      for (Scored s : scored) {
        out.add(s.candidate());
      }
      return out;
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
