package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.ndp.api.DelegateDirectory;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.core.SelectionPolicy.Borrowed;
import io.ndp.core.SelectionPolicy.Candidate;
import org.junit.jupiter.api.Test;

/**
 * Cold start: a pattern with little evidence in a domain borrows a few pseudo-outcomes from its
 * other domains, shrunk toward the neutral prior and fading as the domain's own evidence grows.
 */
class BorrowingTest {

  private static PatternExecutor executor(PatternRegistry registry, boolean borrow) {
    DelegateDirectory delegates = new DelegateDirectory();
    delegates.register("work", input -> input);
    return PatternExecutor.builder(registry)
        .delegates(delegates)
        .borrowAcrossDomains(borrow)
        .build();
  }

  private static PatternContext in(String domain) {
    return PatternContext.builder(domain, "sequential").payload("x").build();
  }

  private static Candidate only(SelectionExplanation why) {
    assertThat(why.ranked()).hasSize(1);
    return why.ranked().get(0);
  }

  @Test
  void aNewDomainStartsFromThePatternsExperienceElsewhereShrunkTowardThePrior() {
    // Never forgets: the borrowed weights below are exact arithmetic on the counts.
    PatternRegistry registry = PatternRegistry.builder().halfLife(Double.POSITIVE_INFINITY).build();
    ScriptedPattern p = new ScriptedPattern("p", "sequential", 1.0, OutcomeStatus.SUCCESS);
    registry.register(p);
    PatternExecutor executor = executor(registry, true);
    for (int i = 0; i < 30; i++) {
      executor.executeBestPattern(in("eu"));
    }

    Candidate fresh = only(executor.explain(in("us")));

    // 30 successes elsewhere: rate 31/32, 10 pseudo-outcomes at full weight (no own evidence).
    assertThat(fresh.stats().total()).isZero();
    assertThat(fresh.borrowed().successes()).isCloseTo(10 * 31 / 32.0, within(1e-9));
    assertThat(fresh.borrowed().failures()).isCloseTo(10 * 1 / 32.0, within(1e-9));
    assertThat(fresh.confidence()).isGreaterThan(0.85);

    // Its own evidence takes over: half the way at 10 outcomes, none borrowed from 20 on.
    for (int i = 0; i < 10; i++) {
      executor.executeBestPattern(in("us"));
    }
    Candidate half = only(executor.explain(in("us")));
    assertThat(half.borrowed().successes() + half.borrowed().failures())
        .isCloseTo(5.0, within(1e-9));
    for (int i = 0; i < 10; i++) {
      executor.executeBestPattern(in("us"));
    }
    assertThat(only(executor.explain(in("us"))).borrowed()).isEqualTo(Borrowed.NONE);
  }

  @Test
  void withoutBorrowingOrWithoutExperienceElsewhereANewDomainStartsFromThePrior() {
    // Never forgets: the borrowed weights below are exact arithmetic on the counts.
    PatternRegistry registry = PatternRegistry.builder().halfLife(Double.POSITIVE_INFINITY).build();
    registry.register(new ScriptedPattern("p", "sequential", 1.0, OutcomeStatus.SUCCESS));
    PatternExecutor borrowing = executor(registry, true);
    assertThat(only(borrowing.explain(in("us"))).borrowed()).isEqualTo(Borrowed.NONE);

    for (int i = 0; i < 30; i++) {
      borrowing.executeBestPattern(in("eu"));
    }
    Candidate fresh = only(executor(registry, false).explain(in("us")));

    assertThat(fresh.borrowed()).isEqualTo(Borrowed.NONE);
    assertThat(fresh.confidence()).isEqualTo(0.5);
  }

  @Test
  void borrowedEvidenceMustBeFiniteAndNonNegative() {
    for (double[] bad :
        new double[][] {{-1, 0}, {0, -0.5}, {Double.NaN, 0}, {0, Double.POSITIVE_INFINITY}}) {
      assertThatThrownBy(() -> new Borrowed(bad[0], bad[1]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("finite and non-negative");
    }
  }
}
