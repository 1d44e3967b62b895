package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.ndp.api.ConfidenceLevel;
import io.ndp.api.ConfidenceStats;
import io.ndp.api.ConfidenceStore;
import io.ndp.api.ExecutionScope;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternOutcome;
import io.ndp.api.PatternResult;
import io.ndp.api.event.ConfidenceThresholdCrossedEvent;
import io.ndp.api.event.ExecutionFinishedEvent;
import io.ndp.api.event.ExecutionStartedEvent;
import io.ndp.api.event.NdpListener;
import io.ndp.core.internal.InMemoryConfidenceStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Review of the listener SPI: each test here proves a defect of the change. */
class ListenerReviewTest {

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

  @SuppressWarnings("unchecked")
  private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
    throw (T) t;
  }

  /** A pattern that nests an execution for an agent type no pattern serves, then succeeds. */
  static final class NestsUnknownType extends ScriptedPattern {
    final AtomicReference<PatternResult> nested = new AtomicReference<>();

    NestsUnknownType(String name) {
      super(name, "t", 1.0, OutcomeStatus.SUCCESS);
    }

    @Override
    public PatternOutcome execute(PatternContext context, ExecutionScope scope) {
      nested.set(scope.executeBestPattern(new PatternContext("inner", "nobody", Map.of())));
      return super.execute(context, scope);
    }
  }

  /** Counts execution starts and ends. */
  static final class StartFinishCounter implements NdpListener {
    final List<ExecutionStartedEvent> started = new ArrayList<>();
    final List<ExecutionFinishedEvent> finished = new ArrayList<>();

    @Override
    public synchronized void onExecutionStarted(ExecutionStartedEvent e) {
      started.add(e);
    }

    @Override
    public synchronized void onExecutionFinished(ExecutionFinishedEvent e) {
      finished.add(e);
    }
  }

  // ExecutionStartedEvent promises "one ExecutionFinishedEvent" follows. A nested execution for an
  // agent type nobody serves returns a failed result to the pattern, but only its start is sent.
  @Test
  void nestedExecutionOfAnUnservedAgentType_isReportedStartedButNeverFinished() {
    PatternRegistry registry = new PatternRegistry();
    NestsUnknownType outer = new NestsUnknownType("outer");
    registry.register(outer);
    StartFinishCounter counter = new StartFinishCounter();
    PatternExecutor executor = executor(PatternExecutor.builder(registry).listener(counter));

    PatternResult result = executor.executeBestPattern(ctx("orders"));

    assertThat(result.success()).isTrue();
    assertThat(outer.nested.get()).isNotNull();
    assertThat(outer.nested.get().success()).isFalse();
    assertThat(counter.started).extracting(ExecutionStartedEvent::depth).containsExactly(0, 1);
    // Observed: only the depth-0 execution finishes; the nested result returned is never reported.
    assertThat(counter.finished).extracting(ExecutionFinishedEvent::depth).contains(0, 1);
    assertThat(counter.finished)
        .extracting(ExecutionFinishedEvent::result)
        .contains(outer.nested.get());
  }

  // A host's call for an agent type nobody serves throws UnknownAgentTypeException; the listener
  // was
  // already told the execution started, and never hears that it ended.
  @Test
  void topLevelCallForAnUnservedAgentType_leavesAStartedEventWithoutItsFinish() {
    PatternRegistry registry = new PatternRegistry();
    registry.register(new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS));
    StartFinishCounter counter = new StartFinishCounter();
    PatternExecutor executor = executor(PatternExecutor.builder(registry).listener(counter));

    Throwable thrown =
        catchThrowable(
            () -> executor.executeBestPattern(new PatternContext("orders", "nobody", Map.of())));

    assertThat(thrown).isNotNull();
    // Either no start is sent for a call that is refused, or its end follows: starts == finishes.
    assertThat(counter.finished).hasSameSizeAs(counter.started);
  }

  // "A listener that throws is logged and skipped: it never changes a result." Dispatch catches
  // only
  // RuntimeException and Error, so a checked exception thrown by a Kotlin/Groovy listener (or a
  // Java one using a sneaky throw) escapes executeBestPattern instead of the result.
  @Test
  void listenerThrowingACheckedException_escapesTheExecution_andSkipsTheNextListener() {
    PatternRegistry registry = new PatternRegistry();
    registry.register(new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS));
    StartFinishCounter next = new StartFinishCounter();
    NdpListener throwing =
        new NdpListener() {
          @Override
          public void onExecutionFinished(ExecutionFinishedEvent e) {
            sneakyThrow(new IOException("listener's own I/O failed"));
          }
        };
    PatternExecutor executor =
        executor(PatternExecutor.builder(registry).listener(throwing).listener(next));

    assertThatCode(() -> executor.executeBestPattern(ctx("orders"))).doesNotThrowAnyException();
    assertThat(next.finished).hasSize(1);
  }

  // The same promise for a listener that overflows its own stack (e.g. a recursive formatter): a
  // StackOverflowError is a VirtualMachineError, rethrown from the dispatch, so the caller gets it
  // instead of the result (whose outcome was already recorded) and the next listener is not called.
  @Test
  void listenerOverflowingItsStack_escapesTheExecution_andSkipsTheNextListener() {
    PatternRegistry registry = new PatternRegistry();
    registry.register(new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS));
    StartFinishCounter next = new StartFinishCounter();
    NdpListener throwing =
        new NdpListener() {
          @Override
          public void onExecutionFinished(ExecutionFinishedEvent e) {
            throw new StackOverflowError("listener recursed");
          }
        };
    PatternExecutor executor =
        executor(PatternExecutor.builder(registry).listener(throwing).listener(next));

    assertThatCode(() -> executor.executeBestPattern(ctx("orders"))).doesNotThrowAnyException();
    assertThat(next.finished).hasSize(1);
  }

  /** Keeps the crossings. */
  static final class Crossings implements NdpListener {
    final List<ConfidenceThresholdCrossedEvent> events = new ArrayList<>();

    @Override
    public synchronized void onConfidenceThresholdCrossed(ConfidenceThresholdCrossedEvent e) {
      events.add(e);
    }

    synchronized List<ConfidenceThresholdCrossedEvent> snapshot() {
      return List.copyOf(events);
    }
  }

  /**
   * An in-memory store (no forgetting) whose first score read after a record on one chosen thread
   * pauses, once read, until released: the interleaving of two concurrent records made explicit.
   */
  static final class PausingStore implements ConfidenceStore {
    final InMemoryConfidenceStore delegate = new InMemoryConfidenceStore(Double.POSITIVE_INFINITY);
    final CountDownLatch paused = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    volatile Thread pausing;
    private final ThreadLocal<Boolean> armed = ThreadLocal.withInitial(() -> false);

    @Override
    public void recordOutcome(String patternName, String domain, boolean success) {
      delegate.recordOutcome(patternName, domain, success);
      if (Thread.currentThread() == pausing) {
        armed.set(true);
      }
    }

    @Override
    public ConfidenceStats stats(String patternName, String domain) {
      ConfidenceStats s = delegate.stats(patternName, domain);
      if (armed.get()) {
        armed.set(false);
        paused.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return s;
    }

    @Override
    public ConfidenceStats stats(String patternName) {
      return delegate.stats(patternName);
    }

    @Override
    public Map<String, ConfidenceStats> statsByDomain(String patternName) {
      return delegate.statsByDomain(patternName);
    }

    @Override
    public void reset(String patternName) {
      delegate.reset(patternName);
    }

    @Override
    public void resetAll() {
      delegate.resetAll();
    }

    @Override
    public boolean readsAreCheap() {
      return true;
    }
  }

  // Two failures recorded concurrently: A records (score 2/4), reads it, and is descheduled; B
  // records (2/5), reads it and swaps it into the watch first; A then swaps in its older 2/4. The
  // listener hears "recovered from LOW to MEDIUM" after two failures, and the watch is left
  // believing MEDIUM while the score is LOW (so the next fall below 0.5 is never reported).
  @Test
  void concurrentFailures_reportARecoveryThatDidNotHappen_andLeaveTheWatchStale() throws Exception {
    PausingStore store = new PausingStore();
    Crossings crossings = new Crossings();
    PatternRegistry registry =
        PatternRegistry.builder()
            .confidenceStore(store)
            .listener(crossings)
            .confidenceAlert(0.6)
            .build();
    AtomicReference<OutcomeStatus> next = new AtomicReference<>(OutcomeStatus.SUCCESS);
    registry.register(
        new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS).script(c -> next.get()));
    PatternExecutor executor = executor(PatternExecutor.builder(registry).maxAttempts(1));
    executor.executeBestPattern(ctx("orders")); // 1/2 -> 2/3: crosses 0.6 upwards
    next.set(OutcomeStatus.FAILED);

    Thread a = new Thread(() -> executor.executeBestPattern(ctx("orders")), "review-A");
    store.pausing = a;
    a.start();
    assertThat(store.paused.await(10, TimeUnit.SECONDS)).isTrue();
    // B, while A is paused between its outcome and its read: B waits for the key A holds.
    Thread b = new Thread(() -> executor.executeBestPattern(ctx("orders")), "review-B");
    b.start();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (b.getState() != Thread.State.WAITING && System.nanoTime() < until) {
      Thread.onSpinWait();
    }
    store.release.countDown();
    a.join(10_000);
    b.join(10_000);

    double score = store.delegate.stats("p", "orders").score();
    assertThat(score).isCloseTo(2 / 5.0, org.assertj.core.data.Offset.offset(1e-9));
    List<ConfidenceThresholdCrossedEvent> events = crossings.snapshot();
    // Only failures were recorded after the first crossing: no rise may be reported ...
    assertThat(events.subList(1, events.size()))
        .allSatisfy(e -> assertThat(e.falling()).as("falling: %s", e).isTrue());
    // ... and the last event must leave the listener at the real level.
    assertThat(events.get(events.size() - 1).newLevel()).isEqualTo(ConfidenceLevel.of(score));
  }

  // Two registries share one store (the README's durable/shared storage). The other registry's
  // failures move the score from 2/3 to 2/6 unseen; this registry's next outcome, a success
  // (2/6 -> 3/7), is reported as a fall from 2/3 across 0.6 and from MEDIUM to LOW: oldConfidence
  // is
  // not "the score before the outcome" and a success raises a falling alert.
  @Test
  void sharedStore_aSuccessIsReportedAsAFall_fromAStaleOldValue() {
    InMemoryConfidenceStore shared = new InMemoryConfidenceStore(Double.POSITIVE_INFINITY);
    Crossings crossings = new Crossings();
    PatternRegistry watched =
        PatternRegistry.builder()
            .confidenceStore(shared)
            .listener(crossings)
            .confidenceAlert(0.6)
            .build();
    watched.register(new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS));
    PatternRegistry other = PatternRegistry.builder().confidenceStore(shared).build();
    other.register(new ScriptedPattern("p", "t", 1.0, OutcomeStatus.FAILED));
    PatternExecutor here = executor(PatternExecutor.builder(watched).maxAttempts(1));
    PatternExecutor there = executor(PatternExecutor.builder(other).maxAttempts(1));

    here.executeBestPattern(ctx("orders")); // 1/2 -> 2/3
    for (int i = 0; i < 3; i++) {
      there.executeBestPattern(ctx("orders")); // -> 2/6
    }
    int before = crossings.snapshot().size();
    double scoreBefore = shared.stats("p", "orders").score();
    PatternResult success = here.executeBestPattern(ctx("orders")); // 2/6 -> 3/7

    assertThat(success.success()).isTrue();
    List<ConfidenceThresholdCrossedEvent> caused =
        crossings.snapshot().subList(before, crossings.snapshot().size());
    assertThat(caused)
        .allSatisfy(
            e -> {
              assertThat(e.falling()).as("a success reported as a fall: %s", e).isFalse();
              assertThat(e.oldConfidence())
                  .isCloseTo(scoreBefore, org.assertj.core.data.Offset.offset(1e-9));
            });
  }

  /** Keeps the plugin events. */
  static final class PluginEvents implements NdpListener {
    final List<io.ndp.api.event.NdpEvent> events = new ArrayList<>();

    @Override
    public synchronized void onPluginLoaded(io.ndp.api.event.PluginLoadedEvent e) {
      events.add(e);
    }

    @Override
    public synchronized void onPluginFailed(io.ndp.api.event.PluginFailedEvent e) {
      events.add(e);
    }

    @Override
    public synchronized void onPluginStopped(io.ndp.api.event.PluginStoppedEvent e) {
      events.add(e);
    }
  }

  // Two plugins provide the type 'echo': the second is reported CONFLICT (it cannot be used), but
  // the change of its report is made by putReport in rebuildFactories, not record(): its listener
  // heard "loaded" and never hears that it failed.
  @Test
  void pluginThatLosesItsTypeToAnother_isHeardLoaded_neverFailed(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path plugins) throws Exception {
    TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    TestPluginJar.echoKind("echo-twin", "echo", "twin").writeTo(plugins);
    PluginEvents heard = new PluginEvents();
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).listener(heard).build()) {
      assertThat(ndp.pluginReport("echo-twin").orElseThrow().status())
          .isEqualTo(PluginReport.Status.CONFLICT);
      List<io.ndp.api.event.NdpEvent> twin;
      synchronized (heard) {
        twin =
            heard.events.stream()
                .filter(
                    e ->
                        e instanceof io.ndp.api.event.PluginLoadedEvent l
                                && l.pluginId().equals("echo-twin")
                            || e instanceof io.ndp.api.event.PluginFailedEvent f
                                && f.pluginId().equals("echo-twin"))
                .toList();
      }
      // The last word the listener heard of it must be that it could not be used.
      assertThat(twin).isNotEmpty();
      assertThat(twin.get(twin.size() - 1)).isInstanceOf(io.ndp.api.event.PluginFailedEvent.class);
    }
  }

  // A listener that reacts to a plugin loaded by stopping it (e.g. a policy that vetoes a version).
  // The stop's own sendPluginEvents drains the shared queue re-entrantly, while the "loaded" event
  // is still being dispatched: the next listener hears "stopped" first, then "loaded", and is left
  // believing a stopped plugin is running.
  @Test
  void listenerStoppingAPluginItHeardLoaded_makesTheNextListenerHearStoppedBeforeLoaded(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path plugins = java.nio.file.Files.createDirectories(dir.resolve("plugins"));
    java.nio.file.Path staged = java.nio.file.Files.createDirectories(dir.resolve("staged"));
    TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(staged);
    java.nio.file.Path jar;
    try (var files = java.nio.file.Files.list(staged)) {
      jar = files.findFirst().orElseThrow();
    }
    AtomicReference<Ndp> runtime = new AtomicReference<>();
    NdpListener veto =
        new NdpListener() {
          @Override
          public void onPluginLoaded(io.ndp.api.event.PluginLoadedEvent e) {
            runtime.get().stopPlugin(e.pluginId());
          }
        };
    PluginEvents heard = new PluginEvents();
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).listener(veto).listener(heard).build()) {
      runtime.set(ndp);
      ndp.loadPlugin(jar);

      assertThat(ndp.pluginReport("echo-plugin").orElseThrow().status())
          .isEqualTo(PluginReport.Status.STOPPED);
      List<io.ndp.api.event.NdpEvent> events;
      synchronized (heard) {
        events = List.copyOf(heard.events);
      }
      assertThat(events)
          .extracting(e -> e.getClass().getSimpleName())
          .containsExactly("PluginLoadedEvent", "PluginStoppedEvent");
    }
  }

  // "A slow listener slows only the execution that reports to it": onExecutionFinished is called
  // inside the execution's tracking scope, so a listener still busy after the work keeps the
  // execution "in flight". awaitIdle (what stopPlugin, unloadPlugin and close drain on) waits for
  // the listener, and gives up, although every pattern already returned and was recorded.
  @Test
  void listenerBusyAfterTheWork_keepsTheExecutionInFlight_andBlocksAwaitIdle() throws Exception {
    PatternRegistry registry = new PatternRegistry();
    registry.register(new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS));
    CountDownLatch inListener = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    NdpListener slow =
        new NdpListener() {
          @Override
          public void onExecutionFinished(ExecutionFinishedEvent e) {
            inListener.countDown();
            try {
              release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException ie) {
              Thread.currentThread().interrupt();
            }
          }
        };
    PatternExecutor executor = executor(PatternExecutor.builder(registry).listener(slow));
    Thread a = new Thread(() -> executor.executeBestPattern(ctx("orders")), "review-slow");
    a.start();
    try {
      assertThat(inListener.await(10, TimeUnit.SECONDS)).isTrue();

      assertThat(executor.inFlight("p")).as("executions of p in flight").isZero();
      assertThat(executor.awaitIdle(List.of("p"), java.time.Duration.ofMillis(300)))
          .as("idle: p ran and returned; only a listener is still busy")
          .isTrue();
    } finally {
      release.countDown();
      a.join(10_000);
    }
  }

  // ConfidenceThresholdCrossedEvent: "per pattern and domain, each event's old value is the
  // previous event's new value, so crossings alternate". A reset moves the score (2/3 -> 1/2) with
  // no crossing event and makes the watch forget: the next success is heard as a second rise
  // across 0.6 in a row, from an old value (1/2) that no event ever announced.
  @Test
  void reset_breaksTheAlternationOfCrossings_twoRisesInARow() {
    Crossings crossings = new Crossings();
    PatternRegistry registry =
        PatternRegistry.builder()
            .halfLife(Double.POSITIVE_INFINITY)
            .listener(crossings)
            .confidenceAlert(0.6)
            .build();
    registry.register(new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS));
    PatternExecutor executor = executor(PatternExecutor.builder(registry).maxAttempts(1));

    executor.executeBestPattern(ctx("orders")); // 1/2 -> 2/3: rises across 0.6
    registry.resetStatistics("p"); // back to 1/2, silently for the crossings
    executor.executeBestPattern(ctx("orders")); // 1/2 -> 2/3: "rises" across 0.6 again

    List<ConfidenceThresholdCrossedEvent> events = crossings.snapshot();
    for (int i = 1; i < events.size(); i++) {
      assertThat(events.get(i).oldConfidence())
          .as("old value of event %d is the previous event's new value", i)
          .isEqualTo(events.get(i - 1).newConfidence());
      assertThat(events.get(i).falling())
          .as("crossings of 0.6 alternate")
          .isNotEqualTo(events.get(i - 1).falling());
    }
  }
}
