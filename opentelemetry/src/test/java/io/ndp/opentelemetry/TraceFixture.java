package io.ndp.opentelemetry;

import io.ndp.api.event.ExecutionFinishedEvent;
import io.ndp.api.event.NdpListener;
import io.ndp.core.PatternExecutor;
import io.ndp.core.PatternRegistry;
import io.ndp.core.SelectionPolicy;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;

/**
 * One traced runtime for a test: an SDK exporting to memory, a span processor counting starts and
 * ends, the tracing, a real registry and executor (greedy, so the order of candidates is known),
 * whose pool is the host's wrapped one, and a listener keeping every result the executor reported.
 */
final class TraceFixture implements AutoCloseable {
  static final String POOL_THREAD = "ndp-otel-test-pool-";

  final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  final Counting counting = new Counting();
  final SdkTracerProvider provider =
      SdkTracerProvider.builder()
          .addSpanProcessor(counting)
          .addSpanProcessor(SimpleSpanProcessor.create(exporter))
          .build();
  final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(provider).build();
  final NdpTracing tracing = NdpTracing.create(sdk);
  final ExecutorService pool;
  final Results results = new Results();
  final PatternRegistry registry = new PatternRegistry();
  final PatternExecutor executor;

  TraceFixture() {
    this(4, true, b -> b);
  }

  TraceFixture(int threads, boolean wrapPool, UnaryOperator<PatternExecutor.Builder> more) {
    AtomicInteger n = new AtomicInteger();
    this.pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, POOL_THREAD + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.executor =
        more.apply(
                PatternExecutor.builder(registry)
                    .selectionPolicy(SelectionPolicy.greedy())
                    .listener(tracing.listener())
                    .listener(results)
                    .executor(wrapPool ? tracing.wrap(pool) : pool))
            .build();
  }

  SpanTree tree() {
    return new SpanTree(exporter.getFinishedSpanItems());
  }

  TracingListener listener() {
    return tracing.tracingListener();
  }

  /**
   * Runs a check on every thread of the pool, each exactly once (they meet at a barrier first), and
   * returns what each saw: the number of spans the listener holds open there, and whether the
   * thread's context is the root one.
   */
  List<String> poolThreadStates(int threads) throws Exception {
    java.util.concurrent.CyclicBarrier all = new java.util.concurrent.CyclicBarrier(threads);
    List<java.util.concurrent.Future<String>> checks = new java.util.ArrayList<>();
    for (int i = 0; i < threads; i++) {
      checks.add(
          pool.submit(
              () -> {
                all.await(10, TimeUnit.SECONDS);
                return Thread.currentThread().getName()
                    + " open="
                    + listener().openOnThisThread()
                    + " root="
                    + (Context.current() == Context.root());
              }));
    }
    List<String> out = new java.util.ArrayList<>();
    for (java.util.concurrent.Future<String> f : checks) {
      out.add(f.get(10, TimeUnit.SECONDS));
    }
    return out;
  }

  @Override
  public void close() {
    executor.close();
    pool.shutdownNow();
    try {
      pool.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    provider.close();
  }

  /** Keeps what the executor reported an execution returned. */
  static final class Results implements NdpListener {
    final Queue<ExecutionFinishedEvent> finished = new ConcurrentLinkedQueue<>();

    @Override
    public void onExecutionFinished(ExecutionFinishedEvent e) {
      finished.add(e);
    }
  }

  /**
   * Counts the spans started and ended, whatever exports them, and keeps those ended on another
   * thread than the one that started them (the SDK calls both on the thread that starts or ends).
   */
  static final class Counting implements SpanProcessor {
    final LongAdder started = new LongAdder();
    final LongAdder ended = new LongAdder();
    final java.util.Map<String, Thread> open = new java.util.concurrent.ConcurrentHashMap<>();
    final Queue<String> endedElsewhere = new ConcurrentLinkedQueue<>();

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
      started.increment();
      open.put(span.getSpanContext().getSpanId(), Thread.currentThread());
    }

    @Override
    public boolean isStartRequired() {
      return true;
    }

    @Override
    public void onEnd(ReadableSpan span) {
      ended.increment();
      Thread startedOn = open.remove(span.getSpanContext().getSpanId());
      if (startedOn != Thread.currentThread()) {
        endedElsewhere.add(span.getName() + " started on " + startedOn);
      }
    }

    @Override
    public boolean isEndRequired() {
      return true;
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
