package io.ndp.examples.optimizer;

import io.ndp.api.AbstractPattern;
import io.ndp.api.Delegate;
import io.ndp.api.ExecutionScope;
import io.ndp.api.MatchResult;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternOutcome;
import io.ndp.api.Prior;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Generate, evaluate, refine: the generator delegate turns the payload into a candidate, the
 * evaluator delegate scores a candidate in {@code [0, 1]}, and while the score is below the quality
 * bar the refiner delegate turns the candidate into a better one, up to {@code maxIterations}
 * evaluations.
 *
 * <p>Output: a map with {@code candidate}, {@code quality} (Double) and {@code iterations}
 * (Integer). When the bar is not reached the outcome is FAILED with the best quality seen, so the
 * executor can fall back. A context may ask for a minimum bar with the attribute {@value
 * #MIN_QUALITY} (a number); a pattern whose bar is lower does not match.
 *
 * <p>Immutable and thread-safe (the delegates must be too when contexts run concurrently).
 */
public final class EvaluatorOptimizerPattern extends AbstractPattern {

  /** The type id. */
  public static final String TYPE = "evaluator-optimizer";

  /** The agent type served. */
  public static final String AGENT_TYPE = "optimizer";

  /** Context attribute: the lowest quality bar acceptable. */
  public static final String MIN_QUALITY = "min_quality";

  private final String generator;
  private final String evaluator;
  private final String refiner;
  private final double qualityBar;
  private final int maxIterations;

  /**
   * @param name unique name
   * @param description what it optimizes
   * @param generator delegate name: payload to first candidate
   * @param evaluator delegate name: candidate to a quality in [0, 1]
   * @param refiner delegate name: candidate to a better candidate
   * @param qualityBar the quality to reach, in (0, 1]
   * @param maxIterations how many candidates to evaluate at most, at least 1
   */
  public EvaluatorOptimizerPattern(
      String name,
      String description,
      String generator,
      String evaluator,
      String refiner,
      double qualityBar,
      int maxIterations) {
    this(
        name, description, generator, evaluator, refiner, qualityBar, maxIterations, Prior.NEUTRAL);
  }

  /**
   * An evaluator-optimizer with a declared prior, which its definition keeps (how a kind carries
   * the prior a host declares: take it from the definition, give it to {@code AbstractPattern}, and
   * store it back with {@code withPrior}).
   *
   * @param name unique pattern name
   * @param description what it is for
   * @param generator the delegate that makes a first candidate
   * @param evaluator the delegate that scores a candidate in [0, 1]
   * @param refiner the delegate that improves a candidate
   * @param qualityBar the score to reach, in (0, 1]
   * @param maxIterations how many refinements at most, at least 1
   * @param prior what it is believed to do before any outcome
   */
  public EvaluatorOptimizerPattern(
      String name,
      String description,
      String generator,
      String evaluator,
      String refiner,
      double qualityBar,
      int maxIterations,
      Prior prior) {
    super(name, description, prior);
    this.generator = requireName("generator", generator);
    this.evaluator = requireName("evaluator", evaluator);
    this.refiner = requireName("refiner", refiner);
    if (!(qualityBar > 0 && qualityBar <= 1)) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT, "qualityBar of '%s' must be in (0, 1] but was %s", name, qualityBar));
    }
    if (maxIterations < 1) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "maxIterations of '%s' must be at least 1 but was %d",
              name,
              maxIterations));
    }
    this.qualityBar = qualityBar;
    this.maxIterations = maxIterations;
  }

  private String requireName(String role, @Nullable String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "the %s delegate name of '%s' must be non-blank but was %s",
              role,
              name(),
              value == null ? "null" : "'" + value + "'"));
    }
    return value;
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<String> typeAliases() {
    return Set.of("EvaluatorOptimizerPattern");
  }

  @Override
  public Set<String> agentTypes() {
    return Set.of(AGENT_TYPE);
  }

  @Override
  public MatchResult match(PatternContext context) {
    Optional<Object> min = context.attribute(MIN_QUALITY);
    if (min.isEmpty()) {
      return MatchResult.perfect();
    }
    if (!(min.get() instanceof Number n)) {
      return MatchResult.noMatch(MIN_QUALITY + " must be a number but was " + min.get());
    }
    return n.doubleValue() <= qualityBar
        ? MatchResult.perfect()
        : MatchResult.noMatch(
            String.format(Locale.ROOT, "quality bar %s is below the required %s", qualityBar, n));
  }

  @Override
  public PatternOutcome execute(PatternContext context, ExecutionScope scope) {
    Delegate generate = scope.delegates().require(generator, name());
    Delegate evaluate = scope.delegates().require(evaluator, name());
    Delegate refine = scope.delegates().require(refiner, name());
    String stage = generator;
    try {
      Object candidate = generate.execute(context.payload());
      double best = -1;
      for (int i = 1; ; i++) {
        stage = evaluator;
        double quality = quality(evaluate.execute(candidate));
        best = Math.max(best, quality);
        if (quality >= qualityBar) {
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("candidate", candidate);
          out.put("quality", quality);
          out.put("iterations", i);
          return PatternOutcome.success(
              java.util.Collections.unmodifiableMap(out),
              String.format(Locale.ROOT, "quality %.3f reached after %d iteration(s)", quality, i));
        }
        if (i == maxIterations) {
          return PatternOutcome.failure(
              String.format(
                  Locale.ROOT,
                  "quality %.3f below the bar %.3f after %d iteration(s)",
                  best,
                  qualityBar,
                  i),
              null);
        }
        if (scope.expired()) {
          return PatternOutcome.of(
              OutcomeStatus.TIMED_OUT,
              String.format(
                  Locale.ROOT, "deadline passed after %d iteration(s), best %.3f", i, best),
              null);
        }
        stage = refiner;
        candidate = refine.execute(candidate);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return PatternOutcome.of(OutcomeStatus.CANCELLED, "interrupted in '" + stage + "'", e);
    } catch (Exception e) {
      return PatternOutcome.failure(
          String.format(Locale.ROOT, "delegate '%s' failed: %s", stage, e.getMessage()), e);
    }
  }

  private double quality(@Nullable Object value) {
    if (value instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() <= 1) {
      return n.doubleValue();
    }
    throw new IllegalArgumentException(
        String.format(
            Locale.ROOT,
            "evaluator '%s' must return a number in [0, 1] but returned %s",
            evaluator,
            value));
  }

  @Override
  public PatternDefinition definition() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("generator", generator);
    p.put("evaluator", evaluator);
    p.put("refiner", refiner);
    p.put("qualityBar", qualityBar);
    p.put("maxIterations", maxIterations);
    return new PatternDefinition(TYPE, name(), description(), withPrior(p));
  }
}
