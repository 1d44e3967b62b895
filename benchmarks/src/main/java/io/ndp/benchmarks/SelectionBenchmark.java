package io.ndp.benchmarks;

import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternResult;
import io.ndp.core.Ndp;
import io.ndp.core.PatternExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Selection among 10, 1,000 or 10,000 sequential patterns serving one agent type, as {@code
 * executeBestPattern} pays it (select, rank, run the best, record the outcome). The definitions are
 * mixed: pattern {@code i} offers {@code task_(i mod size/5)} and {@code store}, so that at every
 * size exactly 5 patterns offer what the context requires ({@code task_0}, {@code store}) and the
 * others differ. The baseline of each size is the 10-pattern run. Goal: 10,000 within 3x of 10.
 *
 * <p>The number of candidates is held constant on purpose: the executor must score every pattern
 * that matches, so the cost can only be independent of the number of patterns that do not. The
 * steps are identity delegates, so that the call is mostly selection.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SelectionBenchmark {

  /** How many patterns offer what the context requires, at every size. */
  static final int CANDIDATES = 5;

  @Param({"10", "1000", "10000"})
  public int size;

  private Ndp ndp;
  PatternExecutor executor;
  PatternContext context;

  @Setup
  public void setUp() {
    ndp = Ndp.builder().build();
    int tasks = size / CANDIDATES;
    ndp.delegates().register("store", input -> input);
    for (int t = 0; t < tasks; t++) {
      ndp.delegates().register("task_" + t, input -> input);
    }
    List<PatternDefinition> definitions = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      definitions.add(
          new PatternDefinition(
              "sequential",
              "pattern_" + i,
              "selection",
              Map.of("steps", List.of("task_" + (i % tasks), "store"))));
    }
    definitions.forEach(ndp::register);
    executor = ndp.executor();
    context =
        PatternContext.builder("orders", "sequential")
            .requiredSteps("task_0", "store")
            .payload("x")
            .build();
    PatternResult first = executor.executeBestPattern(context);
    if (!first.success()) {
      throw new IllegalStateException("the benchmark's context must be served: " + first);
    }
  }

  @TearDown
  public void tearDown() {
    ndp.close();
  }

  @Benchmark
  public PatternResult select() {
    return executor.executeBestPattern(context);
  }
}
