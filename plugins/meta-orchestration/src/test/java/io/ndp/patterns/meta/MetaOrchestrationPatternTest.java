package io.ndp.patterns.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.ndp.api.Delegate;
import io.ndp.api.MatchResult;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetaOrchestrationPatternTest {

  private static final Set<String> GUIDE_DOMAINS = Set.of("auth", "data", "network", "compute");

  private final TestScope scope = new TestScope();

  @AfterEach
  void shutDownPool() throws InterruptedException {
    scope.close();
  }

  private static PatternContext context(String... requiredDomains) {
    return PatternContext.builder("platform", "orchestrator")
        .requiredDomains(requiredDomains)
        .payload("request")
        .build();
  }

  private static MetaOrchestrationPattern guidePattern() {
    return new MetaOrchestrationPattern(
        "domain_coordinator", "Cross-domain orchestration", GUIDE_DOMAINS);
  }

  /** auth first; data and network after auth; compute after data and network. */
  private static MetaOrchestrationPattern diamond() {
    return MetaOrchestrationPattern.builder("diamond")
        .domains(GUIDE_DOMAINS)
        .after("data", "auth")
        .after("network", "auth")
        .after("compute", "data", "network")
        .build();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(@Nullable Object value) {
    assertThat(value).isInstanceOf(Map.class);
    return (Map<String, Object>) value;
  }

  private void register(String domain, Delegate delegate) {
    scope.delegates().register(domain, delegate);
  }

  @Nested
  class Building {

    @Test
    void constructor_guideSnippet_servesOrchestratorAgentTypeWithDefaults() {
      MetaOrchestrationPattern p = guidePattern();

      assertThat(p.name()).isEqualTo("domain_coordinator");
      assertThat(p.description()).isEqualTo("Cross-domain orchestration");
      assertThat(p.type()).isEqualTo("meta-orchestration");
      assertThat(p.typeAliases()).containsExactly("MetaOrchestrationPattern");
      assertThat(p.agentTypes()).containsExactly("orchestrator");
      assertThat(p.domains()).containsExactly("auth", "compute", "data", "network");
      assertThat(p.dependencies()).isEmpty();
      assertThat(p.agentTypeFor("auth")).isEqualTo("sequential");
      assertThat(p.domainAttributes("auth")).isEmpty();
    }

    @Test
    void builder_orderingAndPerDomainSettings_areKept() {
      MetaOrchestrationPattern p =
          MetaOrchestrationPattern.builder("platform")
              .description("d")
              .domains("auth", "data", "compute")
              .after("data", "auth")
              .domainAgentType("compute", "parallel")
              .defaultDomainAgentType("custom")
              .domainAttributes("compute", Map.of("required_resources", List.of("cpu")))
              .build();

      assertThat(p.prerequisites("data")).containsExactly("auth");
      assertThat(p.prerequisites("auth")).isEmpty();
      assertThat(p.agentTypeFor("compute")).isEqualTo("parallel");
      assertThat(p.agentTypeFor("auth")).isEqualTo("custom");
      assertThat(p.domainAttributes("compute"))
          .containsExactly(entry("required_resources", List.of("cpu")));
    }

    static List<Arguments> cycles() {
      return List.of(
          Arguments.of(
              (Consumer<MetaOrchestrationPattern.Builder>)
                  b -> b.after("data", "auth").after("auth", "data"),
              "auth -> data -> auth"),
          Arguments.of(
              (Consumer<MetaOrchestrationPattern.Builder>) b -> b.after("auth", "auth"),
              "auth -> auth"),
          Arguments.of(
              (Consumer<MetaOrchestrationPattern.Builder>)
                  b -> b.after("data", "auth").after("network", "data").after("auth", "network"),
              "auth -> data -> network -> auth"),
          Arguments.of(
              // an acyclic part (compute after auth) next to a cycle that does not touch auth
              (Consumer<MetaOrchestrationPattern.Builder>)
                  b -> b.after("compute", "auth").after("network", "data").after("data", "network"),
              "data -> network -> data"));
    }

    @ParameterizedTest
    @MethodSource("cycles")
    void build_cyclicOrdering_isRejectedNamingTheCycle(
        Consumer<MetaOrchestrationPattern.Builder> ordering, String cycle) {
      MetaOrchestrationPattern.Builder b =
          MetaOrchestrationPattern.builder("cyclic").domains(GUIDE_DOMAINS);
      ordering.accept(b);

      assertThatThrownBy(b::build)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'cyclic'")
          .hasMessageContaining("cycle: " + cycle);
    }

    @Test
    void build_twoSeparateCycles_namesBoth() {
      assertThatThrownBy(
              () ->
                  MetaOrchestrationPattern.builder("cyclic")
                      .domains(GUIDE_DOMAINS)
                      .after("auth", "data")
                      .after("data", "auth")
                      .after("network", "compute")
                      .after("compute", "network")
                      .build())
          .hasMessageContaining("auth -> data -> auth")
          .hasMessageContaining("compute -> network -> compute");
    }

    @Test
    void build_orderingNamesUnknownDomains_isRejectedNamingAllOfThem() {
      assertThatThrownBy(
              () ->
                  MetaOrchestrationPattern.builder("p")
                      .domains("auth", "data")
                      .after("data", "billing")
                      .after("storage", "auth")
                      .build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("domain 'data' is ordered after unknown domain 'billing'")
          .hasMessageContaining("an ordering names unknown domain 'storage'")
          .hasMessageContaining("(domains: [auth, data])");
    }

    @Test
    void build_settingsForUnknownDomain_areRejected() {
      assertThatThrownBy(
              () ->
                  MetaOrchestrationPattern.builder("p")
                      .domains("auth")
                      .domainAgentType("data", "parallel")
                      .domainAttributes("billing", Map.of("k", "v"))
                      .build())
          .hasMessageContaining("an agent type is set for unknown domain 'data'")
          .hasMessageContaining("attributes are set for unknown domain 'billing'");
    }

    @Test
    void build_invalidDomainAttributes_isRejectedNamingTheDomainAndValue() {
      assertThatThrownBy(
              () ->
                  MetaOrchestrationPattern.builder("p")
                      .domains("auth")
                      .domainAttributes("auth", Map.of("required_steps", 3))
                      .build())
          .hasMessageContaining("attributes of domain 'auth' are invalid")
          .hasMessageContaining("required_steps must be a list of step names but was Integer 3");
    }

    @Test
    void build_attributeValueThatCannotBeStored_isRejected() {
      assertThatThrownBy(
              () ->
                  MetaOrchestrationPattern.builder("p")
                      .domains("auth")
                      .domainAttributes("auth", Map.of("client", new Object()))
                      .build())
          .hasMessageContaining("JSON-like values only");
    }

    @Test
    void build_noDomainOrReservedName_isRejected() {
      assertThatThrownBy(() -> MetaOrchestrationPattern.builder("p").build())
          .hasMessageContaining("needs at least one domain");
      assertThatThrownBy(() -> new MetaOrchestrationPattern("p", "", Set.of("@payload")))
          .hasMessageContaining("domain name '@payload' is reserved");
    }

    @Test
    void constructor_badArguments_areRejectedNamingTheValue() {
      assertThatThrownBy(() -> new MetaOrchestrationPattern("p", "", null))
          .hasMessage("domains of meta-orchestration pattern 'p' must not be null");
      assertThatThrownBy(() -> new MetaOrchestrationPattern(" ", "", GUIDE_DOMAINS))
          .hasMessageContaining("pattern name must be non-blank");
      assertThatThrownBy(() -> MetaOrchestrationPattern.builder("p").domains("auth", " "))
          .hasMessage("domain 1 of pattern 'p' must be a non-blank name but was ' '");
      assertThatThrownBy(() -> MetaOrchestrationPattern.builder("p").domainAgentType("auth", ""))
          .hasMessage("agent type of domain 'auth' must be a non-blank name but was ''");
    }

    @Test
    void plan_diamond_putsPrerequisitesFirstAndTiesByName() {
      assertThat(diamond().plan(context())).containsExactly("auth", "data", "network", "compute");
      assertThat(diamond().plan(context("compute", "network")))
          .containsExactly("network", "compute");
    }
  }

  @Nested
  class Matching {

    @Test
    void match_requiredDomainsAreASubset_scoresByShareOfDomains() {
      MatchResult m = guidePattern().match(context("auth", "data"));

      assertThat(m.isMatch()).isTrue();
      assertThat(m.score()).isEqualTo(0.75);
      assertThat(guidePattern().match(context("auth", "data", "network", "compute")).score())
          .isEqualTo(1.0);
    }

    @Test
    void match_noRequiredDomains_isPerfect() {
      assertThat(guidePattern().match(context()).score()).isEqualTo(1.0);
    }

    @Test
    void match_missingDomains_noMatchNamingThem() {
      MatchResult m = guidePattern().match(context("auth", "billing", "storage"));

      assertThat(m.isMatch()).isFalse();
      assertThat(m.reason())
          .isEqualTo(
              "lacks required domains [billing, storage] (has [auth, compute, data, network])");
    }

    @Test
    void execute_unmatchedContext_isRejectedWithoutRunningAnything() {
      AtomicInteger calls = new AtomicInteger();
      register("auth", in -> calls.incrementAndGet());

      PatternOutcome outcome = guidePattern().execute(context("auth", "billing"), scope);

      assertThat(outcome.status()).isEqualTo(OutcomeStatus.REJECTED);
      assertThat(outcome.message()).contains("[billing]");
      assertThat(calls).hasValue(0);
    }
  }

  @Nested
  class Execution {

    @Test
    void execute_delegatesForRequiredDomains_aggregatesOutputsPerDomainInPlanOrder() {
      register("auth", in -> "token for " + in);
      register("data", in -> "rows for " + in);
      register("network", in -> "must not run");

      PatternOutcome outcome = guidePattern().execute(context("data", "auth"), scope);

      assertThat(outcome.status()).isEqualTo(OutcomeStatus.SUCCESS);
      Map<String, Object> output = asMap(outcome.output());
      assertThat(output)
          .containsExactly(entry("auth", "token for request"), entry("data", "rows for request"));
      assertThatThrownBy(() -> output.put("x", "y"))
          .isInstanceOf(UnsupportedOperationException.class);
      assertThat(outcome.message())
          .isEqualTo("orchestrated 2 domain(s): auth by delegate, data by delegate");
    }

    @Test
    void execute_noRequiredDomains_runsEveryDomain() {
      for (String d : GUIDE_DOMAINS) {
        register(d, in -> d);
      }

      PatternOutcome outcome = guidePattern().execute(context(), scope);

      assertThat(outcome.isSuccess()).isTrue();
      assertThat(asMap(outcome.output())).containsOnlyKeys(GUIDE_DOMAINS);
    }

    @Test
    void execute_domainWithoutDelegate_runsTheBestPatternForANestedContext() {
      MetaOrchestrationPattern p =
          MetaOrchestrationPattern.builder("platform")
              .domains("auth", "compute")
              .domainAgentType("compute", "parallel")
              .domainAttributes("compute", Map.of("required_resources", List.of("cpu")))
              .build();
      scope.onNested(
          (nested, child) -> TestScope.succeeded(nested.domain() + "_flow", nested.domain() + "!"));
      PatternContext parent =
          PatternContext.builder("platform", "orchestrator")
              .requiredDomains("auth", "compute")
              .requiredSteps("validate", "store")
              .attribute("tenant", "acme")
              .priority(7)
              .payload("request")
              .timeout(Duration.ofSeconds(30))
              .build();

      PatternOutcome outcome = p.execute(parent, scope.withTimeout(Duration.ofSeconds(30)));

      assertThat(outcome.isSuccess()).isTrue();
      assertThat(asMap(outcome.output()))
          .containsExactly(entry("auth", "auth!"), entry("compute", "compute!"));
      assertThat(outcome.message())
          .isEqualTo(
              "orchestrated 2 domain(s): auth by pattern 'auth_flow',"
                  + " compute by pattern 'compute_flow'");
      assertThat(scope.nestedContexts()).hasSize(2);
      PatternContext auth = nestedFor("auth");
      assertThat(auth.agentType()).isEqualTo("sequential");
      assertThat(auth.attributes())
          .containsOnlyKeys("required_steps", "tenant")
          .containsEntry("required_steps", List.of("validate", "store"));
      assertThat(auth.priority()).isEqualTo(7);
      assertThat(auth.payload()).isEqualTo("request");
      assertThat(auth.timeout())
          .isNotNull()
          .isPositive()
          .isLessThanOrEqualTo(Duration.ofSeconds(30));
      PatternContext compute = nestedFor("compute");
      assertThat(compute.agentType()).isEqualTo("parallel");
      assertThat(compute.requiredResources()).containsExactly("cpu");
      assertThat(compute.attributes()).containsKeys("required_steps", "tenant");
    }

    @Test
    void execute_parentWithoutDeadline_givesNestedContextsNoTimeout() {
      scope.onNested((nested, child) -> TestScope.succeeded("flow", null));

      assertThat(guidePattern().execute(context("auth"), scope).isSuccess()).isTrue();
      assertThat(nestedFor("auth").timeout()).isNull();
    }

    @Test
    void execute_dependentDomain_runsAfterItsPrerequisiteAndGetsItsOutput() {
      List<String> events = new CopyOnWriteArrayList<>();
      AtomicReference<@Nullable Object> dataInput = new AtomicReference<>();
      register(
          "auth",
          in -> {
            events.add("auth start");
            // some work, so that a data started too early would overlap it
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            events.add("auth end");
            return "token";
          });
      register(
          "data",
          in -> {
            events.add("data start");
            dataInput.set(in);
            return "rows";
          });
      MetaOrchestrationPattern p =
          MetaOrchestrationPattern.builder("p")
              .domains("auth", "data")
              .after("data", "auth")
              .build();

      PatternOutcome outcome = p.execute(context("auth", "data"), scope);

      assertThat(outcome.isSuccess()).isTrue();
      assertThat(events).containsExactly("auth start", "auth end", "data start");
      assertThat(asMap(dataInput.get()))
          .containsExactly(entry("auth", "token"), entry("@payload", "request"));
      assertThat(outcome.message())
          .isEqualTo("orchestrated 2 domain(s): auth by delegate, data by delegate after auth");
    }

    @Test
    void execute_prerequisiteNotRequired_isIgnored() {
      AtomicInteger authCalls = new AtomicInteger();
      register("auth", in -> authCalls.incrementAndGet());
      AtomicReference<@Nullable Object> dataInput = new AtomicReference<>();
      register(
          "data",
          in -> {
            dataInput.set(in);
            return "rows";
          });

      PatternOutcome outcome = diamond().execute(context("data"), scope);

      assertThat(outcome.isSuccess()).isTrue();
      assertThat(authCalls).hasValue(0);
      assertThat(dataInput.get()).isEqualTo("request");
    }

    @Test
    void execute_independentDomains_runAtTheSameTime() {
      CyclicBarrier bothRunning = new CyclicBarrier(2);
      Delegate meet =
          in -> {
            bothRunning.await(10, TimeUnit.SECONDS); // times out unless the other runs too
            return "met";
          };
      register("network", meet);
      register("compute", meet);

      PatternOutcome outcome = guidePattern().execute(context("network", "compute"), scope);

      assertThat(outcome.message()).startsWith("orchestrated 2 domain(s)");
      assertThat(outcome.isSuccess()).isTrue();
    }

    @Test
    void execute_failingDelegate_failsNamingTheDomainAndNeverStartsItsDependents()
        throws Exception {
      CountDownLatch networkRunning = new CountDownLatch(1);
      AtomicBoolean networkEnded = new AtomicBoolean();
      AtomicBoolean networkInterrupted = new AtomicBoolean();
      AtomicInteger dependentCalls = new AtomicInteger();
      register(
          "auth",
          in -> {
            networkRunning.await();
            throw new IllegalStateException("token service down");
          });
      register(
          "network",
          in -> {
            networkRunning.countDown();
            try {
              new CountDownLatch(1).await(); // until interrupted
              return "never";
            } catch (InterruptedException e) {
              networkInterrupted.set(true);
              throw e;
            } finally {
              networkEnded.set(true);
            }
          });
      register("data", in -> dependentCalls.incrementAndGet());
      register("compute", in -> dependentCalls.incrementAndGet());
      MetaOrchestrationPattern p =
          MetaOrchestrationPattern.builder("p")
              .domains(GUIDE_DOMAINS)
              .after("data", "auth")
              .after("compute", "data")
              .build();

      PatternOutcome outcome = p.execute(context(), scope);

      assertThat(outcome.status()).isEqualTo(OutcomeStatus.FAILED);
      assertThat(outcome.message())
          .isEqualTo(
              "domain 'auth' failed (delegate): token service down; cancelled: network;"
                  + " not started: data, compute");
      assertThat(outcome.cause())
          .isInstanceOfSatisfying(
              DomainFailedException.class,
              e -> {
                assertThat(e.domain()).isEqualTo("auth");
                assertThat(e.patternName()).isEqualTo("p");
                assertThat(e.reason()).isEqualTo("token service down");
                assertThat(e).hasMessage("domain 'auth' of pattern 'p' failed: token service down");
              })
          .hasCauseInstanceOf(IllegalStateException.class);
      assertThat(dependentCalls).hasValue(0);
      // the pattern returned only after the running sibling had ended
      assertThat(networkInterrupted).isTrue();
      assertThat(networkEnded).isTrue();
    }

    @Test
    void execute_failure_keepsOutputsOfCompletedDomains() {
      register("auth", in -> "token");
      register(
          "data",
          in -> {
            throw new IllegalArgumentException("bad query");
          });
      MetaOrchestrationPattern p =
          MetaOrchestrationPattern.builder("p")
              .domains("auth", "data")
              .after("data", "auth")
              .build();

      PatternOutcome outcome = p.execute(context(), scope);

      assertThat(outcome.status()).isEqualTo(OutcomeStatus.FAILED);
      assertThat(outcome.message())
          .isEqualTo("domain 'data' failed (delegate): bad query; completed: auth by delegate");
      assertThat(asMap(outcome.output())).containsExactly(entry("auth", "token"));
    }

    @Test
    void execute_failedNestedResult_failsWithTheNestedMessage() {
      scope.onNested(
          (nested, child) ->
              TestScope.failed(
                  "no pattern succeeded for domain 'auth', agent type 'sequential'; 'login'"
                      + " FAILED: step 'check' (1 of 1) failed: wrong password"));

      PatternOutcome outcome = guidePattern().execute(context("auth"), scope);

      assertThat(outcome.status()).isEqualTo(OutcomeStatus.FAILED);
      assertThat(outcome.message())
          .startsWith("domain 'auth' failed (nested context with agent type 'sequential'):")
          .contains("step 'check' (1 of 1) failed: wrong password");
    }

    @Test
    void execute_nestedPatternThrows_failsNamingTheDomain() {
      scope.onNested(
          (nested, child) -> {
            throw new IllegalStateException("registry closed");
          });

      PatternOutcome outcome = guidePattern().execute(context("data"), scope);

      assertThat(outcome.status()).isEqualTo(OutcomeStatus.FAILED);
      assertThat(outcome.message())
          .isEqualTo(
              "domain 'data' failed (nested context with agent type 'sequential'): registry"
                  + " closed");
    }

    @Test
    void execute_delegateThrowsError_failsAndDoesNotHang() {
      register(
          "auth",
          in -> {
            throw new AssertionError("broken invariant");
          });

      PatternOutcome outcome = guidePattern().execute(context("auth"), scope);

      assertThat(outcome.status()).isEqualTo(OutcomeStatus.FAILED);
      assertThat(outcome.message()).contains("domain 'auth'").contains("broken invariant");
    }

    @Test
    void execute_executorRejectsWork_theCallerRunsTheDomainsItself() throws Exception {
      try (TestScope rejecting =
          new TestScope(
              task -> {
                throw new RejectedExecutionException("pool saturated");
              })) {
        Thread caller = Thread.currentThread();
        rejecting.delegates().register("auth", in -> Thread.currentThread() == caller);

        PatternOutcome outcome = guidePattern().execute(context("auth"), rejecting);

        // A saturated executor never stops the work: the waiting caller runs the domain.
        assertThat(outcome.status()).as(outcome.message()).isEqualTo(OutcomeStatus.SUCCESS);
        assertThat(outcome.output()).isEqualTo(Map.of("auth", true));
      }
    }

    @Test
    void execute_directExecutor_runsEveryDomainInTheCallingThread() throws Exception {
      try (TestScope direct = new TestScope(Runnable::run)) {
        Thread caller = Thread.currentThread();
        List<Thread> threads = new CopyOnWriteArrayList<>();
        for (String d : GUIDE_DOMAINS) {
          direct
              .delegates()
              .register(
                  d,
                  in -> {
                    threads.add(Thread.currentThread());
                    return d;
                  });
        }

        PatternOutcome outcome = diamond().execute(context(), direct);

        assertThat(outcome.isSuccess()).isTrue();
        assertThat(asMap(outcome.output()))
            .containsExactly(
                entry("auth", "auth"),
                entry("data", "data"),
                entry("network", "network"),
                entry("compute", "compute"));
        assertThat(threads).hasSize(4).containsOnly(caller);
      }
    }

    @Test
    void execute_deadlinePassesWhileADomainRuns_timesOutAndInterruptsIt() {
      AtomicBoolean interrupted = new AtomicBoolean();
      AtomicInteger dataCalls = new AtomicInteger();
      register(
          "auth",
          in -> {
            try {
              new CountDownLatch(1).await(); // until interrupted
              return "never";
            } catch (InterruptedException e) {
              interrupted.set(true);
              throw e;
            }
          });
      register("data", in -> dataCalls.incrementAndGet());
      MetaOrchestrationPattern p =
          MetaOrchestrationPattern.builder("p")
              .domains("auth", "data")
              .after("data", "auth")
              .build();

      PatternOutcome outcome = p.execute(context(), scope.withTimeout(Duration.ofMillis(200)));

      assertThat(outcome.status()).isEqualTo(OutcomeStatus.TIMED_OUT);
      assertThat(outcome.message())
          .isEqualTo(
              "deadline passed while orchestrating domains; cancelled: auth; not started: data");
      assertThat(interrupted).isTrue();
      assertThat(dataCalls).hasValue(0);
    }

    @Test
    void execute_deadlineAlreadyPassed_timesOutWithoutRunningAnything() {
      AtomicInteger calls = new AtomicInteger();
      register("auth", in -> calls.incrementAndGet());
      TestScope expired = scope.withDeadline(Instant.now().minusSeconds(1));

      PatternOutcome outcome = guidePattern().execute(context("auth"), expired);

      assertThat(outcome.status()).isEqualTo(OutcomeStatus.TIMED_OUT);
      assertThat(calls).hasValue(0);
    }

    @Test
    void execute_callerInterrupted_isCancelledWithTheInterruptFlagRestored() throws Exception {
      CountDownLatch authRunning = new CountDownLatch(1);
      AtomicBoolean authEnded = new AtomicBoolean();
      register(
          "auth",
          in -> {
            authRunning.countDown();
            try {
              new CountDownLatch(1).await();
              return "never";
            } finally {
              authEnded.set(true);
            }
          });
      AtomicReference<PatternOutcome> outcome = new AtomicReference<>();
      AtomicBoolean flagAfterReturn = new AtomicBoolean();
      Thread caller =
          new Thread(
              () -> {
                outcome.set(guidePattern().execute(context("auth"), scope));
                flagAfterReturn.set(Thread.currentThread().isInterrupted());
              });
      caller.start();
      assertThat(authRunning.await(10, TimeUnit.SECONDS)).isTrue();

      caller.interrupt();
      caller.join(10_000);

      assertThat(caller.isAlive()).isFalse();
      assertThat(outcome.get().status()).isEqualTo(OutcomeStatus.CANCELLED);
      assertThat(outcome.get().message())
          .isEqualTo("interrupted while orchestrating domains; cancelled: auth");
      assertThat(flagAfterReturn).isTrue();
      assertThat(authEnded).isTrue();
    }

    @Test
    void execute_domainNestingIntoThisPatternAgain_endsAtTheDepthGuardNamingTheDomain() {
      MetaOrchestrationPattern p =
          MetaOrchestrationPattern.builder("loop")
              .domains("auth", "data")
              .domainAgentType("auth", "orchestrator")
              .build();
      register("data", in -> "rows");
      scope.nestInto(p, 8);

      PatternOutcome outcome = p.execute(context("auth", "data"), scope);

      assertThat(outcome.status()).isEqualTo(OutcomeStatus.FAILED);
      assertThat(outcome.message())
          .isEqualTo(
              "domain 'auth' failed (nested context with agent type 'orchestrator'): pattern 'loop'"
                  + " was selected again for it, 8 level(s) deep (auth > auth > auth > auth > auth"
                  + " > auth > auth > auth > auth): nesting depth limit 8 reached at domain 'auth'"
                  + " (agent type 'orchestrator'); completed: data by delegate");
      assertThat(outcome.cause())
          .isInstanceOfSatisfying(
              DomainFailedException.class,
              e -> {
                assertThat(e.domainPath()).hasSize(9).containsOnly("auth");
                assertThat(e.reason()).startsWith("nesting depth limit 8 reached");
              });
      assertThat(scope.nestedContexts())
          .hasSize(9)
          .allSatisfy(
              nested -> {
                assertThat(nested.domain()).isEqualTo("auth");
                assertThat(nested.requiredDomains()).isEmpty();
              });
    }

    private PatternContext nestedFor(String domain) {
      return scope.nestedContexts().stream()
          .filter(c -> c.domain().equals(domain))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no nested context for " + domain));
    }
  }

  @Nested
  class Concurrency {

    private record Span(long start, long end) {}

    @Test
    void execute_manyConcurrentRuns_everyRunHonoursTheOrderingAndEachDomainRunsOnce()
        throws Exception {
      int threads = 8;
      int runsPerThread = 250;
      ConcurrentMap<String, Span> spans = new ConcurrentHashMap<>();
      ConcurrentMap<String, AtomicInteger> calls = new ConcurrentHashMap<>();
      for (String d : GUIDE_DOMAINS) {
        register(
            d,
            in -> {
              long start = System.nanoTime();
              Object run = in instanceof Map<?, ?> m ? m.get("@payload") : in;
              calls.computeIfAbsent(d, k -> new AtomicInteger()).incrementAndGet();
              Thread.yield();
              Span previous = spans.put(run + "/" + d, new Span(start, System.nanoTime()));
              if (previous != null) {
                throw new AssertionError("domain " + d + " ran twice in run " + run);
              }
              return d + "@" + run;
            });
      }
      MetaOrchestrationPattern p = diamond();
      ExecutorService callers = Executors.newFixedThreadPool(threads);
      try {
        List<Future<List<PatternOutcome>>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int thread = t;
          futures.add(
              callers.submit(
                  () -> {
                    List<PatternOutcome> outcomes = new ArrayList<>();
                    for (int i = 0; i < runsPerThread; i++) {
                      PatternContext ctx =
                          PatternContext.builder("platform", "orchestrator")
                              .payload(thread + ":" + i)
                              .build();
                      outcomes.add(p.execute(ctx, scope));
                    }
                    return outcomes;
                  }));
        }
        int successes = 0;
        for (Future<List<PatternOutcome>> f : futures) {
          for (PatternOutcome o : f.get(50, TimeUnit.SECONDS)) {
            assertThat(o.status()).as(o.message()).isEqualTo(OutcomeStatus.SUCCESS);
            successes++;
          }
        }
        int runs = threads * runsPerThread;
        assertThat(successes).isEqualTo(runs);
        for (String d : GUIDE_DOMAINS) {
          assertThat(calls.get(d)).as(d).hasValue(runs);
        }
        for (int t = 0; t < threads; t++) {
          for (int i = 0; i < runsPerThread; i++) {
            String run = t + ":" + i;
            Span auth = spans.get(run + "/auth");
            Span data = spans.get(run + "/data");
            Span network = spans.get(run + "/network");
            Span compute = spans.get(run + "/compute");
            assertThat(data.start())
                .as("data after auth in run %s", run)
                .isGreaterThanOrEqualTo(auth.end());
            assertThat(network.start())
                .as("network after auth in run %s", run)
                .isGreaterThanOrEqualTo(auth.end());
            assertThat(compute.start())
                .as("compute after data and network in run %s", run)
                .isGreaterThanOrEqualTo(Math.max(data.end(), network.end()));
          }
        }
      } finally {
        callers.shutdownNow();
        assertThat(callers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      }
    }

    @Test
    void execute_failuresUnderConcurrency_neverStartADependentOfAFailedDomain() throws Exception {
      AtomicInteger dataAfterFailedAuth = new AtomicInteger();
      ConcurrentMap<Object, Boolean> authFailed = new ConcurrentHashMap<>();
      register(
          "auth",
          in -> {
            int run = (Integer) in;
            if (run % 3 == 0) {
              authFailed.put(run, true);
              throw new IllegalStateException("auth refused run " + run);
            }
            return "token";
          });
      register(
          "data",
          in -> {
            Object run = ((Map<?, ?>) in).get("@payload");
            if (authFailed.containsKey(run)) {
              dataAfterFailedAuth.incrementAndGet();
            }
            return "rows";
          });
      register("network", in -> "up");
      MetaOrchestrationPattern p =
          MetaOrchestrationPattern.builder("p")
              .domains("auth", "data", "network")
              .after("data", "auth")
              .build();
      ExecutorService callers = Executors.newFixedThreadPool(4);
      try {
        List<Future<PatternOutcome>> futures = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
          PatternContext ctx =
              PatternContext.builder("platform", "orchestrator").payload(i).build();
          futures.add(callers.submit(() -> p.execute(ctx, scope)));
        }
        int failed = 0;
        for (int i = 0; i < futures.size(); i++) {
          PatternOutcome o = futures.get(i).get(50, TimeUnit.SECONDS);
          if (i % 3 == 0) {
            assertThat(o.status()).isEqualTo(OutcomeStatus.FAILED);
            assertThat(o.message())
                .startsWith("domain 'auth' failed (delegate): auth refused run " + i);
            failed++;
          } else {
            assertThat(o.status()).as(o.message()).isEqualTo(OutcomeStatus.SUCCESS);
          }
        }
        assertThat(failed).isEqualTo(200);
        assertThat(dataAfterFailedAuth).hasValue(0);
      } finally {
        callers.shutdownNow();
        assertThat(callers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      }
    }
  }
}
