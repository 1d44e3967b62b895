package io.ndp.opentelemetry;

import io.ndp.api.Delegate;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import org.jspecify.annotations.Nullable;

/**
 * A delegate whose every call is a span: {@link NdpTracing#traced}.
 *
 * <p>Thread-safe if the wrapped delegate is: it keeps no state of its own between calls.
 */
final class TracedDelegate implements Delegate {
  private final Tracer tracer;
  private final String name;
  private final String spanName;
  private final Delegate delegate;
  private final boolean recordExceptions;

  TracedDelegate(Tracer tracer, String name, Delegate delegate, boolean recordExceptions) {
    this.tracer = tracer;
    this.name = name;
    this.spanName = NdpAttributes.DELEGATE_SPAN + " " + name;
    this.delegate = delegate;
    this.recordExceptions = recordExceptions;
  }

  @Override
  public @Nullable Object execute(@Nullable Object input) throws Exception {
    // The parent is the span current on this thread: the attempt's, or a wrapped pool task's.
    Span span =
        tracer
            .spanBuilder(spanName)
            .setSpanKind(SpanKind.INTERNAL)
            .setAttribute(NdpAttributes.DELEGATE, name)
            .startSpan();
    try (Scope ignored = span.makeCurrent()) {
      return delegate.execute(input);
    } catch (Throwable t) {
      if (recordExceptions) {
        span.recordException(t);
      }
      span.setStatus(
          StatusCode.ERROR, t.getMessage() == null ? t.getClass().getName() : t.getMessage());
      throw t;
    } finally {
      span.end();
    }
  }

  @Override
  public String toString() {
    return "traced(" + name + ", " + delegate + ")";
  }
}
