package io.ndp.core;

import io.ndp.api.PatternContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ChengBetaSampler;
import org.apache.commons.rng.simple.RandomSource;
import org.jspecify.annotations.Nullable;

/**
 * Ranks by {@code match × sample of Beta(effective successes + 1, effective failures + 1)}.
 * Thread-safe: unseeded instances draw from a per-thread generator; a seeded instance serializes
 * draws so that a run is reproducible.
 */
final class ThompsonSamplingPolicy implements SelectionPolicy {

  private final @Nullable UniformRandomProvider seeded;
  private final ThreadLocal<UniformRandomProvider> perThread =
      ThreadLocal.withInitial(RandomSource.XO_RO_SHI_RO_128_PP::create);

  /**
   * @param seed a fixed seed, or {@code null} for per-thread random seeds
   */
  ThompsonSamplingPolicy(@Nullable Long seed) {
    this.seeded = seed == null ? null : RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
  }

  @Override
  public List<Candidate> rank(PatternContext context, List<Candidate> candidates) {
    record Drawn(Candidate candidate, double key) {}
    List<Drawn> drawn = new ArrayList<>(candidates.size());
    if (seeded != null) {
      synchronized (seeded) {
        for (Candidate c : candidates) {
          drawn.add(new Drawn(c, c.match().score() * sample(seeded, c)));
        }
      }
    } else {
      UniformRandomProvider rng = perThread.get();
      for (Candidate c : candidates) {
        drawn.add(new Drawn(c, c.match().score() * sample(rng, c)));
      }
    }
    return drawn.stream()
        .sorted(
            Comparator.comparingDouble(Drawn::key)
                .reversed()
                .thenComparing(d -> d.candidate().pattern().name()))
        .map(Drawn::candidate)
        .toList();
  }

  private static double sample(UniformRandomProvider rng, Candidate c) {
    return ChengBetaSampler.of(rng, c.alpha(), c.beta()).sample();
  }

  @Override
  public String toString() {
    return "thompson-sampling";
  }
}
