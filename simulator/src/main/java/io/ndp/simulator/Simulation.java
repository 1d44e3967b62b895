package io.ndp.simulator;

import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.core.PatternExecutor;
import io.ndp.core.PatternRegistry;
import io.ndp.core.SelectionPolicy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.LongFunction;
import java.util.function.UnaryOperator;

/**
 * One simulation: a fresh runtime, the scenario's patterns, and {@code runs} executions through
 * {@link PatternExecutor#executeBestPattern} with one attempt each, so that every run's choice is
 * the policy's first pick and every outcome is recorded the way a host's would be. Deterministic
 * for a seed (one thread; the policy is seeded too).
 */
public final class Simulation {

  /** How many recent runs the recovery window spans, and the share of them the best must hold. */
  static final int WINDOW = 100;

  static final double RECOVERED_SHARE = 0.8;

  /** The scenario's state during a simulation: the current run and the outcome generator. */
  static final class World {
    private final Scenario scenario;
    private final SplittableRandom random;
    private int run;
    // The simulated clock the executor times attempts on: advanced by each run's latency.
    private long nanos;

    World(Scenario scenario, long seed) {
      this.scenario = scenario;
      this.random = new SplittableRandom(seed);
    }

    long nanos() {
      return nanos;
    }

    boolean draw(int pattern, String domain) {
      nanos += (long) (scenario.latencyMillis(pattern, random) * 1_000_000);
      return random.nextDouble() < scenario.rate(pattern, domain, run);
    }
  }

  /**
   * What one simulation measured.
   *
   * @param regret the sum over runs of the best pattern's reward minus the chosen one's (the reward
   *     is the success rate, or the chance of succeeding within the latency budget)
   * @param bestShare the share of runs whose choice was the best pattern then
   * @param recovery runs after the change until the new best held 80% of the last 100 runs; empty
   *     without a change or when it never did ({@code censored})
   * @param censored whether the new best never held that share before the end
   * @param newDomainRegret the regret over the first 50 runs in the new domain, or NaN
   * @param cumulativeRegret the regret after each run
   */
  public record Result(
      double regret,
      double bestShare,
      OptionalInt recovery,
      boolean censored,
      double newDomainRegret,
      double[] cumulativeRegret) {}

  private Simulation() {}

  /**
   * Runs one simulation.
   *
   * @param scenario the world
   * @param policy the policy for this seed (a seeded one for a reproducible run)
   * @param seed the seed of the outcomes
   * @return what it measured
   */
  public static Result run(Scenario scenario, SelectionPolicy policy, long seed) {
    return run(scenario, policy, Double.POSITIVE_INFINITY, seed);
  }

  /**
   * Runs one simulation whose statistics forget with a half-life.
   *
   * @param scenario the world
   * @param policy the policy for this seed
   * @param halfLife the statistics' half-life in outcomes of the domain; infinite: never forget
   * @param seed the seed of the outcomes
   * @return what it measured
   */
  public static Result run(Scenario scenario, SelectionPolicy policy, double halfLife, long seed) {
    return run(scenario, policy, halfLife, true, seed);
  }

  /**
   * Runs one simulation whose statistics forget with a half-life, borrowing across domains or not.
   *
   * @param scenario the world
   * @param policy the policy for this seed
   * @param halfLife the statistics' half-life in outcomes of the domain; infinite: never forget
   * @param borrow whether a pattern borrows from its other domains in a new one
   * @param seed the seed of the outcomes
   * @return what it measured
   */
  public static Result run(
      Scenario scenario, SelectionPolicy policy, double halfLife, boolean borrow, long seed) {
    return simulate(
        scenario,
        seed,
        PatternRegistry.builder().halfLife(halfLife).build(),
        b -> b.selectionPolicy(policy).borrowAcrossDomains(borrow));
  }

  /**
   * Runs one simulation with the runtime's defaults — the default policy, half-life and borrowing —
   * seeded with {@code seed} ({@link PatternExecutor.Builder#seed}): what a host gets when it
   * configures nothing.
   *
   * @param scenario the world
   * @param seed the seed of the outcomes and of the selection
   * @return what it measured
   */
  public static Result runDefaults(Scenario scenario, long seed) {
    return simulate(scenario, seed, new PatternRegistry(), b -> b.seed(seed));
  }

  /**
   * Runs {@code seeds} simulations with the runtime's defaults, seeds 1 to {@code seeds}.
   *
   * @param scenario the world
   * @param seeds how many
   * @return the results, in seed order
   */
  public static List<Result> repeatDefaults(Scenario scenario, int seeds) {
    List<Result> out = new ArrayList<>(seeds);
    for (long seed = 1; seed <= seeds; seed++) {
      out.add(runDefaults(scenario, seed));
    }
    return out;
  }

