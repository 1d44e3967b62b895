package io.ndp.opentelemetry;

import io.ndp.api.AbstractPattern;
import io.ndp.api.ExecutionScope;
import io.ndp.api.MatchResult;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternOutcome;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/** A test pattern of its own agent type whose run the test scripts, e.g. one that throws. */
final class ScriptPattern extends AbstractPattern {
  private final String agentType;
  private final BiFunction<PatternContext, ExecutionScope, PatternOutcome> run;

  ScriptPattern(
      String name,
      String agentType,
      BiFunction<PatternContext, ExecutionScope, PatternOutcome> run) {
    super(name, "scripted");
    this.agentType = agentType;
    this.run = run;
  }

  @Override
  public String type() {
    return "script";
  }

  @Override
  public Set<String> typeAliases() {
    return Set.of();
  }

  @Override
  public Set<String> agentTypes() {
    return Set.of(agentType);
  }

  @Override
  public MatchResult match(PatternContext context) {
    return MatchResult.perfect();
  }

  @Override
  public PatternOutcome execute(PatternContext context, ExecutionScope scope) {
    return run.apply(context, scope);
  }

  @Override
  public PatternDefinition definition() {
    return new PatternDefinition(type(), name(), description(), Map.of("agentType", agentType));
  }
}
