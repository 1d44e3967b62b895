package io.ndp.patterns.sequential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.DelegateDirectory;
import io.ndp.api.MissingDelegateException;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternOutcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class SequentialDelegationPatternTest {

  private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  private final DelegateDirectory delegates = new DelegateDirectory();
  private final SequentialDelegationPattern flow =
      new SequentialDelegationPattern(
          "validation_flow",
          "Sequential validation workflow",
          List.of("validate", "process", "store"));

  SequentialDelegationPatternTest() {
    delegates.register("validate", in -> record("validate", ((String) in).trim()));
    delegates.register("process", in -> record("process", ((String) in).toUpperCase(Locale.ROOT)));
    delegates.register("store", in -> record("store", "stored:" + in));
  }

  private Object record(String step, Object out) {
    calls.add(step);
    return out;
  }

  private PatternOutcome run(PatternContext ctx) {
    return flow.execute(ctx, new TestScope(delegates, null));
  }

  @Test
  void noRequiredSteps_runsAllStepsInOrderPassingOutputs() {
    PatternOutcome out =
        run(PatternContext.builder("orders", "sequential").payload("  order-1 ").build());

    assertThat(out.status()).isEqualTo(OutcomeStatus.SUCCESS);
    assertThat(out.output()).isEqualTo("stored:ORDER-1");
    assertThat(calls).containsExactly("validate", "process", "store");
  }

  @Test
  void requiredSteps_runOnlyThoseInThePatternsOrder() {
    PatternOutcome out =
        run(
            PatternContext.builder("orders", "sequential")
                .requiredSteps("store", "validate")
                .payload(" x ")
                .build());

    assertThat(out.output()).isEqualTo("stored:x");
    assertThat(calls).containsExactly("validate", "store");
  }

  @Test
  void failingStep_stopsTheRunAndIsNamed() {
    delegates.replace(
        "process",
        in -> {
          throw new IllegalStateException("malformed record");
        });

    PatternOutcome out = run(PatternContext.builder("orders", "sequential").payload("x").build());

    assertThat(out.status()).isEqualTo(OutcomeStatus.FAILED);
    assertThat(out.message()).contains("step 'process' (2 of 3) failed: malformed record");
    assertThat(out.cause()).isInstanceOf(IllegalStateException.class);
    assertThat(calls).containsExactly("validate");
  }

  @Test
  void missingDelegate_isFoundBeforeAnyStepRuns() {
    delegates.unregister("store");

    assertThatThrownBy(
            () -> run(PatternContext.builder("orders", "sequential").payload("x").build()))
        .isInstanceOf(MissingDelegateException.class)
        .hasMessageContaining("'store'")
        .hasMessageContaining("'validation_flow'");
    assertThat(calls).isEmpty();
  }

  @Test
  void passedDeadline_stopsBeforeTheNextStep() {
    PatternOutcome out =
        flow.execute(
            PatternContext.builder("orders", "sequential").payload("x").build(),
            new TestScope(delegates, Instant.now().minusSeconds(1)));

    assertThat(out.status()).isEqualTo(OutcomeStatus.TIMED_OUT);
    assertThat(out.message()).contains("before step 'validate'");
    assertThat(calls).isEmpty();
  }

  @Test
  void match_lackingAStep_saysWhichOne() {
    var ctx =
        new PatternContext(
            "d", "sequential", Map.of("required_steps", List.of("validate", "audit")));
    var match = flow.match(ctx);

    assertThat(match.isMatch()).isFalse();
    assertThat(match.reason()).contains("[audit]");
  }

  @Test
  void match_prefersPatternsCloseToTheRequirement() {
    var narrow = new SequentialDelegationPattern("narrow", "", List.of("validate", "store"));
    var ctx =
        new PatternContext(
            "d", "sequential", Map.of("required_steps", List.of("validate", "store")));

    assertThat(narrow.match(ctx).score()).isEqualTo(1.0);
    assertThat(flow.match(ctx).score()).isLessThan(1.0).isGreaterThan(0.5);
    assertThat(flow.match(new PatternContext("d", "sequential", Map.of())).score()).isEqualTo(1.0);
  }

  @Test
  void ignoresTheOtherKindsKeys() {
    var ctx =
        new PatternContext(
            "d",
            "sequential",
            Map.of(
                "required_steps", List.of("validate"),
                "required_resources", List.of("cpu"),
                "required_domains", List.of("auth")));
    assertThat(flow.match(ctx).isMatch()).isTrue();
  }

  @Test
  void invalidSteps_areRejectedNamingTheValue() {
    assertThatThrownBy(() -> new SequentialDelegationPattern("p", "", List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'p' needs at least one step");
    assertThatThrownBy(() -> new SequentialDelegationPattern("p", "", Arrays.asList("a", null)))
        .hasMessageContaining(
            "step 1 of sequential pattern 'p' must be a non-blank name but was null");
    assertThatThrownBy(() -> new SequentialDelegationPattern("p", "", List.of("a", "a")))
        .hasMessageContaining("lists step 'a' twice");
    assertThatThrownBy(() -> new SequentialDelegationPattern(" ", "", List.of("a")))
        .hasMessageContaining("pattern name must be non-blank");
  }

  @Test
  void definition_roundTripsThroughTheFactory() {
    var factory = new SequentialDelegationPatternFactory();
    var copy = factory.create(flow.definition());

    assertThat(copy).isEqualTo(flow).isNotSameAs(flow);
    assertThat(((SequentialDelegationPattern) copy).steps()).isEqualTo(flow.steps());
    assertThat(factory.aliases()).containsExactly("SequentialDelegationPattern");
  }

  @Test
  void factory_rejectsAnotherType() {
    var def = new io.ndp.api.PatternDefinition("parallel", "x", "", Map.of());
    assertThatThrownBy(() -> new SequentialDelegationPatternFactory().create(def))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'x' of type 'parallel'");
  }

  @Test
  void factory_isFoundByServiceLoader() throws Exception {
    assertThat(ServiceLoader.load(io.ndp.api.PatternFactory.class))
        .anySatisfy(f -> assertThat(f).isInstanceOf(SequentialDelegationPatternFactory.class));
    Path services = Path.of("target/classes/META-INF/services/io.ndp.api.PatternFactory");
    assertThat(Files.readString(services, StandardCharsets.UTF_8))
        .contains(SequentialDelegationPatternFactory.class.getName());
  }
}
