package io.ndp.benchmarks.plugintemplate;

import io.ndp.api.Pattern;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternFactory;
import java.util.Set;

/**
 * Builds {@link KindPattern}s; the factory every plugin JAR of the plugin start benchmark lists in
 * {@code META-INF/services/io.ndp.api.PatternFactory}, renamed into that plugin's package.
 *
 * <p>Stateless and thread-safe.
 */
public final class KindFactory implements PatternFactory {

  /** Creates the factory; PF4J calls this. */
  public KindFactory() {}

  @Override
  public String type() {
    return KindPattern.TYPE;
  }

  @Override
  public Set<String> aliases() {
    return Set.of();
  }

  @Override
  public Pattern create(PatternDefinition definition) {
    definition.requireType(type());
    return new KindPattern(definition.name(), definition.description());
  }
}
