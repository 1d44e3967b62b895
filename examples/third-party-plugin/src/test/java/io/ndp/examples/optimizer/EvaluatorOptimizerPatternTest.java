package io.ndp.examples.optimizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.DelegateDirectory;
import io.ndp.api.ExecutionScope;
import io.ndp.api.MissingDelegateException;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternOutcome;
import io.ndp.api.PatternResult;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

class EvaluatorOptimizerPatternTest {

  private final DelegateDirectory delegates = new DelegateDirectory();
  private final EvaluatorOptimizerPattern pattern =
      new EvaluatorOptimizerPattern("halve", "", "gen", "eval", "refine", 0.9, 5);

  private final ExecutionScope scope =
      new ExecutionScope() {
        @Override
        public DelegateDirectory delegates() {
          return delegates;
        }

        @Override
        public Executor executor() {
          return Runnable::run;
        }

        @Override
        public Optional<Instant> deadline() {
          return Optional.empty();
        }

        @Override
        public int depth() {
          return 0;
        }

        @Override
        public PatternResult executeBestPattern(PatternContext nested) {
          throw new UnsupportedOperationException();
        }
      };

  void register() {
    // Candidate: an error value; quality = 1 - error; refining halves the error.
    delegates.register("gen", in -> (Double) in);
    delegates.register("eval", c -> 1.0 - (Double) c);
    delegates.register("refine", c -> (Double) c / 2);
  }

  @Test
  void refinesUntilTheBar() {
    register();
    PatternOutcome out =
        pattern.execute(PatternContext.builder("d", "optimizer").payload(0.4).build(), scope);

    assertThat(out.status()).isEqualTo(OutcomeStatus.SUCCESS);
    @SuppressWarnings("unchecked")
    Map<String, Object> result = (Map<String, Object>) out.output();
    assertThat(result).containsEntry("iterations", 3).containsEntry("candidate", 0.1);
    assertThat((Double) result.get("quality")).isEqualTo(0.9);
  }

  @Test
  void barNotReached_failsWithTheBestQuality() {
    register();
    var threeTries = new EvaluatorOptimizerPattern("short", "", "gen", "eval", "refine", 0.9, 3);
    PatternOutcome out =
        threeTries.execute(PatternContext.builder("d", "optimizer").payload(0.8).build(), scope);

    assertThat(out.status()).isEqualTo(OutcomeStatus.FAILED);
    assertThat(out.message()).contains("quality 0.800 below the bar 0.900 after 3 iteration(s)");
  }

  @Test
  void evaluatorOutOfRange_isNamed() {
    delegates.register("gen", in -> in);
    delegates.register("eval", c -> 7);
    delegates.register("refine", c -> c);
    PatternOutcome out = pattern.execute(PatternContext.builder("d", "optimizer").build(), scope);

    assertThat(out.message()).contains("delegate 'eval' failed").contains("returned 7");
  }

  @Test
  void missingDelegate_beforeAnythingRuns() {
    delegates.register(
        "gen",
        in -> {
          throw new AssertionError("must not run");
        });
    assertThatThrownBy(
            () -> pattern.execute(PatternContext.builder("d", "optimizer").build(), scope))
        .isInstanceOf(MissingDelegateException.class)
        .hasMessageContaining("'eval'");
  }

  @Test
  void minQuality_filtersPatternsWithALowerBar() {
    assertThat(
            pattern
                .match(new PatternContext("d", "optimizer", Map.of("min_quality", 0.95)))
                .isMatch())
        .isFalse();
    assertThat(
            pattern
                .match(new PatternContext("d", "optimizer", Map.of("min_quality", 0.5)))
                .isMatch())
        .isTrue();
  }

  @Test
  void definition_roundTripsThroughTheFactory() {
    assertThat(new EvaluatorOptimizerFactory().create(pattern.definition())).isEqualTo(pattern);
  }

  @Test
  void badSettings_areRejectedNamingThem() {
    assertThatThrownBy(() -> new EvaluatorOptimizerPattern("p", "", "g", "e", "r", 1.5, 3))
        .hasMessageContaining("qualityBar of 'p' must be in (0, 1] but was 1.5");
    assertThatThrownBy(() -> new EvaluatorOptimizerPattern("p", "", "g", " ", "r", 0.5, 3))
        .hasMessageContaining("evaluator delegate name of 'p'");
  }
}
