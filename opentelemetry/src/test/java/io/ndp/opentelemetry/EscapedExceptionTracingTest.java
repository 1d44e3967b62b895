package io.ndp.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.PatternContext;
import io.ndp.api.PatternOutcome;
import io.ndp.core.RetryPolicy;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** An execution that ends with an exception the runtime lets through to the host. */
class EscapedExceptionTracingTest {

  /**
   * RetryPolicy.Builder.retryOn used to say "one that throws ends the execution with that
   * exception": the execution's start was reported, its finish never was, so its span stayed open
   * and current on the host's thread. Now a throwing predicate is logged and not retried; the
   * execution ends as usual and leaves nothing open.
   */
  @Test
  void aRetryPredicateThatThrows_leavesNoSpanOpenOrCurrentOnTheHostThread() throws Exception {
    try (TraceFixture fixture =
        new TraceFixture(
            2,
            true,
            b ->
                b.retry(
                    RetryPolicy.builder()
                        .maxRetries(1)
                        .initialBackoff(Duration.ofMillis(1))
                        .jitter(0)
                        .retryOn(
                            a -> {
                              throw new IllegalStateException("host predicate broke");
                            })
                        .build()))) {
      fixture.registry.register(
          new ScriptPattern("flaky", "t", (c, s) -> PatternOutcome.failure("transient", null)));
      // On a thread of its own, so that what it leaves current cannot leak into other tests.
      ExecutorService host = Executors.newSingleThreadExecutor();
      try {
        List<Object> seen =
            host.submit(
                    () -> {
                      Context before = Context.current();
                      // The predicate's exception is logged: the call returns its failed result.
                      assertThat(
                              fixture
                                  .executor
                                  .executeBestPattern(PatternContext.builder("orders", "t").build())
                                  .success())
                          .isFalse();
                      return List.<Object>of(
                          Context.current() == before,
                          Span.current().toString(),
                          fixture.listener().openOnThisThread());
                    })
                .get(30, TimeUnit.SECONDS);

        assertThat(seen.get(1))
            .as("span current on the host thread after the call")
            .isEqualTo(Span.getInvalid().toString());
        assertThat(seen.get(0)).as("the host's context, restored").isEqualTo(true);
        assertThat(seen.get(2)).as("frames kept by the host thread").isEqualTo(0);
      } finally {
        host.shutdownNow();
      }
    }
  }
}
