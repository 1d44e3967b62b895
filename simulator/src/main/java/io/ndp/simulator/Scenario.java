package io.ndp.simulator;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;

/**
 * A world whose true success rates the simulator knows: how many patterns serve, in which domain
 * each run happens, and each pattern's success rate in that domain at that run. Immutable.
 */
public abstract class Scenario {

  /** The domain of every run unless a scenario says otherwise. */
  public static final String DOMAIN = "orders";

  private final String name;
  private final String description;
  private final int patterns;
  private final int runs;

  /**
   * @param name short id, e.g. {@code abrupt-drift}
   * @param description what happens, for the results table
   * @param patterns how many patterns serve the context
   * @param runs how many executions one simulation makes
   */
  protected Scenario(String name, String description, int patterns, int runs) {
    this.name = name;
    this.description = description;
    this.patterns = patterns;
    this.runs = runs;
  }

  /** Returns the short id. */
  public final String name() {
    return name;
  }

  /** Returns what happens in this scenario. */
  public final String description() {
    return description;
  }

  /** Returns how many patterns serve the context. */
  public final int patterns() {
    return patterns;
  }

  /** Returns how many executions one simulation makes. */
  public final int runs() {
    return runs;
  }

  /** Returns the domain of run {@code run}. */
  public String domain(int run) {
    return DOMAIN;
  }

  /**
   * Returns the true success rate of pattern {@code pattern} in {@code domain} at run {@code run}.
   */
  public abstract double rate(int pattern, String domain, int run);

  /**
   * Returns the chance that pattern {@code pattern} succeeds within the latency budget in {@code
   * domain} at run {@code run}: what the oracle maximizes and regret is measured in. The success
   * rate, unless the scenario has a {@link #latencyBudget()}.
   */
  public double reward(int pattern, String domain, int run) {
    return rate(pattern, domain, run);
  }

  /**
   * Returns how long one run of pattern {@code pattern} takes, in milliseconds, drawn from {@code
   * random}; 0 unless the scenario is about latency. It advances the executor's clock.
   */
  public double latencyMillis(int pattern, SplittableRandom random) {
    return 0;
  }

  /** Returns the latency budget the executor is given, if the scenario is about latency. */
  public Optional<Duration> latencyBudget() {
    return Optional.empty();
  }

  /** Returns the run at which the rates change abruptly, if they do. */
  public OptionalInt changeAt() {
    return OptionalInt.empty();
  }

  /** Returns the run from which a domain never seen before is served, if one is. */
  public OptionalInt newDomainFrom() {
    return OptionalInt.empty();
  }

  /** The scenarios the simulator reports on, in the order of its table. */
  public static List<Scenario> all() {
    return List.of(
        stationary(),
        abruptDrift(),
        gradualDrift(),
        perDomain(),
        newDomain(),
        fiftyPatterns(),
        noisyLatency());
  }

  /**
   * Three patterns under a latency budget of 100 ms: the one that succeeds most often (0.95) is
   * slow 30% of the time (120–300 ms; otherwise 30–90 ms), so it succeeds in time only 66.5% of the
   * time; the others always answer in 10–60 ms and succeed 60% and 80% of the time. With the
   * budget, the best is the 0.8 one; without, it would be the 0.95 one.
   */
  public static Scenario noisyLatency() {
    double[] rates = {0.6, 0.95, 0.8};
    return new Scenario(
        "noisy-latency",
        "3 patterns, rates 0.6 / 0.95 / 0.8; the 0.95 one is over the 100 ms budget 30% of the"
            + " time",
        3,
        2_000) {
      @Override
      public double rate(int pattern, String domain, int run) {
        return rates[pattern];
      }

      @Override
      public double reward(int pattern, String domain, int run) {
        return pattern == 1 ? rates[1] * 0.7 : rates[pattern];
      }

      @Override
      public double latencyMillis(int pattern, SplittableRandom random) {
        if (pattern == 1) {
          return random.nextDouble() < 0.3
              ? random.nextDouble(120, 300)
              : random.nextDouble(30, 90);
        }
        return random.nextDouble(10, 60);
      }

      @Override
      public Optional<Duration> latencyBudget() {
        return Optional.of(Duration.ofMillis(100));
      }
    };
  }

