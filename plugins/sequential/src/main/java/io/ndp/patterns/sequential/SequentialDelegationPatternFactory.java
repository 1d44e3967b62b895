package io.ndp.patterns.sequential;

import io.ndp.api.Pattern;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternFactory;
import java.util.Locale;
import java.util.Set;
import org.pf4j.Extension;

/**
 * Builds {@link SequentialDelegationPattern}s from definitions of type {@value
 * SequentialDelegationPattern#TYPE}; the parameter {@value SequentialDelegationPattern#STEPS} holds
 * the step names.
 *
 * <p>Stateless and thread-safe.
 *
 * @since 0.1.0
 */
@Extension
public final class SequentialDelegationPatternFactory implements PatternFactory {

  /** Creates the factory; ServiceLoader and PF4J call this. */
  public SequentialDelegationPatternFactory() {}

  @Override
  public String type() {
    return SequentialDelegationPattern.TYPE;
  }

  @Override
  public Set<String> aliases() {
    return Set.of(SequentialDelegationPattern.ALIAS);
  }

  @Override
  public Pattern create(PatternDefinition definition) {
    definition.requireType(type());
    return new SequentialDelegationPattern(
        definition.name(),
        definition.description(),
        definition
            .stringList(SequentialDelegationPattern.STEPS)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        String.format(
                            Locale.ROOT,
                            "sequential pattern '%s' needs the parameter '%s'",
                            definition.name(),
                            SequentialDelegationPattern.STEPS))),
        definition.prior());
  }
}
