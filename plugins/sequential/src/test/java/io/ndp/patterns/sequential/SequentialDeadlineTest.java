package io.ndp.patterns.sequential;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.DelegateDirectory;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternOutcome;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A sequential run that meets its deadline carries the outputs of the steps that finished. */
class SequentialDeadlineTest {

  @Test
  void deadlinePassedDuringAStep_isTimedOut_withThePartialResults() {
    DelegateDirectory delegates = new DelegateDirectory();
    delegates.register("parse", in -> "parsed");
    delegates.register(
        "slow",
        in -> {
          // Waits past the deadline; the executor's watchdog would interrupt it, here we do.
          Thread.currentThread().interrupt();
          return new CountDownLatch(1).await(1, TimeUnit.SECONDS);
        });
    delegates.register("store", in -> "stored");
    SequentialDelegationPattern p =
        new SequentialDelegationPattern("flow", "", List.of("parse", "slow", "store"));
    TestScope scope = new TestScope(delegates, Instant.now().minusMillis(1));

    PatternOutcome beforeAnyStep =
        p.execute(new PatternContext("orders", "sequential", Map.of()), scope);
    assertThat(beforeAnyStep.status()).isEqualTo(OutcomeStatus.TIMED_OUT);
    assertThat(beforeAnyStep.output()).isEqualTo(Map.of());

    TestScope later = new TestScope(delegates, Instant.now().plusMillis(50));
    delegates.replace(
        "parse",
        in -> {
          long until = System.nanoTime() + 100_000_000L;
          while (System.nanoTime() < until) {
            Thread.onSpinWait();
          }
          return "parsed";
        });
    PatternOutcome during = p.execute(new PatternContext("orders", "sequential", Map.of()), later);
    Thread.interrupted();
    assertThat(during.status()).isEqualTo(OutcomeStatus.TIMED_OUT);
    assertThat(during.output()).isEqualTo(Map.of("parse", "parsed"));
  }
}
