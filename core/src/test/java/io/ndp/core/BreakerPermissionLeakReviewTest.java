package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.ndp.api.Attempt;
import io.ndp.api.BreakerState;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.api.event.AttemptStartedEvent;
import io.ndp.api.event.NdpListener;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A breaker's permission is taken before the attempt is reported (RetryEvent, FallbackEvent,
 * AttemptStartedEvent) but only given back or counted inside the try/finally around the run. The
 * listener contract lets an InternalError (or an OutOfMemoryError) from a listener through: the
 * probe permission then is never given back nor counted, and a half-open breaker with its one probe
 * "out" skips its pattern for good, though no probe is running.
 */
class BreakerPermissionLeakReviewTest {
  private final AtomicLong nanos = new AtomicLong();

  @Test
  void anErrorFromAListenerAtAttemptStart_doesNotLeaveTheBreakerHalfOpenForever() {
    PatternRegistry registry =
        PatternRegistry.builder()
            .ticker(nanos::get)
            .circuitBreaker(
                BreakerPolicy.builder()
                    .window(2)
                    .minimumCalls(2)
                    .failureRateThreshold(50)
                    .coolDown(Duration.ofSeconds(10))
                    .probes(1)
                    .build())
            .build();
    ScriptedPattern p = new ScriptedPattern("p", "t", 1.0, OutcomeStatus.FAILED);
    registry.register(p);
    AtomicBoolean throwOnce = new AtomicBoolean();
    NdpListener listener =
        new NdpListener() {
          @Override
          public void onAttemptStarted(AttemptStartedEvent event) {
            if (throwOnce.compareAndSet(true, false)) {
              throw new InternalError("listener failure");
            }
          }
        };
    PatternContext ctx = new PatternContext("eu", "t", Map.of());
    try (PatternExecutor e =
        PatternExecutor.builder(registry).ticker(nanos::get).listener(listener).build()) {
      e.delegates().register("work", in -> in);
      e.executeBestPattern(ctx);
      e.executeBestPattern(ctx);
      assertThat(registry.breakerState("p", "eu")).isEqualTo(BreakerState.OPEN);
      p.script(c -> OutcomeStatus.SUCCESS); // recovered

      nanos.addAndGet(Duration.ofSeconds(11).toNanos());
      throwOnce.set(true);
      Throwable thrown = catchThrowable(() -> e.executeBestPattern(ctx));
      assertThat(thrown).isInstanceOf(InternalError.class);
      int runsBefore = p.runs.get();

      // No probe runs any more; the next cool-downs pass; the pattern must be probed again.
      PatternResult later = null;
      for (int i = 0; i < 5; i++) {
        nanos.addAndGet(Duration.ofSeconds(11).toNanos());
        later = e.executeBestPattern(ctx);
      }
      assertThat(later.attempts())
          .as(
              "state %s, %d run(s) since the listener failed: %s",
              registry.breakerState("p", "eu"), p.runs.get() - runsBefore, later.attempts())
          .extracting(Attempt::kind)
          .doesNotContain(Attempt.Kind.SKIPPED);
    }
  }
}
