package io.ndp.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.Attempt;
import io.ndp.api.BreakerState;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternOutcome;
import io.ndp.api.PatternResult;
import io.ndp.api.event.AttemptFinishedEvent;
import io.ndp.api.event.AttemptStartedEvent;
import io.ndp.api.event.BreakerStateChangedEvent;
import io.ndp.api.event.ExecutionFinishedEvent;
import io.ndp.api.event.ExecutionStartedEvent;
import io.ndp.api.event.RetryEvent;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The listener's bookkeeping on the paths that are not the happy one: a pattern that throws, an
 * error the executor lets escape (whose finish events never come), finishes without a start, events
 * of other threads, and the events the executor is about to send (retries, breakers).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TracingListenerTest {

  private final TraceFixture fixture = new TraceFixture();
  private final TracingListener listener = fixture.listener();

  @AfterEach
  void close() {
    fixture.close();
  }

  private static PatternResult result(boolean success, List<Attempt> attempts) {
    return new PatternResult(
        success,
        success ? "ok" : "failed",
        success ? attempts.get(attempts.size() - 1).patternName() : null,
        null,
        attempts,
        Map.of(),
        Duration.ZERO);
  }

  @Test
  void patternThatThrows_attemptEndsFailedWithTheExceptionRecorded_andEverySpanEnds() {
    IllegalStateException bug = new IllegalStateException("pattern bug");
    fixture.registry.register(
        new ScriptPattern(
            "buggy",
            "risky",
            (ctx, scope) -> {
              throw bug;
            }));

    PatternResult r =
        fixture.executor.executeBestPattern(PatternContext.builder("ops", "risky").build());

    assertThat(r.success()).isFalse();
    assertThat(r.attempts().get(0).error()).isSameAs(bug);
    SpanTree tree = fixture.tree();
    SpanData exec = tree.only("ndp.execute risky");
    assertThat(tree.render(exec))
        .isEqualTo(
            """
            ndp.execute risky !
              ndp.attempt buggy !
            """);
    tree.assertMatchesResults(fixture.results.finished);
    SpanData attempt = tree.only("ndp.attempt buggy");
    assertThat(attempt.getEvents()).extracting(EventData::getName).containsExactly("exception");
    assertThat(
            attempt
                .getEvents()
                .get(0)
                .getAttributes()
                .get(AttributeKey.stringKey("exception.message")))
        .isEqualTo("pattern bug");
    assertThat(fixture.counting.started.sum()).isEqualTo(fixture.counting.ended.sum()).isEqualTo(2);
    assertThat(listener.openOnThisThread()).isZero();
  }

  @Test
  void errorEscapingANestedExecution_itsSpansEndWithTheirFinishEvents() {
    // The executor rethrows a VirtualMachineError, after reporting the attempt and the nested
    // execution finished.
    fixture
        .registry
        .register(
            new ScriptPattern(
                "overflowing",
                "deep",
                (ctx, scope) -> {
                  throw new StackOverflowError("simulated");
                }))
        .register(
            new ScriptPattern(
                "outer",
                "shallow",
                (ctx, scope) -> {
                  try {
                    scope.executeBestPattern(PatternContext.builder("inner", "deep").build());
                    return PatternOutcome.success("unexpected", "the error did not escape");
                  } catch (StackOverflowError e) {
                    return PatternOutcome.failure("nested execution overflowed", e);
                  }
                }));

    PatternResult r =
        fixture.executor.executeBestPattern(PatternContext.builder("outer", "shallow").build());

    assertThat(r.success()).isFalse();
    assertThat(r.message()).contains("nested execution overflowed");
    SpanTree tree = fixture.tree();
    assertThat(tree.render(tree.roots().get(0)))
        .isEqualTo(
            """
            ndp.execute shallow !
              ndp.attempt outer !
                ndp.execute deep !
                  ndp.attempt overflowing !
            """);
    // The executor reports the nested attempt and execution finished before the error goes on.
    assertThat(tree.only("ndp.attempt overflowing").getStatus().getDescription())
        .isEqualTo("FAILED: ended by java.lang.StackOverflowError: simulated");
    assertThat(tree.only("ndp.execute deep").getStatus().getDescription())
        .isEqualTo("ended by java.lang.StackOverflowError: simulated");
    assertThat(listener.abandoned()).isZero();
    assertThat(listener.unmatched()).isZero();
    assertThat(fixture.counting.started.sum()).isEqualTo(fixture.counting.ended.sum()).isEqualTo(4);
    assertThat(tree.orphans()).isEmpty();
    assertThat(listener.openOnThisThread()).isZero();
    assertThat(Context.current()).isSameAs(Context.root());
  }

  @Test
  void finishWithoutAStart_isIgnoredAndChangesNothing() {
    PatternContext c = PatternContext.builder("ghost", "t").build();
    Attempt a = new Attempt("p", false, OutcomeStatus.SUCCESS, "ok", null, Duration.ZERO);

    listener.onAttemptFinished(new AttemptFinishedEvent(c, a, 0));
    listener.onExecutionFinished(new ExecutionFinishedEvent(c, result(true, List.of(a)), 0));

    assertThat(listener.unmatched()).isEqualTo(2);
    assertThat(fixture.counting.started.sum()).isZero();
    assertThat(fixture.exporter.getFinishedSpanItems()).isEmpty();
    assertThat(listener.openOnThisThread()).isZero();
  }

  @Test
  void anotherThreadsFinish_doesNotEndThisThreadsSpan() throws Exception {
    PatternContext c = PatternContext.builder("split", "t").build();
    PatternResult r = result(false, List.of());
    listener.onExecutionStarted(new ExecutionStartedEvent(c, 0));

    CompletableFuture.runAsync(
            () -> listener.onExecutionFinished(new ExecutionFinishedEvent(c, r, 0)))
        .get(10, TimeUnit.SECONDS);
    assertThat(listener.unmatched()).isEqualTo(1);
    assertThat(listener.openOnThisThread()).isEqualTo(1);
    assertThat(fixture.exporter.getFinishedSpanItems()).isEmpty();

    listener.onExecutionFinished(new ExecutionFinishedEvent(c, r, 0));
    assertThat(listener.openOnThisThread()).isZero();
    assertThat(fixture.exporter.getFinishedSpanItems()).hasSize(1);
    assertThat(fixture.tree().only("ndp.execute t").getAttributes().get(NdpAttributes.OUTCOME))
        .isEqualTo("NONE");
  }

  @Test
  void retryAndBreaker_becomeEventsOfTheExecutionAndOfTheAttempt() {
    PatternContext c = PatternContext.builder("flaky", "t").build();
    Attempt failed =
        new Attempt("p", false, OutcomeStatus.FAILED, "timeout talking to db", null, Duration.ZERO);
    Attempt retried =
        new Attempt(
            "p",
            false,
            OutcomeStatus.SUCCESS,
            "ok",
            null,
            Duration.ofMillis(3),
            Attempt.Kind.RETRY);

    listener.onExecutionStarted(new ExecutionStartedEvent(c, 0));
    listener.onAttemptStarted(new AttemptStartedEvent(c, "p", 0, false));
    listener.onBreakerStateChanged(
        new BreakerStateChangedEvent(
            "p", "flaky", BreakerState.CLOSED, BreakerState.OPEN, "failure rate 60% > 50%"));
    listener.onAttemptFinished(new AttemptFinishedEvent(c, failed, 0));
    listener.onRetry(new RetryEvent(c, "p", 1, Duration.ofMillis(250), failed));
    listener.onAttemptStarted(new AttemptStartedEvent(c, "p", 1, false));
    listener.onAttemptFinished(new AttemptFinishedEvent(c, retried, 1));
    listener.onExecutionFinished(
        new ExecutionFinishedEvent(c, result(true, List.of(failed, retried)), 0));

    SpanTree tree = fixture.tree();
    SpanData exec = tree.only("ndp.execute t");
    assertThat(exec.getAttributes().get(NdpAttributes.RETRIES)).isEqualTo(1L);
    assertThat(exec.getAttributes().get(NdpAttributes.FALLBACKS)).isZero();
    EventData retry = exec.getEvents().get(0);
    assertThat(retry.getName()).isEqualTo(NdpAttributes.RETRY_EVENT);
    assertThat(retry.getAttributes().get(NdpAttributes.RETRY_NUMBER)).isEqualTo(1L);
    assertThat(retry.getAttributes().get(NdpAttributes.RETRY_BACKOFF_MS)).isEqualTo(250.0);
    assertThat(retry.getAttributes().get(NdpAttributes.ATTEMPT_STATUS)).isEqualTo("FAILED");

    List<SpanData> attempts = tree.children(exec);
    assertThat(attempts)
        .extracting(s -> s.getAttributes().get(NdpAttributes.ATTEMPT_KIND))
        .containsExactly("RUN", "RETRY");
    EventData breaker = attempts.get(0).getEvents().get(0);
    assertThat(breaker.getName()).isEqualTo(NdpAttributes.BREAKER_EVENT);
    assertThat(breaker.getAttributes().get(NdpAttributes.BREAKER_FROM)).isEqualTo("CLOSED");
    assertThat(breaker.getAttributes().get(NdpAttributes.BREAKER_TO)).isEqualTo("OPEN");
    assertThat(breaker.getAttributes().get(NdpAttributes.BREAKER_REASON))
        .isEqualTo("failure rate 60% > 50%");
    assertThat(attempts.get(0).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(attempts.get(1).getAttributes().get(NdpAttributes.ATTEMPT_DURATION_MS))
        .isEqualTo(3.0);
    assertThat(Span.current().getSpanContext().isValid()).isFalse();
  }

  @Test
  void patternRunDirectly_hasNoDecision_soNoConfidence() {
    io.ndp.api.Pattern direct =
        new ScriptPattern("direct", "manual", (ctx, scope) -> PatternOutcome.success("x", "ran"));
    fixture.registry.register(direct);

    PatternResult r =
        fixture.executor.execute(direct, PatternContext.builder("ops", "manual").build());

    assertThat(r.success()).isTrue();
    SpanData exec = fixture.tree().only("ndp.execute manual");
    assertThat(exec.getAttributes().get(NdpAttributes.PATTERN)).isEqualTo("direct");
    assertThat(exec.getAttributes().get(NdpAttributes.CONFIDENCE)).isNull();
    fixture.tree().assertMatchesResults(fixture.results.finished);
  }

  @Test
  void listener_hearsNoResourceEvents_soTheRegistryKeepsItsPoolUnobserved() throws Exception {
    // A registry observes its pool (a snapshot and an event per grant) only for a listener that
    // overrides a resource method: tracing must not put that cost on every parallel task.
    Map<String, Class<?>> resourceMethods =
        Map.of(
            "onResourceAcquired", io.ndp.api.event.ResourceAcquiredEvent.class,
            "onResourceReleased", io.ndp.api.event.ResourceReleasedEvent.class,
            "onResourceConflict", io.ndp.api.event.ResourceConflictEvent.class);
    for (Map.Entry<String, Class<?>> m : resourceMethods.entrySet()) {
      assertThat(TracingListener.class.getMethod(m.getKey(), m.getValue()).getDeclaringClass())
          .as(m.getKey())
          .isEqualTo(io.ndp.api.event.NdpListener.class);
    }
  }
}
