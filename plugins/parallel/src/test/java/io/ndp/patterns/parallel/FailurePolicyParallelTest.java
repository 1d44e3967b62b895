package io.ndp.patterns.parallel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.DelegateDirectory;
import io.ndp.api.FailurePolicy;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternOutcome;
import io.ndp.api.ResourcePool;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The failure policies of the parallel kind: three tasks, one of which fails. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FailurePolicyParallelTest {
  private final ExecutorService workers = Executors.newCachedThreadPool();
  private final DelegateDirectory delegates = new DelegateDirectory();
  private final ResourcePool pool = new ResourcePool();
  private final AtomicInteger ran = new AtomicInteger();

  @AfterEach
  void stop() {
    workers.shutdownNow();
  }

  private ParallelCoordinationPattern pattern(FailurePolicy policy) {
    if (delegates.find("a").isPresent()) {
      return build(policy);
    }
    delegates.register(
        "a",
        in -> {
          ran.incrementAndGet();
          return "A";
        });
    delegates.register(
        "b",
        in -> {
          ran.incrementAndGet();
          throw new IllegalStateException("b broke");
        });
    delegates.register(
        "c",
        in -> {
          ran.incrementAndGet();
          return "C";
        });
    return build(policy);
  }

  private ParallelCoordinationPattern build(FailurePolicy policy) {
    return ParallelCoordinationPattern.builder("p", "")
        .pool(pool)
        .capacity("cpu", 3)
        .task("a", Map.of("cpu", 1))
        .task("b", Map.of("cpu", 1))
        .task("c", Map.of("cpu", 1))
        .failurePolicy(policy)
        .build();
  }

  private PatternOutcome run(ParallelCoordinationPattern p, Map<String, Object> attributes) {
    return p.execute(
        new PatternContext("orders", "parallel", attributes),
        new TestScope(delegates, workers, null));
  }

  @Test
  void collectAll_runsEveryTask_andFailsNamingEveryFailure() {
    PatternOutcome o = run(pattern(FailurePolicy.COLLECT_ALL), Map.of());

    assertThat(o.status()).isEqualTo(OutcomeStatus.FAILED);
    assertThat(o.message())
        .contains("1 of 3 task(s) failed (COLLECT_ALL): 'b':")
        .contains("b broke");
    assertThat(o.output()).isEqualTo(Map.of("a", "A", "c", "C"));
    assertThat(ran).hasValue(3);
    assertThat(pool.activeResources()).isEmpty();
  }

  @Test
  void bestEffort_succeedsWithTheTasksThatDid() {
    PatternOutcome o = run(pattern(FailurePolicy.BEST_EFFORT), Map.of());

    assertThat(o.status()).isEqualTo(OutcomeStatus.SUCCESS);
    assertThat(o.output()).isEqualTo(Map.of("a", "A", "c", "C"));
    assertThat(o.message()).contains("1 of 3 task(s) failed (BEST_EFFORT)");
  }

  @Test
  void quorum_succeedsOnceReached_andFailsOnceUnreachable() {
    PatternOutcome two = run(pattern(FailurePolicy.quorum(2)), Map.of());
    assertThat(two.status()).as(two.message()).isEqualTo(OutcomeStatus.SUCCESS);
    assertThat(two.output()).isEqualTo(Map.of("a", "A", "c", "C"));

    PatternOutcome three = run(pattern(FailurePolicy.quorum(3)), Map.of());
    assertThat(three.status()).isEqualTo(OutcomeStatus.FAILED);
    assertThat(three.message()).contains("QUORUM(3) can no longer be reached");
    assertThat(pool.activeResources()).isEmpty();
  }

  @Test
  void contextAttribute_overridesThePatternsPolicy_andBadValuesAreRejected() {
    ParallelCoordinationPattern p = pattern(FailurePolicy.FAIL_FAST);

    assertThat(run(p, Map.of("failure_policy", "best_effort")).status())
        .isEqualTo(OutcomeStatus.SUCCESS);
    PatternOutcome bad = run(p, Map.of("failure_policy", "SOMETIMES"));
    assertThat(bad.status()).isEqualTo(OutcomeStatus.REJECTED);
    assertThat(bad.message()).contains("failure policy must be FAIL_FAST, COLLECT_ALL");
    assertThat(run(p, Map.of("failure_policy", "QUORUM(4)")).message())
        .contains("cannot reach QUORUM(4) with 3 task(s)");
  }

  @Test
  void failFast_stillCancelsTheOthersAtTheFirstFailure() {
    CountDownLatch never = new CountDownLatch(1);
    delegates.register("slow", in -> never.await(20, TimeUnit.SECONDS));
    delegates.register(
        "bad",
        in -> {
          throw new IllegalStateException("bad");
        });
    ParallelCoordinationPattern p =
        ParallelCoordinationPattern.builder("ff", "")
            .pool(pool)
            .capacity("cpu", 2)
            .task("slow", Map.of("cpu", 1))
            .task("bad", Map.of("cpu", 1))
            .build();

    PatternOutcome o = run(p, Map.of());

    assertThat(o.status()).isEqualTo(OutcomeStatus.FAILED);
    assertThat(o.message()).contains("task 'bad'").contains("cancelled 1 other task(s)");
  }

  @Test
  void definition_keepsThePolicy_andTheFactoryReadsIt() {
    ParallelCoordinationPattern p = pattern(FailurePolicy.quorum(2));
    assertThat(p.definition().parameters()).containsEntry("failurePolicy", "QUORUM(2)");
    ParallelCoordinationPattern rebuilt =
        (ParallelCoordinationPattern)
            new ParallelCoordinationPatternFactory(pool).create(p.definition());
    assertThat(rebuilt.failurePolicy()).isEqualTo(FailurePolicy.quorum(2));
    assertThat(FailurePolicy.parse(" quorum(5) ")).isEqualTo(FailurePolicy.quorum(5));
    assertThatThrownBy(() -> FailurePolicy.quorum(0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(List.of(FailurePolicy.FAIL_FAST.toString())).containsExactly("FAIL_FAST");
  }
}
