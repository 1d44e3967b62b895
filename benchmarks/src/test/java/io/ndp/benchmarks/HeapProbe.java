package io.ndp.benchmarks;

import io.ndp.core.Ndp;

/**
 * Fills a runtime as {@code Suite.patternHeapBytes} does, prints the settled heap delta, then
 * writes a class histogram of the live heap (and optionally a heap dump) while the runtime is still
 * reachable: where the memory figure comes from.
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
    long before = Suite.settledHeap();
    Ndp ndp = Suite.filledRuntime(patterns, domains);
    long after = Suite.settledHeap();
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
    System.out.println("patterns: " + ndp.registry().size());
    ndp.close();
  }

  private static void run(String... cmd) throws Exception {
    new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
  }
}
