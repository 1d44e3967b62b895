package io.ndp.patterns.sequential;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.MatchResult;
import io.ndp.api.PatternContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Review of c2d3446 (sequential match without a set): tests that fail on the code under review. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SequentialMatchReviewTest {

  /**
   * match() now skips duplicates with {@code required.indexOf(step) != i}: a linear scan per
   * required step, so a context naming n distinct steps costs O(n²) in every sequential pattern
   * asked (before: one LinkedHashSet, O(n)). Hostile input: a context naming 50,000 steps nobody
   * offers has no candidate in the offer index, so selection asks every sequential pattern of the
   * runtime, each for seconds. The bound here is generous: 50 times what the set-based
   * de-duplication of the same list costs, and at least half a second (the code under review takes
   * about 3 s on the review machine, the set-based one a few milliseconds).
   */
  @Test
  void matchingAContextNamingManySteps_costsLinearTime_notQuadratic() {
    SequentialDelegationPattern p =
        new SequentialDelegationPattern("p", "review", List.of("validate", "store"));
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 50_000; i++) {
      many.add("step-" + i);
    }
    PatternContext hostile =
        PatternContext.builder("orders", "sequential").requiredSteps(many).build();
    // Warm both paths up on a small list.
    PatternContext small =
        PatternContext.builder("orders", "sequential").requiredSteps(many.subList(0, 500)).build();
    for (int i = 0; i < 20; i++) {
      p.match(small);
      dedupBySet(small.requiredSteps(), p.steps());
    }

    long t0 = System.nanoTime();
    int missing = dedupBySet(hostile.requiredSteps(), p.steps());
    long baselineMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    long t1 = System.nanoTime();
    MatchResult m = p.match(hostile);
    long matchMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);

    assertThat(m.isMatch()).isFalse();
    assertThat(missing).isEqualTo(50_000);
    assertThat(matchMillis)
        .as(
            "match() of 50,000 required steps took %d ms; the set-based scan took %d ms",
            matchMillis, baselineMillis)
        .isLessThan(Math.max(500, 50 * baselineMillis));
  }

  /** What match() did before: de-duplicate with a set, then look each step up in the steps. */
  private static int dedupBySet(List<String> required, List<String> steps) {
    Set<String> distinct = new LinkedHashSet<>(required);
    int missing = 0;
    for (String s : distinct) {
      if (!steps.contains(s)) {
        missing++;
      }
    }
    return missing;
  }
}
