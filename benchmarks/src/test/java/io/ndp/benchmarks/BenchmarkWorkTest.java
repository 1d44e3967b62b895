package io.ndp.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.PatternResult;
import io.ndp.core.Ndp;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each benchmark's NDP side does the same work as its baseline: a ratio means nothing when one side
 * skips a step, runs fewer tasks or answers from a rejection.
 */
class BenchmarkWorkTest {

  @ParameterizedTest
  @ValueSource(ints = {1, 10})
  void executeBestPatternRunsTheThreeStepsTheBaselineCalls(int candidates) {
    ExecuteBestPatternBenchmark b = new ExecuteBestPatternBenchmark();
    b.candidates = candidates;
    b.setUp();
    try {
      PatternResult r = b.ndp();
      assertThat(r.success()).isTrue();
      assertThat(r.attempts()).hasSize(1);
      assertThat(r.message()).contains("ran 3 steps: validate -> hash -> store");
      assertThat(r.output()).isEqualTo(b.direct());
    } finally {
      b.tearDown();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {4, 16})
  void fanOutRunsEveryTask(int tasks) throws InterruptedException {
    FanOutBenchmark b = new FanOutBenchmark();
    b.tasks = tasks;
    b.setUp();
    try {
      PatternResult r = b.ndp();
      assertThat(r.success()).isTrue();
      assertThat((Map<?, ?>) r.output()).hasSize(tasks);
    } finally {
      b.tearDown();
    }
  }

  @Test
  void selectionRunsOneOfTheFivePatternsThatOfferTheRequiredSteps() {
    SelectionBenchmark b = new SelectionBenchmark();
    b.size = 1000;
    b.setUp();
    try {
      PatternResult r = b.select();
      assertThat(r.success()).as(r.message()).isTrue();
      // task_0 is offered by patterns 0, 200, 400, 600 and 800.
      assertThat(r.chosenPattern()).matches("pattern_[02468]00|pattern_0");
      assertThat(r.output()).isEqualTo("x");
      assertThat(b.executor.explain(b.context).ranked()).hasSize(SelectionBenchmark.CANDIDATES);
    } finally {
      b.tearDown();
    }
  }

  @Test
  void lookupHitsFindAndMissesDoNot() {
    LookupBenchmark b = new LookupBenchmark();
    b.size = 1000;
    b.setUp();
    for (int i = 0; i < 2048; i++) {
      assertThat(b.registryHit()).isPresent();
      assertThat(b.mapHit()).isNotNull();
      assertThat(b.registryMiss()).isEmpty();
      assertThat(b.mapMiss()).isNull();
    }
  }

  @Test
  void pluginStartStartsEveryGeneratedPluginWithItsKind() throws IOException {
    PluginStartBenchmark b = new PluginStartBenchmark();
    b.plugins = 3;
    b.generate();
    try {
      Ndp ndp = b.start();
      assertThat(PluginStartBenchmark.problems(ndp, 3)).isEmpty();
      assertThat(ndp.factories().types())
          .contains("generated-kind-000", "generated-kind-001", "generated-kind-002");
      b.checkAndClose();
      assertThat(ndp.isClosed()).isTrue();
    } finally {
      b.deleteFolder();
    }
    assertThat(b.folder()).doesNotExist();
  }

  @Test
  void pluginStartFailsLoudlyWhenAPluginDoesNotStart() throws IOException {
    PluginStartBenchmark b = new PluginStartBenchmark();
    b.plugins = 3;
    b.generate();
    try {
      Files.delete(b.folder().resolve(GeneratedPlugins.pluginId(1) + "-1.0.0.jar"));
      Ndp ndp = b.start();
      assertThatThrownBy(b::checkAndClose)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("generated-plugin-001: no report")
          .hasMessageContaining("expected 3 plugin reports but found 2");
      assertThat(ndp.isClosed()).isTrue();
    } finally {
      b.deleteFolder();
    }
  }
}
