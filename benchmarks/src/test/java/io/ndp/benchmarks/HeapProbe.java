package io.ndp.benchmarks;

import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.core.Ndp;
import io.ndp.core.PatternExecutor;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Does what {@code Suite.patternHeapBytes} does, prints the settled heap delta, then writes a class
 * histogram of the live heap (and optionally a heap dump) while the runtime is still reachable.
 *
 * <p>Usage: {@code HeapProbe [patterns] [domains] [histogram-file] [hprof-file]}
 */
public final class HeapProbe {
  private HeapProbe() {}

  public static void main(String[] args) throws Exception {
    int patterns = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int domains = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    String histo = args.length > 2 ? args[2] : null;
    String hprof = args.length > 3 ? args[3] : null;
    long before = settledHeap();
    Ndp ndp = Ndp.builder().build();
    ndp.delegates().register("validate", input -> input).register("store", input -> input);
    PatternExecutor executor = ndp.executor();
    List<PatternContext> contexts = new ArrayList<>(domains);
    for (int d = 0; d < domains; d++) {
      contexts.add(PatternContext.builder("domain_" + d, "sequential").payload("x").build());
    }
    for (int i = 0; i < patterns; i++) {
      Pattern p =
          ndp.register(
              new PatternDefinition(
                  "sequential",
                  "pattern_" + i,
                  "memory",
                  Map.of("steps", List.of("validate", "store"))));
      for (PatternContext c : contexts) {
        if (!executor.execute(p, c).success()) {
          throw new IllegalStateException("pattern_" + i + " failed in " + c.domain());
        }
      }
    }
    long after = settledHeap();
    if (ndp.registry().size() != patterns
        || ndp.registry().statistics("pattern_" + (patterns - 1)).total() != domains) {
      throw new IllegalStateException("expected " + patterns + " patterns, each run " + domains);
    }
    System.out.printf(
        "heap delta: %d bytes = %.1f MB = %.0f B/pattern%n",
        after - before, (after - before) / 1e6, (after - before) / (double) patterns);
    long pid = ProcessHandle.current().pid();
    if (histo != null) {
      run("jcmd", Long.toString(pid), "GC.class_histogram", "-all");
      new ProcessBuilder("jcmd", Long.toString(pid), "GC.class_histogram")
          .redirectOutput(new java.io.File(histo))
          .start()
          .waitFor();
    }
    if (hprof != null) {
      run("jcmd", Long.toString(pid), "GC.heap_dump", hprof);
    }
    // Keep everything reachable until the tools are done.
    System.out.println("patterns: " + ndp.registry().size() + " " + executor.hashCode());
    ndp.close();
  }

  private static void run(String... cmd) throws Exception {
    new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
  }

  private static long settledHeap() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long last = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      try {
        TimeUnit.MILLISECONDS.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      long used = memory.getHeapMemoryUsage().getUsed();
      if (Math.abs(last - used) < 64 * 1024) {
        return used;
      }
      last = used;
    }
    return last;
  }
}
