package io.ndp.benchmarks;

import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.core.Ndp;
import io.ndp.core.PatternExecutor;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormat;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs the benchmark suite and writes its results: the JMH JSON and a Markdown table of every goal
 * (benchmark, ours, baseline, ratio, goal, met?) with the machine, the JDK and the date.
 *
 * <p>Usage: {@code java -jar benchmarks/target/benchmarks.jar [smoke|quick|full] [--out dir]
 * [--include regex]}. {@code smoke} checks in seconds that every benchmark runs (its figures mean
 * nothing). {@code quick} (the default) takes a few minutes: one fork, 2 warm-up and 3 measured
 * iterations of 1 s. {@code full}: two forks, 5 warm-up and 5 measured iterations of 2 s. The
 * plugin start benchmark is the exception: it measures one start per fresh JVM (see {@link
 * PluginStartBenchmark}), in 1, 5 or 10 JVMs per size. {@link StorageRecordingBenchmark} runs its
 * PostgreSQL trials only when {@value StorageRecordingBenchmark#PG_URL_VARIABLE} is set, and says
 * so (on the console and in the table) when it is not. The results go to {@code benchmarks/results}
 * when run from the project root, else to {@code results}.
 */
public final class Suite {

  private Suite() {}

  /** Runs the suite; see the class documentation for the arguments. */
  public static void main(String[] args) throws RunnerException, IOException {
    String profile = "quick";
    Path out =
        Files.isDirectory(Path.of("benchmarks"))
            ? Path.of("benchmarks", "results")
            : Path.of("results");
    String include = "io\\.ndp\\.benchmarks\\..*";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "smoke", "quick", "full" -> profile = args[i];
        case "--out" -> out = Path.of(value(args, ++i));
        case "--include" -> include = value(args, ++i);
        default ->
            throw new IllegalArgumentException(
                "unknown argument '"
                    + args[i]
                    + "'; usage: [smoke|quick|full] [--out dir] [--include regex]");
      }
    }
    Files.createDirectories(out);
    Path json = out.resolve("jmh-" + profile + ".json");
    // The plugin start benchmark measures one start per fresh JVM: it runs with its own settings
    // (its annotations and the profile's fork count), the others with the profile's iterations.
    Set<String> steady = new TreeSet<>();
    Set<String> freshJvm = new TreeSet<>();
    OutputFormat silent = OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT);
    for (BenchmarkListEntry e :
        BenchmarkList.defaultList().find(silent, List.of(include), List.of())) {
      String name = e.getUsername();
      (name.startsWith(PluginStartBenchmark.class.getName() + ".") ? freshJvm : steady).add(name);
    }
    if (steady.isEmpty() && freshJvm.isEmpty()) {
      throw new IllegalArgumentException("no benchmark matches --include '" + include + "'");
    }
    List<String> notes = new ArrayList<>();
    List<RunResult> results = new ArrayList<>();
    if (!steady.isEmpty()) {
      ChainedOptionsBuilder options = steadyOptions(profile, steady);
      if (steady.stream()
              .anyMatch(n -> n.startsWith(StorageRecordingBenchmark.class.getName() + "."))
          && StorageRecordingBenchmark.postgresUrl().isEmpty()) {
        options.param("database", StorageRecordingBenchmark.H2);
        String note =
            "StorageRecordingBenchmark: PostgreSQL skipped, "
                + StorageRecordingBenchmark.PG_URL_VARIABLE
                + " is not set (H2 only)";
        System.out.println(note);
        notes.add(note);
      }
      results.addAll(new Runner(options.build()).run());
    }
    if (!freshJvm.isEmpty()) {
      results.addAll(new Runner(freshJvmOptions(profile, freshJvm).build()).run());
    }
    ResultFormatFactory.getInstance(ResultFormatType.JSON, json.toString()).writeOut(results);
    long heapBytes = patternHeapBytes(100_000, 10);
    String table =
        table(Scores.of(results), heapBytes, profile, json.getFileName().toString(), notes);
    Path md = out.resolve("results-" + profile + ".md");
    Files.writeString(md, table, StandardCharsets.UTF_8);
    System.out.println(table);
    System.out.println("wrote " + json + " and " + md);
  }

  private static ChainedOptionsBuilder common(Collection<String> benchmarks) {
    // Fail on error: JMH's default prints a benchmark's exception (a failed setup, a tear-down
    // check that found the work not done) and goes on, and the suite would exit 0 without its row.
    ChainedOptionsBuilder options =
        new OptionsBuilder()
            .shouldFailOnError(true)
            .addProfiler(GCProfiler.class)
            .jvmArgsAppend("-Xms1g", "-Xmx1g");
    benchmarks.forEach(b -> options.include("^" + java.util.regex.Pattern.quote(b) + "$"));
    return options;
  }

  /** The profile's forks, warm-up and measured iterations. */
  private static ChainedOptionsBuilder steadyOptions(
      String profile, Collection<String> benchmarks) {
    ChainedOptionsBuilder options = common(benchmarks);
    if (profile.equals("smoke")) {
      options
          .forks(1)
          .warmupIterations(1)
          .warmupTime(TimeValue.milliseconds(100))
          .measurementIterations(1)
          .measurementTime(TimeValue.milliseconds(200));
    } else if (profile.equals("quick")) {
      options
          .forks(1)
          .warmupIterations(2)
          .warmupTime(TimeValue.seconds(1))
          .measurementIterations(3)
          .measurementTime(TimeValue.seconds(1));
    } else {
      options
          .forks(2)
          .warmupIterations(5)
          .warmupTime(TimeValue.seconds(2))
          .measurementIterations(5)
          .measurementTime(TimeValue.seconds(2));
    }
    return options;
  }

  /**
   * One measured shot per fork, no warm-up (the benchmark's own annotations); the profile sets only
   * how many fresh JVMs: 1 in smoke, 5 in quick, 10 in full.
   */
  private static ChainedOptionsBuilder freshJvmOptions(
      String profile, Collection<String> benchmarks) {
    return common(benchmarks)
        .forks(
            switch (profile) {
              case "smoke" -> 1;
              case "quick" -> 5;
              default -> 10;
            });
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      throw new IllegalArgumentException(args[i - 1] + " needs a value");
    }
    return args[i];
  }

  /**
   * The heap that {@code patterns} registered sequential patterns hold with statistics in {@code
   * domains} domains each: the GC-settled used heap after building them minus before. Every
   * statistic is learned the way a host's would be, by running the pattern in the domain (through
   * the public API only), so the storage, the registry's indexes and the snapshot cache are all in
   * the figure.
   */
  static long patternHeapBytes(int patterns, int domains) {
    long before = settledHeap();
    Ndp ndp = filledRuntime(patterns, domains);
    long after = settledHeap();
    ndp.close();
    return after - before;
  }

  /**
   * A runtime holding {@code patterns} sequential patterns, each run once in each of {@code
   * domains} domains through the public API; checked, and left open for the caller to measure.
   */
  static Ndp filledRuntime(int patterns, int domains) {
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
    if (ndp.registry().size() != patterns
        || ndp.registry().statistics("pattern_" + (patterns - 1)).total() != domains) {
      throw new IllegalStateException("expected " + patterns + " patterns, each run " + domains);
    }
    return ndp;
  }

  static long settledHeap() {
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

  /** The Markdown table of every goal. */
  static String table(
      Scores s, long heapBytes, String profile, String jsonName, List<String> notes) {
    List<String[]> rows = new ArrayList<>();
    for (String c : List.of("1", "10")) {
      String p = "candidates=" + c;
      ratioRow(
          rows,
          s,
          "executeBestPattern, " + c + " candidate(s) vs 3 direct calls",
          "ExecuteBestPatternBenchmark.ndp",
          "ExecuteBestPatternBenchmark.direct",
          p,
          p,
          2.0);
      s.secondary("ExecuteBestPatternBenchmark.ndp", p, "gc.alloc.rate.norm")
          .ifPresent(
              bytes ->
                  rows.add(
                      new String[] {
                        "allocation per executeBestPattern, " + c + " candidate(s)",
                        fmt(bytes) + " B/op",
                        s.secondary("ExecuteBestPatternBenchmark.direct", p, "gc.alloc.rate.norm")
                            .map(b -> fmt(b) + " B/op")
                            .orElse("–"),
                        "–",
                        "≤ 1,024 B/op",
                        met(bytes <= 1024)
                      }));
    }
    for (String[] l :
        new String[][] {
          {"no-op", "1 no-op listener", "1.2"}, {"keeping", "1 listener keeping every event", "1.5"}
        }) {
      String bench = "ListenerBenchmark.executeBestPattern";
      ratioRow(
          rows,
          s,
          "executeBestPattern with " + l[1] + " vs none",
          bench,
          bench,
          "listener=" + l[0],
          "listener=none",
          Double.parseDouble(l[2]));
      s.secondary(bench, "listener=" + l[0], "gc.alloc.rate.norm")
          .ifPresent(
              bytes ->
                  rows.add(
                      new String[] {
                        "allocation per executeBestPattern, " + l[1] + " vs none",
                        fmt(bytes) + " B/op",
                        s.secondary(bench, "listener=none", "gc.alloc.rate.norm")
                            .map(b -> fmt(b) + " B/op")
                            .orElse("–"),
                        "–",
                        "–",
                        "–"
                      }));
    }
    // The console has no goal yet: its rows say what a feed and an open stream cost.
    for (String[] c :
        new String[][] {
          {"feed", "a console feed, no stream open"}, {"stream", "a console and one open stream"}
        }) {
      String bench = "ConsoleBenchmark.run";
      Optional<Result<?>> o = s.primary(bench, "mode=" + c[0]);
      Optional<Result<?>> b = s.primary(bench, "mode=none");
      if (o.isPresent() && b.isPresent()) {
        rows.add(
            new String[] {
              "executeBestPattern with " + c[1] + " vs none",
              fmt(o.get().getScore()) + " " + o.get().getScoreUnit(),
              fmt(b.get().getScore()) + " " + b.get().getScoreUnit(),
              fmt(o.get().getScore() / b.get().getScore()) + "x",
              "–",
              "–"
            });
      }
      s.secondary(bench, "mode=" + c[0], "gc.alloc.rate.norm")
          .ifPresent(
              bytes ->
                  rows.add(
                      new String[] {
                        "allocation per executeBestPattern, " + c[1] + " vs none",
                        fmt(bytes) + " B/op",
                        s.secondary(bench, "mode=none", "gc.alloc.rate.norm")
                            .map(n -> fmt(n) + " B/op")
                            .orElse("–"),
                        "–",
                        "–",
                        "–"
                      }));
    }
    for (String[] r :
        new String[][] {
          {"retry", "a retry policy (nothing fails)", "1.1"},
          {"breaker", "circuit breakers (nothing fails)", "1.5"}
        }) {
      String bench = "ResilienceBenchmark.executeBestPattern";
      ratioRow(
          rows,
          s,
          "executeBestPattern with " + r[1] + " vs none",
          bench,
          bench,
          "resilience=" + r[0],
          "resilience=none",
          Double.parseDouble(r[2]));
    }
    for (String n : List.of("1000", "10000")) {
      ratioRow(
          rows,
          s,
          "selection among " + n + " vs among 10",
          "SelectionBenchmark.select",
          "SelectionBenchmark.select",
          "size=" + n,
          "size=10",
          3.0);
    }
    for (String n : List.of("4", "16", "64")) {
      String p = "tasks=" + n;
      ratioRow(
          rows,
          s,
          "parallel fan-out of " + n + " vs CompletableFuture.allOf",
          "FanOutBenchmark.ndp",
          "FanOutBenchmark.completableFuture",
          p,
          p,
          1.10);
    }
    for (String n : List.of("10", "1000", "100000")) {
      String p = "size=" + n;
      ratioRow(
          rows,
          s,
          "lookup hit among " + n + " vs ConcurrentHashMap.get",
          "LookupBenchmark.registryHit",
          "LookupBenchmark.mapHit",
          p,
          p,
          2.0);
      ratioRow(
          rows,
          s,
          "lookup miss among " + n + " vs ConcurrentHashMap.get",
          "LookupBenchmark.registryMiss",
          "LookupBenchmark.mapMiss",
          p,
          p,
          2.0);
    }
    for (String[] store : new String[][] {{"never", "never forgets"}, {"100", "half-life 100"}}) {
      String params = "halfLife=" + store[0];
      s.primary("OutcomeRecordingBenchmark.record1Thread", params)
          .ifPresent(
              one -> {
                rows.add(
                    new String[] {
                      "outcome recording in memory (" + store[1] + "), 1 thread",
                      fmt(one.getScore() / 1e6) + " M ops/s",
                      "–",
                      "–",
                      "≥ 10 M ops/s",
                      met(one.getScore() >= 10e6)
                    });
                s.primary("OutcomeRecordingBenchmark.record2Threads", params)
                    .ifPresent(
                        two ->
                            rows.add(
                                new String[] {
                                  "outcome recording in memory (" + store[1] + "), 2 threads vs 1",
                                  fmt(two.getScore() / 1e6) + " M ops/s",
                                  fmt(one.getScore() / 1e6) + " M ops/s",
                                  fmt(two.getScore() / one.getScore()) + "x",
                                  "> 1.0x (scales)",
                                  met(two.getScore() > one.getScore())
                                }));
              });
    }
    for (String[] db :
        new String[][] {
          {StorageRecordingBenchmark.H2, "an H2 file"},
          {StorageRecordingBenchmark.POSTGRESQL, "PostgreSQL"}
        }) {
      storageRows(rows, s, db[0], db[1]);
    }
    Optional<Result<?>> start100 = s.primary("PluginStartBenchmark.start", "plugins=100");
    Optional<Result<?>> start3 = s.primary("PluginStartBenchmark.start", "plugins=3");
    if (start100.isPresent()) {
      Result<?> hundred = start100.get();
      rows.add(
          new String[] {
            "plugin start from a folder, 100 JARs vs 3 (one start per fresh JVM, n = "
                + hundred.getSampleCount()
                + ")",
            fmt(hundred.getScore()) + " " + hundred.getScoreUnit(),
            start3.map(three -> fmt(three.getScore()) + " " + three.getScoreUnit()).orElse("–"),
            start3.map(three -> fmt(hundred.getScore() / three.getScore()) + "x").orElse("–"),
            "< 2 s",
            met(seconds(hundred) < 2.0)
          });
    }
    rows.add(
        new String[] {
          "heap of 100,000 patterns with statistics in 10 domains",
          fmt(heapBytes / (1024.0 * 1024.0)) + " MB",
          "–",
          "–",
          "< 100 MB",
          met(heapBytes < 100L * 1024 * 1024)
        });

    StringBuilder md = new StringBuilder();
    md.append("# Benchmark results (").append(profile).append(" profile)\n\n");
    md.append("Written by `io.ndp.benchmarks.Suite` from `")
        .append(jsonName)
        .append("` — no figure typed by hand.\n\n");
    md.append("* Date: ")
        .append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE_TIME))
        .append(" UTC\n");
    md.append("* Machine: ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(" processors, ")
        .append(System.getProperty("os.name"))
        .append(' ')
        .append(System.getProperty("os.arch"))
        .append(cpuModel())
        .append('\n');
    md.append("* JDK: ")
        .append(System.getProperty("java.vm.name"))
        .append(' ')
        .append(System.getProperty("java.version"))
        .append('\n');
    for (String note : notes) {
      md.append("* Note: ").append(note).append('\n');
    }
    md.append(
        "* Ratios: ours ÷ baseline, both measured in the same run (average time per call, lower is better; outcome recording is throughput, higher is better; plugin start is the time of one start in a fresh JVM, the mean over the JVMs).\n\n");
    md.append("| Benchmark | Ours | Baseline | Ratio | Goal | Met? |\n");
    md.append("|---|---|---|---|---|---|\n");
    for (String[] r : rows) {
      md.append("| ").append(String.join(" | ", r)).append(" |\n");
    }
    return md.toString();
  }

  /**
   * Outcome recording into durable storage: SYNC on 1 thread, SYNC on 4 threads against 1 (the
   * group commit must make 4 threads faster), BATCHED on 1 thread against SYNC, BATCHED on 4
   * threads against 1. Nothing when the database was not run.
   */
  private static void storageRows(List<String[]> rows, Scores s, String database, String label) {
    String bench = "StorageRecordingBenchmark.";
    String sync = "database=" + database + ",durability=SYNC";
    String batched = "database=" + database + ",durability=BATCHED";
    Optional<Result<?>> sync1 = s.primary(bench + "record1Thread", sync);
    Optional<Result<?>> sync4 = s.primary(bench + "record4Threads", sync);
    Optional<Result<?>> batched1 = s.primary(bench + "record1Thread", batched);
    Optional<Result<?>> batched4 = s.primary(bench + "record4Threads", batched);
    String what = "outcome recording into " + label + ", ";
    sync1.ifPresent(
        one ->
            rows.add(
                new String[] {what + "SYNC, 1 thread", opsPerSecond(one), "–", "–", "–", "–"}));
    throughputRow(rows, what + "SYNC, 4 threads vs 1 (group commit)", sync4, sync1, true);
    throughputRow(rows, what + "BATCHED vs SYNC, 1 thread", batched1, sync1, false);
    throughputRow(rows, what + "BATCHED, 4 threads vs 1", batched4, batched1, false);
  }

  /** A throughput against another; with {@code goal}, it must be higher. */
  private static void throughputRow(
      List<String[]> rows,
      String label,
      Optional<Result<?>> ours,
      Optional<Result<?>> base,
      boolean goal) {
    if (ours.isEmpty() || base.isEmpty()) {
      return;
    }
    double ratio = ours.get().getScore() / base.get().getScore();
    rows.add(
        new String[] {
          label,
          opsPerSecond(ours.get()),
          opsPerSecond(base.get()),
          fmt(ratio) + "x",
          goal ? "> 1.0x" : "–",
          goal ? met(ratio > 1.0) : "–"
        });
  }

  private static String opsPerSecond(Result<?> r) {
    return fmt(r.getScore()) + " ops/s";
  }

  private static void ratioRow(
      List<String[]> rows,
      Scores s,
      String label,
      String ours,
      String base,
      String oursParams,
      String baseParams,
      double goal) {
    Optional<Result<?>> o = s.primary(ours, oursParams);
    Optional<Result<?>> b = s.primary(base, baseParams);
    if (o.isEmpty() || b.isEmpty()) {
      return;
    }
    double ratio = o.get().getScore() / b.get().getScore();
    rows.add(
        new String[] {
          label,
          fmt(o.get().getScore()) + " " + o.get().getScoreUnit(),
          fmt(b.get().getScore()) + " " + b.get().getScoreUnit(),
          fmt(ratio) + "x",
          "≤ " + fmt(goal) + "x",
          met(ratio <= goal)
        });
  }

  /** A time per operation in seconds, whatever unit JMH reported it in. */
  private static double seconds(Result<?> r) {
    double scale =
        switch (r.getScoreUnit()) {
          case "s/op" -> 1.0;
          case "ms/op" -> 1e-3;
          case "us/op" -> 1e-6;
          case "ns/op" -> 1e-9;
          default ->
              throw new IllegalStateException(
                  "expected a time per operation but the unit was " + r.getScoreUnit());
        };
    return r.getScore() * scale;
  }

  private static String met(boolean met) {
    return met ? "yes" : "**no**";
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, v >= 100 ? "%,.0f" : "%,.2f", v);
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return ", " + line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux, or not readable: the processor count says enough.
    }
    return "";
  }

  /** JMH results by short benchmark name ({@code Class.method}) and parameters. */
  static final class Scores {
    private final Map<String, RunResult> byKey = new HashMap<>();

    static Scores of(Collection<RunResult> results) {
      Scores s = new Scores();
      for (RunResult r : results) {
        String full = r.getParams().getBenchmark();
        String[] parts = full.split("\\.");
        String shortName = parts[parts.length - 2] + "." + parts[parts.length - 1];
        StringBuilder params = new StringBuilder();
        for (String key : r.getParams().getParamsKeys()) {
          params
              .append(params.length() == 0 ? "" : ",")
              .append(key)
              .append('=')
              .append(r.getParams().getParam(key));
        }
        s.byKey.put(shortName + "|" + params, r);
      }
      return s;
    }

    Optional<Result<?>> primary(String benchmark, String params) {
      return Optional.ofNullable(byKey.get(benchmark + "|" + params))
          .map(RunResult::getPrimaryResult);
    }

    Optional<Double> secondary(String benchmark, String params, String label) {
      return Optional.ofNullable(byKey.get(benchmark + "|" + params))
          .map(r -> r.getSecondaryResults().get(label))
          .map(Result::getScore);
    }
  }
}
