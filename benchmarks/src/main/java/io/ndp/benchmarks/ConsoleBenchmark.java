package io.ndp.benchmarks;

import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.console.ConsoleFeed;
import io.ndp.console.NdpConsole;
import io.ndp.core.Ndp;
import io.ndp.core.PatternExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The console's cost on the hot path: {@code executeBestPattern} of the 3-step sequential pattern
 * of {@link ExecuteBestPatternBenchmark} (one candidate, {@link Workload}) on a runtime without a
 * console ({@code mode=none}, the baseline); with a {@link ConsoleFeed} registered as its listener
 * and a console started on a free loopback port but no page or stream open ({@code feed}: every
 * execution is recorded into the feed's ring, nothing is formatted); and with, in addition, one
 * open {@code GET /api/events} stream ({@code stream}): a real HTTP connection read continuously by
 * a background thread that discards what it reads. In {@code stream} every execution's event is
 * queued by the executing thread for the console's own thread, which formats it as JSON and writes
 * it to the stream; a full queue drops events instead. The tear-down prints how many executions the
 * feed heard, how many events the reader received and how many were dropped. The reader and Jetty's
 * threads share the machine with the measured thread: on few cores that is part of what an open
 * console costs, and JMH's {@code gc.alloc.rate.norm} counts what every thread of the JVM
 * allocated, theirs included.
 *
 * <p>The tear-down of {@code stream} fails the trial unless the stream was still open and the
 * reader received execution events after the set-up: a figure measured against a closed stream
 * would say the stream costs nothing.
 *
 * <p>{@code stream} warms up slowly (Jetty's and Jackson's paths compile late): give it more
 * warm-up than the other benchmarks. Part of the {@link Suite} (every profile). Alone, with JMH's
 * own runner: {@code java -cp benchmarks/target/benchmarks.jar org.openjdk.jmh.Main
 * 'io.ndp.benchmarks.ConsoleBenchmark' -f 2 -wi 5 -w 2s -i 5 -r 2s -prof gc -jvmArgsAppend "-Xms1g
 * -Xmx1g"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ConsoleBenchmark {

  /** What an open stream carries per execution; the reader counts these lines. */
  static final String EXECUTION_EVENT_LINE = "event: execution-finished\n";

  /** How long the set-up and tear-down wait for events to reach the reader. */
  Duration eventWait = Duration.ofSeconds(10);

  @Param({"none", "feed", "stream"})
  public String mode;

  private Ndp ndp;
  private PatternExecutor executor;
  private PatternContext context;
  private ConsoleFeed feed;
  private NdpConsole console;
  private StreamReader reader;
  private long eventsAtSetup;
  private long executionsAtSetup;

  @Setup
  public void setUp() throws IOException, InterruptedException {
    Workload work = new Workload();
    Ndp.Builder b = Ndp.builder();
    switch (mode) {
      case "none" -> {}
      case "feed", "stream" -> {
        feed = NdpConsole.feed();
        b.listener(feed);
      }
      default -> throw new IllegalArgumentException("unknown mode " + mode);
    }
    ndp = work.ingestRuntime(b);
    executor = ndp.executor();
    context = Workload.ingestContext();
    try {
      if (feed != null) {
        console = NdpConsole.builder(ndp).feed(feed).port(0).start();
      }
      if (mode.equals("stream")) {
        reader = StreamReader.open(console.port());
        // One execution through the open stream before measuring: the pipeline works end to end.
        run();
        if (!reader.awaitEventsAbove(0, eventWait)) {
          throw new IllegalStateException(
              "the event stream carried no execution event within "
                  + eventWait.toSeconds()
                  + " s: "
                  + (reader.isOpen() ? "still open" : reader.endReason()));
        }
        eventsAtSetup = reader.events();
      }
      if (feed != null) {
        executionsAtSetup = feed.executionsSeen();
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      closeAll();
      throw e;
    }
  }

  @TearDown
  public void tearDown() throws InterruptedException {
    List<String> problems = new ArrayList<>();
    try {
      if (feed != null && feed.executionsSeen() <= executionsAtSetup) {
        problems.add("the console feed heard no execution after the set-up");
      }
      if (reader != null) {
        // Events still in flight when the last iteration ended may arrive a moment later.
        reader.awaitEventsAbove(eventsAtSetup, eventWait);
        if (!reader.isOpen()) {
          problems.add("the event stream ended before the tear-down: " + reader.endReason());
        }
        long received = reader.events() - eventsAtSetup;
        if (received <= 0) {
          problems.add("the event stream received no execution event after the set-up");
        }
        System.out.printf(
            Locale.ROOT,
            "%nConsoleBenchmark stream: %d executions heard by the feed, %d execution events"
                + " received by the reader (%d bytes), %d events dropped (client queue full)%n",
            feed.executionsSeen() - executionsAtSetup,
            received,
            reader.bytes(),
            feed.droppedEvents());
      }
    } finally {
      closeAll();
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "ConsoleBenchmark mode=" + mode + ": " + String.join("; ", problems));
    }
  }

  @Benchmark
  public PatternResult run() {
    return executor.executeBestPattern(context);
  }

  /** {@return the open stream's reader, or null in the modes without one} */
  StreamReader reader() {
    return reader;
  }

  /** {@return the feed, or null in mode none} */
  ConsoleFeed feed() {
    return feed;
  }

  /** Closes the console (which ends the stream), then the reader and the runtime. */
  private void closeAll() throws InterruptedException {
    try {
      if (console != null) {
        console.close();
      }
    } finally {
      try {
        if (reader != null) {
          reader.close();
        }
      } finally {
        if (ndp != null) {
          ndp.close();
        }
      }
    }
  }

  /**
   * One open {@code /api/events} stream over a real HTTP connection, read on a daemon thread that
   * discards what it reads and counts the bytes and the {@value
   * ConsoleBenchmark#EXECUTION_EVENT_LINE} lines.
   */
  static final class StreamReader {

    private final InputStream body;
    private final Thread thread;
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicReference<String> ended = new AtomicReference<>();

    private StreamReader(InputStream body) {
      this.body = body;
      this.thread = new Thread(this::read, "console-benchmark-stream-reader");
      thread.setDaemon(true);
    }

    /** Opens the stream and starts reading; returns once the server answered 200. */
    static StreamReader open(int port) throws IOException, InterruptedException {
      HttpClient client =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(5))
              .build();
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/events"))
              .header("Accept", "text/event-stream")
              .GET()
              .build();
      HttpResponse<InputStream> response =
          client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      String type = response.headers().firstValue("Content-Type").orElse("");
      if (response.statusCode() != 200 || !type.startsWith("text/event-stream")) {
        response.body().close();
        throw new IllegalStateException(
            "GET /api/events answered " + response.statusCode() + " " + type);
      }
      StreamReader r = new StreamReader(response.body());
      r.thread.start();
      return r;
    }

    private void read() {
      byte[] buffer = new byte[64 * 1024];
      LineMatcher matcher = new LineMatcher();
      try {
        int n;
        while ((n = body.read(buffer)) >= 0) {
          long found = matcher.count(buffer, n);
          bytes.addAndGet(n);
          if (found > 0) {
            events.addAndGet(found);
          }
        }
        ended.compareAndSet(null, "end of stream");
      } catch (IOException e) {
        ended.compareAndSet(null, e.toString());
      }
    }

    long events() {
      return events.get();
    }

    long bytes() {
      return bytes.get();
    }

    /** {@return whether the stream is still being read (the server has not ended it)} */
    boolean isOpen() {
      return ended.get() == null && thread.isAlive();
    }

    String endReason() {
      String reason = ended.get();
      return reason == null ? "the reader stopped" : reason;
    }

    /**
     * Waits until more than {@code floor} execution events arrived, the stream ended or the time
     * ran out.
     *
     * @return whether more than {@code floor} arrived
     */
    boolean awaitEventsAbove(long floor, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (events.get() <= floor && isOpen() && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(5);
      }
      return events.get() > floor;
    }

    /** Ends the connection and waits for the reader thread. */
    void close() throws InterruptedException {
      ended.compareAndSet(null, "closed by the benchmark");
      try {
        body.close();
      } catch (IOException e) {
        // Closing is best effort: the connection is dropped either way.
      }
      thread.join(TimeUnit.SECONDS.toMillis(5));
    }
  }

  /**
   * Counts the {@value ConsoleBenchmark#EXECUTION_EVENT_LINE} lines in a stream read in pieces of
   * any size (a line may be split between two reads). The line has no border (no proper prefix that
   * is also a suffix: it ends in its only line feed), so a mismatch never has to look back further
   * than the byte at hand.
   */
  static final class LineMatcher {
    private static final byte[] LINE = EXECUTION_EVENT_LINE.getBytes(StandardCharsets.US_ASCII);

    private int matched;

    /** {@return how many lines end within the first {@code n} bytes of {@code buffer}} */
    long count(byte[] buffer, int n) {
      long found = 0;
      for (int i = 0; i < n; i++) {
        byte c = buffer[i];
        if (c == LINE[matched]) {
          if (++matched == LINE.length) {
            found++;
            matched = 0;
          }
        } else {
          matched = c == LINE[0] ? 1 : 0;
        }
      }
      return found;
    }
  }
}
