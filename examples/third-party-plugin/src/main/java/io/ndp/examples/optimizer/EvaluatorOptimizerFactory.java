package io.ndp.examples.optimizer;

import io.ndp.api.Pattern;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternFactory;
import java.util.Locale;
import java.util.Set;
import org.pf4j.Extension;

/**
 * Builds {@link EvaluatorOptimizerPattern}s from definitions with the parameters {@code generator},
 * {@code evaluator}, {@code refiner} (delegate names), {@code qualityBar} and {@code
 * maxIterations}. Stateless and thread-safe.
 */
@Extension
public final class EvaluatorOptimizerFactory implements PatternFactory {

  /** Called by ServiceLoader and PF4J. */
  public EvaluatorOptimizerFactory() {}

  @Override
  public String type() {
    return EvaluatorOptimizerPattern.TYPE;
  }

  @Override
  public Set<String> aliases() {
    return Set.of("EvaluatorOptimizerPattern");
  }

  @Override
  public Pattern create(PatternDefinition d) {
    d.requireType(type());
    return new EvaluatorOptimizerPattern(
        d.name(),
        d.description(),
        string(d, "generator"),
        string(d, "evaluator"),
        string(d, "refiner"),
        number(d, "qualityBar").doubleValue(),
        number(d, "maxIterations").intValue(),
        d.prior());
  }

  private static String string(PatternDefinition d, String key) {
    if (d.parameters().get(key) instanceof String s) {
      return s;
    }
    throw new IllegalArgumentException(
        String.format(
            Locale.ROOT,
            "parameter '%s' of pattern '%s' must be a string but was %s",
            key,
            d.name(),
            d.parameters().get(key)));
  }

  private static Number number(PatternDefinition d, String key) {
    if (d.parameters().get(key) instanceof Number n) {
      return n;
    }
    throw new IllegalArgumentException(
        String.format(
            Locale.ROOT,
            "parameter '%s' of pattern '%s' must be a number but was %s",
            key,
            d.name(),
            d.parameters().get(key)));
  }
}
