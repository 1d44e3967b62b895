package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.ConfidenceStats;
import io.ndp.core.internal.InMemoryConfidenceStore;
import org.junit.jupiter.api.Test;

/** Review of the drift test of {@link DriftAwareThompsonPolicy}. */
class DriftAwareThompsonReviewTest {

  /**
   * A pattern that has always succeeded has not drifted: its recent rate (100 %) is its long-run
   * rate (100 %). The test compares the two Beta(1, 1) posterior means instead of the rates, and
   * their difference is only the prior's pull on the smaller (recent) sample; on the tiny standard
   * error of a near-certain rate that exceeds 3 standard errors once ~1,700 outcomes are counted
   * (half-life 100). From then on every ranking in that domain takes the "drift" branch forever,
   * although nothing ever changed.
   */
  @Test
  void aPatternThatHasAlwaysSucceededHasNotDrifted() {
    InMemoryConfidenceStore store = new InMemoryConfidenceStore(100);
    for (int i = 0; i < 2_000; i++) {
      store.recordOutcome("flawless", "eu", true);
    }
    ConfidenceStats s = store.stats("flawless", "eu");

    assertThat(DriftAwareThompsonPolicy.drifted(s)).as("stationary 100 %%: %s", s).isFalse();
  }

  /** The mirror case: a pattern that has always failed has not drifted either. */
  @Test
  void aPatternThatHasAlwaysFailedHasNotDrifted() {
    InMemoryConfidenceStore store = new InMemoryConfidenceStore(100);
    for (int i = 0; i < 2_000; i++) {
      store.recordOutcome("broken", "eu", false);
    }
    ConfidenceStats s = store.stats("broken", "eu");

    assertThat(DriftAwareThompsonPolicy.drifted(s)).as("stationary 0 %%: %s", s).isFalse();
  }
}
