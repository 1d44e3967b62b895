package io.ndp.benchmarks;

import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternResult;
import io.ndp.api.event.NdpListener;
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
 * The cost of listening: {@code executeBestPattern} of the 3-step sequential pattern of {@link
 * ExecuteBestPatternBenchmark} (one candidate) on a runtime built with no listener ({@code
 * listeners=0}, the baseline) and with one listener that does nothing ({@code listeners=1}),
 * registered through {@code Ndp.builder().listener(...)}: every execution then creates its started,
 * attempt and finished events, and each recorded outcome reads the pattern's score to tell whether
 * it crossed a confidence level. Goal: with no listener, nothing changes (the baseline is the
 * executor's own figure); with one, at most 1.2x the baseline.
 *
 * <p>Part of the {@link Suite} (every profile). Alone, with the suite's table: {@code java -jar
 * benchmarks/target/benchmarks.jar quick --include '.*ListenerBenchmark.*' --out /tmp/listeners};
 * with JMH's own runner, as for the figures in {@code benchmarks/results/listeners}: {@code java
 * -cp benchmarks/target/benchmarks.jar org.openjdk.jmh.Main 'io.ndp.benchmarks.ListenerBenchmark'
 * -f 2 -wi 3 -w 1s -i 5 -r 1s -prof gc -jvmArgsAppend "-Xms1g -Xmx1g"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ListenerBenchmark {

  /** A listener that overrides nothing: the cost measured is the runtime's, not the listener's. */
  private static final NdpListener NO_OP = new NdpListener() {};

  @Param({"0", "1"})
  public int listeners;

  private Workload work;
  private Ndp ndp;
  private PatternExecutor executor;
  private PatternContext context;

  @Setup
  public void setUp() {
    work = new Workload();
    Ndp.Builder b = Ndp.builder();
    for (int i = 0; i < listeners; i++) {
      b.listener(NO_OP);
    }
    ndp = b.build();
    work.registerIn(ndp.delegates());
    ndp.register(
        new PatternDefinition(
            "sequential",
            "ingest",
            "validate, hash, store",
            Map.of("steps", List.of("validate", "hash", "store"))));
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
  public PatternResult executeBestPattern() {
    return executor.executeBestPattern(context);
  }
}
