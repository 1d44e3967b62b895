package io.ndp.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.api.event.ExecutionFinishedEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The feed's ring under many writers: bounded, newest first, nothing torn. */
class ConsoleFeedTest {

  private static ExecutionFinishedEvent finished(String domain) {
    return new ExecutionFinishedEvent(
        PatternContext.builder(domain, "sequential").build(),
        new PatternResult(true, "ok", "p", null, List.of(), Map.of(), Duration.ZERO),
        0);
  }

  @Test
  void manyWriters_leaveExactlyTheNewestCapacityRecords() throws Exception {
    ConsoleFeed feed = NdpConsole.feed(64);
    int threads = 8;
    int each = 5_000;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    for (int t = 0; t < threads; t++) {
      String domain = "d" + t;
      pool.submit(
          () -> {
            go.await();
            for (int i = 0; i < each; i++) {
              feed.onExecutionFinished(finished(domain));
            }
            return null;
          });
    }
    go.countDown();
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

    List<ConsoleFeed.Recorded> recent = feed.recent();
    assertThat(feed.executionsSeen()).isEqualTo((long) threads * each);
    assertThat(recent).hasSize(64);
    for (int i = 0; i < recent.size(); i++) {
      assertThat(recent.get(i).sequence()).isEqualTo((long) threads * each - 1 - i);
    }
  }

  @Test
  void aFeedWithoutStreams_formatsNothing() {
    ConsoleFeed feed = NdpConsole.feed(2);
    feed.attach(
        (type, event) -> {
          throw new AssertionError("formatted with no stream open");
        });
    feed.onExecutionFinished(finished("eu"));
    assertThat(feed.recent()).hasSize(1);
  }

  @Test
  void sizeBelowOne_isRefusedNamingTheValue() {
    assertThatThrownBy(() -> NdpConsole.feed(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("recentDecisions must be at least 1 but was 0");
  }
}
