package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.ndp.api.ConfidenceLevel;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.api.event.AttemptFinishedEvent;
import io.ndp.api.event.AttemptStartedEvent;
import io.ndp.api.event.ConfidenceThresholdCrossedEvent;
import io.ndp.api.event.ExecutionFinishedEvent;
import io.ndp.api.event.ExecutionStartedEvent;
import io.ndp.api.event.FallbackEvent;
import io.ndp.api.event.NdpEvent;
import io.ndp.api.event.NdpListener;
import io.ndp.api.event.PluginFailedEvent;
import io.ndp.api.event.PluginLoadedEvent;
import io.ndp.api.event.PluginStoppedEvent;
import io.ndp.api.event.StatisticsResetEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The listener SPI: the order of one execution's events, isolation from a throwing or a slow
 * listener, nothing lost under many threads, and confidence crossings reported once each.
 */
class NdpListenerTest {

  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private PatternExecutor executor(PatternExecutor.Builder b) {
    PatternExecutor e = b.build();
    e.delegates().register("work", in -> in);
    closing.add(e);
    return e;
  }

  private static PatternContext ctx(String domain) {
    return new PatternContext(domain, "t", Map.of());
  }

  /** Keeps every event, in the order received. */
  static class Recorder implements NdpListener {
    final Queue<NdpEvent> events = new ConcurrentLinkedQueue<>();

    @Override
    public void onExecutionStarted(ExecutionStartedEvent e) {
      events.add(e);
    }

    @Override
    public void onExecutionFinished(ExecutionFinishedEvent e) {
      events.add(e);
    }

    @Override
    public void onAttemptStarted(AttemptStartedEvent e) {
      events.add(e);
    }

    @Override
    public void onAttemptFinished(AttemptFinishedEvent e) {
      events.add(e);
    }

    @Override
    public void onFallback(FallbackEvent e) {
      events.add(e);
    }

    @Override
    public void onStatisticsReset(StatisticsResetEvent e) {
      events.add(e);
    }

    @Override
    public void onConfidenceThresholdCrossed(ConfidenceThresholdCrossedEvent e) {
      events.add(e);
    }

    @Override
    public void onPluginLoaded(PluginLoadedEvent e) {
      events.add(e);
    }

    @Override
    public void onPluginFailed(PluginFailedEvent e) {
      events.add(e);
    }

    @Override
    public void onPluginStopped(PluginStoppedEvent e) {
      events.add(e);
    }

    <E extends NdpEvent> List<E> of(Class<E> type) {
      return events.stream().filter(type::isInstance).map(type::cast).toList();
    }
  }

  /** Throws on every event. */
  static class Thrower implements NdpListener {
    final LongAdder calls = new LongAdder();

    private void boom() {
      calls.increment();
      throw new IllegalStateException("listener bug");
    }

    @Override
    public void onExecutionStarted(ExecutionStartedEvent e) {
      boom();
    }

    @Override
    public void onExecutionFinished(ExecutionFinishedEvent e) {
      boom();
    }

    @Override
    public void onAttemptStarted(AttemptStartedEvent e) {
      boom();
    }

    @Override
    public void onAttemptFinished(AttemptFinishedEvent e) {
      boom();
    }
  }

