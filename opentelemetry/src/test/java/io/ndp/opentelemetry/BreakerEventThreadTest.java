package io.ndp.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.PatternContext;
import io.ndp.api.PatternOutcome;
import io.ndp.api.PatternResult;
import io.ndp.api.event.AttemptFinishedEvent;
import io.ndp.api.event.BreakerStateChangedEvent;
import io.ndp.api.event.NdpListener;
import io.ndp.core.BreakerPolicy;
import io.ndp.core.Ndp;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Which span a circuit breaker's change lands on when two threads change breakers at once. */
class BreakerEventThreadTest {

  /**
   * TracingListener.onBreakerStateChanged assumed the event is "sent on the thread whose attempt
   * caused it"; the registry queues breaker changes and whichever thread is delivering the queue
   * delivers them all. Here thread 2 is delivering its own change (domain d2) when thread 1's
   * attempt opens the breaker of domain d1: thread 1's change was delivered by thread 2 and landed
   * on thread 2's attempt span, in the trace of domain d2. Now it gets a span of its own.
   */
  @Test
  void aBreakerChange_isAnEventOfTheTraceWhoseAttemptCausedIt() throws Exception {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    SdkTracerProvider provider =
        SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
    NdpTracing tracing =
        NdpTracing.create(OpenTelemetrySdk.builder().setTracerProvider(provider).build());
    CountDownLatch secondDelivering = new CountDownLatch(1);
    CountDownLatch firstAttemptDone = new CountDownLatch(1);
    AtomicBoolean held = new AtomicBoolean();
    NdpListener gate =
        new NdpListener() {
          @Override
          public void onBreakerStateChanged(BreakerStateChangedEvent e) {
            if (e.domain().equals("d2") && held.compareAndSet(false, true)) {
              secondDelivering.countDown();
              try {
                firstAttemptDone.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
              }
            }
          }

          @Override
          public void onAttemptFinished(AttemptFinishedEvent e) {
            if (e.context().domain().equals("d1")) {
              firstAttemptDone.countDown();
            }
          }
        };
    ExecutorService hosts = Executors.newFixedThreadPool(2);
    try (Ndp ndp =
        Ndp.builder()
            .listener(tracing.listener())
            .listener(gate)
            .circuitBreaker(
                BreakerPolicy.builder()
                    .window(1)
                    .minimumCalls(1)
                    .failureRateThreshold(50)
                    .coolDown(Duration.ofMinutes(1))
                    .build())
            .build()) {
      ndp.register(new ScriptPattern("p", "t", (c, s) -> PatternOutcome.failure("down", null)));
      Future<PatternResult> second =
          hosts.submit(
              () -> ndp.executor().executeBestPattern(PatternContext.builder("d2", "t").build()));
      assertThat(secondDelivering.await(10, TimeUnit.SECONDS))
          .as("d2's breaker change delivered")
          .isTrue();
      Future<PatternResult> first =
          hosts.submit(
              () -> ndp.executor().executeBestPattern(PatternContext.builder("d1", "t").build()));
      assertThat(first.get(20, TimeUnit.SECONDS).success()).isFalse();
      assertThat(second.get(20, TimeUnit.SECONDS).success()).isFalse();
    } finally {
      hosts.shutdownNow();
    }

    List<SpanData> spans = exporter.getFinishedSpanItems();
    SpanData d1Execution =
        spans.stream()
            .filter(s -> "d1".equals(s.getAttributes().get(NdpAttributes.DOMAIN)))
            .filter(s -> s.getName().startsWith(NdpAttributes.EXECUTION_SPAN))
            .findFirst()
            .orElseThrow();
    SpanData withD1Change =
        spans.stream()
            .filter(
                s ->
                    s.getEvents().stream()
                        .anyMatch(
                            ev ->
                                ev.getName().equals(NdpAttributes.BREAKER_EVENT)
                                    && "d1".equals(ev.getAttributes().get(NdpAttributes.DOMAIN))))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no span holds d1's breaker change: " + spans));
    SpanData d2Execution =
        spans.stream()
            .filter(s -> "d2".equals(s.getAttributes().get(NdpAttributes.DOMAIN)))
            .filter(s -> s.getName().startsWith(NdpAttributes.EXECUTION_SPAN))
            .findFirst()
            .orElseThrow();
    // Delivered by d2's thread: not in d2's trace, but on d1's attempt or on a span of its own.
    assertThat(withD1Change.getTraceId())
        .as("trace of the span holding d1's breaker change (%s)", withD1Change.getName())
        .isNotEqualTo(d2Execution.getTraceId());
    if (!withD1Change.getTraceId().equals(d1Execution.getTraceId())) {
      assertThat(withD1Change.getName()).isEqualTo(NdpAttributes.BREAKER_SPAN + " p");
      assertThat(withD1Change.getParentSpanContext().isValid()).isFalse();
    }
  }
}
