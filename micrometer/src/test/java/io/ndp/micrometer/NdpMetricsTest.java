package io.ndp.micrometer;

import static io.ndp.micrometer.Runtimes.counterCount;
import static io.ndp.micrometer.Runtimes.gauge;
import static io.ndp.micrometer.Runtimes.tagValues;
import static io.ndp.micrometer.Runtimes.timerCount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ndp.api.Attempt;
import io.ndp.api.BreakerState;
import io.ndp.api.ConfidenceLevel;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.api.ResourcePool;
import io.ndp.api.event.AttemptFinishedEvent;
import io.ndp.api.event.BreakerStateChangedEvent;
import io.ndp.api.event.ConfidenceThresholdCrossedEvent;
import io.ndp.api.event.ExecutionFinishedEvent;
import io.ndp.api.event.PluginFailedEvent;
import io.ndp.api.event.PluginLoadedEvent;
import io.ndp.api.event.PluginStoppedEvent;
import io.ndp.api.event.ResourceConflictEvent;
import io.ndp.api.event.RetryEvent;
import io.ndp.core.Ndp;
import io.ndp.core.PatternExecutor;
import io.ndp.core.PatternRegistry;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One meter at a time: the cardinality guard, the events the core does not emit yet (retries,
 * circuit breakers), resets, plugins, confidence, the builder's checks, and a listener that never
 * throws.
 */
class NdpMetricsTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  private static PatternContext context(String domain) {
    return PatternContext.builder(domain, "sequential").build();
  }

  private static Attempt failed(String pattern, Attempt.Kind kind) {
    return new Attempt(
        pattern, false, OutcomeStatus.FAILED, "boom", null, Duration.ofMillis(3), kind);
  }

  @Test
  void twoHundredDomains_overAGuardOfTen_giveElevenDomainTagValues() {
    NdpMetrics metrics = NdpMetrics.builder(meters).domainTags(10).build();
    List<PatternResult> results = new ArrayList<>();
    try (Ndp ndp = Runtimes.runtime(metrics, new ResourcePool())) {
      metrics.bindTo(ndp);
      ndp.register(new SequentialDelegationPattern("store", "store", List.of("save")));
      ndp.delegates().register("save", in -> "saved");
      for (int d = 0; d < 200; d++) {
        results.add(ndp.executor().executeBestPattern(context("domain-" + d)));
      }
    }

    assertThat(results).allMatch(PatternResult::success);
    assertThat(tagValues(meters, NdpMetrics.EXECUTIONS, "domain"))
        .hasSize(11)
        .contains(NdpMetrics.OTHER_DOMAIN, "domain-0", "domain-9")
        .doesNotContain("domain-10");
    assertThat(timerCount(meters, NdpMetrics.EXECUTIONS, "domain", NdpMetrics.OTHER_DOMAIN))
        .isEqualTo(190);
    assertThat(timerCount(meters, NdpMetrics.EXECUTIONS)).isEqualTo(200);
    // Gauges per domain only for the admitted ten.
    assertThat(meters.find(NdpMetrics.CONFIDENCE).gauges()).hasSize(10);
    assertThat(metrics.domainTags()).isEqualTo(10);
  }

  @Test
  void domainTagsZero_tagsEveryDomainOther_andKeepsNoGaugePerDomain() {
    NdpMetrics metrics = NdpMetrics.builder(meters).domainTags(0).build();
    PatternResult ok =
        new PatternResult(true, "ok", "p", null, List.of(), Map.of(), Duration.ofMillis(1));
    metrics.onExecutionFinished(new ExecutionFinishedEvent(context("orders"), ok, 0));
    metrics.onConfidenceThresholdCrossed(
        new ConfidenceThresholdCrossedEvent(
            "p", "orders", 0.5, 0.9, ConfidenceLevel.MEDIUM, ConfidenceLevel.HIGH, null));

    assertThat(tagValues(meters, NdpMetrics.EXECUTIONS, "domain"))
        .containsExactly(NdpMetrics.OTHER_DOMAIN);
    assertThat(meters.find(NdpMetrics.CONFIDENCE).gauges()).isEmpty();
  }

  @Test
  void retries_areCountedPerPattern() {
    NdpMetrics metrics = NdpMetrics.builder(meters).build();
    for (int i = 1; i <= 3; i++) {
      metrics.onRetry(
          new RetryEvent(
              context("orders"),
              "flaky",
              i,
              Duration.ofMillis(10),
              failed("flaky", Attempt.Kind.RUN)));
    }
    metrics.onRetry(
        new RetryEvent(
            context("orders"), "other_p", 1, Duration.ZERO, failed("other_p", Attempt.Kind.RUN)));
    // The retried attempt itself is an attempt of kind retry.
    metrics.onAttemptFinished(
        new AttemptFinishedEvent(context("orders"), failed("flaky", Attempt.Kind.RETRY), 1));

    assertThat(counterCount(meters, NdpMetrics.RETRIES, "pattern", "flaky")).isEqualTo(3);
    assertThat(counterCount(meters, NdpMetrics.RETRIES, "pattern", "other_p")).isEqualTo(1);
    assertThat(
            timerCount(
                meters,
                NdpMetrics.ATTEMPTS,
                "pattern",
                "flaky",
                "status",
                "failed",
                "kind",
                "retry"))
        .isEqualTo(1);
  }

  @Test
  void breakerTransitions_areCountedPerPatternDomainAndStates_andTheStateGaugeFollows() {
    NdpMetrics metrics = NdpMetrics.builder(meters).domainTags(2).build();
    metrics.onBreakerStateChanged(
        new BreakerStateChangedEvent(
            "p", "a", BreakerState.CLOSED, BreakerState.OPEN, "5 failures"));
    assertThat(gauge(meters, NdpMetrics.BREAKER_STATE, "pattern", "p", "domain", "a")).isEqualTo(2);
    metrics.onBreakerStateChanged(
        new BreakerStateChangedEvent(
            "p", "a", BreakerState.OPEN, BreakerState.HALF_OPEN, "waited"));
    assertThat(gauge(meters, NdpMetrics.BREAKER_STATE, "pattern", "p", "domain", "a")).isEqualTo(1);
    metrics.onBreakerStateChanged(
        new BreakerStateChangedEvent(
            "p", "a", BreakerState.HALF_OPEN, BreakerState.CLOSED, "probe passed"));
    metrics.onBreakerStateChanged(
        new BreakerStateChangedEvent("p", "b", BreakerState.CLOSED, BreakerState.OPEN, "failures"));
    metrics.onBreakerStateChanged(
        new BreakerStateChangedEvent("p", "c", BreakerState.CLOSED, BreakerState.OPEN, "failures"));
    metrics.onBreakerStateChanged(
        new BreakerStateChangedEvent("p", "d", BreakerState.CLOSED, BreakerState.OPEN, "failures"));

    assertThat(gauge(meters, NdpMetrics.BREAKER_STATE, "pattern", "p", "domain", "a")).isZero();
    assertThat(gauge(meters, NdpMetrics.BREAKER_STATE, "pattern", "p", "domain", "b")).isEqualTo(2);
    assertThat(meters.find(NdpMetrics.BREAKER_STATE).gauges()).hasSize(2);
    assertThat(
            counterCount(
                meters,
                NdpMetrics.BREAKER_TRANSITIONS,
                "pattern",
                "p",
                "domain",
                "a",
                "from",
                "closed",
                "to",
                "open"))
        .isEqualTo(1);
    assertThat(counterCount(meters, NdpMetrics.BREAKER_TRANSITIONS, "from", "half_open"))
        .isEqualTo(1);
    assertThat(
            counterCount(
                meters,
                NdpMetrics.BREAKER_TRANSITIONS,
                "domain",
                NdpMetrics.OTHER_DOMAIN,
                "to",
                "open"))
        .isEqualTo(2);
    assertThat(counterCount(meters, NdpMetrics.BREAKER_TRANSITIONS)).isEqualTo(6);
    assertThat(tagValues(meters, NdpMetrics.BREAKER_TRANSITIONS, "domain"))
        .containsExactly("a", "b", NdpMetrics.OTHER_DOMAIN);
  }

  @Test
  void resourceConflict_isCounted_andLeavesUnitsInUseAlone() {
    NdpMetrics metrics = NdpMetrics.builder(meters).build();
    metrics.onResourceConflict(
        new ResourceConflictEvent(
            "par", Map.of("cpu", 1), Map.of("cpu", 2), Map.of("cpu", 2), Duration.ofMillis(5)));

    assertThat(counterCount(meters, NdpMetrics.RESOURCE_CONFLICTS, "resource", "cpu")).isEqualTo(1);
    assertThat(gauge(meters, NdpMetrics.RESOURCE_IN_USE, "resource", "cpu")).isZero();
    assertThat(gauge(meters, NdpMetrics.RESOURCE_CAPACITY, "resource", "cpu")).isEqualTo(2);
  }

  @Test
  void statisticsResets_ofARealRegistry_areCountedByScope() {
    NdpMetrics metrics = NdpMetrics.builder(meters).build();
    PatternRegistry registry = PatternRegistry.builder().listener(metrics).build();
    registry.register(new SequentialDelegationPattern("p", "p", List.of("s")));

    registry.resetStatistics("p");
    registry.resetDomainStatistics("orders");
    registry.resetDomainStatistics("billing");
    registry.resetAllStatistics();

    assertThat(counterCount(meters, NdpMetrics.STATISTICS_RESETS, "scope", "pattern")).isEqualTo(1);
    assertThat(counterCount(meters, NdpMetrics.STATISTICS_RESETS, "scope", "domain")).isEqualTo(2);
    assertThat(counterCount(meters, NdpMetrics.STATISTICS_RESETS, "scope", "all")).isEqualTo(1);
  }

  @Test
  void registryAndExecutorBuiltByTheHost_reportToOneMetricsBoundToTheRegistry() {
    NdpMetrics metrics = NdpMetrics.builder(meters).build();
    PatternRegistry registry = PatternRegistry.builder().listener(metrics).build();
    metrics.bindTo(registry);
    SequentialDelegationPattern p = new SequentialDelegationPattern("p", "p", List.of("s"));
    registry.register(p);
    try (PatternExecutor executor = PatternExecutor.builder(registry).listener(metrics).build()) {
      executor.delegates().register("s", in -> "done");
      for (int i = 0; i < 5; i++) {
        assertThat(executor.executeBestPattern(context("orders")).success()).isTrue();
      }
    }

    assertThat(timerCount(meters, NdpMetrics.EXECUTIONS, "pattern", "p", "outcome", "success"))
        .isEqualTo(5);
    assertThat(gauge(meters, NdpMetrics.CONFIDENCE, "pattern", "p", "domain", "orders"))
        .isEqualTo(p.confidenceScore("orders"))
        .isGreaterThan(0.5);
  }

  @Test
  void unboundConfidenceGauge_showsTheLatestCrossing() {
    NdpMetrics metrics = NdpMetrics.builder(meters).build();
    metrics.onConfidenceThresholdCrossed(
        new ConfidenceThresholdCrossedEvent(
            "p", "orders", 0.5, 0.82, ConfidenceLevel.MEDIUM, ConfidenceLevel.HIGH, null));
    assertThat(gauge(meters, NdpMetrics.CONFIDENCE, "pattern", "p", "domain", "orders"))
        .isEqualTo(0.82);
    metrics.onConfidenceThresholdCrossed(
        new ConfidenceThresholdCrossedEvent(
            "p", "orders", 0.82, 0.41, ConfidenceLevel.HIGH, ConfidenceLevel.MEDIUM, null));
    assertThat(gauge(meters, NdpMetrics.CONFIDENCE, "pattern", "p", "domain", "orders"))
        .isEqualTo(0.41);
  }

  @Test
  void pluginEvents_areCountedByEvent_fromTheStart() {
    NdpMetrics metrics = NdpMetrics.builder(meters).build();
    assertThat(counterCount(meters, NdpMetrics.PLUGIN_EVENTS)).isZero();
    assertThat(tagValues(meters, NdpMetrics.PLUGIN_EVENTS, "event"))
        .containsExactly("failed", "loaded", "stopped");
    Path jar = Path.of("plugins", "x.jar");
    metrics.onPluginLoaded(new PluginLoadedEvent("x", "1.0", jar, List.of("x")));
    metrics.onPluginLoaded(new PluginLoadedEvent("y", "1.0", jar, List.of("y")));
    metrics.onPluginFailed(new PluginFailedEvent("z", null, jar, "FAILED", "bad manifest"));
    metrics.onPluginStopped(new PluginStoppedEvent("x", "1.0", jar, true, "unloaded"));

    assertThat(counterCount(meters, NdpMetrics.PLUGIN_EVENTS, "event", "loaded")).isEqualTo(2);
    assertThat(counterCount(meters, NdpMetrics.PLUGIN_EVENTS, "event", "failed")).isEqualTo(1);
    assertThat(counterCount(meters, NdpMetrics.PLUGIN_EVENTS, "event", "stopped")).isEqualTo(1);
  }

  @Test
  void aBrokenPluginJar_inARealRuntime_countsOneFailedPlugin(@TempDir Path plugins)
      throws Exception {
    Files.writeString(plugins.resolve("broken.jar"), "not a zip");
    NdpMetrics metrics = NdpMetrics.builder(meters).build();
    try (Ndp ndp = Ndp.builder().listener(metrics).pluginsDir(plugins).build()) {
      assertThat(counterCount(meters, NdpMetrics.PLUGIN_EVENTS, "event", "failed"))
          .isEqualTo(ndp.pluginReports().stream().filter(r -> !r.isHealthy()).count())
          .isEqualTo(1);
    }
  }

  @Test
  void aMeterRegistryThatRefusesAMeter_neverMakesTheListenerThrow_andOtherMetersGoOn() {
    // A gauge already holds the id the retry counter needs: the registry refuses the counter.
    Gauge.builder(NdpMetrics.RETRIES, () -> 1.0).tag("pattern", "p").register(meters);
    NdpMetrics metrics = NdpMetrics.builder(meters).build();

    assertThatCode(
            () ->
                metrics.onRetry(
                    new RetryEvent(
                        context("orders"), "p", 1, Duration.ZERO, failed("p", Attempt.Kind.RUN))))
        .doesNotThrowAnyException();
    metrics.onAttemptFinished(
        new AttemptFinishedEvent(context("orders"), failed("p", Attempt.Kind.RUN), 0));
    assertThat(timerCount(meters, NdpMetrics.ATTEMPTS, "pattern", "p")).isEqualTo(1);
  }

  @Test
  void commonTags_areOnEveryMeter() {
    NdpMetrics metrics = NdpMetrics.builder(meters).tags("runtime", "east").build();
    metrics.onAttemptFinished(
        new AttemptFinishedEvent(context("orders"), failed("p", Attempt.Kind.RUN), 0));

    assertThat(meters.getMeters())
        .isNotEmpty()
        .allSatisfy(m -> assertThat(m.getId().getTag("runtime")).isEqualTo("east"));
  }

  @Test
  void builder_refusesBadArguments_namingTheValue() {
    assertThatThrownBy(() -> NdpMetrics.builder(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("meterRegistry");
    assertThatThrownBy(() -> NdpMetrics.builder(meters).domainTags(-3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-3");
    assertThatThrownBy(() -> NdpMetrics.builder(meters).tags("runtime"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 strings");
    assertThatThrownBy(() -> NdpMetrics.builder(meters).tags("domain", "x", " ", "y", "k", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'domain'")
        .hasMessageContaining("' '")
        .hasMessageContaining("'k'");
  }

  @Test
  void bindTo_anotherRegistry_isRefused_theSameOneIsFine() {
    NdpMetrics metrics = NdpMetrics.builder(meters).build();
    PatternRegistry first = new PatternRegistry();
    metrics.bindTo(first);
    assertThat(metrics.bindTo(first)).isSameAs(metrics);
    assertThatThrownBy(() -> metrics.bindTo(new PatternRegistry()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("bound to registry");
    assertThatThrownBy(() -> metrics.bindTo((Ndp) null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> metrics.bindTo((PatternRegistry) null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
