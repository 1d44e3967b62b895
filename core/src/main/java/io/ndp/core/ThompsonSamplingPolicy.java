package io.ndp.core;

import io.ndp.api.PatternContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ChengBetaSampler;
import org.jspecify.annotations.Nullable;

/**
 * Ranks by {@code match × sample of Beta(alpha, beta)} of each candidate ({@link
 * SelectionPolicy.Candidate#alpha()}: prior + borrowed + effective outcomes). Thread-safe:
 * unseeded, draws from a per-thread generator; seeded, from a generator that depends only on the
 * seed and the state of the selection (see {@link SelectionRandom}), so that runs are reproducible
 * on any number of threads.
 */
class ThompsonSamplingPolicy implements SelectionPolicy {

  private static final Comparator<Scored> ORDER =
      Comparator.comparingDouble(Scored::key)
          .reversed()
          .thenComparing(s -> s.candidate().pattern().name());

  private final SelectionRandom random;

  /**
   * @param seed a fixed seed, or {@code null} for per-thread random seeds
   */
  ThompsonSamplingPolicy(@Nullable Long seed) {
    this.random = new SelectionRandom(seed, 0x7057);
  }

  @Override
  public final List<Candidate> rank(PatternContext context, List<Candidate> candidates) {
    return Scored.candidates(score(context, candidates));
  }

  @Override
  public final List<Scored> score(PatternContext context, List<Candidate> candidates) {
    UniformRandomProvider rng = random.of(context, candidates);
    boolean recent = recentOnly(candidates);
    List<Scored> drawn = new ArrayList<>(candidates.size());
    for (Candidate c : candidates) {
      drawn.add(new Scored(c, sample(rng, c, recent)));
    }
    drawn.sort(ORDER);
    return drawn;
  }

  /** Whether to draw from the effective (recent) evidence: always, for plain Thompson sampling. */
  boolean recentOnly(List<Candidate> candidates) {
    return true;
  }

  /**
   * A draw from the candidate's posterior over its effective evidence, or over all its outcomes;
   * never NaN (a draw that is not a number ranks last, as 0).
   */
  static double sample(UniformRandomProvider rng, Candidate c, boolean recent) {
    double a;
    double b;
    if (recent) {
      a = c.alpha();
      b = c.beta();
    } else {
      a = c.prior().alpha() + c.stats().successes() + c.borrowed().successes();
      b = c.prior().beta() + c.stats().failures() + c.borrowed().failures();
    }
    double x = ChengBetaSampler.of(rng, a, b).sample();
    return x >= 0 ? x : 0;
  }

  @Override
  public String toString() {
    return "thompson-sampling";
  }
}
