package io.ndp.opentelemetry;

import io.ndp.api.Delegate;
import io.ndp.api.NdpVersion;
import io.ndp.api.event.NdpListener;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;

/**
 * Traces an NDP runtime through the OpenTelemetry API: a span per execution, a child span per
 * attempt, and the trace context carried to delegates, also on the executor's pool threads.
 *
 * <pre>{@code
 * NdpTracing tracing = NdpTracing.create(openTelemetry);   // the host's SDK (or agent)
 * ExecutorService pool = Executors.newFixedThreadPool(16);  // the host owns and closes it
 * try (Ndp ndp = Ndp.builder()
 *     .listener(tracing.listener())                         // execution and attempt spans
 *     .executor(b -> b.executor(tracing.wrap(pool)))        // context onto the pool's threads
 *     .build()) {
 *   ndp.delegates().register("validate", tracing.traced("validate", order -> check(order)));
 *   ndp.executor().executeBestPattern(context);              // under the host's current span
 * }
 * }</pre>
 *
 * <p><b>Spans.</b> {@code ndp.execute <agent type>} per execution, a child of the span current
 * where it starts: the host's span for a host's call, the launching attempt's span for a nested one
 * (a meta-orchestration's domain). {@code ndp.attempt <pattern>} per attempt, a child of its
 * execution's span and current while the pattern runs. {@code ndp.delegate <name>} per call of a
 * {@linkplain #traced traced} delegate. Failures end with status ERROR and the message; fallbacks
 * and retries are events of the execution's span. The names and attributes are in {@link
 * NdpAttributes}.
 *
 * <p><b>Threads.</b> The listener keeps each thread's open spans on a stack of its own: the
 * executor reports an execution's start, attempts and finish on one thread, nested properly, so
 * spans never cross threads and each scope is closed by the thread that opened it. Work a pattern
 * hands to the executor's pool (parallel tasks, meta-orchestration domains) runs with the context
 * of the attempt that forked it only when the pool is {@linkplain #wrap(Executor) wrapped}; without
 * it, such work starts traces of its own.
 *
 * <p>Register the listener once per runtime ({@code Ndp.builder().listener} or {@code
 * PatternExecutor.builder(registry).listener}, not both): each registration reports every
 * execution.
 *
 * <p>Thread-safe: one instance serves any number of executors and threads.
 *
 * @since 0.2.0
 */
public final class NdpTracing {

  /** The instrumentation scope name of the tracer: the module's package. */
  public static final String INSTRUMENTATION_SCOPE = "io.ndp.opentelemetry";

  private final Tracer tracer;
  private final boolean recordExceptions;
  private final TracingListener listener;

  private NdpTracing(Builder b) {
    this.tracer =
        b.openTelemetry
            .tracerBuilder(INSTRUMENTATION_SCOPE)
            .setInstrumentationVersion(NdpVersion.API_VERSION)
            .build();
    this.recordExceptions = b.recordExceptions;
    this.listener = new TracingListener(tracer, recordExceptions);
  }

  /**
   * Traces with the defaults (exceptions recorded as span events).
   *
   * @param openTelemetry the host's OpenTelemetry, e.g. its SDK or {@code
   *     GlobalOpenTelemetry.get()}
   * @return the tracing
   * @throws IllegalArgumentException when it is null
   */
  public static NdpTracing create(OpenTelemetry openTelemetry) {
    return builder(openTelemetry).build();
  }

  /**
   * Starts a builder.
   *
   * @param openTelemetry the host's OpenTelemetry, e.g. its SDK or {@code
   *     GlobalOpenTelemetry.get()}
   * @return the builder
   * @throws IllegalArgumentException when it is null
   */
  public static Builder builder(OpenTelemetry openTelemetry) {
    return new Builder(openTelemetry);
  }

  /**
   * Returns the listener that turns executions and attempts into spans; register it with {@code
   * Ndp.builder().listener(...)} or {@code PatternExecutor.builder(registry).listener(...)}. The
   * same object on every call.
   *
   * @return the listener
   */
  public NdpListener listener() {
    return listener;
  }

  /**
   * Wraps an executor so that each task runs with the context current where it was submitted: give
   * it to the runtime ({@code PatternExecutor.Builder.executor(...)}) and the tasks a pattern forks
   * during an attempt — parallel tasks, meta-orchestration domains and their nested executions —
   * run under that attempt's span on the pool's threads. The runtime does not shut down an executor
   * it was given: the host does.
   *
   * @param executor the host's executor
   * @return an executor that submits to {@code executor}, carrying the context
   * @throws IllegalArgumentException when it is null
   */
  public Executor wrap(Executor executor) {
    if (executor == null) {
      throw new IllegalArgumentException("executor to wrap must not be null");
    }
    return Context.taskWrapping(executor);
  }

  /**
   * Wraps an executor service as {@link #wrap(Executor)} does; shutting the wrapper down shuts
   * {@code executor} down.
   *
   * @param executor the host's executor service
   * @return an executor service that submits to {@code executor}, carrying the context
   * @throws IllegalArgumentException when it is null
   */
  public ExecutorService wrap(ExecutorService executor) {
    if (executor == null) {
      throw new IllegalArgumentException("executor to wrap must not be null");
    }
    return Context.taskWrapping(executor);
  }

  /**
   * Wraps a delegate so that each call is a span {@code ndp.delegate <name>}, a child of the span
   * current where it runs (the attempt's, on a wrapped pool too), current while it runs, and ended
   * with status ERROR (and the exception recorded) when it throws; what it returns or throws is
   * passed through unchanged.
   *
   * <pre>{@code
   * ndp.delegates().register("validate", tracing.traced("validate", order -> check(order)));
   * }</pre>
   *
   * @param name the delegate's name, as registered; non-blank
   * @param delegate the host's delegate
   * @return the traced delegate
   * @throws IllegalArgumentException when the name is blank or the delegate null
   */
  public Delegate traced(String name, Delegate delegate) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(
          "delegate name must be non-blank but was " + (name == null ? "null" : "'" + name + "'"));
    }
    if (delegate == null) {
      throw new IllegalArgumentException("delegate '" + name + "' to trace must not be null");
    }
    return new TracedDelegate(tracer, name, delegate, recordExceptions);
  }

  /** The listener itself, for tests of its bookkeeping. */
  TracingListener tracingListener() {
    return listener;
  }

  /**
   * Configures an {@link NdpTracing}. Not thread-safe.
   *
   * @since 0.2.0
   */
  public static final class Builder {
    private final OpenTelemetry openTelemetry;
    private boolean recordExceptions = true;

    private Builder(OpenTelemetry openTelemetry) {
      if (openTelemetry == null) {
        throw new IllegalArgumentException("openTelemetry must not be null");
      }
      this.openTelemetry = openTelemetry;
    }

    /**
     * Whether a failed attempt's error and a delegate's exception are recorded as an {@code
     * exception} event with its stack trace (default: yes); off, the span still ends with status
     * ERROR and the message.
     *
     * @param enabled record exceptions
     * @return this builder
     */
    public Builder recordExceptions(boolean enabled) {
      this.recordExceptions = enabled;
      return this;
    }

    /**
     * Builds the tracing.
     *
     * @return the tracing
     */
    public NdpTracing build() {
      return new NdpTracing(this);
    }
  }
}