  @Test
  void oneExecutionWithAFallback_reportsItsEventsInOrder_andFinishesWithTheReturnedResult() {
    PatternRegistry registry = new PatternRegistry();
    registry.register(new ScriptedPattern("bad", "t", 1.0, OutcomeStatus.FAILED));
    // Another agent type: never a candidate for "t", but it matches as a configured fallback.
    registry.register(new ScriptedPattern("good", "other", 1.0, OutcomeStatus.SUCCESS));
    Recorder recorder = new Recorder();
    PatternExecutor executor =
        executor(
            PatternExecutor.builder(registry)
                .maxAttempts(1)
                .fallbackPatterns("good")
                .listener(recorder));

    PatternResult result = executor.executeBestPattern(ctx("orders"));

    assertThat(result.success()).isTrue();
    assertThat(recorder.events)
        .extracting(e -> e.getClass().getSimpleName())
        .containsExactly(
            "ExecutionStartedEvent",
            "AttemptStartedEvent",
            "AttemptFinishedEvent",
            "FallbackEvent",
            "AttemptStartedEvent",
            "AttemptFinishedEvent",
            "ExecutionFinishedEvent");
    List<NdpEvent> events = List.copyOf(recorder.events);
    assertThat(((ExecutionStartedEvent) events.get(0)).depth()).isZero();
    AttemptStartedEvent first = (AttemptStartedEvent) events.get(1);
    assertThat(first.patternName()).isEqualTo("bad");
    assertThat(first.attemptIndex()).isZero();
    assertThat(first.fallback()).isFalse();
    AttemptFinishedEvent failed = (AttemptFinishedEvent) events.get(2);
    assertThat(failed.attempt()).isSameAs(result.attempts().get(0));
    assertThat(failed.attempt().status()).isEqualTo(OutcomeStatus.FAILED);
    FallbackEvent fallback = (FallbackEvent) events.get(3);
    assertThat(fallback.fromPattern()).isEqualTo("bad");
    assertThat(fallback.toPattern()).isEqualTo("good");
    assertThat(fallback.toConfiguredFallback()).isTrue();
    assertThat(fallback.reason()).startsWith("FAILED: ");
    AttemptStartedEvent second = (AttemptStartedEvent) events.get(4);
    assertThat(second.patternName()).isEqualTo("good");
    assertThat(second.attemptIndex()).isEqualTo(1);
    assertThat(second.fallback()).isTrue();
    assertThat(((AttemptFinishedEvent) events.get(5)).attempt()).isSameAs(result.attempts().get(1));
    ExecutionFinishedEvent finished = (ExecutionFinishedEvent) events.get(6);
    assertThat(finished.result()).isSameAs(result);
    assertThat(finished.result().decision()).isSameAs(result.decision());
    assertThat(finished.context()).isSameAs(first.context());
  }

  @Test
  void executeOnePattern_reportsItsExecutionAndItsAttempt() {
    PatternRegistry registry = new PatternRegistry();
    ScriptedPattern p = new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS);
    registry.register(p);
    Recorder recorder = new Recorder();
    PatternExecutor executor = executor(PatternExecutor.builder(registry).listener(recorder));

    PatternResult result = executor.execute(p, ctx("orders"));

