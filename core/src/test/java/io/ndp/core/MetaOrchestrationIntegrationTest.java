package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternResult;
import io.ndp.patterns.meta.DomainFailedException;
import io.ndp.patterns.meta.MetaOrchestrationPattern;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The meta-orchestration kind end to end: the real registry and executor, the sequential kind for
 * domains without a delegate, and the executor's depth guard.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetaOrchestrationIntegrationTest {

  private static final Set<String> GUIDE_DOMAINS = Set.of("auth", "data", "network", "compute");

  private final PatternRegistry registry = new PatternRegistry();
  // Greedy: these tests pin down the executor's mechanics in a known order.
  private final PatternExecutor executor =
      PatternExecutor.builder(registry).selectionPolicy(SelectionPolicy.greedy()).build();

  @AfterEach
  void closeExecutor() {
    executor.close();
  }

  private static MetaOrchestrationPattern guidePattern() {
    return new MetaOrchestrationPattern(
        "domain_coordinator", "Cross-domain orchestration", GUIDE_DOMAINS);
  }

  private static PatternContext.Builder orchestrate(String... domains) {
    return PatternContext.builder("platform", "orchestrator").requiredDomains(domains);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> outputOf(PatternResult result) {
    assertThat(result.output()).as(result.message()).isInstanceOf(Map.class);
    return (Map<String, Object>) result.output();
  }

  @Test
  void executeBestPattern_domainWithoutDelegate_runsBestSequentialPatternAndLearnsThere() {
    MetaOrchestrationPattern meta = guidePattern();
    SequentialDelegationPattern login =
        new SequentialDelegationPattern(
            "login_flow", "log a user in", List.of("check_password", "issue_token"));
    registry.register(meta).register(login);
    executor.delegates().register("check_password", user -> user + " checked");
    executor.delegates().register("issue_token", user -> "token(" + user + ")");
    executor.delegates().register("data", in -> "rows");

    PatternResult result =
        executor.executeBestPattern(orchestrate("auth", "data").payload("alice").build());

    assertThat(result.success()).as(result.message()).isTrue();
    assertThat(result.chosenPattern()).isEqualTo("domain_coordinator");
    assertThat(outputOf(result))
        .containsExactly(entry("auth", "token(alice checked)"), entry("data", "rows"));
    assertThat(result.message())
        .contains("auth by pattern 'login_flow'")
        .contains("data by delegate");
    // the nested run was recorded in the sub-domain, the orchestration in the parent domain
    assertThat(login.confidenceScore("auth")).isGreaterThan(0.5);
    assertThat(login.confidenceScore("platform")).isEqualTo(0.5);
    assertThat(meta.confidenceScore("platform")).isGreaterThan(0.5);
    assertThat(meta.confidenceScore("auth")).isEqualTo(0.5);
  }

  @Test
  void executeBestPattern_failingNestedPatternInADomain_learnsToPreferTheOneThatWorks() {
    // Both match the nested context perfectly and start neutral: the tie goes to the first name.
    SequentialDelegationPattern federated =
        new SequentialDelegationPattern("federated_flow", "single sign-on", List.of("sso"));
    SequentialDelegationPattern login =
        new SequentialDelegationPattern("login_flow", "password login", List.of("check_password"));
    registry.register(guidePattern()).register(federated).register(login);
    AtomicInteger ssoCalls = new AtomicInteger();
    executor
        .delegates()
        .register(
            "sso",
            in -> {
              ssoCalls.incrementAndGet();
              throw new IllegalStateException("identity provider down");
            });
    executor.delegates().register("check_password", in -> "token");

    for (int i = 0; i < 10; i++) {
      PatternResult result = executor.executeBestPattern(orchestrate("auth").build());
      assertThat(result.success()).as(result.message()).isTrue();
      assertThat(outputOf(result)).containsExactly(entry("auth", "token"));
      assertThat(result.message()).contains("auth by pattern 'login_flow'");
    }

    // federated_flow failed once in "auth" (the nested executor fell back to login_flow) and was
    // never chosen again there
    assertThat(ssoCalls).hasValue(1);
    assertThat(federated.confidenceScore("auth")).isLessThan(0.5);
    assertThat(login.confidenceScore("auth")).isGreaterThan(0.8);
  }

  @Test
  void executeBestPattern_guideContextWithAllThreeKeys_handsTheRequiredStepsToEachDomain() {
    SequentialDelegationPattern validation =
        new SequentialDelegationPattern(
            "validation_flow",
            "Sequential validation workflow",
            List.of("validate", "process", "store"));
    registry.register(guidePattern()).register(validation);
    AtomicInteger processCalls = new AtomicInteger();
    executor.delegates().register("validate", in -> in + "+valid");
    executor.delegates().register("process", in -> processCalls.incrementAndGet());
    executor.delegates().register("store", in -> in + "+stored");
    PatternContext context =
        PatternContext.builder("your_domain", "orchestrator")
            .attributes(
                Map.of(
                    "required_steps", List.of("validate", "store"),
                    "required_resources", List.of("cpu", "memory"),
                    "required_domains", List.of("auth", "data")))
            .payload("order")
            .build();

    PatternResult result = executor.executeBestPattern(context);

    assertThat(result.success()).as(result.message()).isTrue();
    assertThat(outputOf(result))
        .containsExactly(entry("auth", "order+valid+stored"), entry("data", "order+valid+stored"));
    assertThat(processCalls).hasValue(0);
    assertThat(validation.confidenceScore("auth")).isGreaterThan(0.5);
    assertThat(validation.confidenceScore("data")).isGreaterThan(0.5);
  }

  private record Span(long start, long end) {}

  @Test
  void executeBestPattern_dependentDomain_startsOnlyAfterItsPrerequisiteEnded() {
    MetaOrchestrationPattern ordered =
        MetaOrchestrationPattern.builder("auth_then_data")
            .domains(GUIDE_DOMAINS)
            .after("data", "auth")
            .build();
    SequentialDelegationPattern dataFlow =
        new SequentialDelegationPattern("data_flow", "query", List.of("query"));
    registry.register(ordered).register(dataFlow);
    ConcurrentMap<String, Span> spans = new ConcurrentHashMap<>();
    executor
        .delegates()
        .register(
            "auth",
            run -> {
              long start = System.nanoTime();
              LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // some work
              spans.put(run + "/auth", new Span(start, System.nanoTime()));
              return "token-" + run;
            });
    // data has no delegate: the sequential data_flow serves it, its step gets auth's output
    executor
        .delegates()
        .register(
            "query",
            in -> {
              long start = System.nanoTime();
              Map<?, ?> input = (Map<?, ?>) in;
              spans.put(input.get("@payload") + "/data", new Span(start, System.nanoTime()));
              return "rows for " + input.get("auth");
            });

    int runs = 50;
    for (int run = 0; run < runs; run++) {
      PatternResult result =
          executor.executeBestPattern(orchestrate("data", "auth").payload(run).build());
      assertThat(result.success()).as(result.message()).isTrue();
      assertThat(outputOf(result))
          .containsExactly(entry("auth", "token-" + run), entry("data", "rows for token-" + run));
    }

    for (int run = 0; run < runs; run++) {
      Span auth = spans.get(run + "/auth");
      Span data = spans.get(run + "/data");
      assertThat(data.start()).as("run %d", run).isGreaterThanOrEqualTo(auth.end());
    }
    assertThat(dataFlow.confidenceScore("data")).isGreaterThan(0.9);
  }

  @Test
  void executeBestPattern_independentDomains_runAtTheSameTime() {
    registry.register(guidePattern());
    CyclicBarrier bothInFlight = new CyclicBarrier(2);
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    for (String domain : List.of("network", "compute")) {
      executor
          .delegates()
          .register(
              domain,
              in -> {
                maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                try {
                  // Passes only if the other domain is running too; sequential runs time out.
                  bothInFlight.await(10, TimeUnit.SECONDS);
                  return domain + " done";
                } finally {
                  inFlight.decrementAndGet();
                }
              });
    }

    PatternResult result = executor.executeBestPattern(orchestrate("network", "compute").build());

    assertThat(result.success()).as(result.message()).isTrue();
    assertThat(outputOf(result))
        .containsExactly(entry("compute", "compute done"), entry("network", "network done"));
    assertThat(maxInFlight).hasValue(2);
    assertThat(inFlight).hasValue(0);
  }

  @Test
  void executeBestPattern_failedDomain_failsNamingItAndItsDependentsNeverRun() {
    MetaOrchestrationPattern ordered =
        MetaOrchestrationPattern.builder("auth_then_data")
            .domains("auth", "data")
            .after("data", "auth")
            .build();
    SequentialDelegationPattern login =
        new SequentialDelegationPattern("login_flow", "", List.of("check_password"));
    registry.register(ordered).register(login);
    AtomicInteger dataCalls = new AtomicInteger();
    executor
        .delegates()
        .register(
            "check_password",
            in -> {
              throw new SecurityException("wrong password");
            });
    executor.delegates().register("data", in -> dataCalls.incrementAndGet());

    PatternResult result = executor.executeBestPattern(orchestrate().build());

    assertThat(result.success()).isFalse();
    assertThat(result.message())
        .contains("domain 'auth' failed (nested context with agent type 'sequential')")
        .contains("step 'check_password' (1 of 1) failed: wrong password")
        .contains("not started: data");
    assertThat(dataCalls).hasValue(0);
    assertThat(login.confidenceScore("auth")).isLessThan(0.5);
  }

  @Test
  void executeBestPattern_domainNoDelegateNorPatternServes_isRejectedBeforeAnythingRuns() {
    var guide = guidePattern();
    registry.register(guide);
    AtomicInteger dataCalls = new AtomicInteger();
    executor.delegates().register("data", in -> dataCalls.incrementAndGet());

    PatternResult result = executor.executeBestPattern(orchestrate("auth", "data").build());

    assertThat(result.success()).isFalse();
    assertThat(result.attempts())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.status()).isEqualTo(io.ndp.api.OutcomeStatus.REJECTED);
              assertThat(a.error()).isInstanceOf(io.ndp.api.MissingDelegateException.class);
              assertThat(a.message()).contains("'auth'").contains("'" + guide.name() + "'");
            });
    // Nothing ran, and a host configuration error is not held against the pattern.
    assertThat(dataCalls).hasValue(0);
    assertThat(registry.statistics(guide.name()).total()).isZero();
  }

  @Test
  void cyclicOrdering_isRejectedByBuilderAndByTheDiscoveredFactory() {
    assertThatThrownBy(
            () ->
                MetaOrchestrationPattern.builder("cyclic")
                    .domains(GUIDE_DOMAINS)
                    .after("data", "auth")
                    .after("compute", "data")
                    .after("auth", "compute")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cycle: auth -> data -> compute -> auth");

    PatternDefinition cyclic =
        new PatternDefinition(
            MetaOrchestrationPattern.TYPE,
            "cyclic",
            "",
            Map.of(
                "domains",
                List.of("auth", "data"),
                "dependencies",
                Map.of("auth", List.of("data"), "data", List.of("auth"))));
    PatternFactories factories = PatternFactories.fromServiceLoader();
    assertThat(factories.resolveType("MetaOrchestrationPattern"))
        .contains(MetaOrchestrationPattern.TYPE);
    assertThatThrownBy(() -> factories.create(cyclic))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("auth -> data -> auth");
  }

  @Test
  void storage_richPattern_comesBackEqualThroughTheDiscoveredFactory() {
    MetaOrchestrationPattern rich =
        MetaOrchestrationPattern.builder("platform")
            .description("ordered, with per-domain nesting")
            .domains(GUIDE_DOMAINS)
            .after("data", "auth")
            .domainAgentType("compute", "parallel")
            .domainAttributes("compute", Map.of("required_resources", List.of("cpu")))
            .build();
    PatternStorage storage = new PatternStorage();
    storage.storePattern(rich);

    Pattern rebuilt = PatternFactories.fromServiceLoader().create(rich.definition());

    assertThat(rebuilt).isEqualTo(rich);
    assertThat(storage.getPatternsByType("MetaOrchestrationPattern")).containsExactly(rich);
    assertThat(storage.getPatternsByType("meta-orchestration")).containsExactly(rich);
  }

  /**
   * The review's case: a meta-orchestration over 4 domains whose nested contexts all select it
   * again. It used to fan out to 10,249 threads over 17.9 s; now each nested context finds the
   * cycle at once.
   */
  @Test
  void selfSelectingMetaOverFourDomains_endsAtOnce_withAHandfulOfThreads() {
    AtomicInteger threads = new AtomicInteger();
    java.util.concurrent.ExecutorService counted =
        java.util.concurrent.Executors.newCachedThreadPool(
            r -> {
              threads.incrementAndGet();
              Thread t = new Thread(r, "counted-" + threads.get());
              t.setDaemon(true);
              return t;
            });
    try (PatternExecutor wide = PatternExecutor.builder(registry).executor(counted).build()) {
      registry.register(
          MetaOrchestrationPattern.builder("wide")
              .domains("a", "b", "c", "d")
              .defaultDomainAgentType("orchestrator")
              .build());

      PatternResult result = wide.executeBestPattern(orchestrate("a", "b", "c", "d").build());

      assertThat(result.success()).isFalse();
      assertThat(result.message()).contains("cycle: wide(platform) -> wide(");
      assertThat(threads.get()).isLessThanOrEqualTo(8);
      assertThat(registry.statistics("wide").total()).isEqualTo(1);
    } finally {
      counted.shutdownNow();
    }
  }

  @Test
  void executeBestPattern_domainThatNestsIntoThisPatternAgain_endsAtOnceWithTheCycle() {
    MetaOrchestrationPattern loop =
        MetaOrchestrationPattern.builder("loop")
            .domains("auth", "data")
            .domainAgentType("auth", "orchestrator") // auth's nested context selects loop again
            .build();
    registry.register(loop);
    AtomicInteger dataCalls = new AtomicInteger();
    executor.delegates().register("data", in -> dataCalls.incrementAndGet());

    long start = System.nanoTime();
    PatternResult result = executor.executeBestPattern(orchestrate("auth", "data").build());
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(result.success()).isFalse();
    // The nested context for auth would select loop again: a cycle, found at once.
    assertThat(result.message())
        .startsWith("no pattern succeeded for domain 'platform', agent type 'orchestrator'")
        .contains("domain 'auth' failed (nested context with agent type 'orchestrator')")
        .contains("'loop' rejected: cycle: loop(platform) -> loop(auth)")
        .hasSizeLessThan(1000);
    assertThat(result.attempts())
        .singleElement()
        .satisfies(
            attempt -> assertThat(attempt.error()).isInstanceOf(DomainFailedException.class));
    // The cycle counts once, against the pattern at the top.
    assertThat(registry.statistics("loop")).isEqualTo(new io.ndp.api.ConfidenceStats(0, 1));
    assertThat(took).isLessThan(Duration.ofSeconds(30));
    assertThat(loop.confidenceScore("platform")).isLessThan(0.5);
  }
}
