package io.ndp.benchmarks;

import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.core.BreakerPolicy;
import io.ndp.core.Ndp;
import io.ndp.core.PatternExecutor;
import io.ndp.core.RetryPolicy;
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
 * The cost of resilience when nothing fails: {@code executeBestPattern} of the 3-step sequential
 * pattern of {@link ExecuteBestPatternBenchmark} on a runtime without retries or breakers ({@code
 * none}, the baseline), with a retry policy ({@code retry}: nothing to retry, so only the check),
 * and with circuit breakers ({@code breaker}: one breaker per pattern × domain asked for a
 * permission and told the outcome on every call). Goals: at most 1.1x the baseline with retries,
 * 1.5x with breakers.
 *
 * <p>Part of the {@link Suite} (every profile). Alone: {@code java -jar
 * benchmarks/target/benchmarks.jar quick --include '.*ResilienceBenchmark.*' --out
 * /tmp/resilience}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ResilienceBenchmark {

  @Param({"none", "retry", "breaker"})
  public String resilience;

  private Ndp ndp;
  private PatternExecutor executor;
  private PatternContext context;

  @Setup
  public void setUp() {
    Ndp.Builder b = Ndp.builder();
    switch (resilience) {
      case "none" -> {}
      case "retry" -> b.retry(RetryPolicy.builder().build());
      case "breaker" -> b.circuitBreaker(BreakerPolicy.builder().build());
      default -> throw new IllegalArgumentException("unknown resilience " + resilience);
    }
    ndp = new Workload().ingestRuntime(b);
    executor = ndp.executor();
    context = Workload.ingestContext();
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
