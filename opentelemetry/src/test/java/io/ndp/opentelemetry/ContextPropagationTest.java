package io.ndp.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.Delegate;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.patterns.meta.MetaOrchestrationPattern;
import io.ndp.patterns.parallel.ParallelCoordinationPattern;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a delegate sees as {@link Span#current()}: the attempt's span (or its own delegate span
 * under it) on the caller's thread and on the pool's, when the pool is wrapped. Two delegates that
 * meet at a barrier run at once, so at least one of them runs on a pool thread (the caller runs at
 * most one at a time).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ContextPropagationTest {

  private TraceFixture fixture;

  /** Where a delegate ran and what it saw. */
  private record Seen(String delegate, String thread, SpanContext current) {
    boolean onPool() {
      return thread.startsWith(TraceFixture.POOL_THREAD);
    }
  }

  private final Queue<Seen> seen = new ConcurrentLinkedQueue<>();

  @AfterEach
  void close() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  private Delegate meeting(String name, CyclicBarrier barrier) {
    return in -> {
      barrier.await(10, TimeUnit.SECONDS);
      seen.add(new Seen(name, Thread.currentThread().getName(), Span.current().getSpanContext()));
      return name;
    };
  }

  private PatternResult runDuo(boolean traced) {
    fixture.registry.register(
        new ParallelCoordinationPattern("duo", "two at once", Set.of("left", "right")));
    CyclicBarrier both = new CyclicBarrier(2);
    for (String name : List.of("left", "right")) {
      Delegate d = meeting(name, both);
      fixture.executor.delegates().register(name, traced ? fixture.tracing.traced(name, d) : d);
    }
    PatternResult r =
        fixture.executor.executeBestPattern(PatternContext.builder("jobs", "parallel").build());
    assertThat(r.success()).as(r.message()).isTrue();
    assertThat(seen).hasSize(2);
    assertThat(seen).anyMatch(Seen::onPool);
    return r;
  }

  @Test
  void parallelTask_onAPoolThreadOfAWrappedPool_seesTheAttemptSpan() {
    fixture = new TraceFixture();

    runDuo(false);

    SpanData attempt = fixture.tree().only("ndp.attempt duo");
    assertThat(seen).extracting(Seen::current).containsOnly(attempt.getSpanContext());
  }

  @Test
  void tracedDelegate_onAPoolThread_seesItsOwnSpanWhoseParentIsTheAttempt() {
    fixture = new TraceFixture();

    runDuo(true);

    SpanTree tree = fixture.tree();
    SpanData attempt = tree.only("ndp.attempt duo");
    for (Seen s : seen) {
      SpanData own = tree.only("ndp.delegate " + s.delegate());
      assertThat(s.current()).as(s.toString()).isEqualTo(own.getSpanContext());
      assertThat(tree.parent(own)).isEqualTo(attempt);
      assertThat(own.getAttributes().get(NdpAttributes.DELEGATE)).isEqualTo(s.delegate());
    }
    assertThat(tree.children(attempt)).hasSize(2);
  }

  @Test
  void parallelTask_onAPoolThreadOfAPoolNotWrapped_seesNoSpan_whichIsWhyWrapExists() {
    fixture = new TraceFixture(4, false, b -> b);

    runDuo(false);

    SpanData attempt = fixture.tree().only("ndp.attempt duo");
    for (Seen s : seen) {
      // The caller's thread has the attempt's span current; a bare pool thread has nothing.
      assertThat(s.current())
          .as(s.toString())
          .isEqualTo(s.onPool() ? SpanContext.getInvalid() : attempt.getSpanContext());
    }
  }

  @Test
  void sequentialStep_onTheCallersThread_seesTheAttemptSpan() {
    fixture = new TraceFixture();
    fixture.registry.register(
        new SequentialDelegationPattern("steps", "one step", List.of("only")));
    fixture.executor.delegates().register("only", meeting("only", new CyclicBarrier(1)));

    fixture.executor.executeBestPattern(PatternContext.builder("jobs", "sequential").build());

    SpanData attempt = fixture.tree().only("ndp.attempt steps");
    assertThat(seen)
        .containsExactly(
            new Seen("only", Thread.currentThread().getName(), attempt.getSpanContext()));
  }

  @Test
  void metaDomains_nestedOnPoolThreads_areChildrenOfTheMetaAttempt() {
    fixture = new TraceFixture();
    // Each domain's nested execution accepts only its own flow: north needs step n, south step s.
    fixture
        .registry
        .register(
            MetaOrchestrationPattern.builder("hub")
                .domains("north", "south")
                .domainAttributes("north", Map.of("required_steps", List.of("n")))
                .domainAttributes("south", Map.of("required_steps", List.of("s")))
                .build())
        .register(new SequentialDelegationPattern("north_flow", "north", List.of("n")))
        .register(new SequentialDelegationPattern("south_flow", "south", List.of("s")));
    CyclicBarrier both = new CyclicBarrier(2);
    fixture.executor.delegates().register("n", meeting("n", both));
    fixture.executor.delegates().register("s", meeting("s", both));

    PatternResult r =
        fixture.executor.executeBestPattern(
            PatternContext.builder("world", "orchestrator")
                .requiredDomains("north", "south")
                .build());

    assertThat(r.success()).as(r.message()).isTrue();
    assertThat(seen).anyMatch(Seen::onPool);
    SpanTree tree = fixture.tree();
    SpanData hub = tree.only("ndp.attempt hub");
    List<SpanData> nested = tree.with(NdpAttributes.DEPTH, 1L);
    assertThat(nested)
        .extracting(s -> s.getAttributes().get(NdpAttributes.DOMAIN))
        .containsExactlyInAnyOrder("north", "south");
    for (SpanData n : nested) {
      assertThat(tree.parent(n)).isEqualTo(hub);
    }
    for (Seen s : seen) {
      SpanData flow =
          tree.only("ndp.attempt " + (s.delegate().equals("n") ? "north" : "south") + "_flow");
      assertThat(s.current()).as(s.toString()).isEqualTo(flow.getSpanContext());
    }
    tree.assertMatchesResults(fixture.results.finished);
    assertThat(tree.orphans()).isEmpty();
  }
}
