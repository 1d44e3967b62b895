package io.ndp.spring.boot;

import static io.ndp.spring.boot.Apps.concat;
import static io.ndp.spring.boot.Apps.messages;
import static io.ndp.spring.boot.Apps.run;
import static io.ndp.spring.boot.Apps.sequential;
import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.Attempt;
import io.ndp.api.Delegate;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternResult;
import io.ndp.api.event.ExecutionFinishedEvent;
import io.ndp.api.event.NdpListener;
import io.ndp.core.BreakerPolicy;
import io.ndp.core.Ndp;
import io.ndp.core.PatternExecutor;
import io.ndp.core.PatternRegistry;
import io.ndp.core.RetryPolicy;
import io.ndp.core.SelectionPolicy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class NdpAutoConfigurationTest {

  /** Delegates for the tests: "ok" appends to its input, "bad" always fails. */
  @Configuration(proxyBeanMethods = false)
  static class Steps {
    @NdpDelegate("ok")
    String ok(Object in) {
      return in + ">ok";
    }

    @NdpDelegate("more")
    String more(Object in) {
      return in + ">more";
    }

    @NdpDelegate("bad")
    String bad(Object in) {
      throw new IllegalStateException("bad step");
    }
  }

  @Test
  void defaults_buildARuntimeInMemoryWithCoreDefaults() {
    Apps.runner()
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(Ndp.class);
              Ndp ndp = context.getBean(Ndp.class);
              assertThat(context.getBean(PatternRegistry.class)).isSameAs(ndp.registry());
              assertThat(context.getBean(PatternExecutor.class)).isSameAs(ndp.executor());
              assertThat(context.getBean(RetryPolicy.class)).isSameAs(RetryPolicy.none());
              assertThat(context.getBean(BreakerPolicy.class)).isSameAs(BreakerPolicy.none());
              assertThat(context.getBean(SelectionPolicy.class).getClass().getSimpleName())
                  .isEqualTo("DriftAwareThompsonPolicy");
              assertThat(ndp.ownedStorage()).isEmpty();
              assertThat(ndp.registry().breakerPolicy().enabled()).isFalse();
              assertThat(ndp.pluginReports()).isEmpty();
              assertThat(ndp.registry().patterns()).isEmpty();
              assertThat(context).hasBean("ndp");
            });
  }

  @Test
  void propertyDefaults_areCoresDefaults() {
    NdpProperties p = new NdpProperties();
    assertThat(p.getDrainTimeout()).isEqualTo(Ndp.DEFAULT_DRAIN_TIMEOUT);
    assertThat(p.getExecutor().getMaxAttempts()).isEqualTo(PatternExecutor.DEFAULT_MAX_ATTEMPTS);
    assertThat(p.getExecutor().getMaxDepth()).isEqualTo(PatternExecutor.DEFAULT_MAX_DEPTH);
    assertThat(p.getExecutor().getNestedBudget()).isEqualTo(PatternExecutor.DEFAULT_NESTED_BUDGET);
    RetryPolicy coreRetry = RetryPolicy.builder().build();
    p.getRetry().setEnabled(true);
    assertThat(p.getRetry().toPolicy()).hasToString(coreRetry.toString());
    p.getBreaker().setEnabled(true);
    assertThat(p.getBreaker().toPolicy()).hasToString(BreakerPolicy.builder().build().toString());
    assertThat(p.getBreaker().getMaxBreakers())
        .isEqualTo(BreakerPolicy.builder().build().maxBreakers());
    assertThat(p.isEnabled()).isTrue();
    assertThat(p.getStorage().getType()).isEqualTo(NdpProperties.StorageType.MEMORY);
    assertThat(p.getActuator().getRecentDecisions()).isEqualTo(50);
  }

  @Test
  void disabled_createsNoBeans() {
    Apps.runner()
        .withUserConfiguration(Steps.class)
        .withPropertyValues("ndp.enabled=false")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean(Ndp.class);
              assertThat(context).doesNotHaveBean(PatternRegistry.class);
              assertThat(context).doesNotHaveBean(PatternExecutor.class);
              assertThat(context).doesNotHaveBean(SelectionPolicy.class);
              assertThat(context).doesNotHaveBean(NdpProperties.class);
              assertThat(context).doesNotHaveBean(NdpHealthIndicator.class);
              assertThat(context).doesNotHaveBean(NdpEndpoint.class);
            });
  }

  @Test
  void patternsFromProperties_runTheAnnotatedDelegates() {
    Apps.runner()
        .withUserConfiguration(Steps.class)
        .withPropertyValues(sequential(0, "flow", "ok", "more"))
        .run(
            context -> {
              Ndp ndp = context.getBean(Ndp.class);
              Pattern flow = ndp.registry().getPattern("flow");
              assertThat(flow.definition().parameters())
                  .containsEntry("steps", List.of("ok", "more"));
              assertThat(flow.description()).isEqualTo("flow for tests");
              PatternResult r = run(ndp, "orders", "in");
              assertThat(r.success()).as(r.message()).isTrue();
              assertThat(r.output()).isEqualTo("in>ok>more");
            });
  }

  @Test
  void maxAttempts_boundsTheCandidatesTried() {
    String[] three =
        concat(
            sequential(0, "a-bad", "bad"),
            sequential(1, "b-bad", "bad"),
            sequential(2, "c-bad", "bad"),
            new String[] {"ndp.selection.policy=greedy"});
    Apps.runner()
        .withUserConfiguration(Steps.class)
        .withPropertyValues(three)
        .run(
            context -> assertThat(run(context.getBean(Ndp.class), "d", "x").attempts()).hasSize(3));
    Apps.runner()
        .withUserConfiguration(Steps.class)
        .withPropertyValues(three)
        .withPropertyValues("ndp.executor.max-attempts=1")
        .run(
            context -> {
              PatternResult r = run(context.getBean(Ndp.class), "d", "x");
              assertThat(r.success()).isFalse();
              assertThat(r.attempts()).extracting(Attempt::patternName).containsExactly("a-bad");
            });
  }

  @Test
  void greedy_picksTheBestOnceItLearned() {
    Apps.runner()
        .withUserConfiguration(Steps.class)
        .withPropertyValues(
            concat(
                sequential(0, "a-bad", "bad"),
                sequential(1, "b-good", "ok"),
                new String[] {"ndp.selection.policy=greedy"}))
        .run(
            context -> {
              assertThat(context.getBean(SelectionPolicy.class)).isSameAs(SelectionPolicy.greedy());
              Ndp ndp = context.getBean(Ndp.class);
              PatternResult first = run(ndp, "orders", "x");
              // Unseen, both tie; the name breaks it: a-bad fails, b-good serves.
              assertThat(first.attempts())
                  .extracting(Attempt::patternName)
                  .containsExactly("a-bad", "b-good");
              for (int i = 0; i < 10; i++) {
                PatternResult r = run(ndp, "orders", "x");
                assertThat(r.attempts()).extracting(Attempt::patternName).containsExactly("b-good");
              }
            });
  }

  @Test
  void seed_makesThompsonSamplingRepeatable() {
    String[] props =
        concat(
            sequential(0, "p1", "ok"),
            sequential(1, "p2", "ok"),
            sequential(2, "p3", "ok"),
            new String[] {"ndp.selection.policy=thompson", "ndp.selection.seed=42"});
    List<List<String>> runs = new ArrayList<>();
    for (int k = 0; k < 2; k++) {
      Apps.runner()
          .withUserConfiguration(Steps.class)
          .withPropertyValues(props)
          .run(
              context -> {
                Ndp ndp = context.getBean(Ndp.class);
                List<String> chosen = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                  chosen.add(run(ndp, "orders", "x").chosenPattern());
                }
                runs.add(chosen);
              });
    }
    assertThat(runs.get(0)).isEqualTo(runs.get(1));
    assertThat(runs.get(0))
        .as("thompson explores the three")
        .containsAll(List.of("p1", "p2", "p3"));
  }

  @Test
  void retry_retriesAFailedPattern() {
    AtomicInteger calls = new AtomicInteger();
    Delegate flaky =
        in -> {
          if (calls.incrementAndGet() == 1) {
            throw new IllegalStateException("first call fails");
          }
          return "fine";
        };
    Apps.runner()
        .withBean("flaky", Delegate.class, () -> flaky)
        .withUserConfiguration(FlakyRegistration.class)
        .withPropertyValues(
            concat(
                sequential(0, "only", "flaky"),
                new String[] {
                  "ndp.retry.enabled=true",
                  "ndp.retry.max-retries=1",
                  "ndp.retry.initial-backoff=1ms",
                  "ndp.retry.max-backoff=1ms"
                }))
        .run(
            context -> {
              assertThat(context.getBean(RetryPolicy.class).maxRetries()).isEqualTo(1);
              PatternResult r = run(context.getBean(Ndp.class), "d", "x");
              assertThat(r.success()).as(r.message()).isTrue();
              assertThat(r.attempts())
                  .extracting(Attempt::kind)
                  .containsExactly(Attempt.Kind.RUN, Attempt.Kind.RETRY);
            });
  }

  /** Registers the plain Delegate bean "flaky" through an annotated wrapper. */
  @Configuration(proxyBeanMethods = false)
  static class FlakyRegistration {
    @Bean
    Object flakyStep(org.springframework.beans.factory.ObjectProvider<Delegate> flaky) {
      return new Object() {
        @NdpDelegate("flaky")
        Object call(Object in) throws Exception {
          return flaky.getObject().execute(in);
        }
      };
    }
  }

  @Test
  void breaker_opensAfterFailures() {
    Apps.runner()
        .withUserConfiguration(Steps.class)
        .withPropertyValues(
            concat(
                sequential(0, "a-bad", "bad"),
                new String[] {
                  "ndp.breaker.enabled=true",
                  "ndp.breaker.window=2",
                  "ndp.breaker.minimum-calls=2",
                  "ndp.breaker.failure-rate-threshold=50",
                  "ndp.breaker.cool-down=1h"
                }))
        .run(
            context -> {
              Ndp ndp = context.getBean(Ndp.class);
              assertThat(context.getBean(BreakerPolicy.class).window()).isEqualTo(2);
              run(ndp, "orders", "x");
              run(ndp, "orders", "x");
              assertThat(ndp.registry().breakerState("a-bad", "orders"))
                  .isEqualTo(io.ndp.api.BreakerState.OPEN);
              PatternResult skipped = run(ndp, "orders", "x");
              assertThat(skipped.attempts())
                  .extracting(Attempt::kind)
                  .containsExactly(Attempt.Kind.SKIPPED);
            });
  }

  @Test
  void fallbackPatterns_runAfterTheRankedCandidatesFailed() {
    Apps.runner()
        .withUserConfiguration(Steps.class)
        .withPropertyValues(
            concat(
                sequential(0, "a-bad", "bad"),
                sequential(1, "b-good", "ok"),
                new String[] {
                  "ndp.selection.policy=greedy",
                  "ndp.executor.max-attempts=1",
                  "ndp.executor.fallback-patterns=b-good"
                }))
        .run(
            context -> {
              PatternResult r = run(context.getBean(Ndp.class), "d", "x");
              assertThat(r.success()).as(r.message()).isTrue();
              assertThat(r.attempts()).extracting(Attempt::fallback).containsExactly(false, true);
            });
  }

  private static final String[] META =
      concat(
          sequential(0, "flow", "ok"),
          new String[] {
            "ndp.patterns[1].type=meta-orchestration",
            "ndp.patterns[1].name=platform",
            "ndp.patterns[1].parameters.domains[0]=billing",
            "ndp.patterns[1].parameters.domains[1]=shipping"
          });

  private static PatternResult orchestrate(Ndp ndp) {
    return ndp.executor()
        .executeBestPattern(
            PatternContext.builder("platform", "orchestrator").payload("in").build());
  }

  @Test
  void nesting_isAllowedByDefault() {
    Apps.runner()
        .withUserConfiguration(Steps.class)
        .withPropertyValues(META)
        .run(
            context -> {
              PatternResult r = orchestrate(context.getBean(Ndp.class));
              assertThat(r.success()).as(r.message()).isTrue();
              assertThat(r.output()).isEqualTo(Map.of("billing", "in>ok", "shipping", "in>ok"));
            });
  }

  @ParameterizedTest
  @CsvSource({"ndp.executor.max-depth=0, depth", "ndp.executor.nested-budget=1, budget"})
  void maxDepthAndNestedBudget_boundNesting(String property, String reason) {
    Apps.runner()
        .withUserConfiguration(Steps.class)
        .withPropertyValues(META)
        .withPropertyValues(property)
        .run(
            context -> {
              PatternResult r = orchestrate(context.getBean(Ndp.class));
              assertThat(r.success()).isFalse();
              assertThat(r.message()).containsIgnoringCase(reason);
            });
  }

  /** A step that waits until the test lets it go, or until it is interrupted. */
  @Configuration(proxyBeanMethods = false)
  static class Waiting {
    final CountDownLatch release = new CountDownLatch(1);

    @NdpDelegate("wait")
    String await(Object in) throws InterruptedException {
      release.await();
      return "released";
    }

    @NdpDelegate("slow")
    String slow(Object in) {
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
      while (System.nanoTime() < end) {
        LockSupport.parkNanos(end - System.nanoTime());
      }
      return "slow";
    }
  }

  @Test
  void defaultTimeout_endsAnAttemptThatRunsTooLong() {
    Apps.runner()
        .withUserConfiguration(Waiting.class)
        .withPropertyValues(
            concat(
                sequential(0, "stuck", "wait"),
                new String[] {"ndp.executor.default-timeout=100ms"}))
        .run(
            context -> {
              PatternResult r = run(context.getBean(Ndp.class), "d", "x");
              assertThat(r.success()).isFalse();
              assertThat(r.attempts())
                  .extracting(Attempt::status)
                  .containsExactly(OutcomeStatus.TIMED_OUT);
            });
  }

  @Test
  void latencyBudget_countsASlowSuccessAgainstThePattern() {
    Apps.runner()
        .withUserConfiguration(Waiting.class)
        .withPropertyValues(
            concat(
                sequential(0, "slowpoke", "slow"),
                new String[] {"ndp.executor.latency-budget=1ms"}))
        .run(
            context -> {
              Ndp ndp = context.getBean(Ndp.class);
              PatternResult r = run(ndp, "d", "x");
              assertThat(r.success()).isTrue();
              assertThat(ndp.registry().statistics("slowpoke", "d").failures()).isEqualTo(1);
              assertThat(ndp.registry().statistics("slowpoke", "d").successes()).isZero();
            });
  }

  @Test
  void userPolicies_overrideTheProperties() {
    RetryPolicy retry = RetryPolicy.builder().maxRetries(7).build();
    BreakerPolicy breaker = BreakerPolicy.builder().window(3).minimumCalls(3).build();
    SelectionPolicy policy = SelectionPolicy.greedy();
    Apps.runner()
        .withBean(RetryPolicy.class, () -> retry)
        .withBean(BreakerPolicy.class, () -> breaker)
        .withBean(SelectionPolicy.class, () -> policy)
        .withPropertyValues(
            "ndp.retry.enabled=true", "ndp.breaker.enabled=true", "ndp.selection.policy=thompson")
        .run(
            context -> {
              assertThat(context).getBean(RetryPolicy.class).isSameAs(retry);
              assertThat(context).getBean(BreakerPolicy.class).isSameAs(breaker);
              assertThat(context).getBean(SelectionPolicy.class).isSameAs(policy);
              assertThat(context.getBean(Ndp.class).registry().breakerPolicy()).isSameAs(breaker);
            });
  }

  @Test
  void userNdp_replacesTheAutoConfiguredOne() {
    Apps.runner()
        .withBean(Ndp.class, () -> Ndp.builder().build())
        .run(
            context -> {
              assertThat(context).hasSingleBean(Ndp.class);
              assertThat(context.getBean(PatternRegistry.class))
                  .isSameAs(context.getBean(Ndp.class).registry());
            });
  }

  /** Collects what it hears. */
  static final class Collecting implements NdpListener {
    final List<ExecutionFinishedEvent> finished = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onExecutionFinished(ExecutionFinishedEvent event) {
      finished.add(event);
    }
  }

  @Test
  void listenerBeans_hearTheRuntime() {
    Collecting listener = new Collecting();
    Apps.runner()
        .withUserConfiguration(Steps.class)
        .withBean(Collecting.class, () -> listener)
        .withPropertyValues(sequential(0, "flow", "ok"))
        .run(
            context -> {
              run(context.getBean(Ndp.class), "d", "x");
              assertThat(listener.finished).hasSize(1);
              assertThat(listener.finished.get(0).result().chosenPattern()).isEqualTo("flow");
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class PatternBeans {
    @Bean
    PatternDefinition fromDefinition() {
      return new PatternDefinition(
          "sequential", "from-definition", "", Map.of("steps", List.of("ok")));
    }

    @Bean
    Pattern fromPattern() {
      return new io.ndp.patterns.sequential.SequentialDelegationPattern(
          "from-pattern", "a pattern bean", List.of("ok", "more"));
    }
  }

  @Test
  void patternAndDefinitionBeans_areRegistered() {
    Apps.runner()
        .withUserConfiguration(Steps.class, PatternBeans.class)
        .withPropertyValues("ndp.selection.policy=greedy")
        .run(
            context -> {
              Ndp ndp = context.getBean(Ndp.class);
              assertThat(ndp.registry().patterns())
                  .extracting(Pattern::name)
                  .containsExactlyInAnyOrder("from-definition", "from-pattern");
              PatternResult r =
                  ndp.executor()
                      .execute(
                          ndp.registry().getPattern("from-pattern"),
                          PatternContext.builder("d", "sequential").payload("in").build());
              assertThat(r.output()).isEqualTo("in>ok>more");
            });
  }

  @Test
  void samePatternName_inPropertiesAndABean_failsNamingBoth() {
    Apps.runner()
        .withUserConfiguration(Steps.class, PatternBeans.class)
        .withPropertyValues(sequential(0, "from-pattern", "ok"))
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(messages(context.getStartupFailure()))
                  .contains("pattern 'from-pattern' is declared twice")
                  .contains("ndp.patterns[0]")
                  .contains("bean 'fromPattern'");
            });
  }

  @Test
  void unknownPatternType_failsNamingTheEntry() {
    Apps.runner()
        .withPropertyValues("ndp.patterns[0].type=nonesuch", "ndp.patterns[0].name=p")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(messages(context.getStartupFailure()))
                  .contains("pattern 'p' of ndp.patterns[0] could not be registered")
                  .contains("nonesuch");
            });
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "ndp.executor.max-attempts=0 | ndp.executor.max-attempts",
        "ndp.executor.max-depth=-1 | ndp.executor.max-depth",
        "ndp.executor.nested-budget=-1 | ndp.executor.nested-budget",
        "ndp.executor.default-timeout=0s | ndp.executor.default-timeout",
        "ndp.executor.latency-budget=-5ms | ndp.executor.latency-budget",
        "ndp.drain-timeout=-1s | ndp.drain-timeout",
        "ndp.half-life=0.5 | ndp.half-life",
        "ndp.confidence-alerts=1.5 | ndp.confidence-alerts",
        "ndp.retry.max-retries=101 | ndp.retry.max-retries",
        "ndp.retry.jitter=1 | ndp.retry.jitter",
        "ndp.retry.multiplier=0.5 | ndp.retry.multiplier",
        "ndp.retry.budget=-1 | ndp.retry.budget",
        "ndp.retry.initial-backoff=0ms | ndp.retry.initial-backoff",
        "ndp.breaker.failure-rate-threshold=0 | ndp.breaker.failure-rate-threshold",
        "ndp.breaker.window=0 | ndp.breaker.window",
        "ndp.breaker.minimum-calls=0 | ndp.breaker.minimum-calls",
        "ndp.breaker.probes=0 | ndp.breaker.probes",
        "ndp.breaker.cool-down=-1s | ndp.breaker.cool-down",
        "ndp.breaker.max-breakers=0 | ndp.breaker.max-breakers",
        "ndp.selection.policy=random | ndp.selection.policy",
        "ndp.selection.min-confidence=1 | ndp.selection.min-confidence",
        "ndp.selection.probe-rate=2 | ndp.selection.probe-rate",
        "ndp.selection.exploration-rate=-0.1 | ndp.selection.exploration-rate",
        "ndp.storage.type=mongo | ndp.storage.type",
        "ndp.storage.durability=eventually | ndp.storage.durability",
        "ndp.storage.pool-size=0 | ndp.storage.pool-size",
        "ndp.storage.staleness=0s | ndp.storage.staleness",
        "ndp.storage.buffer-limit=0 | ndp.storage.buffer-limit",
        "ndp.storage.connection-timeout=10ms | ndp.storage.connection-timeout",
        "ndp.storage.half-life=0 | ndp.storage.half-life",
        "ndp.actuator.recent-decisions=0 | ndp.actuator.recent-decisions",
        "ndp.metrics.domain-tags=-1 | ndp.metrics.domain-tags",
        "ndp.patterns[0].name=nameless-type | ndp.patterns[0].type",
      })
  void invalidValue_failsStartupNamingTheProperty(String property, String named) {
    Apps.runner()
        .withPropertyValues(property)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(messages(context.getStartupFailure())).contains(named);
            });
  }

  @Test
  void retryBackoffs_thatDoNotCombine_failNamingTheProperties() {
    Apps.runner()
        .withPropertyValues(
            "ndp.retry.enabled=true", "ndp.retry.initial-backoff=5s", "ndp.retry.max-backoff=1s")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(messages(context.getStartupFailure()))
                  .contains("ndp.retry.initial-backoff")
                  .contains("ndp.retry.max-backoff");
            });
  }

  @Test
  void halfLife_withDurableStorage_failsNamingBothProperties() {
    Apps.runner()
        .withPropertyValues("ndp.half-life=50", "ndp.storage.type=jdbc")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(messages(context.getStartupFailure()))
                  .contains("ndp.half-life")
                  .contains("ndp.storage.half-life");
            });
  }

  @Test
  void halfLife_inMemory_isAccepted() {
    Apps.runner()
        .withPropertyValues("ndp.half-life=Infinity", "ndp.drain-timeout=5s")
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(Ndp.class));
  }
}
