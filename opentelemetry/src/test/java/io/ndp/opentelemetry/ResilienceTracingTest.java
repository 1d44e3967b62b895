package io.ndp.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.PatternContext;
import io.ndp.api.PatternOutcome;
import io.ndp.api.PatternResult;
import io.ndp.core.RetryPolicy;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A real retried execution: one attempt span per try, the retry an event on the execution. */
class ResilienceTracingTest {

  @Test
  void aRetriedExecution_hasOneAttemptSpanPerTry_andTheRetryAsAnEvent() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    try (TraceFixture fixture =
        new TraceFixture(
            2,
            true,
            b ->
                b.retry(
                    RetryPolicy.builder()
                        .maxRetries(2)
                        .initialBackoff(Duration.ofMillis(1))
                        .jitter(0)
                        .build()))) {
      fixture.registry.register(
          new ScriptPattern(
              "flaky",
              "t",
              (c, s) ->
                  calls.incrementAndGet() == 1
                      ? PatternOutcome.failure("transient", null)
                      : PatternOutcome.success("done", "ok")));
      PatternResult r =
          fixture.executor.executeBestPattern(PatternContext.builder("orders", "t").build());
      assertThat(r.success()).isTrue();
      assertThat(r.retries()).isEqualTo(1);

      List<SpanData> spans = fixture.exporter.getFinishedSpanItems();
      SpanData execution =
          spans.stream()
              .filter(sp -> sp.getName().startsWith(NdpAttributes.EXECUTION_SPAN))
              .findFirst()
              .orElseThrow();
      List<SpanData> attempts =
          spans.stream().filter(sp -> sp.getName().startsWith(NdpAttributes.ATTEMPT_SPAN)).toList();
      assertThat(attempts)
          .extracting(sp -> sp.getAttributes().get(NdpAttributes.ATTEMPT_KIND))
          .containsExactly("RUN", "RETRY");
      assertThat(attempts)
          .allSatisfy(sp -> assertThat(sp.getParentSpanId()).isEqualTo(execution.getSpanId()));
      assertThat(execution.getAttributes().get(NdpAttributes.RETRIES)).isEqualTo(1L);
      List<EventData> retries =
          execution.getEvents().stream()
              .filter(ev -> ev.getName().equals(NdpAttributes.RETRY_EVENT))
              .toList();
      assertThat(retries).hasSize(1);
      Attributes a = retries.get(0).getAttributes();
      assertThat(a.get(NdpAttributes.RETRY_NUMBER)).isEqualTo(1L);
      assertThat(a.get(NdpAttributes.RETRY_BACKOFF_MS)).isEqualTo(1.0);
    }
  }
}
