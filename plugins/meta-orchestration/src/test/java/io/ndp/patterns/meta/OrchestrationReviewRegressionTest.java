package io.ndp.patterns.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternOutcome;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Regression tests for the defects a review of the task group and its kinds proved. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OrchestrationReviewRegressionTest {

  private static PatternContext context() {
    return PatternContext.builder("platform", "orchestrator").payload("request").build();
  }

  /**
   * "No further domain is started, so the failed domain's dependents never run": b has already
   * failed (and was posted) when the coordinator takes a's success and starts a's dependent c.
   */
  @Test
  void aDependent_isNeverStarted_onceAnotherDomainHasFailed() throws Exception {
    try (TestScope direct = new TestScope(Runnable::run)) {
      AtomicBoolean cRan = new AtomicBoolean();
      direct.delegates().register("a", in -> "A");
      direct
          .delegates()
          .register(
              "b",
              in -> {
                throw new IllegalStateException("b broke");
              });
      direct
          .delegates()
          .register(
              "c",
              in -> {
                cRan.set(true);
                return "C";
              });
      MetaOrchestrationPattern p =
          MetaOrchestrationPattern.builder("p").domains("a", "b", "c").after("c", "a").build();

      PatternOutcome outcome = p.execute(context(), direct);

      assertThat(outcome.status()).as(outcome.message()).isEqualTo(OutcomeStatus.FAILED);
      assertThat(cRan).as("c started after b had failed; " + outcome.message()).isFalse();
    }
  }

  /**
   * A domain that the failing domain's fail-fast cancel skipped (never started) is reported as
   * "cancelled: c" — the form for one that ran and was interrupted — instead of "c (before it
   * started)": the skip from the failing thread never reaches the orchestration's skipped set.
   */
  @Test
  void aDomainSkippedByTheFailingDomain_isReportedAsNeverStarted() throws Exception {
    ExecutorService one = Executors.newSingleThreadExecutor();
    try (TestScope scope = new TestScope(one)) {
      CountDownLatch bRunning = new CountDownLatch(1);
      AtomicBoolean cRan = new AtomicBoolean();
      // a runs on the only pool thread; b and c queue behind it, so the coordinator runs b itself.
      scope
          .delegates()
          .register(
              "a",
              in -> {
                bRunning.await();
                throw new IllegalStateException("a broke");
              });
      scope
          .delegates()
          .register(
              "b",
              in -> {
                bRunning.countDown();
                new CountDownLatch(1).await(); // until a's failure interrupts it
                return "B";
              });
      scope
          .delegates()
          .register(
              "c",
              in -> {
                cRan.set(true);
                return "C";
              });
      MetaOrchestrationPattern p =
          MetaOrchestrationPattern.builder("p").domains("a", "b", "c").build();

      PatternOutcome outcome = p.execute(context(), scope);

      assertThat(outcome.status()).isEqualTo(OutcomeStatus.FAILED);
      assertThat(cRan).isFalse();
      assertThat(outcome.message()).contains("domain 'a' failed").contains("c (before it started)");
    }
  }

  /**
   * "In every case the pattern returns only after every domain it started has ended": a domain run
   * on the coordinator thread that throws a VirtualMachineError escapes run() with no cancel and no
   * wait, while a domain on the pool is still running.
   */
  @Test
  void aDomainThrowingAVirtualMachineError_stillLeavesNoDomainRunning() throws Exception {
    ExecutorService one = Executors.newSingleThreadExecutor();
    try (TestScope scope = new TestScope(one)) {
      CountDownLatch aStarted = new CountDownLatch(1);
      AtomicBoolean aEnded = new AtomicBoolean();
      scope
          .delegates()
          .register(
              "a",
              in -> {
                aStarted.countDown();
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
                while (System.nanoTime() < end) {
                  try {
                    new java.util.concurrent.CountDownLatch(1)
                        .await(
                            10,
                            java.util.concurrent.TimeUnit
                                .MILLISECONDS); // ignores interrupts, like a slow cleanup
                  } catch (InterruptedException ignored) {
                    // keep going
                  }
                }
                aEnded.set(true);
                return "A";
              });
      scope
          .delegates()
          .register(
              "b",
              in -> {
                aStarted.await();
                throw new StackOverflowError("deep");
              });
      MetaOrchestrationPattern p = MetaOrchestrationPattern.builder("p").domains("a", "b").build();

      AtomicBoolean aEndedWhenThrown = new AtomicBoolean();
      assertThatThrownBy(
              () -> {
                try {
                  p.execute(context(), scope);
                } finally {
                  aEndedWhenThrown.set(aEnded.get());
                }
              })
          .isInstanceOf(StackOverflowError.class);
      assertThat(aEndedWhenThrown).as("domain a had ended when execute threw").isTrue();
    }
  }
}
