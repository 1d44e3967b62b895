package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Review: {@code Arrangement.of} calls {@code policy.toString()} on every selection to name the
 * policy in the decision. SelectionPolicy is a functional interface; a lambda policy's toString is
 * Object's, which builds the class name and the identity hash in hex each time. Measured with the
 * ThreadMXBean over 50,000 calls, one candidate: about 1.6 KB per {@code executeBestPattern} with a
 * lambda policy against 1.2 KB with the same policy as a class whose toString returns a constant
 * (about 380 B per call of string formatting). The name of a policy that does not change could be
 * taken once, when the executor is built.
 */
class PolicyNameHotPathReviewTest {

  @Test
  void executeBestPattern_doesNotFormatThePolicysNameOnEveryCall() {
    AtomicInteger named = new AtomicInteger();
    SelectionPolicy policy =
        new SelectionPolicy() {
          @Override
          public List<Candidate> rank(PatternContext context, List<Candidate> candidates) {
            return candidates;
          }

          @Override
          public String toString() {
            named.incrementAndGet();
            return super.toString(); // what a lambda policy gets: Object.toString()
          }
        };
    PatternRegistry registry = new PatternRegistry();
    registry.register(new ScriptedPattern("a", "t", 1.0, OutcomeStatus.SUCCESS));
    PatternContext ctx = new PatternContext("orders", "t", Map.of());
    try (PatternExecutor executor =
        PatternExecutor.builder(registry).selectionPolicy(policy).build()) {
      executor.delegates().register("work", in -> in);
      executor.executeBestPattern(ctx);
      int before = named.get();

      for (int i = 0; i < 100; i++) {
        assertThat(executor.executeBestPattern(ctx).success()).isTrue();
      }

      assertThat(named.get() - before)
          .as("policy.toString() calls during 100 executeBestPattern calls")
          .isZero();
    }
  }
}
