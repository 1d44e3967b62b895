package io.ndp.benchmarks.plugintemplate;

import io.ndp.api.AbstractPattern;
import io.ndp.api.ExecutionScope;
import io.ndp.api.MatchResult;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternOutcome;
import java.util.Map;
import java.util.Set;

/**
 * The pattern of the template kind: its run returns the payload. The plugin start benchmark copies
 * this class into every plugin JAR it generates, renamed into the plugin's own package and with the
 * plugin's own type id, so that each plugin ships a kind of its own, as a small third-party kind
 * would. Never registered from the class path.
 *
 * <p>Immutable and thread-safe.
 */
public final class KindPattern extends AbstractPattern {

  /** The type id; each generated plugin's copy carries its own in place of this one. */
  public static final String TYPE = "ndp-benchmarks-template-kind";

  /**
   * @param name the pattern name
   * @param description what it is for
   */
  public KindPattern(String name, String description) {
    super(name, description);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<String> typeAliases() {
    return Set.of();
  }

  @Override
  public Set<String> agentTypes() {
    return Set.of(TYPE);
  }

  @Override
  public MatchResult match(PatternContext context) {
    return MatchResult.perfect();
  }

  @Override
  public PatternOutcome execute(PatternContext context, ExecutionScope scope) {
    return PatternOutcome.success(context.payload(), "echoed by " + TYPE);
  }

  @Override
  public PatternDefinition definition() {
    return new PatternDefinition(TYPE, name(), description(), Map.of());
  }
}
