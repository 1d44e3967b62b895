package io.ndp.simulator;

import io.ndp.api.AbstractPattern;
import io.ndp.api.ExecutionScope;
import io.ndp.api.MatchResult;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternOutcome;
import java.util.Map;
import java.util.Set;

/**
 * A pattern whose outcome is drawn from the scenario's true success rate for it, in the context's
 * domain, at the current run. It stands for a pattern's real work, which the simulator replaces by
 * a known distribution; everything else (selection, recording, learning) is the runtime's own.
 */
final class SimulatedPattern extends AbstractPattern {

  /** The agent type the simulated patterns serve. */
  static final String AGENT_TYPE = "simulated";

  private final int index;
  private final Simulation.World world;

  SimulatedPattern(int index, Simulation.World world) {
    super("p" + index, "simulated pattern " + index);
    this.index = index;
    this.world = world;
  }

  @Override
  public String type() {
    return "simulated";
  }

  @Override
  public Set<String> typeAliases() {
    return Set.of();
  }

  @Override
  public Set<String> agentTypes() {
    return Set.of(AGENT_TYPE);
  }

  @Override
  public MatchResult match(PatternContext context) {
    return MatchResult.perfect();
  }

  @Override
  public PatternOutcome execute(PatternContext context, ExecutionScope scope) {
    boolean success = world.draw(index, context.domain());
    return success
        ? PatternOutcome.success(name(), "drawn: success")
        : PatternOutcome.of(OutcomeStatus.FAILED, "drawn: failure", null);
  }

  @Override
  public PatternDefinition definition() {
    return new PatternDefinition(type(), name(), description(), Map.of("index", index));
  }
}
