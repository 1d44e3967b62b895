package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A review found that a null among awaitIdle's names threw a NullPointerException from deep inside
 * while a one-candidate execution ran (its chosen set is immutable) and was answered while a
 * two-candidate one ran. Now it is refused up front, naming the input, whatever runs; and the
 * waiting itself still answers for the names given.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AwaitIdleNullNameTest {

  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void aNullNameIsRefusedWhateverRuns(int candidates) throws Exception {
    PatternRegistry registry = new PatternRegistry();
    CountDownLatch release = new CountDownLatch(1);
    for (int i = 0; i < candidates; i++) {
      registry.register(
          new ScriptedPattern("blocker" + i, "t", 1.0 - i * 0.1, OutcomeStatus.SUCCESS)
              .script(
                  c -> {
                    try {
                      release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                    return OutcomeStatus.SUCCESS;
                  }));
    }
    try (PatternExecutor executor = new PatternExecutor(registry)) {
      executor.delegates().register("work", in -> in); // the scripted patterns' step
      CompletableFuture<PatternResult> running =
          CompletableFuture.supplyAsync(
              () -> executor.executeBestPattern(new PatternContext("d", "t", Map.of())));
      await().atMost(Duration.ofSeconds(10)).until(() -> executor.inFlight("blocker0") == 1);
      try {
        assertThatThrownBy(
                () -> executor.awaitIdle(Arrays.asList("other", null), Duration.ofMillis(50)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("null pattern name among [other, null]");
        assertThat(executor.awaitIdle(List.of("other"), Duration.ofMillis(50))).isTrue();
        assertThat(executor.awaitIdle(List.of("blocker0"), Duration.ofMillis(50))).isFalse();
      } finally {
        release.countDown();
        assertThat(running.join().success()).isTrue();
      }
    }
  }
}
