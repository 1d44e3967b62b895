package io.ndp.benchmarks;

import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.core.Ndp;
import io.ndp.core.PatternExecutor;
import io.ndp.patterns.parallel.ParallelCoordinationPattern;
import io.ndp.patterns.parallel.ResourceTask;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * A fan-out of 4, 16 or 64 tasks of about 10 µs CPU each through the parallel kind, over one
 * resource with a unit per task; baseline: {@code CompletableFuture.allOf} over the same tasks on
 * the same 2-thread pool. Goal: at most 1.10x.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FanOutBenchmark {

  /** Blackhole CPU tokens per task: about 10 µs on the machines this was written on. */
  static final long TOKENS = 2_500;

  @Param({"4", "16", "64"})
  public int tasks;

  private ExecutorService pool;
  private Ndp ndp;
  private PatternExecutor executor;
  private PatternContext context;

  @Setup
  public void setUp() {
    pool = Executors.newFixedThreadPool(2);
    ndp = Ndp.builder().executor(b -> b.executor(pool)).build();
    ndp.delegates().register("work", FanOutBenchmark::work);
    ParallelCoordinationPattern.Builder fanOut =
        ParallelCoordinationPattern.builder("fan_out", tasks + " CPU tasks")
            .resources("cpu")
            .capacity("cpu", tasks);
    for (int i = 0; i < tasks; i++) {
      fanOut.task(new ResourceTask("task_" + i, "work", Map.of("cpu", 1)));
    }
    ndp.register(fanOut.build());
    executor = ndp.executor();
    context = PatternContext.builder("batch", "parallel").requiredResources("cpu").build();
    PatternResult first = executor.executeBestPattern(context);
    if (!first.success()) {
      throw new IllegalStateException("the benchmark's pattern must succeed: " + first);
    }
  }

  @TearDown
  public void tearDown() throws InterruptedException {
    ndp.close();
    pool.shutdown();
    pool.awaitTermination(10, TimeUnit.SECONDS);
  }

  static Object work(Object input) {
    Blackhole.consumeCPU(TOKENS);
    return Boolean.TRUE;
  }

  @Benchmark
  public PatternResult ndp() {
    return executor.executeBestPattern(context);
  }

  @Benchmark
  public Object completableFuture() {
    CompletableFuture<?>[] all = new CompletableFuture<?>[tasks];
    for (int i = 0; i < tasks; i++) {
      all[i] = CompletableFuture.supplyAsync(() -> work(null), pool);
    }
    return CompletableFuture.allOf(all).join();
  }
}
