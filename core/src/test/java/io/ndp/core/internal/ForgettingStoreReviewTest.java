package io.ndp.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.ConfidenceStats;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Review of the forgetting in-memory store (half-life in outcomes of the domain). */
class ForgettingStoreReviewTest {

  /**
   * {@code resetAll()} clears the counters first and the domain clocks second. An outcome recorded
   * in between lands in a fresh counter (it survives the reset) but takes its tick from the old
   * clock, which is then thrown away: the counter's tick stays far ahead of the restarted clock, so
   * every later outcome is an "earlier tick" weighed 2^-(old clock / h), i.e. nothing. After the
   * reset, 100 failures in a row must outweigh the successes recorded before them; with the bug the
   * failures weigh ~0 and the pattern keeps scoring as if it always succeeded.
   *
   * <p>The race is widened by a large pattern table (its clear() takes a while); it is retried up
   * to 50 times and reproduces within the first attempts in practice.
   */
  @Test
  void resetAllWhileOutcomesAreRecordedMustNotFreezeTheEvidenceOfLaterOutcomes() throws Exception {
    double h = 10;
    InMemoryConfidenceStore store = new InMemoryConfidenceStore(h);
    for (int attempt = 0; attempt < 50; attempt++) {
      for (int i = 0; i < 20_000; i++) {
        store.recordOutcome("filler" + i, "other", true);
      }
      for (int i = 0; i < 5_000; i++) {
        store.recordOutcome("warm", "eu", true); // the eu clock is now at 5,000
      }
      AtomicBoolean stop = new AtomicBoolean();
      Thread recorder =
          new Thread(
              () -> {
                while (!stop.get()) {
                  store.recordOutcome("p", "eu", true);
                }
              });
      recorder.start();
      while (store.stats("p", "eu").total() == 0) {
        Thread.onSpinWait();
      }
      store.resetAll();
      stop.set(true);
      recorder.join();

      // Everything below happens after the reset and after every success above.
      for (int i = 0; i < 100; i++) {
        store.recordOutcome("p", "eu", false);
      }
      ConfidenceStats s = store.stats("p", "eu");

      // The 100 most recent outcomes are failures: their weight is ~ the geometric series
      // (14.4 at h = 10); any older success weighs at most 2^-10 of its own weight.
      assertThat(s.effectiveFailures())
          .as("attempt %d: 100 failures recorded after resetAll, stats %s", attempt, s)
          .isGreaterThan(10.0);
      assertThat(s.score()).as("attempt %d: stats %s", attempt, s).isLessThan(0.2);
      store.resetAll();
    }
  }
}
