package io.ndp.storage.jdbc;

import java.util.Map;
import java.util.TreeMap;

/**
 * The deterministic outcomes of {@link MultiHostPostgresTest}: outcome {@code i} of host {@code h}
 * is spread by a hash over {@value #PATTERNS} patterns × {@value #DOMAINS} domains, so that every
 * host's threads hit every row and every domain clock at the same time.
 */
final class MultiHostSchedule {
  static final int PATTERNS = 5;
  static final int DOMAINS = 3;

  /** One scheduled outcome. */
  record Outcome(String pattern, String domain, boolean success) {}

  private MultiHostSchedule() {}

  static Outcome outcome(int host, int i) {
    long x = mix(host * 1_000_003L + i) >>> 1;
    return new Outcome(
        "mh-p" + x % PATTERNS,
        "mh-d" + (x / PATTERNS) % DOMAINS,
        (x / (PATTERNS * DOMAINS)) % 4 != 0);
  }

  /**
   * The outcomes of {@code hosts} hosts recording {@code perHost} each: per {@code pattern/domain},
   * {successes, failures}.
   */
  static Map<String, long[]> counts(int hosts, int perHost) {
    Map<String, long[]> out = new TreeMap<>();
    for (int h = 0; h < hosts; h++) {
      for (int i = 0; i < perHost; i++) {
        Outcome o = outcome(h, i);
        out.computeIfAbsent(o.pattern() + "/" + o.domain(), k -> new long[2])[
            o.success() ? 0 : 1]++;
      }
    }
    return out;
  }

  /** SplitMix64's finalizer: a well-spread hash of {@code z}. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
