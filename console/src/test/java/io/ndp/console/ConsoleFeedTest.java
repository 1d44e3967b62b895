package io.ndp.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.Attempt;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.api.event.ExecutionFinishedEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.Callback;
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
  void anOpenStream_neverMakesTheCallerFormatOrWait_andAFullOutboxDrops() throws Exception {
    ConsoleFeed feed = NdpConsole.feed(8);
    CountDownLatch formatting = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Set<String> formatters = ConcurrentHashMap.newKeySet();
    feed.attach(
        (type, event) -> {
          formatters.add(Thread.currentThread().getName());
          formatting.countDown();
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return "event: " + type + "\n\n";
        });
    // A stream that is open as far as the feed knows (closed on the wire, so it writes nothing).
    EventClient client = new EventClient(8, feed.droppedCounter(), null, Callback.NOOP, c -> {});
    client.close();
    feed.addClient(client);
    try {
      feed.onExecutionFinished(finished("eu"));
      assertThat(formatting.await(10, TimeUnit.SECONDS)).isTrue();
      // The formatter is stuck: the caller still returns, queueing up to the bound, then dropping.
      for (int i = 0; i < ConsoleFeed.OUTBOX + 100; i++) {
        feed.onExecutionFinished(finished("eu"));
      }
      assertThat(feed.droppedEvents()).isEqualTo(100);
      assertThat(feed.executionsSeen()).isEqualTo(ConsoleFeed.OUTBOX + 101L);
      assertThat(formatters).containsExactly("ndp-console-events");
    } finally {
      release.countDown();
      feed.attach(null);
    }
    assertThat(feed.dispatching()).isFalse();
  }

  private static ExecutionFinishedEvent attempted(String domain, String... patterns) {
    List<Attempt> attempts = new java.util.ArrayList<>();
    for (String p : patterns) {
      attempts.add(new Attempt(p, false, OutcomeStatus.FAILED, "no", null, Duration.ofMillis(2)));
    }
    attempts.add(
        new Attempt(
            "skipped",
            false,
            OutcomeStatus.FAILED,
            "open",
            null,
            Duration.ZERO,
            Attempt.Kind.SKIPPED));
    return new ExecutionFinishedEvent(
        PatternContext.builder(domain, "sequential").build(),
        new PatternResult(false, "no", null, null, attempts, Map.of(), Duration.ZERO),
        0);
  }

  @Test
  void cells_keepTheNewestOutcomesPerPatternAndDomain_underManyWriters() throws Exception {
    ConsoleFeed feed = NdpConsole.feed(8);
    int threads = 8;
    int each = 2_000;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    for (int t = 0; t < threads; t++) {
      String domain = "d" + (t % 2);
      pool.submit(
          () -> {
            go.await();
            for (int i = 0; i < each; i++) {
              feed.onExecutionFinished(attempted(domain, "a", "b"));
            }
            return null;
          });
    }
    go.countDown();
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

    assertThat(feed.cells()).containsOnlyKeys("a", "b"); // a skipped attempt is no outcome
    for (String p : List.of("a", "b")) {
      for (String d : List.of("d0", "d1")) {
        ConsoleFeed.CellTrack t = feed.cell(p, d).orElseThrow();
        assertThat(t.outcomes()).hasSize(ConsoleFeed.CELL_OUTCOMES);
        assertThat(t.outcomes()).allMatch(o -> o.status().equals("FAILED"));
        assertThat(t.takeDirty()).isTrue();
        assertThat(t.takeDirty()).isFalse();
      }
    }
    assertThat(feed.untrackedOutcomes()).isZero();
  }

  @Test
  void cells_areBounded_soHostileDomainNamesCannotExhaustMemory() {
    ConsoleFeed feed = NdpConsole.feed(8);
    int extra = 500;
    for (int i = 0; i < ConsoleFeed.MAX_CELLS + extra; i++) {
      feed.onExecutionFinished(attempted("domain-" + i, "a"));
    }
    long followed = feed.cells().values().stream().mapToLong(Map::size).sum();
    assertThat(followed).isEqualTo(ConsoleFeed.MAX_CELLS);
    assertThat(feed.untrackedOutcomes()).isEqualTo(extra);
    // A followed cell still records.
    feed.onExecutionFinished(attempted("domain-0", "a"));
    assertThat(feed.cell("a", "domain-0").orElseThrow().outcomes()).hasSize(2);
  }

  @Test
  void sizeBelowOne_isRefusedNamingTheValue() {
    assertThatThrownBy(() -> NdpConsole.feed(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("recentDecisions must be at least 1 but was 0");
  }
}
