package io.ndp.benchmarks;

import io.ndp.api.Pattern;
import io.ndp.core.PatternRegistry;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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
 * Lookup by name, hit and miss, in a registry of 10, 1,000 or 100,000 patterns; baseline: {@code
 * ConcurrentHashMap.get} over the same names. Both sides walk the same key sequence. Goal: at most
 * 2x.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LookupBenchmark {

  private static final int KEYS = 1024;

  @Param({"10", "1000", "100000"})
  public int size;

  private PatternRegistry registry;
  private final ConcurrentHashMap<String, Pattern> map = new ConcurrentHashMap<>();
  private final String[] hits = new String[KEYS];
  private final String[] misses = new String[KEYS];
  private int next;

  @Setup
  public void setUp() {
    registry = new PatternRegistry();
    List<String> steps = List.of("validate", "store");
    for (int i = 0; i < size; i++) {
      Pattern p = new SequentialDelegationPattern("pattern_" + i, "lookup target", steps);
      registry.register(p);
      map.put(p.name(), p);
    }
    for (int i = 0; i < KEYS; i++) {
      // New String instances, as a caller's keys would be: no identity shortcut for either side.
      hits[i] = new String("pattern_" + (i * 7919 % size));
      misses[i] = new String("absent_" + i);
    }
  }

  private int nextIndex() {
    next = (next + 1) & (KEYS - 1);
    return next;
  }

  @Benchmark
  public Optional<Pattern> registryHit() {
    return registry.find(hits[nextIndex()]);
  }

  @Benchmark
  public Pattern mapHit() {
    return map.get(hits[nextIndex()]);
  }

  @Benchmark
  public Optional<Pattern> registryMiss() {
    return registry.find(misses[nextIndex()]);
  }

  @Benchmark
  public Pattern mapMiss() {
    return map.get(misses[nextIndex()]);
  }
}
