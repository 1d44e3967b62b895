package io.ndp.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.ndp.api.AbstractPattern;
import io.ndp.api.ExecutionScope;
import io.ndp.api.MatchResult;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternOutcome;
import io.ndp.api.Prior;
import io.ndp.core.Ndp;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Review of 8465423 in the starter: the Actuator endpoint under a pattern's declared prior. */
class StarterRound2ReviewTest {

  /** A plugin-style pattern whose prior() throws (a plugin bug). */
  static final class ThrowingPrior extends AbstractPattern {
    ThrowingPrior() {
      super("broken-prior", "prior() throws");
    }

    @Override
    public Prior prior() {
      throw new IllegalStateException("plugin bug in prior()");
    }

    @Override
    public String type() {
      return "throwing";
    }

    @Override
    public Set<String> typeAliases() {
      return Set.of();
    }

    @Override
    public Set<String> agentTypes() {
      return Set.of("t");
    }

    @Override
    public MatchResult match(PatternContext context) {
      return MatchResult.perfect();
    }

    @Override
    public PatternOutcome execute(PatternContext context, ExecutionScope scope) {
      return PatternOutcome.success("ok", "ok");
    }

    @Override
    public PatternDefinition definition() {
      return new PatternDefinition("throwing", name(), description(), Map.of());
    }
  }

  /**
   * The core judges a pattern whose prior() throws by the neutral prior: the executor selects and
   * runs it (PatternExecutor.priorOf), the registry's crossings and bands read Prior.NEUTRAL
   * (PatternRegistry.priorOf). NdpEndpoint.report() calls p.prior() itself, unguarded, so one such
   * pattern makes the whole /actuator/ndp report throw once it has an outcome.
   */
  @Test
  void actuatorReport_survivesAPatternWhosePriorThrows() {
    try (Ndp ndp = Ndp.builder().serviceLoader(false).build()) {
      ndp.registry().register(new ThrowingPrior());
      var r = ndp.executor().executeBestPattern(PatternContext.builder("eu", "t").build());
      assertThat(r.success()).as(r.message()).isTrue();

      NdpEndpoint endpoint = new NdpEndpoint(ndp, new RecentDecisions(3, Clock.systemUTC()));

      assertThatCode(endpoint::report)
          .as("the report of every pattern, read under the neutral prior for the broken one")
          .doesNotThrowAnyException();
    }
  }
}
