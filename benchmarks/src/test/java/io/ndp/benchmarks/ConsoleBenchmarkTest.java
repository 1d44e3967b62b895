package io.ndp.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.PatternResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every mode of the console benchmark runs the three steps of the baseline workload; the feed modes
 * record each execution, the stream mode carries it over a real connection, and its tear-down
 * refuses a run whose stream carried nothing.
 */
class ConsoleBenchmarkTest {

  private static ConsoleBenchmark open(String mode) throws Exception {
    ConsoleBenchmark b = new ConsoleBenchmark();
    b.mode = mode;
    b.setUp();
    return b;
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "feed", "stream"})
  void everyModeRunsTheThreeStepsAndTearsDownClean(String mode) throws Exception {
    ConsoleBenchmark b = open(mode);
    long seenBefore = b.feed() == null ? 0 : b.feed().executionsSeen();
    for (int i = 0; i < 50; i++) {
      PatternResult r = b.run();
      assertThat(r.success()).as(r.message()).isTrue();
      assertThat(r.message()).contains("ran 3 steps: validate -> hash -> store");
    }
    if (mode.equals("none")) {
      assertThat(b.feed()).isNull();
    } else {
      assertThat(b.feed().executionsSeen()).isEqualTo(seenBefore + 50);
    }
    if (mode.equals("stream")) {
      assertThat(b.reader().isOpen()).isTrue();
    } else {
      assertThat(b.reader()).isNull();
    }
    b.tearDown();
    if (mode.equals("stream")) {
      assertThat(b.reader().events()).isGreaterThan(1);
      assertThat(b.reader().isOpen()).isFalse();
    }
  }

  @Test
  void streamTearDownFailsWhenNoEventArrivedAfterTheSetUp() throws Exception {
    ConsoleBenchmark b = open("stream");
    b.eventWait = Duration.ofMillis(200);
    assertThatThrownBy(b::tearDown)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the console feed heard no execution after the set-up")
        .hasMessageContaining("the event stream received no execution event after the set-up");
    assertThat(b.reader().isOpen()).isFalse();
  }

  @Test
  void streamTearDownFailsWhenTheStreamEndedEarly() throws Exception {
    ConsoleBenchmark b = open("stream");
    b.eventWait = Duration.ofMillis(200);
    b.reader().close();
    b.run();
    assertThatThrownBy(b::tearDown)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the event stream ended before the tear-down");
  }

  @Test
  void readerCountsExecutionEventsSplitAnywhereBetweenReads() {
    String stream =
        ": connected\n\nevent: execution-finished\ndata: {\"event\":\"e\"}\n\n"
            + "event: breaker-changed\ndata: {}\n\neevent: execution-finished\ndata: {}\n\n"
            + "event: execution-finishe\nevent: execution-finished\n";
    byte[] bytes = stream.getBytes(StandardCharsets.US_ASCII);
    for (int cut = 0; cut <= bytes.length; cut++) {
      ConsoleBenchmark.LineMatcher m = new ConsoleBenchmark.LineMatcher();
      long found =
          m.count(Arrays.copyOfRange(bytes, 0, cut), cut)
              + m.count(Arrays.copyOfRange(bytes, cut, bytes.length), bytes.length - cut);
      assertThat(found).as("cut at %d", cut).isEqualTo(3);
    }
  }
}
