package io.ndp.core;

import io.ndp.api.ConfidenceStats;
import io.ndp.api.PatternContext;
import io.ndp.core.SelectionPolicy.Candidate;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.jspecify.annotations.Nullable;

/**
 * The random draws of one selection. Unseeded, a per-thread generator. Seeded, a generator whose
 * seed is a hash of the configured seed, the context's domain and agent type, and every candidate's
 * name, match, outcome counts and borrowed evidence (not the decayed sums: so that policies that
 * differ only in how they weigh the same counts draw the same numbers): the draws are a function of
 * the state the selection sees, so the same state gives the same decision on any thread, in any
 * interleaving, and a run whose outcomes are recorded in the same order makes the same decisions.
 * (A shared seeded generator would hand out its numbers in whichever order the threads arrive.)
 */
final class SelectionRandom {

  private final @Nullable Long seed;
  private final long salt;
  // Only when unseeded; per instance, so that nothing is shared between runtimes.
  private final @Nullable ThreadLocal<UniformRandomProvider> perThread;

  /**
   * @param seed the configured seed, or {@code null} for per-thread generators
   * @param salt tells apart the draws of different users of one selection (policy, guardrails)
   */
  SelectionRandom(@Nullable Long seed, long salt) {
    this.seed = seed;
    this.salt = salt;
    this.perThread =
        seed == null ? ThreadLocal.withInitial(RandomSource.XO_RO_SHI_RO_128_PP::create) : null;
  }

  /** A generator for one selection. */
  UniformRandomProvider of(PatternContext context, List<Candidate> candidates) {
    if (perThread != null) {
      return perThread.get();
    }
    return RandomSource.SPLIT_MIX_64.create(hash(seed, salt, context, candidates));
  }

  static long hash(long seed, long salt, PatternContext context, List<Candidate> candidates) {
    long h = mix(seed ^ salt);
    h = mix(h ^ context.domain().hashCode());
    h = mix(h ^ context.agentType().hashCode());
    for (Candidate c : candidates) {
      ConfidenceStats s = c.stats();
      h = mix(h ^ c.pattern().name().hashCode());
      h = mix(h ^ s.successes());
      h = mix(h ^ s.failures());
      h = mix(h ^ Double.doubleToLongBits(c.borrowed().successes()));
      h = mix(h ^ Double.doubleToLongBits(c.borrowed().failures()));
      h = mix(h ^ Double.doubleToLongBits(c.match().score()));
    }
    return h;
  }

  /** Stafford's variant 13 of the MurmurHash3 finalizer (the SplitMix64 output function). */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
