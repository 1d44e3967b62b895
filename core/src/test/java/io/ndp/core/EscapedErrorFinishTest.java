package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.event.ExecutionFinishedEvent;
import io.ndp.api.event.ExecutionStartedEvent;
import io.ndp.api.event.NdpListener;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Every start has its finish, also when an Error the executor does not absorb escapes. */
class EscapedErrorFinishTest {

  @Test
  void anErrorThatEscapes_stillSendsTheFinish_andReachesTheCaller() {
    List<String> seen = new CopyOnWriteArrayList<>();
    NdpListener listener =
        new NdpListener() {
          @Override
          public void onExecutionStarted(ExecutionStartedEvent e) {
            seen.add("start " + e.depth());
          }

          @Override
          public void onAttemptStarted(io.ndp.api.event.AttemptStartedEvent e) {
            seen.add("attempt " + e.patternName());
          }

          @Override
          public void onAttemptFinished(io.ndp.api.event.AttemptFinishedEvent e) {
            seen.add("attempt finished " + e.attempt().status() + " " + e.attempt().message());
          }

          @Override
          public void onExecutionFinished(ExecutionFinishedEvent e) {
            seen.add(
                "finish " + e.depth() + " " + e.result().success() + " " + e.result().message());
          }
        };
    PatternRegistry registry = new PatternRegistry();
    registry.register(
        new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS)
            .script(
                c -> {
                  throw new InternalError("the JVM's own failure");
                }));
    try (PatternExecutor e = PatternExecutor.builder(registry).listener(listener).build()) {
      e.delegates().register("work", in -> in);
      Throwable t =
          catchThrowable(() -> e.executeBestPattern(new PatternContext("d", "t", Map.of())));
      assertThat(t).isInstanceOf(InternalError.class);
      assertThat(seen)
          .containsExactly(
              "start 0",
              "attempt p",
              "attempt finished FAILED ended by java.lang.InternalError: the JVM's own failure",
              "finish 0 false ended by java.lang.InternalError: the JVM's own failure");
      assertThat(e.inFlight("p")).isZero();
    }
  }
}
