package io.ndp.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.api.event.ExecutionFinishedEvent;
import io.ndp.patterns.meta.MetaOrchestrationPattern;
import io.ndp.patterns.parallel.ParallelCoordinationPattern;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many executions on many threads at once, of four scripted kinds whose span trees are known (one
 * candidate each, so selection cannot change them): exactly the expected spans, all ended, each
 * under the right parent of the right trace, and nothing left open on any thread.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TracingConcurrencyTest {

  private static final int THREADS = 8;
  private static final int RUNS = 200;
  private static final int POOL = 4;

  /** The tree of each kind's execution, by the context's domain. */
  private static final Map<String, String> TREES =
      Map.of(
          "steps",
          """
          ndp.execute sequential
            ndp.attempt s_ok
              ndp.delegate a
              ndp.delegate b
          """,
          "doomed",
          """
          ndp.execute sequential !
            ndp.attempt s_bad !
              ndp.delegate x !
            ndp.attempt s_ok !
          """,
          "tasks",
          """
          ndp.execute parallel
            ndp.attempt p_pair
              ndp.delegate cpu
              ndp.delegate mem
          """,
          "hub",
          """
          ndp.execute orchestrator
            ndp.attempt m_hub
              ndp.delegate d1
              ndp.execute sequential
                ndp.attempt s_ok
                  ndp.delegate a
                  ndp.delegate b
          """);

  private static PatternContext context(int kind) {
    return switch (kind) {
      case 0 -> PatternContext.builder("steps", "sequential").requiredSteps("a", "b").build();
      // s_bad fails; the configured fallback s_ok lacks step x: a refused (REJECTED) attempt.
      case 1 -> PatternContext.builder("doomed", "sequential").requiredSteps("x").build();
      case 2 -> PatternContext.builder("tasks", "parallel").build();
      default -> PatternContext.builder("hub", "orchestrator").requiredDomains("d1", "d2").build();
    };
  }

  @Test
  void eightThreadsTimesTwoHundred_exactlyTheExpectedSpans_allEnded_noneOrphaned()
      throws Exception {
    LongAdder delegateCalls = new LongAdder();
    try (TraceFixture fixture = new TraceFixture(POOL, true, b -> b.fallbackPatterns("s_ok"))) {
      NdpTracing t = fixture.tracing;
      fixture
          .registry
          .register(new SequentialDelegationPattern("s_ok", "two steps", List.of("a", "b")))
          .register(new SequentialDelegationPattern("s_bad", "doomed", List.of("x")))
          .register(
              ParallelCoordinationPattern.builder("p_pair", "two tasks")
                  .capacity("cpu", 64)
                  .capacity("mem", 64)
                  .build())
          .register(
              MetaOrchestrationPattern.builder("m_hub")
                  .domains("d1", "d2")
                  .domainAttributes("d2", Map.of("required_steps", List.of("a", "b")))
                  .build());
      for (String name : List.of("a", "b", "cpu", "mem", "d1")) {
        fixture
            .executor
            .delegates()
            .register(
                name,
                t.traced(
                    name,
                    in -> {
                      delegateCalls.increment();
                      return name;
                    }));
      }
      fixture
          .executor
          .delegates()
          .register(
              "x",
              t.traced(
                  "x",
                  in -> {
                    delegateCalls.increment();
                    throw new IllegalStateException("x always fails");
                  }));

      ExecutorService callers = Executors.newFixedThreadPool(THREADS);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<List<String>>> done = new ArrayList<>();
      for (int th = 0; th < THREADS; th++) {
        int first = th;
        done.add(
            callers.submit(
                () -> {
                  go.await();
                  List<String> problems = new ArrayList<>();
                  for (int i = 0; i < RUNS; i++) {
                    int kind = (first + i) % 4;
                    PatternResult r = fixture.executor.executeBestPattern(context(kind));
                    if (r.success() == (kind == 1)) {
                      problems.add("kind " + kind + ": " + r.message());
                    }
                  }
                  // Every scope this thread opened was closed by it, in order.
                  if (fixture.listener().openOnThisThread() != 0
                      || Context.current() != Context.root()) {
                    problems.add(Thread.currentThread().getName() + " left a span open");
                  }
                  return problems;
                }));
      }
      go.countDown();
      List<String> problems = new ArrayList<>();
      for (Future<List<String>> f : done) {
        problems.addAll(f.get(100, TimeUnit.SECONDS));
      }
      callers.shutdown();
      assertThat(problems).isEmpty();

      int executions = THREADS * RUNS;
      int perKind = executions / 4;
      // Spans per kind, from the trees above: 4 + 4 + 4 + 7.
      int expected = perKind * (4 + 4 + 4 + 7);
      SpanTree tree = fixture.tree();
      assertThat(tree.spans).hasSize(expected);
      assertThat(fixture.counting.started.sum()).isEqualTo(expected);
      assertThat(fixture.counting.ended.sum()).isEqualTo(expected);
      // Each span ended on the thread that started it, and none is still open.
      assertThat(fixture.counting.endedElsewhere).isEmpty();
      assertThat(fixture.counting.open).isEmpty();
      assertThat(tree.orphans()).isEmpty();
      assertThat(tree.roots()).hasSize(executions);

      Map<String, Integer> treesByDomain = new HashMap<>();
      for (SpanData root : tree.roots()) {
        String domain = root.getAttributes().get(NdpAttributes.DOMAIN);
        assertThat(tree.render(root)).as(domain).isEqualTo(TREES.get(domain));
        assertSameTrace(tree, root);
        treesByDomain.merge(domain, 1, Integer::sum);
      }
      assertThat(treesByDomain)
          .containsOnly(
              Map.entry("steps", perKind),
              Map.entry("doomed", perKind),
              Map.entry("tasks", perKind),
              Map.entry("hub", perKind));

      // The counts the executor reported: one execution span per execution (nested ones too),
      // one attempt span per attempt, one delegate span per delegate call.
      List<ExecutionFinishedEvent> finished = List.copyOf(fixture.results.finished);
      assertThat(finished).hasSize(executions + perKind); // each hub nests one execution
      long attempts = finished.stream().mapToLong(e -> e.result().attempts().size()).sum();
      assertThat(tree.spans.stream().filter(s -> s.getName().startsWith("ndp.execute ")))
          .hasSize(finished.size());
      assertThat(tree.spans.stream().filter(s -> s.getName().startsWith("ndp.attempt ")))
          .hasSize((int) attempts);
      assertThat(tree.spans.stream().filter(s -> s.getName().startsWith("ndp.delegate ")))
          .hasSize(delegateCalls.intValue());

      assertThat(fixture.listener().abandoned()).isZero();
      assertThat(fixture.listener().unmatched()).isZero();
      assertThat(fixture.poolThreadStates(POOL))
          .hasSize(POOL)
          .allMatch(s -> s.endsWith(" open=0 root=true"));
    }
  }

  /** Every span under {@code root} is in its trace. */
  private static void assertSameTrace(SpanTree tree, SpanData root) {
    for (SpanData child : tree.children(root)) {
      assertThat(child.getTraceId()).isEqualTo(root.getTraceId());
      assertSameTrace(tree, child);
    }
  }
}
