package io.ndp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/** Review of bad input to the api's public value types, beyond the context and the definition. */
class ApiInputReviewTest {

  /**
   * {@code new PatternResult(..., attempts = null, ...)} (or a null {@code rejections}, or a
   * rejections map with a null value) fails with the JDK's NullPointerException from inside {@code
   * List.copyOf} / {@code Map.copyOf}, whose message names neither {@code attempts} nor {@code
   * rejections} nor the offending entry; the same constructor names {@code message}, {@code
   * totalDuration} and {@code decision} when they are null. Promised: null input is reported naming
   * the offending value, never as a NullPointerException from deep inside the JDK.
   */
  @Test
  void patternResult_nullCollections_failInsideTheJdk_withoutNamingTheComponent() {
    Map<String, String> nullReason = new HashMap<>();
    nullReason.put("p", null);
    Map<String, Throwable> thrown = new LinkedHashMap<>();
    thrown.put(
        "attempts",
        catchThrowable(
            () -> new PatternResult(false, "m", null, null, null, Map.of(), Duration.ZERO)));
    thrown.put(
        "rejections",
        catchThrowable(
            () -> new PatternResult(false, "m", null, null, List.of(), null, Duration.ZERO)));
    thrown.put(
        "p",
        catchThrowable(
            () -> new PatternResult(false, "m", null, null, List.of(), nullReason, Duration.ZERO)));

    SoftAssertions soft = new SoftAssertions();
    thrown.forEach(
        (named, t) -> {
          soft.assertThat(t).as("null %s was accepted", named).isNotNull();
          if (t != null) {
            soft.assertThat(String.valueOf(t.getMessage()))
                .as("the message of %s for a null %s", t, named)
                .contains(named);
          }
        });
    soft.assertAll();
  }

  /**
   * {@link Decision} and {@link Decision.Entry} document ranges for their numbers ({@code
   * minConfidence} "a posterior mean in [0, 1]", {@code maxAttempts} "at least 1 ... 0 in NONE", an
   * entry's {@code match} "in [0, 1]", {@code posteriorMean} "in [0, 1]", {@code
   * effectiveSampleSize} and {@code borrowed} "non-negative"), yet accept NaN, infinities and
   * negatives silently: a decision record that says minConfidence NaN and maxAttempts -5 is built
   * and printed. Promised: malformed numbers in a public value type are refused with the project's
   * typed exception naming the value.
   */
  @Test
  void decision_acceptsNanAndNegativeNumbers_outsideTheDocumentedRanges() {
    Throwable decision =
        catchThrowable(() -> new Decision("greedy", Double.NaN, -5, List.of(), List.of()));
    Throwable entry =
        catchThrowable(
            () ->
                new Decision.Entry(
                    "p",
                    Double.POSITIVE_INFINITY,
                    -3,
                    -1,
                    Double.NaN,
                    Double.NaN,
                    Decision.Verdict.RANKED));

    SoftAssertions soft = new SoftAssertions();
    soft.assertThat(decision)
        .as("Decision(minConfidence=NaN, maxAttempts=-5) was accepted")
        .isInstanceOf(IllegalArgumentException.class);
    soft.assertThat(entry)
        .as("Entry(match=Infinity, posteriorMean=-3, effectiveSampleSize=-1, borrowed=NaN)")
        .isInstanceOf(IllegalArgumentException.class);
    soft.assertAll();
  }

  /**
   * {@link ConfidenceStats} checks that each count is non-negative, but not that their sum fits:
   * {@code new ConfidenceStats(Long.MAX_VALUE, 1)} is accepted and its {@code total()}, documented
   * as "every outcome ever recorded: successes plus failures, non-negative", is negative. Promised:
   * huge input is refused by name, never an object whose own documented invariant is broken.
   */
  @Test
  void confidenceStats_countsWhoseSumOverflows_giveANegativeTotal() {
    Throwable thrown = catchThrowable(() -> new ConfidenceStats(Long.MAX_VALUE, 1));
    if (thrown == null) {
      ConfidenceStats stats = new ConfidenceStats(Long.MAX_VALUE, 1);
      assertThat(stats.total()).as("total() of %s", stats).isNotNegative();
    } else {
      assertThat(thrown).isInstanceOf(IllegalArgumentException.class);
    }
  }

  /**
   * A context whose {@code required_steps} is not a list but a map that indirectly holds itself
   * (map → list → map, as a careless deserializer's graph may) fails with a StackOverflowError from
   * inside {@code AbstractMap.toString()} while the constructor describes the bad value, instead of
   * the InvalidContextException the class promises for every broken rule ("Validated at
   * construction: every problem found is reported at once by an InvalidContextException"). The
   * definition already refuses self-containing input by name ({@link InputHostilityReviewTest}).
   */
  @Test
  void contextWhoseNameListValueContainsItselfIndirectly_overflowsTheStack() {
    Map<String, Object> steps = new HashMap<>();
    List<Object> inner = new java.util.ArrayList<>();
    inner.add(steps);
    steps.put("next", inner);
    Map<String, Object> attributes = new HashMap<>();
    attributes.put(PatternContext.REQUIRED_STEPS, steps);

    Throwable thrown = catchThrowable(() -> new PatternContext("orders", "sequential", attributes));

    assertThat(thrown)
        .as("threw %s", thrown == null ? null : thrown.getClass())
        .isInstanceOf(InvalidContextException.class)
        .hasMessageContaining(PatternContext.REQUIRED_STEPS);
  }

  /**
   * A pool whose capacity is {@code Integer.MAX_VALUE} (valid: "units, at least 1") over-allocates:
   * with 2 units held, a request for {@code Integer.MAX_VALUE} units (not above the capacity, so
   * valid) is granted, because {@code inUse + units} overflows int and the "does it fit" check
   * passes; afterwards the pool reports a negative number of units in use. Promised (README,
   * DESIGN): a task acquires all its resources at once or none, never over-allocating; huge but
   * valid numbers must not break that.
   */
  @Test
  void resourcePool_hugeCapacity_overAllocatesThroughIntOverflow() throws Exception {
    ResourcePool pool = new ResourcePool(Map.of("gpu", Integer.MAX_VALUE));
    try (ResourcePool.Lease held =
        pool.tryAcquireAll(Map.of("gpu", 2), Duration.ZERO).orElseThrow()) {
      java.util.Optional<ResourcePool.Lease> more =
          pool.tryAcquireAll(Map.of("gpu", Integer.MAX_VALUE), Duration.ZERO);
      Map<String, Integer> active = pool.activeResources();
      more.ifPresent(ResourcePool.Lease::release);

      assertThat(more).as("2 units are held; all %d more cannot fit", Integer.MAX_VALUE).isEmpty();
      assertThat(active.get("gpu")).as("units in use of 'gpu'").isBetween(0, Integer.MAX_VALUE);
      assertThat(held.isReleased()).isFalse();
    }
  }
}
