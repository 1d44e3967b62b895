package io.ndp.opentelemetry;

import io.ndp.api.Attempt;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.api.event.AttemptFinishedEvent;
import io.ndp.api.event.AttemptStartedEvent;
import io.ndp.api.event.BreakerStateChangedEvent;
import io.ndp.api.event.ExecutionFinishedEvent;
import io.ndp.api.event.ExecutionStartedEvent;
import io.ndp.api.event.FallbackEvent;
import io.ndp.api.event.NdpListener;
import io.ndp.api.event.RetryEvent;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an executor's events into spans: {@link NdpTracing#listener()}.
 *
 * <p><b>Why a per-thread stack.</b> The executor sends an execution's start, its attempts and its
 * finish on one thread, properly nested: an attempt's nested executions start and finish while it
 * runs, on the thread that runs them. So each thread keeps the spans it opened, innermost last, and
 * makes the innermost one current ({@link Context#makeCurrent()}) until its finish: pattern code,
 * delegates and nested executions on that thread see it as {@link Span#current()}, and work handed
 * to a {@linkplain NdpTracing#wrap(java.util.concurrent.Executor) wrapped executor} carries it to
 * the pool thread. A finish closes the scope its own start opened, on the same thread, so scopes
 * close in the reverse order they opened.
 *
 * <p><b>Matching.</b> A finish is matched to its start by the context object (identity) and the
 * depth (executions) or the attempt index (attempts), searching from the innermost frame, which is
 * always the one to close while the executor keeps its contract. Should a start ever lack its
 * finish (an {@code Error} the executor does not absorb, such as a {@code StackOverflowError},
 * escaped an attempt), the frames left above a finish that does arrive are ended with status ERROR,
 * so no span stays open under a parent that ended; a finish without a start is ignored. An error
 * that escapes a host's call leaves its frames open, and current, on that thread: nothing tells
 * them apart from a call a pattern nests inside its attempt.
 *
 * <p>Thread-safe: the only shared state is the tracer and two counters; everything else is the
 * calling thread's.
 */
final class TracingListener implements NdpListener {

  private static final Logger log = LoggerFactory.getLogger(TracingListener.class);

  /** Status description of a span whose finish event never came. */
  static final String ABANDONED = "ended without its finish event";

  private final Tracer tracer;
  private final boolean recordExceptions;
  // Per instance, never static: two NdpTracing instances (two runtimes) never share a thread's
  // frames. Removed when a thread's stack empties, so idle pool threads keep nothing.
  private final ThreadLocal<@Nullable ArrayDeque<Frame>> frames = new ThreadLocal<>();
  private final LongAdder abandoned = new LongAdder();
  private final LongAdder unmatched = new LongAdder();

  TracingListener(Tracer tracer, boolean recordExceptions) {
    this.tracer = tracer;
    this.recordExceptions = recordExceptions;
  }

  /** An open span of this thread: what started it, and the scope that made it current. */
  private record Frame(
      boolean execution,
      PatternContext context,
      int key,
      String name,
      Span span,
      Context otel,
      Scope scope) {

    boolean matches(boolean isExecution, PatternContext c, int k) {
      return execution == isExecution && context == c && key == k;
    }
  }

  @Override
  public void onExecutionStarted(ExecutionStartedEvent e) {
    PatternContext c = e.context();
    Context parent = Context.current();
    String name = NdpAttributes.EXECUTION_SPAN + " " + c.agentType();
    Span span =
        tracer
            .spanBuilder(name)
            .setParent(parent)
            .setSpanKind(SpanKind.INTERNAL)
            .setAttribute(NdpAttributes.DOMAIN, c.domain())
            .setAttribute(NdpAttributes.AGENT_TYPE, c.agentType())
            .setAttribute(NdpAttributes.DEPTH, (long) e.depth())
            .startSpan();
    push(true, c, e.depth(), name, span, parent);
  }

  @Override
  public void onAttemptStarted(AttemptStartedEvent e) {
    Frame execution = innermostExecution(e.context());
    // Always under its execution's span, whatever a pattern left current.
    Context parent = execution != null ? execution.otel() : Context.current();
    String name = NdpAttributes.ATTEMPT_SPAN + " " + e.patternName();
    Span span =
        tracer
            .spanBuilder(name)
            .setParent(parent)
            .setSpanKind(SpanKind.INTERNAL)
            .setAttribute(NdpAttributes.PATTERN, e.patternName())
            .setAttribute(NdpAttributes.ATTEMPT_INDEX, (long) e.attemptIndex())
            .setAttribute(NdpAttributes.ATTEMPT_FALLBACK, e.fallback())
            .startSpan();
    push(false, e.context(), e.attemptIndex(), name, span, parent);
  }

  @Override
  public void onAttemptFinished(AttemptFinishedEvent e) {
    Frame f = pop(false, e.context(), e.attemptIndex());
    if (f == null) {
      return;
    }
    Attempt a = e.attempt();
    Span span = f.span();
    span.setAttribute(NdpAttributes.ATTEMPT_STATUS, a.status().name());
    span.setAttribute(NdpAttributes.ATTEMPT_KIND, a.kind().name());
    span.setAttribute(NdpAttributes.ATTEMPT_DURATION_MS, millis(a.duration()));
    if (!a.isSuccess()) {
      Throwable error = a.error();
      if (recordExceptions && error != null) {
        span.recordException(error);
      }
      span.setStatus(StatusCode.ERROR, a.status() + ": " + a.message());
    }
    end(f);
  }

  @Override
  public void onExecutionFinished(ExecutionFinishedEvent e) {
    Frame f = pop(true, e.context(), e.depth());
    if (f == null) {
      return;
    }
    PatternResult r = e.result();
    Span span = f.span();
    span.setAttribute(NdpAttributes.OUTCOME, outcome(r));
    span.setAttribute(NdpAttributes.ATTEMPTS, (long) r.attempts().size());
    span.setAttribute(NdpAttributes.FALLBACKS, r.fallbacksTried());
    span.setAttribute(NdpAttributes.RETRIES, r.retries());
    String chosen = r.chosenPattern();
    if (chosen != null) {
      span.setAttribute(NdpAttributes.PATTERN, chosen);
      r.decision()
          .entry(chosen)
          .ifPresent(entry -> span.setAttribute(NdpAttributes.CONFIDENCE, entry.posteriorMean()));
    }
    if (!r.success()) {
      span.setStatus(StatusCode.ERROR, r.message());
    }
    end(f);
  }

  @Override
  public void onFallback(FallbackEvent e) {
    Frame execution = innermostExecution(e.context());
    if (execution != null) {
      execution
          .span()
          .addEvent(
              NdpAttributes.FALLBACK_EVENT,
              Attributes.builder()
                  .put(NdpAttributes.FALLBACK_FROM, e.fromPattern())
                  .put(NdpAttributes.FALLBACK_TO, e.toPattern())
                  .put(NdpAttributes.FALLBACK_CONFIGURED, e.toConfiguredFallback())
                  .put(NdpAttributes.FALLBACK_REASON, e.reason())
                  .build());
    }
  }

  @Override
  public void onRetry(RetryEvent e) {
    Frame execution = innermostExecution(e.context());
    if (execution != null) {
      execution
          .span()
          .addEvent(
              NdpAttributes.RETRY_EVENT,
              Attributes.builder()
                  .put(NdpAttributes.PATTERN, e.patternName())
                  .put(NdpAttributes.RETRY_NUMBER, (long) e.retry())
                  .put(NdpAttributes.RETRY_BACKOFF_MS, millis(e.backoff()))
                  .put(NdpAttributes.ATTEMPT_STATUS, e.failed().status().name())
                  .build());
    }
  }

  @Override
  public void onBreakerStateChanged(BreakerStateChangedEvent e) {
    Attributes attributes =
        Attributes.builder()
            .put(NdpAttributes.PATTERN, e.patternName())
            .put(NdpAttributes.DOMAIN, e.domain())
            .put(NdpAttributes.BREAKER_FROM, e.from().name())
            .put(NdpAttributes.BREAKER_TO, e.to().name())
            .put(NdpAttributes.BREAKER_REASON, e.reason())
            .build();
    // Usually delivered by the thread whose attempt caused it, while that attempt is open: an
    // event of that attempt's span. But the runtime delivers changes in order, by one thread at a
    // time, so another execution's thread may deliver it: then it must not land in that trace,
    // and it gets a span of its own.
    ArrayDeque<Frame> stack = frames.get();
    if (stack != null) {
      for (java.util.Iterator<Frame> it = stack.descendingIterator(); it.hasNext(); ) {
        Frame f = it.next();
        if (!f.execution()
            && f.name().equals(NdpAttributes.ATTEMPT_SPAN + " " + e.patternName())
            && f.context().domain().equals(e.domain())) {
          f.span().addEvent(NdpAttributes.BREAKER_EVENT, attributes);
          return;
        }
      }
    }
    Span own =
        tracer
            .spanBuilder(NdpAttributes.BREAKER_SPAN + " " + e.patternName())
            .setNoParent()
            .setAllAttributes(attributes)
            .startSpan();
    own.addEvent(NdpAttributes.BREAKER_EVENT, attributes);
    own.end();
  }

  /** How many spans this thread holds open (for tests). */
  int openOnThisThread() {
    ArrayDeque<Frame> stack = frames.get();
    return stack == null ? 0 : stack.size();
  }

  /** How many spans were ended because their finish event never came. */
  long abandoned() {
    return abandoned.sum();
  }

  /** How many finish events matched no start on their thread. */
  long unmatched() {
    return unmatched.sum();
  }

  private void push(
      boolean execution, PatternContext c, int key, String name, Span span, Context parent) {
    Context otel = parent.with(span);
    Scope scope = otel.makeCurrent();
    ArrayDeque<Frame> stack = frames.get();
    if (stack == null) {
      stack = new ArrayDeque<>();
      frames.set(stack);
    }
    stack.addLast(new Frame(execution, c, key, name, span, otel, scope));
  }

  /**
   * Takes the matching frame off this thread's stack and closes its scope; frames above it (whose
   * finish never came) are ended first, innermost first. Null, and nothing changed, when none
   * matches.
   */
  private @Nullable Frame pop(boolean execution, PatternContext c, int key) {
    ArrayDeque<Frame> stack = frames.get();
    if (stack == null || !containsMatch(stack, execution, c, key)) {
      unmatched.increment();
      log.debug(
          "{} finish for {} ({}) matches no open span on this thread; ignored",
          execution ? "execution" : "attempt",
          c,
          key);
      return null;
    }
    Frame f = stack.removeLast();
    while (!f.matches(execution, c, key)) {
      abandoned.increment();
      log.warn(
          "span '{}' had no finish event before an enclosing one finished (an error escaped the"
              + " executor?); ended as abandoned",
          f.name());
      f.span().setStatus(StatusCode.ERROR, ABANDONED);
      end(f);
      f = stack.removeLast();
    }
    if (stack.isEmpty()) {
      frames.remove();
    }
    return f;
  }

  private static boolean containsMatch(
      ArrayDeque<Frame> stack, boolean execution, PatternContext c, int key) {
    for (Iterator<Frame> it = stack.descendingIterator(); it.hasNext(); ) {
      if (it.next().matches(execution, c, key)) {
        return true;
      }
    }
    return false;
  }

  private @Nullable Frame innermostExecution(PatternContext c) {
    ArrayDeque<Frame> stack = frames.get();
    if (stack == null) {
      return null;
    }
    for (Iterator<Frame> it = stack.descendingIterator(); it.hasNext(); ) {
      Frame f = it.next();
      if (f.execution() && f.context() == c) {
        return f;
      }
    }
    return null;
  }

  /** Ends the span, then restores what was current before its start. */
  private static void end(Frame f) {
    try {
      f.span().end();
    } finally {
      f.scope().close();
    }
  }

  private static String outcome(PatternResult r) {
    if (r.success()) {
      return "SUCCESS";
    }
    return r.attempts().isEmpty()
        ? "NONE"
        : r.attempts().get(r.attempts().size() - 1).status().name();
  }

  /** Milliseconds with a fraction, for any duration (no overflow of {@code toNanos}). */
  static double millis(Duration d) {
    return d.getSeconds() * 1_000.0 + d.getNano() / 1_000_000.0;
  }
}
