package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class PerformanceMeasurementTest {

  private final PerformanceMeasurement perf = new PerformanceMeasurement();

  @Test
  void measure_returnsTheResultAndCountsIt() {
    assertThat(perf.measure("op", () -> 42)).isEqualTo(42);
    perf.measure("op", () -> {});

    PerformanceStats s = perf.stats("op");
    assertThat(s.count()).isEqualTo(2);
    assertThat(s.errors()).isZero();
    assertThat(s.max()).isGreaterThanOrEqualTo(s.p99());
    assertThat(s.p99()).isGreaterThanOrEqualTo(s.p95());
    assertThat(s.p95()).isGreaterThanOrEqualTo(s.p50());
  }

  @Test
  void percentiles_reflectTheRecordedLatencies() throws Exception {
    // 99 fast calls and one that waits ~20 ms: p50 is small, max is at least 20 ms.
    for (int i = 0; i < 99; i++) {
      perf.measure("op", () -> {});
    }
    CountDownLatch never = new CountDownLatch(1);
    perf.measure(
        "op",
        () -> {
          try {
            never.await(20, TimeUnit.MILLISECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });

    PerformanceStats s = perf.stats("op");
    assertThat(s.count()).isEqualTo(100);
    assertThat(s.max()).isGreaterThanOrEqualTo(Duration.ofMillis(19));
    assertThat(s.p50()).isLessThan(Duration.ofMillis(10));
    assertThat(s.mean()).isGreaterThan(s.p50());
  }

  @Test
  void failingCall_isMeasuredAsAnError_andRethrown() {
    assertThatThrownBy(
            () ->
                perf.measure(
                    "op",
                    () -> {
                      throw new IllegalStateException("boom");
                    }))
        .hasMessage("boom");
    assertThat(perf.stats("op").errors()).isEqualTo(1);
    assertThat(perf.stats("op").count()).isEqualTo(1);
  }

  @Test
  void wrap_measuresEveryCall() {
    Function<String, Integer> length = perf.wrap("length", String::length);
    assertThat(perf.stats("length").count()).isZero();

    assertThat(length.apply("abc")).isEqualTo(3);
    assertThat(length.apply("ab")).isEqualTo(2);
    assertThat(perf.stats("length").count()).isEqualTo(2);
  }

  @Test
  void printStats_writesOneLineWithThePercentiles() {
    perf.measure("pattern_execution", () -> {});
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    perf.printStats("pattern_execution", new PrintStream(buf, true, StandardCharsets.UTF_8));

    assertThat(buf.toString(StandardCharsets.UTF_8))
        .startsWith("pattern_execution: count=1 errors=0 mean=")
        .contains("p50=")
        .contains("p95=")
        .contains("p99=")
        .contains("max=");
  }

  @Test
  void unknownName_isRejectedListingTheKnownOnes() {
    perf.measure("known", () -> {});
    assertThatThrownBy(() -> perf.stats("unknown"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'unknown'")
        .hasMessageContaining("[known]");
  }

  @Test
  void concurrentMeasurements_countExactly() throws Exception {
    int threads = 8;
    int perThread = 5_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    for (int t = 0; t < threads; t++) {
      pool.execute(
          () -> {
            for (int i = 0; i < perThread; i++) {
              perf.measure("op", () -> {});
            }
          });
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

    assertThat(perf.stats("op").count()).isEqualTo((long) threads * perThread);
  }

  /**
   * 8 threads measure calls, a third of them failing, while another thread takes snapshots: every
   * snapshot has no more errors than calls and never shrinks; at the end the counts are exact.
   */
  @Test
  void snapshotsUnderLoad_areConsistent_andTheEndCountsExact() throws Exception {
    PerformanceMeasurement perf = new PerformanceMeasurement();
    int threads = 8;
    int perThread = 20_000;
    java.util.concurrent.atomic.AtomicBoolean done =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.List<String> broken = new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              long lastCount = 0;
              while (!done.get()) {
                try {
                  PerformanceStats st = perf.stats("op");
                  if (st.errors() > st.count() || st.count() < lastCount) {
                    broken.add(st.toString());
                  }
                  lastCount = st.count();
                } catch (IllegalArgumentException notYet) {
                  // before the first call
                }
              }
            });
    reader.start();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    for (int t = 0; t < threads; t++) {
      pool.submit(
          () -> {
            for (int i = 0; i < perThread; i++) {
              boolean fail = i % 3 == 0;
              try {
                perf.measure(
                    "op",
                    () -> {
                      if (fail) {
                        throw new IllegalStateException("x");
                      }
                      return null;
                    });
              } catch (IllegalStateException expected) {
                // counted as an error
              }
            }
          });
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    done.set(true);
    reader.join(10_000);

    assertThat(broken).isEmpty();
    PerformanceStats end = perf.stats("op");
    assertThat(end.count()).isEqualTo((long) threads * perThread);
    assertThat(end.errors()).isEqualTo((long) threads * ((perThread + 2) / 3));
  }

  @Test
  void resetDuringAMeasuredCall_neitherLosesItNorBreaksStats() throws Exception {
    PerformanceMeasurement perf = new PerformanceMeasurement();
    perf.measure("r", () -> "before");
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    Thread call =
        new Thread(
            () ->
                perf.measure(
                    "r",
                    () -> {
                      inside.countDown();
                      try {
                        return finish.await(10, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                      }
                    }));
    call.start();
    assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

    perf.reset("r");
    assertThat(perf.stats("r").count()).isZero();
    finish.countDown();
    call.join(10_000);

    assertThat(perf.stats("r").count()).isEqualTo(1);
    assertThat(perf.stats("r").errors()).isZero();
  }
}
