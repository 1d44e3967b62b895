package io.ndp.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.Attempt;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.patterns.meta.MetaOrchestrationPattern;
import io.ndp.patterns.parallel.ParallelCoordinationPattern;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A scripted run of each built-in kind through a real registry and executor, with real (traced)
 * delegates that fail where the script says, and the span tree checked against the results.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ScriptedRunTracingTest {

  private TraceFixture fixture;

  @AfterEach
  void close() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void sequential_failingCandidateThenNextOne_attemptSpansUnderTheHostsSpanWithTheFallbackEvent() {
    fixture = new TraceFixture();
    fixture
        .registry
        .register(
            new SequentialDelegationPattern(
                "a_express", "express checkout", List.of("validate", "charge")))
        .register(
            new SequentialDelegationPattern(
                "b_standard", "standard checkout", List.of("validate", "invoice")));
    NdpTracing t = fixture.tracing;
    fixture.executor.delegates().register("validate", t.traced("validate", in -> in + "+valid"));
    fixture
        .executor
        .delegates()
        .register(
            "charge",
            t.traced(
                "charge",
                in -> {
                  throw new IllegalStateException("card declined");
                }));
    fixture.executor.delegates().register("invoice", t.traced("invoice", in -> in + "+invoiced"));

    Span host = fixture.sdk.getTracer("host").spanBuilder("host request").startSpan();
    PatternResult served;
    try (Scope ignored = host.makeCurrent()) {
      served =
          fixture.executor.executeBestPattern(
              PatternContext.builder("orders", "sequential").payload("order-1").build());
      assertThat(Span.current()).as("the host's span is current again").isSameAs(host);
    } finally {
      host.end();
    }
    // Only a_express has the step "charge": one failed attempt, no candidate left.
    PatternResult failed =
        fixture.executor.executeBestPattern(
            PatternContext.builder("refunds", "sequential")
                .requiredSteps("charge")
                .payload("order-2")
                .build());

    assertThat(served.success()).as(served.message()).isTrue();
    assertThat(served.output()).isEqualTo("order-1+valid+invoiced");
    assertThat(served.attempts())
        .extracting(Attempt::patternName)
        .containsExactly("a_express", "b_standard");
    assertThat(failed.success()).isFalse();

    SpanTree tree = fixture.tree();
    SpanData hostSpan = tree.only("host request");
    SpanData refunds = tree.with(NdpAttributes.DOMAIN, "refunds").get(0);
    assertThat(tree.roots()).containsExactlyInAnyOrder(hostSpan, refunds);
    assertThat(tree.render(hostSpan))
        .isEqualTo(
            """
            host request
              ndp.execute sequential
                ndp.attempt a_express !
                  ndp.delegate charge !
                  ndp.delegate validate
                ndp.attempt b_standard
                  ndp.delegate invoice
                  ndp.delegate validate
            """);
    assertThat(tree.render(refunds))
        .isEqualTo(
            """
            ndp.execute sequential !
              ndp.attempt a_express !
                ndp.delegate charge !
            """);
    tree.assertMatchesResults(fixture.results.finished);

    SpanData orders = tree.with(NdpAttributes.DOMAIN, "orders").get(0);
    assertThat(orders.getAttributes().get(NdpAttributes.PATTERN)).isEqualTo("b_standard");
    assertThat(orders.getAttributes().get(NdpAttributes.OUTCOME)).isEqualTo("SUCCESS");
    assertThat(orders.getAttributes().get(NdpAttributes.ATTEMPTS)).isEqualTo(2L);
    assertThat(orders.getAttributes().get(NdpAttributes.CONFIDENCE))
        .isEqualTo(served.decision().entry("b_standard").orElseThrow().posteriorMean())
        .isBetween(0.0, 1.0);
    assertThat(orders.getEvents()).hasSize(1);
    EventData fallback = orders.getEvents().get(0);
    assertThat(fallback.getName()).isEqualTo(NdpAttributes.FALLBACK_EVENT);
    assertThat(fallback.getAttributes().get(NdpAttributes.FALLBACK_FROM)).isEqualTo("a_express");
    assertThat(fallback.getAttributes().get(NdpAttributes.FALLBACK_TO)).isEqualTo("b_standard");
    assertThat(fallback.getAttributes().get(NdpAttributes.FALLBACK_CONFIGURED)).isFalse();
    assertThat(fallback.getAttributes().get(NdpAttributes.FALLBACK_REASON))
        .isEqualTo("FAILED: " + served.attempts().get(0).message());

    SpanData express = tree.children(orders).get(0);
    assertThat(express.getStatus().getDescription())
        .isEqualTo("FAILED: " + served.attempts().get(0).message())
        .contains("card declined");
    assertThat(exceptionTypes(express))
        .containsExactly(served.attempts().get(0).error().getClass().getName());
    // Steps run in order: validate started before charge.
    List<SpanData> steps = tree.children(express);
    assertThat(steps.get(1).getStartEpochNanos())
        .isLessThanOrEqualTo(steps.get(0).getStartEpochNanos());
    SpanData charge = steps.get(0);
    assertThat(charge.getAttributes().get(NdpAttributes.DELEGATE)).isEqualTo("charge");
    assertThat(charge.getStatus().getDescription()).isEqualTo("card declined");
    assertThat(exceptionTypes(charge)).containsExactly(IllegalStateException.class.getName());

    SpanData refundsAttempt = tree.children(refunds).get(0);
    assertThat(refunds.getAttributes().get(NdpAttributes.OUTCOME)).isEqualTo("FAILED");
    assertThat(refunds.getAttributes().get(NdpAttributes.PATTERN)).isNull();
    assertThat(refunds.getAttributes().get(NdpAttributes.CONFIDENCE)).isNull();
    assertThat(refunds.getStatus().getDescription()).isEqualTo(failed.message());
    assertThat(refundsAttempt.getAttributes().get(NdpAttributes.ATTEMPT_STATUS))
        .isEqualTo("FAILED");
    assertNothingLeft();
  }

  @Test
  void parallel_failingTaskThenConfiguredFallback_taskSpansUnderTheAttemptAndAFallbackSpan() {
    fixture = new TraceFixture(4, true, b -> b.fallbackPatterns("z_rescue"));
    fixture
        .registry
        .register(new ParallelCoordinationPattern("p_burst", "burst render", Set.of("cpu", "gpu")))
        .register(new SequentialDelegationPattern("z_rescue", "rescue", List.of("archive")));
    NdpTracing t = fixture.tracing;
    CountDownLatch cpuDone = new CountDownLatch(1);
    fixture
        .executor
        .delegates()
        .register(
            "cpu",
            t.traced(
                "cpu",
                in -> {
                  cpuDone.countDown();
                  return "cpu ok";
                }));
    // Fails once cpu is done, so that fail-fast never skips cpu: both tasks always run.
    fixture
        .executor
        .delegates()
        .register(
            "gpu",
            t.traced(
                "gpu",
                in -> {
                  assertThat(cpuDone.await(10, TimeUnit.SECONDS)).isTrue();
                  throw new IllegalStateException("gpu lost");
                }));
    fixture.executor.delegates().register("archive", t.traced("archive", in -> "archived " + in));

    PatternResult r =
        fixture.executor.executeBestPattern(
            PatternContext.builder("render", "parallel").payload("frame-7").build());

    assertThat(r.success()).as(r.message()).isTrue();
    assertThat(r.output()).isEqualTo("archived frame-7");
    assertThat(r.attempts()).extracting(Attempt::fallback).containsExactly(false, true);
    SpanTree tree = fixture.tree();
    assertThat(tree.roots()).hasSize(1);
    SpanData exec = tree.roots().get(0);
    assertThat(tree.render(exec))
        .isEqualTo(
            """
            ndp.execute parallel
              ndp.attempt p_burst !
                ndp.delegate cpu
                ndp.delegate gpu !
              ndp.attempt z_rescue
                ndp.delegate archive
            """);
    tree.assertMatchesResults(fixture.results.finished);
    assertThat(exec.getAttributes().get(NdpAttributes.PATTERN)).isEqualTo("z_rescue");
    // A configured fallback has no entry in the decision: no confidence to report.
    assertThat(r.decision().entry("z_rescue")).isEmpty();
    assertThat(exec.getAttributes().get(NdpAttributes.CONFIDENCE)).isNull();
    EventData fallback = exec.getEvents().get(0);
    assertThat(fallback.getAttributes().get(NdpAttributes.FALLBACK_TO)).isEqualTo("z_rescue");
    assertThat(fallback.getAttributes().get(NdpAttributes.FALLBACK_CONFIGURED)).isTrue();
    SpanData burst = tree.children(exec).get(0);
    assertThat(burst.getStatus().getDescription()).startsWith("FAILED: ").contains("gpu lost");
    assertThat(tree.children(exec).get(1).getAttributes().get(NdpAttributes.ATTEMPT_FALLBACK))
        .isTrue();
    assertNothingLeft();
  }

  @Test
  void metaOrchestration_nestedExecutionsAreChildrenOfTheAttemptThatLaunchedThem() {
    fixture = new TraceFixture();
    fixture
        .registry
        .register(
            MetaOrchestrationPattern.builder("platform_coordinator")
                .domains("catalog", "payments", "shipping")
                .after("shipping", "payments")
                .domainAgentType("shipping", "parallel")
                .build())
        .register(
            new SequentialDelegationPattern("a_card", "card", List.of("authorize", "capture")))
        .register(
            new SequentialDelegationPattern("b_invoice", "invoice", List.of("authorize", "bill")))
        .register(new ParallelCoordinationPattern("carriers", "carriers", Set.of("truck", "van")));
    NdpTracing t = fixture.tracing;
    fixture.executor.delegates().register("catalog", t.traced("catalog", in -> "items"));
    fixture.executor.delegates().register("authorize", t.traced("authorize", in -> "authorized"));
    fixture
        .executor
        .delegates()
        .register(
            "capture",
            t.traced(
                "capture",
                in -> {
                  throw new IllegalStateException("gateway down");
                }));
    fixture.executor.delegates().register("bill", t.traced("bill", in -> "billed"));
    fixture.executor.delegates().register("truck", t.traced("truck", in -> "truck booked"));
    fixture.executor.delegates().register("van", t.traced("van", in -> "van booked"));

    PatternResult r =
        fixture.executor.executeBestPattern(
            PatternContext.builder("platform", "orchestrator")
                .requiredDomains("catalog", "payments", "shipping")
                .payload("order-3")
                .build());

    assertThat(r.success()).as(r.message()).isTrue();
    assertThat(r.output())
        .isEqualTo(
            Map.of(
                "catalog",
                "items",
                "payments",
                "billed",
                "shipping",
                Map.of("truck", "truck booked", "van", "van booked")));
    SpanTree tree = fixture.tree();
    assertThat(tree.roots()).hasSize(1);
    SpanData root = tree.roots().get(0);
    assertThat(tree.render(root))
        .isEqualTo(
            """
            ndp.execute orchestrator
              ndp.attempt platform_coordinator
                ndp.delegate catalog
                ndp.execute parallel
                  ndp.attempt carriers
                    ndp.delegate truck
                    ndp.delegate van
                ndp.execute sequential
                  ndp.attempt a_card !
                    ndp.delegate authorize
                    ndp.delegate capture !
                  ndp.attempt b_invoice
                    ndp.delegate authorize
                    ndp.delegate bill
            """);
    // Three executions reported (the host's and two nested), each matching its span.
    assertThat(fixture.results.finished).hasSize(3);
    tree.assertMatchesResults(fixture.results.finished);
    SpanData metaAttempt = tree.only("ndp.attempt platform_coordinator");
    for (SpanData nested : tree.with(NdpAttributes.DEPTH, 1L)) {
      assertThat(tree.parent(nested)).isEqualTo(metaAttempt);
      assertThat(nested.getTraceId()).isEqualTo(root.getTraceId());
    }
    SpanData payments = tree.with(NdpAttributes.DOMAIN, "payments").get(0);
    assertThat(payments.getAttributes().get(NdpAttributes.PATTERN)).isEqualTo("b_invoice");
    assertThat(payments.getAttributes().get(NdpAttributes.FALLBACKS)).isEqualTo(1L);
    assertThat(payments.getEvents())
        .extracting(EventData::getName)
        .containsExactly(NdpAttributes.FALLBACK_EVENT);
    assertThat(root.getAttributes().get(NdpAttributes.PATTERN)).isEqualTo("platform_coordinator");
    assertThat(root.getAttributes().get(NdpAttributes.DEPTH)).isEqualTo(0L);
    assertThat(root.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertNothingLeft();
  }

  /** Every span started was ended and exported; nothing open on this thread or the pool's. */
  private void assertNothingLeft() {
    SpanTree tree = fixture.tree();
    assertThat(tree.orphans()).isEmpty();
    assertThat(fixture.counting.started.sum())
        .isEqualTo(fixture.counting.ended.sum())
        .isEqualTo(tree.spans.size());
    assertThat(fixture.counting.endedElsewhere).isEmpty();
    assertThat(fixture.counting.open).isEmpty();
    assertThat(fixture.listener().openOnThisThread()).isZero();
    assertThat(fixture.listener().abandoned()).isZero();
    assertThat(fixture.listener().unmatched()).isZero();
    assertThat(Span.current().getSpanContext().isValid()).isFalse();
  }

  private static List<String> exceptionTypes(SpanData s) {
    return s.getEvents().stream()
        .filter(e -> e.getName().equals("exception"))
        .map(e -> e.getAttributes().get(AttributeKey.stringKey("exception.type")))
        .toList();
  }
}
