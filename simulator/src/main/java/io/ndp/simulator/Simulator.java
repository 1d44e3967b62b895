package io.ndp.simulator;

import io.ndp.core.PatternRegistry;
import io.ndp.core.SelectionPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.LongFunction;
import org.jspecify.annotations.Nullable;

/**
 * Runs every policy against every scenario over several seeds and writes the results table.
 *
 * <p>Usage: {@code java -jar simulator/target/simulator.jar [--seeds n] [--out dir]}. Results go to
 * {@code simulator/results/results.md} when run from the project root, else to {@code results}.
 */
public final class Simulator {

  /** Seeds per scenario and policy unless {@code --seeds} says otherwise. */
  static final int DEFAULT_SEEDS = 20;

  /** The variants drawn in the charts (all of them would crowd the lines). */
  static final Set<String> CHARTED =
      Set.of(
          "greedy",
          "thompson",
          "thompson, half-life 100",
          "default (drift-aware thompson, half-life 100, borrowing)");

  /** The scenarios charted: the two whose goals pull against each other. */
  static final Set<String> CHARTED_SCENARIOS = Set.of("stationary", "abrupt-drift");

  private Simulator() {}

  /**
   * A policy and how its statistics forget.
   *
   * @param name as the table shows it
   * @param policy the policy, built for one seed
   * @param halfLife the statistics' half-life in outcomes; infinite: never forget
   * @param borrow whether a pattern borrows from its other domains in a new one
   */
  record Variant(
      String name,
      @Nullable LongFunction<SelectionPolicy> policy,
      double halfLife,
      boolean borrow) {

    /** The runtime's defaults: no policy, half-life or borrowing set, the executor seeded. */
    static Variant defaults() {
      return new Variant(
          "default (drift-aware thompson, half-life 100, borrowing)",
          null,
          PatternRegistry.Builder.DEFAULT_HALF_LIFE,
          true);
    }

    List<Simulation.Result> repeat(Scenario scenario, int seeds) {
      return policy == null
          ? Simulation.repeatDefaults(scenario, seeds)
          : Simulation.repeat(scenario, policy, halfLife, borrow, seeds);
    }

    Variant(String name, LongFunction<SelectionPolicy> policy, double halfLife) {
      this(name, policy, halfLife, true);
    }
  }

  /** The variants compared: today's two policies, and Thompson sampling over forgetting stats. */
  static List<Variant> variants() {
    List<Variant> out = new ArrayList<>();
    out.add(Variant.defaults());
    out.add(new Variant("greedy", seed -> SelectionPolicy.greedy(), Double.POSITIVE_INFINITY));
    out.add(new Variant("thompson", SelectionPolicy::thompsonSampling, Double.POSITIVE_INFINITY));
    for (int h : new int[] {50, 100, 200, 400}) {
      out.add(new Variant("thompson, half-life " + h, SelectionPolicy::thompsonSampling, h));
    }
    for (int h : new int[] {25, 50, 100}) {
      out.add(
          new Variant(
              "drift-aware thompson, half-life " + h,
              SelectionPolicy::driftAwareThompsonSampling,
              h));
    }
    out.add(
        new Variant(
            "drift-aware thompson, half-life 100, no borrowing",
            SelectionPolicy::driftAwareThompsonSampling,
            100,
            false));
    return out;
  }

