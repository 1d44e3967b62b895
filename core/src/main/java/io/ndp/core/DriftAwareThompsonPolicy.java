package io.ndp.core;

import io.ndp.api.ConfidenceStats;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Thompson sampling that believes every outcome while nothing drifts and only the recent evidence
 * once something does: each candidate's draw comes from its prior updated by all its counts, unless
 * some candidate's recent success rate (its effective evidence, see {@link ConfidenceStats})
 * departs from its long-run rate by more than {@value #Z} standard errors, with at least {@value
 * #MIN_RECENT} outcomes of recent evidence; then every candidate's draw comes from its effective
 * evidence, so that the drifted pattern is judged by what it does now and the others, whose old
 * evidence faded, are explored again.
 *
 * <p>Needs statistics that forget ({@link PatternRegistry.Builder#halfLife}, on by default);
 * without, the two views agree and it is plain Thompson sampling. Thread-safe like {@link
 * ThompsonSamplingPolicy}.
 */
final class DriftAwareThompsonPolicy extends ThompsonSamplingPolicy {

  /** Standard errors between the recent and the long-run rate that mean drift. */
  static final double Z = 3.0;

  /** The recent evidence, in outcomes, below which no drift is read. */
  static final double MIN_RECENT = 10.0;

  DriftAwareThompsonPolicy(@Nullable Long seed) {
    super(seed);
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
  boolean recentOnly(List<Candidate> candidates) {
    for (Candidate c : candidates) {
      if (drifted(c.stats())) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "drift-aware-thompson-sampling";
  }
}
