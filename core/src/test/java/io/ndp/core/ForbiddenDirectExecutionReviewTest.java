package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.ConfidenceStats;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Review: {@link Pins} promises "A forbidden pattern is never tried in its domain, not even as the
 * last candidate; configured fallback patterns are the host's own choice and are not affected", and
 * the FORBIDDEN verdict says "never tried". Only fallbacks are exempted, yet {@link
 * PatternExecutor#execute(io.ndp.api.Pattern, PatternContext)} runs a pattern forbidden in the
 * context's domain, and records its outcome into the statistics of that domain.
 */
class ForbiddenDirectExecutionReviewTest {

  @Test
  void executeOfAPatternForbiddenInTheDomain_doesNotRunIt() {
    PatternRegistry registry = new PatternRegistry();
    ScriptedPattern banned = new ScriptedPattern("banned", "t", 1.0, OutcomeStatus.SUCCESS);
    registry.register(banned);
    registry.pins().forbid("orders", "banned");

    PatternResult r;
    try (PatternExecutor executor = PatternExecutor.builder(registry).build()) {
      executor.delegates().register("work", in -> in);
      r = executor.execute(banned, new PatternContext("orders", "t", Map.of()));
    }

    ConfidenceStats stats = registry.statistics("banned", "orders");
    assertThat(banned.runs.get())
        .as(
            "runs of a pattern forbidden in 'orders' after execute(banned, orders): %s; stats %s",
            r.message(), stats)
        .isZero();
    assertThat(r.success()).isFalse();
    assertThat(stats.total()).isZero();
  }
}
