package io.ndp.simulator;

import java.util.List;
import java.util.OptionalInt;

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
        stationary(), abruptDrift(), gradualDrift(), perDomain(), newDomain(), fiftyPatterns());
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
