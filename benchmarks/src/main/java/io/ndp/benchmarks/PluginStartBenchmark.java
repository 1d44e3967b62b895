package io.ndp.benchmarks;

import io.ndp.core.Ndp;
import io.ndp.core.PluginReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Plugin start: {@code Ndp.builder().pluginsDir(folder).build()} over a folder of 3 or 100
 * generated plugin JARs ({@link GeneratedPlugins}), each a plugin of its own with a pattern kind of
 * its own. Measured: PF4J reads and resolves the descriptors, loads every plugin in its own class
 * loader and starts it; NDP checks each JAR for bundled API classes, creates its factories and
 * publishes its kind. Goal: 100 plugins in under 2 s; the 3-plugin figure is the fixed cost beside
 * it.
 *
 * <p><b>Why one single shot per fresh JVM.</b> A host starts its plugins once, at startup, in a JVM
 * that has neither loaded nor compiled PF4J or NDP yet; that is the wait the goal is about. So
 * every fork measures exactly one start with no warm-up ({@code SingleShotTime}, 0 warm-up
 * iterations, 1 measured), and the score is the mean over the forks (5 here, 1 in the suite's smoke
 * profile, 10 in full). Warm-up would measure a <em>re</em>start in a JVM that has run the same
 * code many times: the plugins' own classes are loaded anew either way (new class loaders each
 * start), but the framework's class loading and interpretation, which a host does pay, would
 * disappear from the figure. Cold-ish, not cold: the JARs were just written, so they are in the OS
 * page cache, and the JVM has loaded JMH, the JAR-writing classes and this class before the shot.
 * Closing the runtime is not measured (a host does not wait for it at startup); it happens in the
 * teardown, after checking that every plugin started and its kind is available — a run in which any
 * did not fails.
 *
 * <p>Run just this benchmark with {@code java -jar benchmarks/target/benchmarks.jar quick --include
 * PluginStart}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(5)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
public class PluginStartBenchmark {

  @Param({"3", "100"})
  public int plugins;

  private Path folder;
  // Every runtime started in this iteration; one unless a batch size is set.
  private final List<Ndp> started = new ArrayList<>();

  @Setup(Level.Trial)
  public void generate() throws IOException {
    folder = Files.createTempDirectory("ndp-plugin-start-");
    GeneratedPlugins.write(folder, plugins);
  }

  @Benchmark
  public Ndp start() {
    Ndp ndp = Ndp.builder().pluginsDir(folder).build();
    started.add(ndp);
    return ndp;
  }

  /**
   * Checks that every plugin started and its kind is available, then closes the runtimes.
   *
   * @throws IllegalStateException naming every plugin that did not start or whose kind is missing
   */
  @TearDown(Level.Iteration)
  public void checkAndClose() {
    try {
      for (Ndp ndp : started) {
        List<String> problems = problems(ndp, plugins);
        if (!problems.isEmpty()) {
          throw new IllegalStateException(
              String.format(
                  Locale.ROOT,
                  "%d of %d generated plugins did not start with their kind: %s",
                  problems.size(),
                  plugins,
                  String.join("; ", problems)));
        }
      }
    } finally {
      started.forEach(Ndp::close);
      started.clear();
    }
  }

  @TearDown(Level.Trial)
  public void deleteFolder() throws IOException {
    try (Stream<Path> walk = Files.walk(folder)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Returns the folder the plugins were generated into. */
  Path folder() {
    return folder;
  }

  /**
   * What is wrong with a runtime started over {@code count} generated plugins: one entry per plugin
   * that is not {@code STARTED} with exactly its own type, or whose type the runtime does not
   * resolve, and one for any report of something else in the folder. Empty when all is well.
   */
  static List<String> problems(Ndp ndp, int count) {
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String id = GeneratedPlugins.pluginId(i);
      String type = GeneratedPlugins.type(i);
      Optional<PluginReport> r = ndp.pluginReport(id);
      if (r.isEmpty()) {
        problems.add(id + ": no report");
      } else if (r.get().status() != PluginReport.Status.STARTED
          || !r.get().types().equals(List.of(type))) {
        problems.add(
            String.format(
                Locale.ROOT,
                "%s: %s with types %s (%s)",
                id,
                r.get().status(),
                r.get().types(),
                r.get().reason()));
      } else if (ndp.factories().resolveType(type).isEmpty()) {
        problems.add(id + ": started but type '" + type + "' does not resolve");
      }
    }
    if (ndp.pluginReports().size() != count) {
      problems.add(
          String.format(
              Locale.ROOT,
              "expected %d plugin reports but found %d: %s",
              count,
              ndp.pluginReports().size(),
              ndp.pluginReports().stream().map(PluginReport::pluginId).toList()));
    }
    return problems;
  }
}
