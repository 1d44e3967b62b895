package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.AbstractPattern;
import io.ndp.api.ConfidenceStats;
import io.ndp.api.ConfidenceStore;
import io.ndp.api.ExecutionScope;
import io.ndp.api.MatchResult;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternOutcome;
import io.ndp.api.PatternResult;
import io.ndp.api.PatternRuntime;
import io.ndp.api.ResourcePool;
import io.ndp.core.internal.InMemoryConfidenceStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 90, unit = TimeUnit.SECONDS)
/**
 * Regression tests for the defects a second review of the ownership change proved, one per defect,
 * each named after what broke.
 */
class OwnershipSecondReviewRegressionTest {

  private static PatternContext ctx(String domain, String agentType) {
    return new PatternContext(domain, agentType, Map.of());
  }

  /** A pattern whose onAttach runs a hook (e.g. to fail the registration). */
  static final class Hooked extends AbstractPattern {
    private final Consumer<PatternRuntime> onAttach;

    Hooked(String name, Consumer<PatternRuntime> onAttach) {
      super(name, "");
      this.onAttach = onAttach;
    }

    @Override
    protected void onAttach(PatternRuntime runtime) {
      onAttach.accept(runtime);
    }

    @Override
    public String type() {
      return "hooked";
    }

    @Override
    public Set<String> typeAliases() {
      return Set.of();
    }

    @Override
    public Set<String> agentTypes() {
      return Set.of("t");
    }

    @Override
    public MatchResult match(PatternContext context) {
      return MatchResult.perfect();
    }

    @Override
    public PatternOutcome execute(PatternContext context, ExecutionScope scope) {
      return PatternOutcome.success("ok", "ok");
    }

    @Override
    public PatternDefinition definition() {
      return new PatternDefinition("hooked", name(), "", Map.of());
    }
  }

