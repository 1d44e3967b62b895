package io.ndp.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.AbstractPattern;
import io.ndp.api.ExecutionScope;
import io.ndp.api.MatchResult;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternOutcome;
import io.ndp.api.Prior;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Review of 8465423 in the console: /api/patterns reads confidenceScore under each prior. */
class ConsoleRound2ReviewTest {

  /** A plugin-style pattern whose prior() answers null (breaking its contract). */
  static final class NullPrior extends AbstractPattern {
    NullPrior() {
      super("null-prior", "prior() answers null");
    }

    @Override
    public Prior prior() {
      return null;
    }

    @Override
    public String type() {
      return "nullprior";
    }

    @Override
    public Set<String> typeAliases() {
      return Set.of();
    }

    @Override
    public Set<String> agentTypes() {
      return Set.of("sequential");
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
      return new PatternDefinition("nullprior", name(), description(), Map.of());
    }
  }

  /**
   * The core runs a pattern whose prior() answers null under the neutral prior (the executor and
   * the registry say so: "neutral when ... its prior() breaks its contract (null or throws)").
   * Since confidenceScore() now reads score(prior()), it throws IllegalArgumentException for that
   * pattern, and the console's /api/patterns — every pattern's table — answers 500 for all of them
   * because of one plugin's pattern, where before 8465423 it answered 200.
   */
  @Test
  void apiPatterns_answersForEveryPattern_whenOnePatternsPriorIsNull() {
    try (ConsoleRuntime rt = new ConsoleRuntime()) {
      rt.run("good", "eu");
      NullPrior p = new NullPrior();
      rt.ndp.register(p);
      rt.ndp.executor().execute(p, PatternContext.builder("eu", "sequential").build());

      HttpResponse<String> r = rt.get("/api/patterns");

      assertThat(r.statusCode()).as("GET /api/patterns: %s", r.body()).isEqualTo(200);
    }
  }
}