    assertThat(recorder.events)
        .extracting(e -> e.getClass().getSimpleName())
        .containsExactly(
            "ExecutionStartedEvent",
            "AttemptStartedEvent",
            "AttemptFinishedEvent",
            "ExecutionFinishedEvent");
    assertThat(recorder.of(ExecutionFinishedEvent.class).get(0).result()).isSameAs(result);
  }

  @Test
  void throwingListener_changesNoResult_theNextListenerIsStillCalled_andOneLineIsLogged() {
    PatternRegistry registry = new PatternRegistry();
    registry.register(new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS));
    Thrower thrower = new Thrower();
    Recorder recorder = new Recorder();
    PatternExecutor quiet = executor(PatternExecutor.builder(registry).seed(1));
    PatternExecutor noisy =
        executor(PatternExecutor.builder(registry).seed(1).listener(thrower).listener(recorder));

    PatternResult expected = quiet.executeBestPattern(ctx("orders"));
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PatternResult result;
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      result = noisy.executeBestPattern(ctx("orders"));
    } finally {
      System.setErr(err);
    }

    assertThat(result.success()).isEqualTo(expected.success()).isTrue();
    assertThat(result.chosenPattern()).isEqualTo(expected.chosenPattern());
    assertThat(result.output()).isEqualTo(expected.output());
    assertThat(result.attempts()).hasSize(1);
    assertThat(thrower.calls.sum()).isEqualTo(4);
    assertThat(recorder.events).hasSize(4);
    assertThat(recorder.of(ExecutionFinishedEvent.class).get(0).result()).isSameAs(result);
    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(log.lines().filter(l -> l.contains("threw on")).count()).as(log).isEqualTo(1);
    assertThat(log).contains(Thrower.class.getName()).contains("listener bug");
  }

  @Test
  void slowListener_doesNotBlockAnotherThreadsExecution() throws Exception {
    PatternRegistry registry = new PatternRegistry();
    registry.register(new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS));
    CountDownLatch inListener = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    NdpListener slow =
        new NdpListener() {
          @Override
          public void onAttemptFinished(AttemptFinishedEvent e) {
            if (e.context().domain().equals("slow")) {
              inListener.countDown();
              await(release);
            }
          }

          @Override
          public void onExecutionFinished(ExecutionFinishedEvent e) {
            if (e.context().domain().equals("slow")) {
              await(release);
            }
          }
        };
    PatternExecutor executor = executor(PatternExecutor.builder(registry).listener(slow));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<PatternResult> blocked = pool.submit(() -> executor.executeBestPattern(ctx("slow")));
      assertThat(inListener.await(10, TimeUnit.SECONDS)).isTrue();

      // The same executor, the same pattern, another context: it runs and records meanwhile.
      PatternResult other =
          CompletableFuture.supplyAsync(() -> executor.executeBestPattern(ctx("fast")))
              .get(10, TimeUnit.SECONDS);
      assertThat(other.success()).isTrue();
      assertThat(registry.statistics("p", "fast").total()).isEqualTo(1);
      assertThat(blocked.isDone()).isFalse();

      release.countDown();
      assertThat(blocked.get(10, TimeUnit.SECONDS).success()).isTrue();
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void listenerBlockedAfterAnAttempt_holdsNoRecordingLock() throws Exception {
    PatternRegistry registry = new PatternRegistry();
    registry.register(new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS));
    CountDownLatch inListener = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    NdpListener slow =
        new NdpListener() {
          @Override
          public void onAttemptFinished(AttemptFinishedEvent e) {
            inListener.countDown();
            await(release);
          }
        };
    PatternExecutor executor = executor(PatternExecutor.builder(registry).listener(slow));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<PatternResult> blocked = pool.submit(() -> executor.executeBestPattern(ctx("slow")));
      assertThat(inListener.await(10, TimeUnit.SECONDS)).isTrue();
      executor.shutdown();
      // A drain that gives up takes the recording lock exclusively: it would wait forever for an
      // execution whose listener ran under that lock.
      List<String> running =
          assertTimeoutPreemptively(
              Duration.ofSeconds(10), () -> executor.awaitTermination(Duration.ZERO));
      assertThat(running).hasSize(1);
      release.countDown();
      assertThat(blocked.get(10, TimeUnit.SECONDS).success()).isTrue();
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void manyThreads_loseNoEvent_andEachThreadSeesItsExecutionsInOrder() throws Exception {
    PatternRegistry registry = new PatternRegistry();
    registry.register(
        new ScriptedPattern("flaky", "t", 1.0, OutcomeStatus.SUCCESS)
            .script(
                c ->
                    ThreadLocalRandom.current().nextInt(10) < 3
                        ? OutcomeStatus.FAILED
                        : OutcomeStatus.SUCCESS));
    registry.register(new ScriptedPattern("steady", "t", 0.9, OutcomeStatus.SUCCESS));
    LongAdder started = new LongAdder();
    LongAdder finished = new LongAdder();
    LongAdder attemptsStarted = new LongAdder();
    LongAdder attemptsFinished = new LongAdder();
    LongAdder fallbacks = new LongAdder();
    LongAdder outOfOrder = new LongAdder();
    // Per thread: the index the next attempt must have, or -1 outside an execution.
    ThreadLocal<int[]> next = ThreadLocal.withInitial(() -> new int[] {-1});
    NdpListener counter =
        new NdpListener() {
          @Override
          public void onExecutionStarted(ExecutionStartedEvent e) {
            started.increment();
            check(next.get()[0] == -1);
            next.get()[0] = 0;
          }

          @Override
          public void onAttemptStarted(AttemptStartedEvent e) {
            attemptsStarted.increment();
            check(e.attemptIndex() == next.get()[0]);
          }

          @Override
          public void onAttemptFinished(AttemptFinishedEvent e) {
            attemptsFinished.increment();
            check(e.attemptIndex() == next.get()[0]);
            next.get()[0]++;
          }

          @Override
          public void onFallback(FallbackEvent e) {
            fallbacks.increment();
          }

          @Override
          public void onExecutionFinished(ExecutionFinishedEvent e) {
            finished.increment();
            check(e.result().attempts().size() == next.get()[0]);
            next.get()[0] = -1;
          }

          private void check(boolean ok) {
            if (!ok) {
              outOfOrder.increment();
            }
          }
        };
    PatternExecutor executor =
        executor(PatternExecutor.builder(registry).maxAttempts(2).listener(counter));
    int threads = 8;
    int perThread = 2_000;
    LongAdder attemptsInResults = new LongAdder();
    LongAdder failedAttemptsFollowed = new LongAdder();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String domain = "d" + (t % 3);
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    PatternResult r = executor.executeBestPattern(ctx(domain));
                    attemptsInResults.add(r.attempts().size());
                    failedAttemptsFollowed.add(r.attempts().size() - 1);
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }

    long executions = (long) threads * perThread;
    assertThat(started.sum()).isEqualTo(executions);
    assertThat(finished.sum()).isEqualTo(executions);
    assertThat(attemptsStarted.sum()).isEqualTo(attemptsInResults.sum());
    assertThat(attemptsFinished.sum()).isEqualTo(attemptsInResults.sum());
    assertThat(fallbacks.sum()).isEqualTo(failedAttemptsFollowed.sum());
    assertThat(outOfOrder.sum()).isZero();
  }

  @Test
  void confidenceCrossings_areReportedOncePerCrossing_withOldAndNewValues() {
    Recorder recorder = new Recorder();
    PatternRegistry registry =
        PatternRegistry.builder()
            .halfLife(Double.POSITIVE_INFINITY)
            .listener(recorder)
            .confidenceAlert(0.6)
            .build();
    Queue<OutcomeStatus> script = new ArrayDeque<>();
    registry.register(
        new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS).script(c -> script.remove()));
    PatternExecutor executor = executor(PatternExecutor.builder(registry).maxAttempts(1));
    // Scores (successes + 1) / (outcomes + 2): 0.5 -> 2/3 -> 3/4 -> 4/5 -> 4/6 -> 4/7 -> 4/8 -> 4/9
    for (int i = 0; i < 3; i++) {
      script.add(OutcomeStatus.SUCCESS);
    }
    for (int i = 0; i < 4; i++) {
      script.add(OutcomeStatus.FAILED);
    }
    for (int i = 0; i < 7; i++) {
      executor.executeBestPattern(ctx("orders"));
    }

    List<ConfidenceThresholdCrossedEvent> crossed =
        recorder.of(ConfidenceThresholdCrossedEvent.class);
    assertThat(crossed)
        .extracting(
            ConfidenceThresholdCrossedEvent::threshold,
            ConfidenceThresholdCrossedEvent::oldLevel,
            ConfidenceThresholdCrossedEvent::newLevel,
            ConfidenceThresholdCrossedEvent::falling)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                0.6, ConfidenceLevel.MEDIUM, ConfidenceLevel.MEDIUM, false),
            org.assertj.core.groups.Tuple.tuple(
                null, ConfidenceLevel.MEDIUM, ConfidenceLevel.HIGH, false),
            org.assertj.core.groups.Tuple.tuple(
                null, ConfidenceLevel.HIGH, ConfidenceLevel.MEDIUM, true),
            org.assertj.core.groups.Tuple.tuple(
                0.6, ConfidenceLevel.MEDIUM, ConfidenceLevel.MEDIUM, true),
            org.assertj.core.groups.Tuple.tuple(
                null, ConfidenceLevel.MEDIUM, ConfidenceLevel.LOW, true));
    double[][] values = {{1 / 2.0, 2 / 3.0}, {3 / 4.0, 4 / 5.0}, {4 / 5.0, 4 / 6.0}};
    for (int i = 0; i < values.length; i++) {
      assertThat(crossed.get(i).oldConfidence()).isCloseTo(values[i][0], within());
      assertThat(crossed.get(i).newConfidence()).isCloseTo(values[i][1], within());
    }
    assertThat(crossed.get(3).oldConfidence()).isCloseTo(4 / 6.0, within());
    assertThat(crossed.get(3).newConfidence()).isCloseTo(4 / 7.0, within());
    assertThat(crossed.get(4).oldConfidence()).isCloseTo(4 / 8.0, within());
    assertThat(crossed.get(4).newConfidence()).isCloseTo(4 / 9.0, within());
    assertThat(crossed).allSatisfy(e -> assertThat(e.pattern()).isEqualTo("p"));
    assertThat(crossed).allSatisfy(e -> assertThat(e.domain()).isEqualTo("orders"));
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-9);
  }

  @Test
  void confidenceCrossings_underManyThreads_alternateForEachLine() throws Exception {
    Recorder recorder = new Recorder();
    PatternRegistry registry =
        PatternRegistry.builder().halfLife(10).listener(recorder).confidenceAlert(0.55).build();
    registry.register(
        new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS)
            .script(
                c ->
                    ThreadLocalRandom.current().nextBoolean()
                        ? OutcomeStatus.SUCCESS
                        : OutcomeStatus.FAILED));
    PatternExecutor executor = executor(PatternExecutor.builder(registry).maxAttempts(1));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 500; i++) {
                    executor.executeBestPattern(ctx("orders"));
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }

    List<ConfidenceThresholdCrossedEvent> host =
        recorder.of(ConfidenceThresholdCrossedEvent.class).stream()
            .filter(e -> e.threshold() != null)
            .toList();
    assertThat(host).isNotEmpty();
    long falling = host.stream().filter(ConfidenceThresholdCrossedEvent::falling).count();
    // Each crossing once: downs and ups alternate, so their counts differ by at most one.
    assertThat(Math.abs(falling - (host.size() - falling))).isLessThanOrEqualTo(1);
    assertThat(host)
        .allSatisfy(
            e ->
                assertThat(e.falling())
                    .isEqualTo(e.oldConfidence() >= 0.55 && e.newConfidence() < 0.55));
  }

  @Test
  void aListenerThatIgnoresCrossings_costsRecordingNoRead() {
    LongAdder reads = new LongAdder();
    io.ndp.api.ConfidenceStore memory = new io.ndp.core.internal.InMemoryConfidenceStore();
    io.ndp.api.ConfidenceStore counting =
        (io.ndp.api.ConfidenceStore)
            java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {io.ndp.api.ConfidenceStore.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("stats")) {
                    reads.increment();
                  }
                  try {
                    return method.invoke(memory, args);
                  } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    PatternRegistry deaf =
        PatternRegistry.builder().confidenceStore(counting).listener(new NdpListener() {}).build();
    deaf.confidence().record("p", "orders", true);
    assertThat(reads.sum()).isZero();

    PatternRegistry hearing =
        PatternRegistry.builder().confidenceStore(counting).listener(new Recorder()).build();
    hearing.confidence().record("p", "orders", true);
    assertThat(reads.sum()).isPositive();
  }

  @Test
  void resets_areReported() {
    Recorder recorder = new Recorder();
    PatternRegistry registry = PatternRegistry.builder().listener(recorder).build();

    registry.resetStatistics("p");
    registry.resetDomainStatistics("orders");
    registry.resetAllStatistics();

    assertThat(recorder.events)
        .containsExactly(
            new StatisticsResetEvent("p", null),
            new StatisticsResetEvent(null, "orders"),
            new StatisticsResetEvent(null, null));
  }

  @Test
  void theFacadesListener_hearsExecutionsStatisticsAndPlugins(@TempDir Path plugins)
      throws Exception {
    TestPluginJar.echoKind("echo-plugin", "echo", "v1").version("1.2.3").writeTo(plugins);
    Files.write(plugins.resolve("corrupt.jar"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    Recorder recorder = new Recorder();
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).listener(recorder).build()) {
      PluginLoadedEvent loaded = recorder.of(PluginLoadedEvent.class).get(0);
      assertThat(loaded.pluginId()).isEqualTo("echo-plugin");
      assertThat(loaded.version()).isEqualTo("1.2.3");
      assertThat(loaded.types()).contains("echo");
      assertThat(recorder.of(PluginFailedEvent.class))
          .anySatisfy(f -> assertThat(f.path().getFileName()).hasToString("corrupt.jar"));

      ndp.register(new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS));
      ndp.delegates().register("work", in -> in);
      PatternResult r = ndp.executor().executeBestPattern(ctx("orders"));
      assertThat(recorder.of(ExecutionFinishedEvent.class))
          .singleElement()
          .satisfies(e -> assertThat(e.result()).isSameAs(r));
      ndp.registry().resetStatistics("p");
      assertThat(recorder.of(StatisticsResetEvent.class)).hasSize(1);

      assertThat(ndp.stopPlugin("echo-plugin")).isTrue();
      PluginStoppedEvent stopped = recorder.of(PluginStoppedEvent.class).get(0);
      assertThat(stopped.pluginId()).isEqualTo("echo-plugin");
      assertThat(stopped.unloaded()).isFalse();
      assertThat(stopped.version()).isEqualTo("1.2.3");
    }
  }

  @Test
  void readmeExample_alertsWhenConfidenceFallsBelowTheThreshold() {
    List<String> alerts = new CopyOnWriteArrayList<>();
    LongAdder failures = new LongAdder();
    NdpListener operations =
        new NdpListener() {
          @Override
          public void onConfidenceThresholdCrossed(ConfidenceThresholdCrossedEvent e) {
            if (e.falling() && e.threshold() != null) {
              alerts.add(e.pattern() + " in " + e.domain() + " fell below " + e.threshold());
            }
          }

          @Override
          public void onExecutionFinished(ExecutionFinishedEvent e) {
            if (!e.result().success()) {
              failures.increment();
            }
          }
        };
    try (Ndp ndp = Ndp.builder().listener(operations).confidenceAlert(0.6).build()) {
      // register delegates and patterns, execute: the listener hears about all of it
      ndp.delegates().register("work", in -> in);
      Queue<OutcomeStatus> script =
          new ArrayDeque<>(
              List.of(
                  OutcomeStatus.SUCCESS,
                  OutcomeStatus.SUCCESS,
                  OutcomeStatus.FAILED,
                  OutcomeStatus.FAILED,
                  OutcomeStatus.FAILED));
      ndp.register(
          new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS).script(c -> script.remove()));
      for (int i = 0; i < 5; i++) {
        ndp.executor().executeBestPattern(ctx("orders"));
      }
    }

    // About 0.5 -> 0.67 -> 0.75 -> 0.6 -> 0.5 -> 0.43: up across 0.6 once, down across it once.
    assertThat(failures.sum()).isEqualTo(3);
    assertThat(alerts).containsExactly("p in orders fell below 0.6");
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
