package io.ndp.benchmarks;

import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternResult;
import io.ndp.core.Ndp;
import io.ndp.core.PatternExecutor;
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
 * {@code executeBestPattern} of a 3-step sequential pattern (validate, SHA-256 of 256 bytes, map
 * put), with selection and learning on, among 1 or 10 candidates; baseline: the same three steps
 * called directly. Goal: at most 2.0x the baseline, at most 1 KB allocated per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ExecuteBestPatternBenchmark {

  @Param({"1", "10"})
  public int candidates;

  private Workload work;
  private Ndp ndp;
  private PatternExecutor executor;
  private PatternContext context;

  @Setup
  public void setUp() {
    work = new Workload();
    ndp = Ndp.builder().build();
    work.registerIn(ndp.delegates());
    for (int i = 0; i < candidates; i++) {
      ndp.register(
          new PatternDefinition(
              "sequential",
              "ingest_" + i,
              "validate, hash, store",
              Map.of("steps", List.of("validate", "hash", "store"))));
    }
    executor = ndp.executor();
    context =
        PatternContext.builder("orders", "sequential")
            .requiredSteps("validate", "hash", "store")
            .payload(Workload.RECORD)
            .build();
    PatternResult first = executor.executeBestPattern(context);
    if (!first.success()) {
      throw new IllegalStateException("the benchmark's pattern must succeed: " + first);
    }
  }

  @TearDown
  public void tearDown() {
    ndp.close();
  }

  @Benchmark
  public PatternResult ndp() {
    return executor.executeBestPattern(context);
  }

  @Benchmark
  public Object direct() {
    return work.store(work.hash(work.validate(Workload.RECORD)));
  }
}
