package io.ndp.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.Delegate;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The entry point: its checks, traced delegates on their own, and the wrapped executors. */
class NdpTracingTest {

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final SdkTracerProvider provider =
      SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
  private final OpenTelemetry otel = OpenTelemetrySdk.builder().setTracerProvider(provider).build();

  @AfterEach
  void close() {
    provider.close();
  }

  @Test
  void builder_nullOpenTelemetry_isRefusedByName() {
    assertThatThrownBy(() -> NdpTracing.builder(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("openTelemetry must not be null");
    assertThatThrownBy(() -> NdpTracing.create(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("openTelemetry must not be null");
  }

  @Test
  void traced_blankNameOrNullDelegate_isRefusedNamingTheValue() {
    NdpTracing tracing = NdpTracing.create(otel);
    assertThatThrownBy(() -> tracing.traced(" ", in -> in))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("delegate name must be non-blank but was ' '");
    assertThatThrownBy(() -> tracing.traced(null, in -> in))
        .hasMessage("delegate name must be non-blank but was null");
    assertThatThrownBy(() -> tracing.traced("store", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("delegate 'store' to trace must not be null");
    assertThatThrownBy(() -> tracing.wrap((Executor) null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("executor to wrap must not be null");
    assertThatThrownBy(() -> tracing.wrap((ExecutorService) null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("executor to wrap must not be null");
  }

  @Test
  void listener_isOneObject() {
    NdpTracing tracing = NdpTracing.create(otel);
    assertThat(tracing.listener()).isSameAs(tracing.listener());
  }

  @Test
  void tracedDelegate_throwing_rethrowsTheSameExceptionAndEndsItsSpanInError() {
    NdpTracing tracing = NdpTracing.create(otel);
    IOException disk = new IOException("disk full");
    Delegate store =
        tracing.traced(
            "store",
            in -> {
              throw disk;
            });
    Span parent = otel.getTracer("host").spanBuilder("request").startSpan();

    try (Scope ignored = parent.makeCurrent()) {
      assertThatThrownBy(() -> store.execute("x")).isSameAs(disk);
    } finally {
      parent.end();
    }

    SpanTree tree = new SpanTree(exporter.getFinishedSpanItems());
    SpanData span = tree.only("ndp.delegate store");
    assertThat(tree.parent(span).getName()).isEqualTo("request");
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span.getStatus().getDescription()).isEqualTo("disk full");
    assertThat(span.getEvents()).extracting(EventData::getName).containsExactly("exception");
    assertThat(span.getInstrumentationScopeInfo().getName())
        .isEqualTo(NdpTracing.INSTRUMENTATION_SCOPE);
  }

  @Test
  void tracedDelegate_withoutRecordedExceptions_stillEndsInErrorWithTheMessage() throws Exception {
    NdpTracing tracing = NdpTracing.builder(otel).recordExceptions(false).build();
    Delegate fails =
        tracing.traced(
            "fails",
            in -> {
              throw new IllegalArgumentException();
            });
    Delegate echoes = tracing.traced("echo", in -> "echo " + in);

    assertThatThrownBy(() -> fails.execute(null)).isInstanceOf(IllegalArgumentException.class);
    assertThat(echoes.execute("hi")).isEqualTo("echo hi");

    SpanTree tree = new SpanTree(exporter.getFinishedSpanItems());
    SpanData failed = tree.only("ndp.delegate fails");
    assertThat(failed.getEvents()).isEmpty();
    assertThat(failed.getStatus().getDescription())
        .isEqualTo(IllegalArgumentException.class.getName());
    assertThat(tree.only("ndp.delegate echo").getStatus().getStatusCode())
        .isEqualTo(StatusCode.UNSET);
    assertThat(tree.roots()).hasSize(2);
  }

  @Test
  void wrappedExecutorService_runsTasksUnderTheSubmittersSpan_andShutsTheOriginalDown()
      throws Exception {
    NdpTracing tracing = NdpTracing.create(otel);
    ExecutorService raw = Executors.newSingleThreadExecutor();
    ExecutorService wrapped = tracing.wrap(raw);
    Span parent = otel.getTracer("host").spanBuilder("request").startSpan();
    AtomicReference<SpanContext> seen = new AtomicReference<>();
    try (Scope ignored = parent.makeCurrent()) {
      wrapped.submit(() -> seen.set(Span.current().getSpanContext())).get(10, TimeUnit.SECONDS);
    } finally {
      parent.end();
    }
    wrapped.shutdown();

    assertThat(seen.get()).isEqualTo(parent.getSpanContext());
    assertThat(raw.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }
}