  /** Runs the simulations; see the class documentation for the arguments. */
  public static void main(String[] args) throws IOException {
    int seeds = DEFAULT_SEEDS;
    Path out =
        Files.isDirectory(Path.of("simulator"))
            ? Path.of("simulator", "results")
            : Path.of("results");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--seeds" -> seeds = number("--seeds", value(args, ++i));
        case "--out" -> out = Path.of(value(args, ++i));
        default ->
            throw new IllegalArgumentException(
                "unknown argument '" + args[i] + "'; usage: [--seeds n] [--out dir]");
      }
    }
    if (seeds < 1) {
      throw new IllegalArgumentException("--seeds must be at least 1 but was " + seeds);
    }
    List<Row> rows = new ArrayList<>();
    Files.createDirectories(out);
    List<Path> charts = new ArrayList<>();
    for (Scenario scenario : Scenario.all()) {
      Map<String, double[]> curves = new LinkedHashMap<>();
      for (Variant v : variants()) {
        List<Simulation.Result> results = v.repeat(scenario, seeds);
        rows.add(Row.of(scenario, v.name(), results));
        if (CHARTED.contains(v.name())) {
          curves.put(v.name(), RegretChart.mean(results));
        }
      }
      if (CHARTED_SCENARIOS.contains(scenario.name())) {
        Path png = out.resolve("regret-" + scenario.name() + ".png");
        RegretChart.write(scenario, curves, png);
        charts.add(png);
      }
    }
    String table = table(rows, seeds);
    Path md = out.resolve("results.md");
    Files.writeString(md, table, StandardCharsets.UTF_8);
    System.out.println(table);
    System.out.println("wrote " + md + " and " + charts);
  }

  private static int number(String flag, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " needs a whole number but got '" + value + "'", e);
    }
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      throw new IllegalArgumentException(args[i - 1] + " needs a value");
    }
    return args[i];
  }

  /**
   * One scenario and policy over every seed.
   *
   * @param scenario the scenario
   * @param policy the policy's name
   * @param regret mean regret per simulation
   * @param bestShare mean share of best picks
   * @param recoveryMedian median runs to recover after the change (censored ones count as the runs
   *     left), or -1 without a change
   * @param censored how many simulations never recovered
   * @param newDomainRegret mean regret over the first 50 runs in the new domain, or NaN
   * @param seeds how many simulations
   */
  record Row(
      Scenario scenario,
      String policy,
      double regret,
      double bestShare,
      double recoveryMedian,
      int censored,
      double newDomainRegret,
      int seeds) {

    static Row of(Scenario scenario, String policy, List<Simulation.Result> results) {
      double regret = 0;
      double share = 0;
      double newDomain = 0;
      int censored = 0;
      double[] recoveries = new double[results.size()];
      int i = 0;
      for (Simulation.Result r : results) {
        regret += r.regret();
        share += r.bestShare();
        newDomain += r.newDomainRegret();
        if (r.censored()) {
          censored++;
        }
        OptionalInt rec = r.recovery();
        int left = scenario.runs() - scenario.changeAt().orElse(scenario.runs());
        recoveries[i++] = rec.isPresent() ? rec.getAsInt() : left;
      }
      int n = results.size();
      return new Row(
          scenario,
          policy,
          regret / n,
          share / n,
          scenario.changeAt().isPresent() ? median(recoveries) : -1,
          censored,
          newDomain / n,
          n);
    }
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  static String table(List<Row> rows, int seeds) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Selection policies in the simulator\n\n");
    sb.append("Written by `io.ndp.simulator.Simulator` — no figure typed by hand.\n\n");
    sb.append("* Date: ")
        .append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE))
        .append('\n');
    sb.append("* Seeds: ")
        .append(seeds)
        .append(" per scenario and policy (the same outcome seeds for every policy)\n");
    sb.append(
        "* Regret: the sum over runs of the best pattern's true rate minus the chosen one's (lower"
            + " is better; under a latency budget, the rate of succeeding in time)."
            + " The `default` row is the runtime as a host gets it when it configures nothing"
            + " (its executor seeded). Recovery: runs after the change until the new best held 80% of the"
            + " last 100 runs (median; a simulation that never recovered counts the runs left)."
            + " Every run goes through `executeBestPattern` with one attempt, so outcomes are"
            + " recorded as a host's are.\n\n");
    sb.append(
        "| scenario | policy | regret | best picks | recovery after drift | regret, first 50"
            + " runs in new domain |\n");
    sb.append("|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      sb.append("| ")
          .append(r.scenario().name())
          .append(" | ")
          .append(r.policy())
          .append(" | ")
          .append(String.format(Locale.ROOT, "%.1f", r.regret()))
          .append(" | ")
          .append(String.format(Locale.ROOT, "%.1f %%", 100 * r.bestShare()))
          .append(" | ")
          .append(
              r.recoveryMedian() < 0
                  ? "–"
                  : String.format(Locale.ROOT, "%.0f runs", r.recoveryMedian())
                      + (r.censored() > 0
                          ? String.format(Locale.ROOT, " (%d of %d never)", r.censored(), r.seeds())
                          : ""))
          .append(" | ")
          .append(
              Double.isNaN(r.newDomainRegret())
                  ? "–"
                  : String.format(Locale.ROOT, "%.1f", r.newDomainRegret()))
          .append(" |\n");
    }
    sb.append(
        "\nCharts of the mean cumulative regret: [stationary](regret-stationary.png),"
            + " [abrupt drift](regret-abrupt-drift.png).\n");
    sb.append("\nScenarios:\n\n");
    for (Scenario s : Scenario.all()) {
      sb.append("* `").append(s.name()).append("`: ").append(s.description()).append('\n');
    }
    return sb.toString();
  }
}