  /**
   * Three patterns whose rates never change: 0.6, 0.8 and 0.9. In every scenario the best pattern
   * is not the first by name, which wins ties among unseen patterns.
   */
  public static Scenario stationary() {
    double[] rates = {0.6, 0.8, 0.9};
    return new Scenario("stationary", "3 patterns, rates 0.6 / 0.8 / 0.9, never change", 3, 2_000) {
      @Override
      public double rate(int pattern, String domain, int run) {
        return rates[pattern];
      }
    };
  }

  /** The best becomes the worst and the worst the best at run 1,000 of 2,000. */
  public static Scenario abruptDrift() {
    double[] before = {0.6, 0.3, 0.9};
    double[] after = {0.6, 0.9, 0.3};
    int change = 1_000;
    return new Scenario(
        "abrupt-drift",
        "3 patterns, 0.6 / 0.3 / 0.9 become 0.6 / 0.9 / 0.3 at run 1,000",
        3,
        2_000) {
      @Override
      public double rate(int pattern, String domain, int run) {
        return run < change ? before[pattern] : after[pattern];
      }

      @Override
      public OptionalInt changeAt() {
        return OptionalInt.of(change);
      }
    };
  }

  /** The same swap as the abrupt drift, spread linearly over runs 500 to 1,500 of 2,000. */
  public static Scenario gradualDrift() {
    double[] before = {0.6, 0.3, 0.9};
    double[] after = {0.6, 0.9, 0.3};
    return new Scenario(
        "gradual-drift",
        "3 patterns, 0.6 / 0.3 / 0.9 move linearly to 0.6 / 0.9 / 0.3 over runs" + " 500–1,500",
        3,
        2_000) {
      @Override
      public double rate(int pattern, String domain, int run) {
        double t = Math.min(1.0, Math.max(0.0, (run - 500) / 1_000.0));
        return before[pattern] + t * (after[pattern] - before[pattern]);
      }
    };
  }

  /** Two domains, alternating, whose best patterns differ. */
  public static Scenario perDomain() {
    double[] eu = {0.7, 0.5, 0.9};
    double[] us = {0.7, 0.9, 0.5};
    return new Scenario(
        "per-domain",
        "2 domains alternating: 0.7 / 0.5 / 0.9 in eu, 0.7 / 0.9 / 0.5 in us",
        3,
        2_000) {
      @Override
      public String domain(int run) {
        return run % 2 == 0 ? "eu" : "us";
      }

      @Override
      public double rate(int pattern, String domain, int run) {
        return domain.equals("eu") ? eu[pattern] : us[pattern];
      }
    };
  }

  /**
   * 1,000 runs in one domain, then 200 in a domain never seen before where the rates are the same:
   * what a pattern learned elsewhere could be borrowed.
   */
  public static Scenario newDomain() {
    double[] rates = {0.6, 0.3, 0.9};
    int from = 1_000;
    return new Scenario(
        "new-domain",
        "3 patterns (0.6 / 0.3 / 0.9) 1,000 runs in one domain, then 200 in a new"
            + " domain with the same rates",
        3,
        1_200) {
      @Override
      public String domain(int run) {
        return run < from ? DOMAIN : "new_market";
      }

      @Override
      public double rate(int pattern, String domain, int run) {
        return rates[pattern];
      }

      @Override
      public OptionalInt newDomainFrom() {
        return OptionalInt.of(from);
      }
    };
  }

  /** Fifty patterns with rates spread from 0.40 to 0.89; one best. */
  public static Scenario fiftyPatterns() {
    return new Scenario(
        "50-patterns", "50 patterns, rates 0.40 to 0.89 in steps of 0.01", 50, 5_000) {
      @Override
      public double rate(int pattern, String domain, int run) {
        return 0.40 + pattern / 100.0;
      }
    };
  }
}
