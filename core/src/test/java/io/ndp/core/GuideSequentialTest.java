package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ndp.api.ConfidenceLevel;
import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The integration guide's sequential, storage, performance, testing and confidence-monitoring
 * snippets, transcribed line by line, with real delegates.
 */
class GuideSequentialTest {

  @Test
  void guide_sequentialAndStorageSnippets() {
    // 1. Set up pattern registry
    PatternRegistry registry = new PatternRegistry();
    PatternExecutor executor = new PatternExecutor(registry);

    // 2. Initialize memory storage
    PatternStorage storage = new PatternStorage(registry);

    // 3. Sequential pattern
    List<String> steps = List.of("validate", "process", "store");
    SequentialDelegationPattern seqPattern =
        new SequentialDelegationPattern("validation_flow", "Sequential validation workflow", steps);
    registry.register(seqPattern);
    storage.storePattern(seqPattern);

    // The host's delegates: real work on an order line "sku,qty".
    List<String> ledger = new ArrayList<>();
    executor
        .delegates()
        .register(
            "validate",
            in -> {
              String line = (String) in;
              String[] parts = line.split(",");
              if (parts.length != 2 || Integer.parseInt(parts[1].trim()) <= 0) {
                throw new IllegalArgumentException("malformed order line: " + line);
              }
              return parts[0].trim().toUpperCase(Locale.ROOT) + "," + parts[1].trim();
            });
    executor.delegates().register("process", in -> in + ",processed");
    executor
        .delegates()
        .register(
            "store",
            in -> {
              synchronized (ledger) {
                ledger.add((String) in);
                return ledger.size();
              }
            });

    // 4. Execute patterns
    PatternContext context =
        PatternContext.builder("your_domain", "sequential")
            .attributes(Map.of("required_steps", List.of("validate", "store")))
            .payload("ab-12, 3")
            .build();
    PatternResult result = executor.executeBestPattern(context);
    boolean success = result.success();
    String msg = result.message();

    assertThat(success).as(msg).isTrue();
    assertThat(ledger).containsExactly("AB-12,3"); // "process" was not required, so not run
    assertThat(result.output()).isEqualTo(1);

    // A malformed record fails in "validate" and the result names the step.
    PatternResult bad =
        executor.executeBestPattern(context.toBuilder().payload("ab-12, -1").build());
    assertThat(bad.success()).isFalse();
    assertThat(bad.message()).contains("step 'validate'").contains("malformed order line");

    // Validation 1: performance (the decorator becomes a wrapped function).
    PerformanceMeasurement perf = new PerformanceMeasurement();
    Function<PatternContext, PatternResult> executePattern =
        perf.wrap("pattern_execution", ctx -> executor.execute(seqPattern, ctx));
    for (int i = 0; i < 10; i++) {
      assertThat(
              executePattern
                  .apply(context.toBuilder().payload("sku" + i + ", 1").build())
                  .success())
          .isTrue();
    }
    perf.printStats("pattern_execution");
    assertThat(perf.stats("pattern_execution").count()).isEqualTo(10);

    // Monitoring 1: confidence. 11 successes and 1 failure put the pattern at HIGH.
    List<Pattern> patterns = storage.getPatternsByConfidence(ConfidenceLevel.HIGH);
    for (Pattern pattern : patterns) {
      System.out.println(pattern.name() + ": " + pattern.confidenceScore());
    }
    assertThat(patterns).containsExactly(seqPattern);
    // 12/14 without forgetting; the default half-life weighs the older outcomes a little less.
    assertThat(seqPattern.confidenceScore()).isCloseTo(12.0 / 14, within(0.005));
    assertThat(storage.getPatternsByType("SequentialDelegationPattern"))
        .containsExactly(seqPattern);

    // Confidence handling: reset statistics when behaviour changes.
    storage.resetStatistics("validation_flow");
    assertThat(storage.getPatternsByConfidence(ConfidenceLevel.HIGH)).isEmpty();
    executor.close();
  }

  @Test
  void guide_patternTestingSnippet() {
    PatternRegistry registry = new PatternRegistry();
    PatternStorage storage = new PatternStorage(registry);

    // Register and test patterns
    Pattern pattern = new SequentialDelegationPattern("your_pattern", "yours", List.of("a", "b"));
    registry.register(pattern);
    storage.storePattern(pattern);

    // Verify integration
    assertThat(storage.getPattern(pattern.name())).isEqualTo(pattern);
    assertThat(registry.getPattern(pattern.name())).isEqualTo(pattern);
  }
}
