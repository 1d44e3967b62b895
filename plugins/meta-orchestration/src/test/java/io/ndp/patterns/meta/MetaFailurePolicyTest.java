package io.ndp.patterns.meta;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.FailurePolicy;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternOutcome;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The failure policies of the meta-orchestration kind: domains a, b (fails), c, and d after b. A
 * domain whose prerequisite failed never starts, under any policy.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MetaFailurePolicyTest {
  private final AtomicInteger dRuns = new AtomicInteger();

  private MetaOrchestrationPattern pattern(FailurePolicy policy) {
    return MetaOrchestrationPattern.builder("m")
        .domains("a", "b", "c", "d")
        .after("d", "b")
        .failurePolicy(policy)
        .build();
  }

  private PatternOutcome run(MetaOrchestrationPattern p, Map<String, Object> attributes)
      throws Exception {
    try (TestScope scope = new TestScope()) {
      scope.delegates().register("a", in -> "A");
      scope
          .delegates()
          .register(
              "b",
              in -> {
                throw new IllegalStateException("b broke");
              });
      scope.delegates().register("c", in -> "C");
      scope
          .delegates()
          .register(
              "d",
              in -> {
                dRuns.incrementAndGet();
                return "D";
              });
      return p.execute(new PatternContext("platform", "orchestrator", attributes), scope);
    }
  }

  @Test
  void collectAll_runsEveryDomainItCan_andFailsNamingTheFailure() throws Exception {
    PatternOutcome o = run(pattern(FailurePolicy.COLLECT_ALL), Map.of());

    assertThat(o.status()).isEqualTo(OutcomeStatus.FAILED);
    assertThat(o.output()).isEqualTo(Map.of("a", "A", "c", "C"));
    assertThat(o.message())
        .startsWith("COLLECT_ALL not met: 2 of 4 domain(s) succeeded")
        .contains("failed: 'b' (delegate): b broke")
        .contains("not started: d");
    assertThat(o.cause()).isInstanceOf(DomainFailedException.class);
    assertThat(dRuns).hasValue(0);
  }

  @Test
  void bestEffort_succeedsWithTheDomainsThatDid() throws Exception {
    PatternOutcome o = run(pattern(FailurePolicy.BEST_EFFORT), Map.of());

    assertThat(o.status()).isEqualTo(OutcomeStatus.SUCCESS);
    assertThat(o.output()).isEqualTo(Map.of("a", "A", "c", "C"));
    assertThat(o.message()).contains("under BEST_EFFORT").contains("not started: d");
  }

  @Test
  void quorum_reachedOrUnreachable() throws Exception {
    PatternOutcome two = run(pattern(FailurePolicy.quorum(2)), Map.of());
    assertThat(two.status()).as(two.message()).isEqualTo(OutcomeStatus.SUCCESS);
    assertThat(two.output()).isEqualTo(Map.of("a", "A", "c", "C"));

    PatternOutcome three = run(pattern(FailurePolicy.quorum(3)), Map.of());
    assertThat(three.status()).isEqualTo(OutcomeStatus.FAILED);
    assertThat(three.message()).startsWith("QUORUM(3) not met");
  }

  @Test
  void failFast_isTheDefault_andTheContextOverridesIt() throws Exception {
    PatternOutcome fast = run(pattern(FailurePolicy.FAIL_FAST), Map.of());
    assertThat(fast.status()).isEqualTo(OutcomeStatus.FAILED);
    assertThat(fast.message()).startsWith("domain 'b' failed (delegate): b broke");

    PatternOutcome best =
        run(pattern(FailurePolicy.FAIL_FAST), Map.of("failure_policy", "BEST_EFFORT"));
    assertThat(best.status()).isEqualTo(OutcomeStatus.SUCCESS);

    PatternOutcome bad = run(pattern(FailurePolicy.FAIL_FAST), Map.of("failure_policy", 7));
    assertThat(bad.status()).isEqualTo(OutcomeStatus.REJECTED);
    assertThat(
            run(pattern(FailurePolicy.FAIL_FAST), Map.of("failure_policy", "QUORUM(5)")).message())
        .contains("cannot reach QUORUM(5) with 4 planned domain(s)");
  }

  @Test
  void definition_keepsThePolicy_andTheFactoryReadsIt() {
    MetaOrchestrationPattern p = pattern(FailurePolicy.COLLECT_ALL);
    assertThat(p.definition().parameters()).containsEntry("failurePolicy", "COLLECT_ALL");
    MetaOrchestrationPattern rebuilt =
        (MetaOrchestrationPattern) new MetaOrchestrationPatternFactory().create(p.definition());
    assertThat(rebuilt.failurePolicy()).isEqualTo(FailurePolicy.COLLECT_ALL);
    assertThat(List.of(rebuilt)).containsExactly(p);
  }
}