  private static Result simulate(
      Scenario scenario,
      long seed,
      PatternRegistry registry,
      UnaryOperator<PatternExecutor.Builder> configure) {
    World world = new World(scenario, seed);
    for (int p = 0; p < scenario.patterns(); p++) {
      registry.register(new SimulatedPattern(p, world));
    }
    PatternExecutor.Builder b =
        configure.apply(PatternExecutor.builder(registry)).maxAttempts(1).ticker(world::nanos);
    scenario.latencyBudget().ifPresent(b::latencyBudget);
    PatternExecutor executor = b.build();
    int runs = scenario.runs();
    int[] chosen = new int[runs];
    int[] best = new int[runs];
    double[] cumulative = new double[runs];
    double regret = 0;
    int bestPicks = 0;
    double newDomainRegret = 0;
    int newDomainRuns = 0;
    OptionalInt newFrom = scenario.newDomainFrom();
    Set<String> domainsBefore = new HashSet<>();
    try {
      for (int run = 0; run < runs; run++) {
        world.run = run;
        String domain = scenario.domain(run);
        PatternResult result =
            executor.executeBestPattern(
                PatternContext.builder(domain, SimulatedPattern.AGENT_TYPE).build());
        int pick = Integer.parseInt(result.attempts().get(0).patternName().substring(1));
        int top = argmax(scenario, domain, run);
        double lost = scenario.reward(top, domain, run) - scenario.reward(pick, domain, run);
        regret += lost;
        cumulative[run] = regret;
        chosen[run] = pick;
        best[run] = top;
        if (pick == top) {
          bestPicks++;
        }
        if (newFrom.isPresent() && run < newFrom.getAsInt()) {
          domainsBefore.add(domain);
        }
        if (newFrom.isPresent()
            && run >= newFrom.getAsInt()
            && !domainsBefore.contains(domain) // a run in a domain never seen before
            && newDomainRuns < 50) {
          newDomainRegret += lost;
          newDomainRuns++;
        }
      }
    } finally {
      executor.shutdown();
    }
    OptionalInt recovery = OptionalInt.empty();
    boolean censored = false;
    if (scenario.changeAt().isPresent()) {
      int change = scenario.changeAt().getAsInt();
      recovery = recovery(chosen, best[runs - 1], change);
      censored = recovery.isEmpty();
    }
    return new Result(
        regret,
        bestPicks / (double) runs,
        recovery,
        censored,
        newFrom.isPresent() ? newDomainRegret : Double.NaN,
        cumulative);
  }

  /** Runs after {@code change} until {@code newBest} held 80% of the last 100 picks. */
  static OptionalInt recovery(int[] chosen, int newBest, int change) {
    int inWindow = 0;
    for (int run = 0; run < chosen.length; run++) {
      if (chosen[run] == newBest) {
        inWindow++;
      }
      if (run >= WINDOW && chosen[run - WINDOW] == newBest) {
        inWindow--;
      }
      if (run >= change && inWindow >= RECOVERED_SHARE * WINDOW) {
        return OptionalInt.of(run - change + 1);
      }
    }
    return OptionalInt.empty();
  }

  private static int argmax(Scenario scenario, String domain, int run) {
    int top = 0;
    for (int p = 1; p < scenario.patterns(); p++) {
      if (scenario.reward(p, domain, run) > scenario.reward(top, domain, run)) {
        top = p;
      }
    }
    return top;
  }

  /**
   * Runs {@code seeds} simulations, seeds 1 to {@code seeds}.
   *
   * @param scenario the world
   * @param policies a policy per seed
   * @param seeds how many
   * @return the results, in seed order
   */
  public static List<Result> repeat(
      Scenario scenario, LongFunction<SelectionPolicy> policies, int seeds) {
    return repeat(scenario, policies, Double.POSITIVE_INFINITY, seeds);
  }

  /**
   * Runs {@code seeds} simulations, seeds 1 to {@code seeds}, with statistics that forget.
   *
   * @param scenario the world
   * @param policies a policy per seed
   * @param halfLife the statistics' half-life in outcomes; infinite: never forget
   * @param seeds how many
   * @return the results, in seed order
   */
  public static List<Result> repeat(
      Scenario scenario, LongFunction<SelectionPolicy> policies, double halfLife, int seeds) {
    return repeat(scenario, policies, halfLife, true, seeds);
  }

  /**
   * Runs {@code seeds} simulations, seeds 1 to {@code seeds}.
   *
   * @param scenario the world
   * @param policies a policy per seed
   * @param halfLife the statistics' half-life in outcomes; infinite: never forget
   * @param borrow whether a pattern borrows from its other domains in a new one
   * @param seeds how many
   * @return the results, in seed order
   */
  public static List<Result> repeat(
      Scenario scenario,
      LongFunction<SelectionPolicy> policies,
      double halfLife,
      boolean borrow,
      int seeds) {
    List<Result> out = new ArrayList<>(seeds);
    for (long seed = 1; seed <= seeds; seed++) {
      out.add(run(scenario, policies.apply(seed), halfLife, borrow, seed));
    }
    return out;
  }
}
