package io.ndp.core;

import io.ndp.api.ConfidenceStats;
import io.ndp.api.PatternContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ChengBetaSampler;
import org.apache.commons.rng.simple.RandomSource;
import org.jspecify.annotations.Nullable;

/**
 * Thompson sampling that believes every outcome while nothing drifts and only the recent evidence
 * once something does: each candidate's draw comes from Beta(1 + successes, 1 + failures) of its
 * counts, unless some candidate's recent success rate (its effective evidence, see {@link
 * ConfidenceStats}) departs from its long-run rate by more than {@value #Z} standard errors, with
 * at least {@value #MIN_RECENT} outcomes of recent evidence; then every candidate's draw comes from
 * its effective evidence, so that the drifted pattern is judged by what it does now and the others,
 * whose old evidence faded, are explored again.
 *
 * <p>Needs statistics that forget ({@link PatternRegistry.Builder#halfLife}); without, the two
 * views agree and it is plain Thompson sampling. Thread-safe like {@link ThompsonSamplingPolicy}.
 */
final class DriftAwareThompsonPolicy implements SelectionPolicy {

  /** Standard errors between the recent and the long-run rate that mean drift. */
  static final double Z = 3.0;

  /** The recent evidence, in outcomes, below which no drift is read. */
  static final double MIN_RECENT = 10.0;

  private final @Nullable UniformRandomProvider seeded;
  private final ThreadLocal<UniformRandomProvider> perThread =
      ThreadLocal.withInitial(RandomSource.XO_RO_SHI_RO_128_PP::create);

  DriftAwareThompsonPolicy(@Nullable Long seed) {
    this.seeded = seed == null ? null : RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
  }

  /** Whether the recent evidence of {@code s} departs from its long-run rate. */
  static boolean drifted(ConfidenceStats s) {
    double recent = s.effectiveSampleSize();
    if (recent < MIN_RECENT || s.total() <= recent + MIN_RECENT) {
      return false; // too little recent evidence, or hardly any older evidence to differ from
    }
    // The observed rates, not the posterior means: a prior pulls a small sample more than a large
    // one, which would read as drift in a pattern that always succeeds.
    double longRun = s.successes() / (double) s.total();
    double now = s.effectiveSuccesses() / recent;
    // The spread of a rate over `recent` outcomes, from the long-run rate smoothed away from 0 and
    // 1 (Jeffreys), so that a pattern that always succeeded still has a finite error.
    double p = (s.successes() + 0.5) / (s.total() + 1.0);
    double error = Math.sqrt(p * (1 - p) / recent);
    return Math.abs(now - longRun) > Z * error;
  }

  @Override
  public List<Candidate> rank(PatternContext context, List<Candidate> candidates) {
    boolean drift = false;
    for (Candidate c : candidates) {
      if (drifted(c.stats())) {
        drift = true;
        break;
      }
    }
    record Drawn(Candidate candidate, double key) {}
    List<Drawn> drawn = new ArrayList<>(candidates.size());
    if (seeded != null) {
      synchronized (seeded) {
        for (Candidate c : candidates) {
          drawn.add(new Drawn(c, c.match().score() * sample(seeded, c, drift)));
        }
      }
    } else {
      UniformRandomProvider rng = perThread.get();
      for (Candidate c : candidates) {
        drawn.add(new Drawn(c, c.match().score() * sample(rng, c, drift)));
      }
    }
    drawn.sort(
        Comparator.comparingDouble(Drawn::key)
            .reversed()
            .thenComparing(d -> d.candidate().pattern().name()));
    List<Candidate> out = new ArrayList<>(drawn.size());
    drawn.forEach(d -> out.add(d.candidate()));
    return out;
  }

  private static double sample(UniformRandomProvider rng, Candidate c, boolean recent) {
    if (recent) {
      return ChengBetaSampler.of(rng, c.alpha(), c.beta()).sample();
    }
    ConfidenceStats s = c.stats();
    double a = 1.0 + s.successes() + c.borrowed().successes();
    double b = 1.0 + s.failures() + c.borrowed().failures();
    return ChengBetaSampler.of(rng, a, b).sample();
  }

  @Override
  public String toString() {
    return "drift-aware-thompson-sampling";
  }
}