  private static void await(CountDownLatch l) {
    try {
      if (!l.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("latch timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  // ---- A: a failed registerAll's restore() wipes a declaration the host made meanwhile

  @Test
  void failedBatchRegistration_doesNotUndoADeclarationTheHostMadeMeanwhile() throws Exception {
    ResourcePool pool = new ResourcePool();
    PatternRegistry registry = PatternRegistry.builder().resourcePool(pool).build();
    CountDownLatch inAttach = new CountDownLatch(1);
    CountDownLatch hostDeclared = new CountDownLatch(1);
    Hooked first = new Hooked("first", rt -> {});
    Hooked failing =
        new Hooked(
            "failing",
            rt -> {
              inAttach.countDown();
              await(hostDeclared);
              throw new IllegalArgumentException("cannot work in this runtime");
            });
    CompletableFuture<Void> batch =
        CompletableFuture.runAsync(() -> registry.registerAll(List.of(first, failing)));
    await(inAttach);
    // The host, on its own thread, declares a capacity in its pool: it waits for the batch, whose
    // declarations are made and undone together.
    CompletableFuture<ResourcePool> host =
        CompletableFuture.supplyAsync(() -> pool.declare("gpu", 2));
    Thread.onSpinWait();
    hostDeclared.countDown();
    assertThat(batch).failsWithin(Duration.ofSeconds(10));
    assertThat(host).succeedsWithin(Duration.ofSeconds(10));
    assertThat(pool.capacity("gpu")).hasValue(2);

    assertThat(registry.size()).isZero();
    // The failed batch declared nothing itself: the host's declaration must survive its undo.
    assertThat(pool.capacity("gpu")).as("host's explicit gpu capacity").hasValue(2);
  }

  // ---- B: executor.close() from inside an execution waits the full drain timeout for itself

  @Test
  void executorClose_calledFromADelegate_doesNotWaitForItsOwnExecution() throws Exception {
    PatternRegistry registry = new PatternRegistry();
    registry.register(new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS));
    PatternExecutor executor = new PatternExecutor(registry);
    executor
        .delegates()
        .register(
            "work",
            in -> {
              executor.close(); // e.g. an admin "shutdown" command handled by a delegate
              return "ok";
            });
    CompletableFuture<PatternResult> run =
        CompletableFuture.supplyAsync(() -> executor.executeBestPattern(ctx("d", "t")));
    // DEFAULT_DRAIN_TIMEOUT is 30 s: the only execution in flight is the caller itself.
    assertThat(run).succeedsWithin(Duration.ofSeconds(5));
  }

  // ---- C: an outcome is recorded although the drain gave up on (and named) its execution

  /** A confidence store whose recordOutcome blocks until released (a slow, durable store). */
  static final class SlowStore implements ConfidenceStore {
    final InMemoryConfidenceStore inner = new InMemoryConfidenceStore();
    final CountDownLatch recording = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public void recordOutcome(String patternName, String domain, boolean success) {
      recording.countDown();
      await(release);
      inner.recordOutcome(patternName, domain, success);
    }

    @Override
    public ConfidenceStats stats(String patternName, String domain) {
      return inner.stats(patternName, domain);
    }

    @Override
    public ConfidenceStats stats(String patternName) {
      return inner.stats(patternName);
    }

    @Override
    public Map<String, ConfidenceStats> statsByDomain(String patternName) {
      return inner.statsByDomain(patternName);
    }

    @Override
    public void reset(String patternName) {
      inner.reset(patternName);
    }

    @Override
    public void resetAll() {
      inner.resetAll();
    }
  }

  /**
   * The first candidate fails and its outcome is being written to a slow store when the drain gives
   * up: that recording began before and completes; the second candidate's outcome, which ends after
   * the drain gave up, is not recorded.
   */
  @Test
  void outcomeEndingAfterADrainGaveUp_isNotRecorded_oneAlreadyBeingWrittenCompletes()
      throws Exception {
    SlowStore store = new SlowStore();
    PatternRegistry registry = PatternRegistry.builder().confidenceStore(store).build();
    registry.register(new ScriptedPattern("a", "t", 1.0, OutcomeStatus.FAILED));
    registry.register(new ScriptedPattern("b", "t", 0.5, OutcomeStatus.SUCCESS));
    PatternExecutor executor =
        PatternExecutor.builder(registry).selectionPolicy(SelectionPolicy.greedy()).build();
    executor.delegates().register("work", in -> "ok");
    CompletableFuture<PatternResult> run =
        CompletableFuture.supplyAsync(() -> executor.executeBestPattern(ctx("d", "t")));
    await(store.recording); // a's failure is being written

    executor.shutdown();
    CompletableFuture<List<String>> drain =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return executor.awaitTermination(Duration.ofMillis(100));
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    // The drain times out, then waits only for the write in progress before it gives up.
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(executor::drainWaitsForRecording);
    store.release.countDown();
    assertThat(drain.get(10, TimeUnit.SECONDS)).hasSize(1);
    PatternResult r = run.get(10, TimeUnit.SECONDS);

    assertThat(registry.statistics("a", "d")).isEqualTo(new ConfidenceStats(0, 1));
    assertThat(registry.statistics("b", "d")).isEqualTo(ConfidenceStats.EMPTY);
    assertThat(r.attempts())
        .extracting(io.ndp.api.Attempt::status)
        .containsExactly(OutcomeStatus.FAILED, OutcomeStatus.CANCELLED);
    executor.close();
  }

  // ---- D: replace() (storePattern of a new instance) shows readers neither the old nor the new

  @Test
  void storingANewInstance_neverLeavesTheNameUnregisteredForReaders() throws Exception {
    PatternRegistry registry = new PatternRegistry();
    PatternStorage storage = new PatternStorage(registry);
    PatternExecutor executor = new PatternExecutor(registry);
    executor.delegates().register("work", in -> "ok");
    storage.storePattern(new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS));
    java.util.concurrent.atomic.AtomicBoolean stop =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicInteger misses =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger failedExecutions =
        new java.util.concurrent.atomic.AtomicInteger();
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              for (int i = 0; i < 5_000 && !stop.get(); i++) {
                storage.storePattern(new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS));
              }
            });
    CompletableFuture<Void> finder =
        CompletableFuture.runAsync(
            () -> {
              while (!writer.isDone()) {
                if (registry.find("p").isEmpty()) {
                  misses.incrementAndGet();
                }
              }
            });
    CompletableFuture<Void> runner =
        CompletableFuture.runAsync(
            () -> {
              while (!writer.isDone()) {
                try {
                  if (!executor.executeBestPattern(ctx("d", "t")).success()) {
                    failedExecutions.incrementAndGet();
                  }
                } catch (RuntimeException e) { // UnknownAgentTypeException: "t" served by none
                  failedExecutions.incrementAndGet();
                }
              }
            });
    writer.get(60, TimeUnit.SECONDS);
    finder.get(10, TimeUnit.SECONDS);
    runner.get(10, TimeUnit.SECONDS);
    // "readers see the old one or the new one, never neither"
    assertThat(List.of(misses.get(), failedExecutions.get()))
        .as("[lookups that found no 'p', executions that found no pattern for 't']")
        .containsExactly(0, 0);
    executor.close();
  }

  // ---- E: a plugin stop does not wait for a second executor over the facade's registry

  @Test
  void stopPlugin_waitsForExecutionsOfEveryExecutorOverTheRuntimesRegistry(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path plugins) throws Exception {
    TestPluginJar.echoKind("echo-plugin", "echo", "v1").writeTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      ndp.register(new PatternDefinition("echo", "e", "", Map.of()));
      // "any number of executors over one registry": e.g. one per tenant, with its own delegates
      PatternExecutor second = new PatternExecutor(ndp.registry());
      CountDownLatch running = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      second
          .delegates()
          .register(
              "work",
              in -> {
                running.countDown();
                release.await(10, TimeUnit.SECONDS);
                return "ok";
              });
      CompletableFuture<PatternResult> run =
          CompletableFuture.supplyAsync(() -> second.executeBestPattern(ctx("d", "echo")));
      await(running);

      CompletableFuture<Boolean> stop =
          CompletableFuture.supplyAsync(() -> ndp.stopPlugin("echo-plugin", Duration.ofSeconds(2)));
      // The plugin's pattern is still executing its code: the stop must wait (or give up), not
      // report the plugin stopped.
      Boolean stopped = stop.get(10, TimeUnit.SECONDS);
      boolean stillRunning = !run.isDone();
      release.countDown();
      run.get(10, TimeUnit.SECONDS);
      assertThat(stillRunning).isTrue();
      assertThat(stopped).as("stopPlugin while an execution of its pattern runs").isFalse();
      second.close();
    }
  }

  // ---- F: restore() removing a resource races tryAcquireAll: NullPointerException escapes

  @Test
  void acquisitionRacingTheUndoOfAFailedBatch_neverThrowsNullPointerException() throws Exception {
    java.util.concurrent.atomic.AtomicReference<PatternRegistry> current =
        new java.util.concurrent.atomic.AtomicReference<>(new PatternRegistry());
    java.util.concurrent.atomic.AtomicBoolean done =
        new java.util.concurrent.atomic.AtomicBoolean();
    List<Throwable> unexpected = new java.util.concurrent.CopyOnWriteArrayList<>();
    Runnable acquire =
        () -> {
          while (!done.get()) {
            try {
              current
                  .get()
                  .resourcePool()
                  .tryAcquireAll(Map.of("gpu", 1), Duration.ZERO)
                  .ifPresent(l -> l.close());
            } catch (IllegalArgumentException notDeclared) {
              // documented: "gpu" is not declared (the failed batch was undone)
            } catch (Throwable t) {
              unexpected.add(t);
            }
          }
        };
    List<Thread> acquirers = List.of(new Thread(acquire), new Thread(acquire));
    acquirers.forEach(Thread::start);
    Hooked failing =
        new Hooked(
            "failing",
            rt -> {
              throw new IllegalArgumentException("cannot work in this runtime");
            });
    // 5,000 failed batches, or 5 s, whichever comes first.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    for (int i = 0; i < 5_000 && unexpected.isEmpty() && System.nanoTime() < deadline; i++) {
      // A fresh runtime each round (a restore that finds "gpu" in use keeps it declared).
      PatternRegistry registry = new PatternRegistry();
      current.set(registry);
      io.ndp.patterns.parallel.ParallelCoordinationPattern gpu =
          io.ndp.patterns.parallel.ParallelCoordinationPattern.builder("g", "")
              .resources("gpu")
              .build();
      try {
        registry.registerAll(List.of(gpu, failing)); // declares "gpu", then undoes it
      } catch (IllegalArgumentException expected) {
        // the batch fails
      }
    }
    done.set(true);
    for (Thread t : acquirers) {
      t.join(10_000);
    }
    assertThat(unexpected).as("what tryAcquireAll threw").isEmpty();
  }

  // ---- H: a store that throws a checked exception (e.g. written in Kotlin) wedges the cache key

  @Test
  void storeThrowingACheckedException_doesNotLeaveLaterReadersWaitingForever() throws Exception {
    OwnershipReviewRegressionTest.FlakyStore store = new OwnershipReviewRegressionTest.FlakyStore();
    // What a Kotlin (or @SneakyThrows) implementation does on an I/O error.
    store.failNextFind.set(new java.io.IOException("disk read failed"));
    PatternStorage storage = PatternStorage.builder().definitionStore(store).build();
    Throwable first =
        org.assertj.core.api.Assertions.catchThrowable(() -> storage.findDefinition("x"));
    assertThat(first).isInstanceOf(java.io.IOException.class);

    // The disk is fine again: the next read must reach the store, not wait for the failed one.
    CompletableFuture<java.util.Optional<PatternDefinition>> second =
        CompletableFuture.supplyAsync(() -> storage.findDefinition("x"));
    assertThat(second).succeedsWithin(Duration.ofSeconds(5));
  }
}
