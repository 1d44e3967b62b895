package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.DuplicatePatternException;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternNotFoundException;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PatternRegistryTest {

  private final PatternRegistry registry = new PatternRegistry();
  private final SequentialDelegationPattern flow =
      new SequentialDelegationPattern("validation_flow", "", List.of("validate", "store"));

  @Test
  void register_thenGetPattern_returnsTheSameInstance() {
    registry.register(flow);

    assertThat(registry.getPattern("validation_flow")).isSameAs(flow);
    assertThat(registry.find("validation_flow")).containsSame(flow);
    assertThat(registry.patterns()).containsExactly(flow);
    assertThat(registry.size()).isEqualTo(1);
  }

  @Test
  void register_duplicateName_keepsRegistryUnchanged() {
    registry.register(flow);
    var other = new SequentialDelegationPattern("validation_flow", "other", List.of("x"));

    assertThatThrownBy(() -> registry.register(other))
        .isInstanceOf(DuplicatePatternException.class)
        .hasMessageContaining("'validation_flow'")
        .extracting(e -> ((DuplicatePatternException) e).patternName())
        .isEqualTo("validation_flow");
    assertThat(registry.getPattern("validation_flow")).isSameAs(flow);
    assertThat(registry.patternsServing("sequential")).containsExactly(flow);
    assertThat(registry.size()).isEqualTo(1);
  }

  @Test
  void getPattern_unknown_namesItAndACloseMatch() {
    registry.register(flow);

    assertThatThrownBy(() -> registry.getPattern("validaton_flow"))
        .isInstanceOf(PatternNotFoundException.class)
        .hasMessage("no pattern named 'validaton_flow'; did you mean 'validation_flow'?");
    assertThat(registry.find("validaton_flow")).isEmpty();
  }

  @Test
  void indexes_byAgentTypeAndByTypeOrAlias() {
    var scripted = new ScriptedPattern("s", "parallel", 1, OutcomeStatus.SUCCESS);
    registry.register(flow).register(scripted);

    assertThat(registry.patternsServing("sequential")).containsExactly(flow);
    assertThat(registry.patternsServing("parallel")).containsExactly(scripted);
    assertThat(registry.patternsServing("orchestrator")).isEmpty();
    assertThat(registry.patternsOfType("sequential")).containsExactly(flow);
    assertThat(registry.patternsOfType("SequentialDelegationPattern")).containsExactly(flow);
    assertThat(registry.agentTypes()).containsExactlyInAnyOrder("sequential", "parallel");
  }

  @Test
  void patternsServing_isSortedByName_whateverTheRegistrationOrder() {
    registry.register(new SequentialDelegationPattern("b", "", List.of("s")));
    registry.register(new SequentialDelegationPattern("a", "", List.of("s")));
    registry.register(new SequentialDelegationPattern("c", "", List.of("s")));

    assertThat(registry.patternsServing("sequential"))
        .extracting(p -> p.name())
        .containsExactly("a", "b", "c");
  }

  @Test
  void unregister_removesFromEveryIndex() {
    registry.register(flow);

    assertThat(registry.unregister("validation_flow")).containsSame(flow);
    assertThat(registry.patternsServing("sequential")).isEmpty();
    assertThat(registry.patternsOfType("sequential")).isEmpty();
    assertThat(registry.unregister("validation_flow")).isEmpty();
  }

  @Test
  void register_null_isRejected() {
    assertThatThrownBy(() -> registry.register(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be null");
  }

  @Test
  void concurrentRegistrations_ofDistinctAndDuplicateNames_loseNothing() throws Exception {
    int threads = 8;
    int perThread = 200;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger duplicates = new AtomicInteger();
    for (int t = 0; t < threads; t++) {
      pool.execute(
          () -> {
            try {
              start.await();
            } catch (InterruptedException e) {
              return;
            }
            for (int i = 0; i < perThread; i++) {
              try {
                // Every thread registers the same names: each name must win exactly once.
                registry.register(new SequentialDelegationPattern("p" + i, "", List.of("s")));
              } catch (DuplicatePatternException e) {
                duplicates.incrementAndGet();
              }
            }
          });
    }
    start.countDown();
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

    assertThat(registry.size()).isEqualTo(perThread);
    assertThat(duplicates.get()).isEqualTo((threads - 1) * perThread);
    assertThat(registry.patternsServing("sequential")).hasSize(perThread);
  }
}
