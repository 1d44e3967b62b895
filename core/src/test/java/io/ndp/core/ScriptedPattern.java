package io.ndp.core;

import io.ndp.api.AbstractPattern;
import io.ndp.api.ExecutionScope;
import io.ndp.api.MatchResult;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternOutcome;
import io.ndp.api.Prior;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** A test pattern whose match score and outcome the test decides; it runs the delegate "work". */
class ScriptedPattern extends AbstractPattern {
  final AtomicInteger runs = new AtomicInteger();
  private final String agentType;
  private final double score;
  private volatile Function<PatternContext, OutcomeStatus> script;
  private volatile Prior prior;

  ScriptedPattern(String name, String agentType, double score, OutcomeStatus always) {
    super(name, "scripted " + always);
    this.agentType = agentType;
    this.score = score;
    this.script = ctx -> always;
  }

  ScriptedPattern script(Function<PatternContext, OutcomeStatus> script) {
    this.script = script;
    return this;
  }

  /** Declares a prior, as a plugin would by overriding {@code prior()}. */
  ScriptedPattern prior(Prior prior) {
    this.prior = prior;
    return this;
  }

  @Override
  public Prior prior() {
    Prior p = prior;
    return p != null ? p : super.prior();
  }

  @Override
  public String type() {
    return "scripted";
  }

  @Override
  public Set<String> typeAliases() {
    return Set.of("ScriptedPattern");
  }

  @Override
  public Set<String> agentTypes() {
    return Set.of(agentType);
  }

  @Override
  public MatchResult match(PatternContext context) {
    return score == 0 ? MatchResult.noMatch("scripted to never match") : MatchResult.matches(score);
  }

  @Override
  public PatternOutcome execute(PatternContext context, ExecutionScope scope) {
    runs.incrementAndGet();
    Object out;
    try {
      out = scope.delegates().require("work", name()).execute(context.payload());
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      return PatternOutcome.failure("work failed: " + e.getMessage(), e);
    }
    OutcomeStatus status = script.apply(context);
    return status == OutcomeStatus.SUCCESS
        ? PatternOutcome.success(name() + ":" + out, "ok")
        : PatternOutcome.of(status, "scripted " + status, null);
  }

  @Override
  public PatternDefinition definition() {
    return new PatternDefinition(type(), name(), description(), Map.of("score", score));
  }
}
