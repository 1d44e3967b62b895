package io.ndp.benchmarks;

import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.api.event.AttemptFinishedEvent;
import io.ndp.api.event.AttemptStartedEvent;
import io.ndp.api.event.ConfidenceThresholdCrossedEvent;
import io.ndp.api.event.ExecutionFinishedEvent;
import io.ndp.api.event.ExecutionStartedEvent;
import io.ndp.api.event.NdpListener;
import io.ndp.core.Ndp;
import io.ndp.core.PatternExecutor;
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
 * listener=none}, the baseline), with one that does nothing ({@code no-op}), and with one that
 * keeps every event it gets and hears confidence crossings ({@code keeping}), each registered
 * through {@code Ndp.builder().listener(...)}. With {@code no-op} the JIT may find that the events
 * never escape and allocate none of them; {@code keeping} makes them escape, and makes every
 * recorded outcome read the pattern's score to tell whether it crossed a confidence level: the cost
 * of a listener that does something, before its own work. Goals: at most 1.2x the baseline with a
 * no-op listener, 1.5x with the keeping one.
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

  /** A listener that overrides nothing. */
  private static final NdpListener NO_OP = new NdpListener() {};

  /** Keeps the last event of each kind it hears, so that every event escapes. */
  static final class Keeping implements NdpListener {
    volatile ExecutionStartedEvent started;
    volatile ExecutionFinishedEvent finished;
    volatile AttemptStartedEvent attemptStarted;
    volatile AttemptFinishedEvent attemptFinished;
    volatile ConfidenceThresholdCrossedEvent crossed;

    @Override
    public void onExecutionStarted(ExecutionStartedEvent e) {
      started = e;
    }

    @Override
    public void onExecutionFinished(ExecutionFinishedEvent e) {
      finished = e;
    }

    @Override
    public void onAttemptStarted(AttemptStartedEvent e) {
      attemptStarted = e;
    }

    @Override
    public void onAttemptFinished(AttemptFinishedEvent e) {
      attemptFinished = e;
    }

    @Override
    public void onConfidenceThresholdCrossed(ConfidenceThresholdCrossedEvent e) {
      crossed = e;
    }
  }

  @Param({"none", "no-op", "keeping"})
  public String listener;

  private Workload work;
  private Ndp ndp;
  private PatternExecutor executor;
  private PatternContext context;

  @Setup
  public void setUp() {
    work = new Workload();
    Ndp.Builder b = Ndp.builder();
    switch (listener) {
      case "none" -> {}
      case "no-op" -> b.listener(NO_OP);
      case "keeping" -> b.listener(new Keeping());
      default -> throw new IllegalArgumentException("unknown listener " + listener);
    }
    ndp = work.ingestRuntime(b);
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
