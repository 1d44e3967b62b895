package io.ndp.benchmarks;

import io.ndp.api.PatternContext;
import io.ndp.core.PatternExecutor;
import io.ndp.core.PatternRegistry;
import io.ndp.core.SelectionExplanation;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Selection (ranking without running) among 10, 1,000 or 10,000 sequential patterns with mixed
 * steps, one in five of which offers what the context requires. The baseline of each size is the
 * 10-pattern run. Goal: 10,000 within 3x of 10.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SelectionBenchmark {

  private static final int STEP_NAMES = 5;

  @Param({"10", "1000", "10000"})
  public int size;

  private PatternExecutor executor;
  private PatternContext context;

  @Setup
  public void setUp() {
    PatternRegistry registry = new PatternRegistry();
    for (int i = 0; i < size; i++) {
      List<String> steps = List.of("step_" + (i % STEP_NAMES), "store");
      registry.register(new SequentialDelegationPattern("pattern_" + i, "selection", steps));
    }
    executor = PatternExecutor.builder(registry).build();
    context =
        PatternContext.builder("orders", "sequential").requiredSteps("step_0", "store").build();
    if (executor.explain(context).ranked().isEmpty()) {
      throw new IllegalStateException("the benchmark's context must match some pattern");
    }
  }

  @Benchmark
  public SelectionExplanation select() {
    return executor.explain(context);
  }
}
