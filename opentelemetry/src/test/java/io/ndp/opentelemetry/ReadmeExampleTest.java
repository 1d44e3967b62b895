package io.ndp.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.core.Ndp;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The README's "Traces (ndp-opentelemetry)" binding, through the facade, as written there. */
class ReadmeExampleTest {

  @Test
  void readmeBinding_givesAnExecutionSpanWithItsAttemptAndDelegateSpans() {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    SdkTracerProvider provider =
        SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
    OpenTelemetry openTelemetry = OpenTelemetrySdk.builder().setTracerProvider(provider).build();
    PatternResult result;

    // README: Traces (ndp-opentelemetry)
    NdpTracing tracing = NdpTracing.create(openTelemetry); // the host's SDK (or its agent's)
    ExecutorService pool = Executors.newFixedThreadPool(8); // the host owns and shuts it down
    try (Ndp ndp =
        Ndp.builder()
            .listener(tracing.listener()) // a span per execution and per attempt
            .executor(b -> b.executor(tracing.wrap(pool))) // the trace context onto the pool
            .build()) {
      ndp.delegates().register("validate", tracing.traced("validate", order -> order + " valid"));
      ndp.delegates().register("store", tracing.traced("store", order -> order + " stored"));
      ndp.register(
          new SequentialDelegationPattern(
              "order_flow", "validate, then store", List.of("validate", "store")));
      result =
          ndp.executor()
              .executeBestPattern(
                  PatternContext.builder("orders", "sequential").payload("order-42").build());
    } finally {
      pool.shutdown();
    }
    // end of README

    assertThat(result.output()).isEqualTo("order-42 valid stored");
    SpanTree tree = new SpanTree(exporter.getFinishedSpanItems());
    assertThat(tree.roots()).hasSize(1);
    assertThat(tree.render(tree.roots().get(0)))
        .isEqualTo(
            """
            ndp.execute sequential
              ndp.attempt order_flow
                ndp.delegate store
                ndp.delegate validate
            """);
    assertThat(tree.roots().get(0).getAttributes().asMap())
        .containsAllEntriesOf(
            Map.of(
                NdpAttributes.DOMAIN, "orders",
                NdpAttributes.AGENT_TYPE, "sequential",
                NdpAttributes.PATTERN, "order_flow",
                NdpAttributes.OUTCOME, "SUCCESS",
                NdpAttributes.ATTEMPTS, 1L,
                NdpAttributes.DEPTH, 0L));
    provider.close();
  }
}
