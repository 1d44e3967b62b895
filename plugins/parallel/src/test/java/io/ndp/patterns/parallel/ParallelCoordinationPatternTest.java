package io.ndp.patterns.parallel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ndp.api.Delegate;
import io.ndp.api.DelegateDirectory;
import io.ndp.api.InvalidContextException;
import io.ndp.api.MatchResult;
import io.ndp.api.MissingDelegateException;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternOutcome;
import io.ndp.api.ResourcePool;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class ParallelCoordinationPatternTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  private final ExecutorService workers = Executors.newCachedThreadPool();
  private final ExecutorService callers = Executors.newCachedThreadPool();
  private final DelegateDirectory delegates = new DelegateDirectory();
  private final ResourcePool pool = new ResourcePool();

  @AfterEach
  void stop() throws InterruptedException {
    callers.shutdownNow();
    workers.shutdownNow();
    assertThat(workers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(callers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  private TestScope scope() {
    return new TestScope(delegates, workers, null);
  }

  private TestScope scope(Duration timeout) {
    return new TestScope(delegates, workers, timeout);
  }

  private static PatternContext context(String... requiredResources) {
    return new PatternContext(
        "orders", "parallel", Map.of("required_resources", List.of(requiredResources)));
  }

  private static PatternContext contextWithTasks(Object tasks) {
    return new PatternContext("orders", "parallel", Map.of("tasks", tasks));
  }

  private ParallelCoordinationPattern.Builder builder(String name) {
    return ParallelCoordinationPattern.builder(name, "test pattern").pool(pool);
  }

  // --- construction -----------------------------------------------------------------------------

  @Test
  void constructor_guideForm_servesParallelAndHasNoPoolUntilARuntimeOwnsIt() {
    ParallelCoordinationPattern p =
        new ParallelCoordinationPattern(
            "resource_manager",
            "Resource-based parallel execution",
            Set.of("cpu", "memory", "network"));

    assertThat(p.name()).isEqualTo("resource_manager");
    assertThat(p.type()).isEqualTo("parallel");
    assertThat(p.typeAliases()).containsExactly("ParallelCoordinationPattern");
    assertThat(p.agentTypes()).containsExactly("parallel");
    assertThat(p.resources()).containsExactly("cpu", "memory", "network");
    assertThat(p.pool()).isEmpty();
    int d = ResourcePool.DEFAULT_CAPACITY;
    assertThat(p.capacities()).isEqualTo(Map.of("cpu", d, "memory", d, "network", d));
    assertThat(p.acquireTimeout()).isEqualTo(ParallelCoordinationPattern.DEFAULT_ACQUIRE_TIMEOUT);
    assertThat(p.activeResources()).isEmpty();
  }

  @Test
  void constructor_blankResource_namesIt() {
    assertThatThrownBy(() -> new ParallelCoordinationPattern("p", "d", Set.of("cpu", " ")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be a non-blank name but was ' '");
  }

  @Test
  void constructor_noResources_isRejected() {
    assertThatThrownBy(() -> new ParallelCoordinationPattern("p", "d", Set.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("parallel pattern 'p' needs at least one resource but has none");
  }

  @Test
  void build_unnamedCapacityOrResourceAndTasks_adoptsPoolCapacityElseTheDefault() {
    pool.declare("cpu", 4);

    ParallelCoordinationPattern p = builder("p").resources("cpu", "memory").build();

    int d = ResourcePool.DEFAULT_CAPACITY;
    assertThat(p.capacities()).isEqualTo(Map.of("cpu", 4, "memory", d));
    assertThat(pool.capacities()).isEqualTo(Map.of("cpu", 4, "memory", d));
  }

  @Test
  void build_hostPoolWithItsOwnDefault_givesUnnamedResourcesThatDefault() {
    ResourcePool host = new ResourcePool(Map.of(), 3);

    ParallelCoordinationPattern p =
        ParallelCoordinationPattern.builder("p", "d").pool(host).resources("cpu").build();

    assertThat(p.capacities()).isEqualTo(Map.of("cpu", 3));
    assertThat(host.capacities()).isEqualTo(Map.of("cpu", 3));
  }

  @Test
  void build_capacityConflictingWithPool_namesResourceAndBothCapacitiesAndChangesNothing() {
    pool.declare("cpu", 4);

    assertThatThrownBy(() -> builder("p").capacity("cpu", 2).resources("memory").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "resource 'cpu' already has capacity 4 in this pool but pattern 'p' declares capacity"
                + " 2; a capacity is set once per pool");
    assertThat(pool.capacities()).isEqualTo(Map.of("cpu", 4));
  }

  @Test
  void build_taskProblems_areAllReportedAndThePoolIsUnchanged() {
    assertThatThrownBy(
            () ->
                builder("p")
                    .capacity("cpu", 2)
                    .task("a", Map.of("gpu", 1))
                    .task("a", Map.of("cpu", 1))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("task 'a' of parallel pattern 'p' needs [gpu] which the pattern")
        .hasMessageContaining("parallel pattern 'p' lists task 'a' twice");
    assertThatThrownBy(() -> builder("q").capacity("cpu", 2).task("big", Map.of("cpu", 3)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("task 'big' of pattern 'q' needs 3 units of 'cpu' but its capacity is 2");
    assertThat(pool.capacities()).isEmpty();
  }

  @Test
  void builder_invalidSettings_areRejectedWhereSet() {
    var b = builder("p");
    assertThatThrownBy(() -> b.capacity("cpu", 0))
        .hasMessage("capacity of 'cpu' in parallel pattern 'p' must be at least 1 but was 0");
    assertThatThrownBy(() -> b.acquireTimeout(Duration.ofNanos(1500)))
        .hasMessageContaining("must be a whole number of milliseconds from 0 to 2147483647")
        .hasMessageContaining("PT0.0000015S");
    assertThatThrownBy(() -> b.task("t", Map.of("cpu", 0)))
        .hasMessage("task 't' must need at least 1 unit of 'cpu' but asked for 0");
  }

  // --- matching ---------------------------------------------------------------------------------

  @Test
  void match_missingRequiredResources_namesThem() {
    ParallelCoordinationPattern p = builder("p").resources("cpu", "memory", "network").build();

    MatchResult m = p.match(context("cpu", "gpu", "disk"));

    assertThat(m.isMatch()).isFalse();
    assertThat(m.reason())
        .isEqualTo("lacks required resources [disk, gpu] (has [cpu, memory, network])");
  }

  @Test
  void match_noRequirement_isPerfect() {
    ParallelCoordinationPattern p = builder("p").resources("cpu", "memory").build();

    assertThat(p.match(context()).score()).isEqualTo(1.0);
  }

  @Test
  void match_closerFit_scoresHigher() {
    ParallelCoordinationPattern exact = builder("exact").resources("cpu", "memory").build();
    ParallelCoordinationPattern wide =
        builder("wide").resources("cpu", "memory", "network", "disk").build();

    PatternContext ctx = context("cpu", "memory");

    assertThat(exact.match(ctx).score()).isEqualTo(1.0);
    assertThat(wide.match(ctx).score()).isEqualTo(0.75);
  }

  @Test
  void match_contextTaskNeedsUndeclaredResource_doesNotMatch() {
    ParallelCoordinationPattern p = builder("p").resources("cpu").build();

    MatchResult m =
        p.match(contextWithTasks(List.of(Map.of("name", "t", "resources", Map.of("gpu", 1)))));

    assertThat(m.isMatch()).isFalse();
    assertThat(m.reason()).contains("task 't' needs resource 'gpu' which pattern 'p' does not");
  }

  @Test
  void match_contextTasks_countTowardsTheFit() {
    ParallelCoordinationPattern p = builder("p").resources("cpu", "memory").build();

    MatchResult m =
        p.match(contextWithTasks(List.of(Map.of("name", "t", "resources", List.of("cpu")))));

    assertThat(m.score()).isEqualTo(0.75);
  }

  // --- execution: happy paths -------------------------------------------------------------------

  @Test
  void execute_derivedTasks_aggregatesOutputsByTaskNameImmutably() {
    ParallelCoordinationPattern p = builder("p").resources("cpu", "memory", "network").build();
    delegates.register("cpu", input -> input + "@cpu");
    delegates.register("memory", input -> input + "@memory");
    PatternContext ctx = context("cpu", "memory").toBuilder().payload("order-1").build();

    PatternOutcome outcome = p.execute(ctx, scope());

    assertThat(outcome.status()).isEqualTo(OutcomeStatus.SUCCESS);
    assertThat(outcome.message()).isEqualTo("ran 2 task(s) concurrently: cpu, memory");
    @SuppressWarnings("unchecked")
    Map<String, Object> output = (Map<String, Object>) outcome.output();
    assertThat(output)
        .containsExactly(Map.entry("cpu", "order-1@cpu"), Map.entry("memory", "order-1@memory"));
    assertThatThrownBy(() -> output.put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(p.activeResources()).isEmpty();
  }

  @Test
  void execute_noRequirement_runsOneTaskPerOfferedResource() {
    ParallelCoordinationPattern p = builder("p").resources("cpu", "memory").build();
    delegates.register("cpu", input -> 1);
    delegates.register("memory", input -> null);

    PatternOutcome outcome = p.execute(context(), scope());

    assertThat(outcome.isSuccess()).isTrue();
    @SuppressWarnings("unchecked")
    Map<String, @Nullable Object> output = (Map<String, @Nullable Object>) outcome.output();
    assertThat(output).containsEntry("cpu", 1).containsEntry("memory", null).hasSize(2);
  }

  @Test
  void execute_configuredTasks_runConcurrentlyAndHoldTheirUnits() throws Exception {
    ParallelCoordinationPattern p =
        builder("p")
            .capacity("cpu", 4)
            .capacity("memory", 2)
            .task("encode", Map.of("cpu", 2))
            .task(new ResourceTask("thumbnail", "thumbnailer", Map.of("cpu", 1, "memory", 1)))
            .build();
    CountDownLatch bothRunning = new CountDownLatch(2);
    CountDownLatch finish = new CountDownLatch(1);
    delegates.register("encode", input -> meetAndWait(bothRunning, finish, "encoded"));
    delegates.register("thumbnailer", input -> meetAndWait(bothRunning, finish, "thumb"));

    Future<PatternOutcome> run = callers.submit(() -> p.execute(context("cpu"), scope()));
    assertThat(bothRunning.await(10, TimeUnit.SECONDS)).as("both tasks run at once").isTrue();

    assertThat(p.activeResources()).isEqualTo(Map.of("cpu", 3, "memory", 1));
    assertThat(pool.activeResources()).isEqualTo(Map.of("cpu", 3, "memory", 1));
    finish.countDown();
    PatternOutcome outcome = run.get(10, TimeUnit.SECONDS);

    assertThat(outcome.output()).isEqualTo(Map.of("encode", "encoded", "thumbnail", "thumb"));
    assertThat(p.activeResources()).isEmpty();
    assertThat(pool.activeResources()).isEmpty();
  }

  private static Object meetAndWait(CountDownLatch meet, CountDownLatch finish, Object result)
      throws InterruptedException {
    meet.countDown();
    if (!finish.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("not released");
    }
    return result;
  }

  @Test
  void execute_contextTasks_overrideConfiguredTasksAndGetThePayload() {
    ParallelCoordinationPattern p =
        builder("p").capacity("cpu", 2).task("configured", Map.of("cpu", 1)).build();
    delegates.register("resize", input -> "resized " + input);
    PatternContext ctx =
        PatternContext.builder("media", "parallel")
            .attribute(
                "tasks",
                List.of(
                    Map.of("name", "small", "delegate", "resize", "resources", Map.of("cpu", 1)),
                    Map.of("name", "large", "delegate", "resize", "resources", List.of("cpu"))))
            .payload("photo.png")
            .build();

    PatternOutcome outcome = p.execute(ctx, scope());

    assertThat(outcome.output())
        .isEqualTo(Map.of("small", "resized photo.png", "large", "resized photo.png"));
  }

  @Test
  void execute_onCallerRunsExecutor_runsTasksOneByOne() {
    ParallelCoordinationPattern p = builder("p").resources("cpu", "memory").build();
    delegates.register("cpu", input -> "c");
    delegates.register("memory", input -> "m");

    PatternOutcome outcome =
        p.execute(context(), new TestScope(delegates, Runnable::run, Duration.ofSeconds(5)));

    assertThat(outcome.output()).isEqualTo(Map.of("cpu", "c", "memory", "m"));
  }

  // --- execution: rejected before anything runs -------------------------------------------------

  @Test
  void execute_missingDelegate_throwsBeforeAnyTaskRuns() {
    ParallelCoordinationPattern p = builder("p").resources("cpu", "memory").build();
    AtomicInteger ran = new AtomicInteger();
    delegates.register("cpu", input -> ran.incrementAndGet());

    assertThatThrownBy(() -> p.execute(context("cpu", "memory"), scope()))
        .isInstanceOf(MissingDelegateException.class)
        .hasMessageContaining("pattern 'p' needs a delegate named 'memory'");
    assertThat(ran).hasValue(0);
    assertThat(pool.activeResources()).isEmpty();
  }

  @Test
  void execute_typedTasksInTheContext_runAsGivenAndAreCheckedLikeMaps() {
    ParallelCoordinationPattern p = builder("p").capacity("cpu", 2).capacity("gpu", 1).build();
    delegates.register("work", input -> "done");

    PatternOutcome outcome =
        p.execute(
            contextWithTasks(
                List.of(
                    new ResourceTask("first", "work", Map.of("cpu", 1)),
                    Map.of("name", "second", "delegate", "work", "resources", List.of("gpu")))),
            scope());
    PatternOutcome duplicate =
        p.execute(
            contextWithTasks(
                List.of(
                    new ResourceTask("same", "work", Map.of("cpu", 1)),
                    new ResourceTask("same", "work", Map.of("cpu", 1)))),
            scope());
    PatternOutcome tooBig =
        p.execute(
            contextWithTasks(List.of(new ResourceTask("big", "work", Map.of("gpu", 2)))), scope());

    assertThat(outcome.status()).as(outcome.message()).isEqualTo(OutcomeStatus.SUCCESS);
    assertThat(outcome.output()).isEqualTo(Map.of("first", "done", "second", "done"));
    assertThat(duplicate.status()).isEqualTo(OutcomeStatus.REJECTED);
    assertThat(duplicate.message()).contains("tasks[1].name 'same' is used by an earlier task");
    assertThat(tooBig.status()).isEqualTo(OutcomeStatus.REJECTED);
    assertThat(tooBig.message()).contains("task 'big'");
    assertThat(pool.activeResources()).isEmpty();
  }

  @Test
  void execute_badTasksAttribute_isRejectedNamingEachKeyAndValue() {
    ParallelCoordinationPattern p = builder("p").capacity("cpu", 2).build();
    AtomicInteger ran = new AtomicInteger();
    delegates.register("a", input -> ran.incrementAndGet());
    Object tasks =
        List.of(
            Map.of("name", "a", "resources", Map.of("cpu", "two")),
            "oops",
            Map.of("name", " ", "resource", Map.of("cpu", 1)),
            Map.of("name", "a", "resources", Map.of("cpu", 1.5)));

    PatternOutcome outcome = p.execute(contextWithTasks(tasks), scope());

    assertThat(outcome.status()).isEqualTo(OutcomeStatus.REJECTED);
    assertThat(outcome.message())
        .startsWith("parallel pattern 'p' cannot run this context: ")
        .contains(
            "tasks[0].resources.cpu must be a whole number of units of at least 1 but was"
                + " String 'two'")
        .contains(
            "tasks[1] must be a ResourceTask or a map {name, delegate, resources} but was String 'oops'")
        .contains("tasks[2] has unknown key String 'resource'")
        .contains("tasks[2].name must be a non-blank string but was String ' '")
        .contains(
            "tasks[3].resources.cpu must be a whole number of units of at least 1 but was"
                + " Double 1.5");
    assertThat(outcome.cause()).isInstanceOf(InvalidContextException.class);
    assertThat(ran).hasValue(0);
  }

  @Test
  void execute_tasksAttributeNotAList_isRejected() {
    ParallelCoordinationPattern p = builder("p").resources("cpu").build();

    PatternOutcome outcome = p.execute(contextWithTasks(3), scope());

    assertThat(outcome.status()).isEqualTo(OutcomeStatus.REJECTED);
    assertThat(outcome.message())
        .endsWith("tasks must be a list of maps {name, delegate, resources} but was Integer 3");
  }

  @Test
  void execute_contextTaskAboveCapacityOrUndeclared_isRejectedBeforeAnythingRuns() {
    ParallelCoordinationPattern p = builder("p").capacity("cpu", 4).build();
    AtomicInteger ran = new AtomicInteger();
    delegates.register("ok", input -> ran.incrementAndGet());
    delegates.register("big", input -> ran.incrementAndGet());

    PatternOutcome outcome =
        p.execute(
            contextWithTasks(
                List.of(
                    Map.of("name", "ok", "resources", Map.of("cpu", 1)),
                    Map.of("name", "big", "resources", Map.of("cpu", 5, "gpu", 1)))),
            scope());

    assertThat(outcome.status()).isEqualTo(OutcomeStatus.REJECTED);
    assertThat(outcome.message())
        .contains("task 'big' needs 5 units of 'cpu' but its capacity is 4")
        .contains("task 'big' needs resource 'gpu' which pattern 'p' does not declare");
    assertThat(ran).hasValue(0);
  }

  // --- execution: failure, timeout, conflict, cancellation ---------------------------------------

  @Test
  void execute_whenOneTaskFails_cancelsTheOthersAndReleasesEverything() {
    ParallelCoordinationPattern p =
        builder("p")
            .capacity("cpu", 4)
            .task("slow1", Map.of("cpu", 1))
            .task("slow2", Map.of("cpu", 1))
            .task("bad", Map.of("cpu", 2))
            .build();
    CountDownLatch slowRunning = new CountDownLatch(2);
    CountDownLatch slowInterrupted = new CountDownLatch(2);
    Delegate slow =
        input -> {
          slowRunning.countDown();
          try {
            hang(LONG.toMillis());
            return "never";
          } catch (InterruptedException e) {
            slowInterrupted.countDown();
            throw e;
          }
        };
    delegates.register("slow1", slow);
    delegates.register("slow2", slow);
    delegates.register(
        "bad",
        input -> {
          slowRunning.await();
          throw new IllegalStateException("disk full");
        });

    PatternOutcome outcome = p.execute(context(), scope());

    assertThat(outcome.status()).isEqualTo(OutcomeStatus.FAILED);
    assertThat(outcome.message())
        .isEqualTo(
            "parallel pattern 'p': task 'bad' (delegate 'bad') failed:"
                + " java.lang.IllegalStateException: disk full; cancelled 2 other task(s)");
    assertThat(outcome.cause()).isInstanceOf(IllegalStateException.class).hasMessage("disk full");
    assertThat(slowInterrupted.getCount()).as("both slow tasks were interrupted").isZero();
    assertThat(p.activeResources()).isEmpty();
    assertThat(pool.activeResources()).isEmpty();
  }

  @Test
  void execute_delegateThrowsError_failsAndReleases() {
    ParallelCoordinationPattern p = builder("p").resources("cpu").build();
    delegates.register(
        "cpu",
        input -> {
          throw new AssertionError("bug");
        });

    PatternOutcome outcome = p.execute(context(), scope());

    assertThat(outcome.status()).isEqualTo(OutcomeStatus.FAILED);
    assertThat(outcome.cause()).isInstanceOf(AssertionError.class);
    assertThat(pool.activeResources()).isEmpty();
  }

  /**
   * An executor that never starts a task: the calling thread runs them itself, the hanging one too,
   * and the deadline must still end the execution (the group's timer interrupts it).
   */
  @Test
  void execute_deadlinePassesWhileTheCallerRunsATaskItself_timesOutAndReleases() {
    ParallelCoordinationPattern p = builder("p").resources("cpu", "memory").build();
    delegates.register("cpu", input -> "quick");
    delegates.register(
        "memory",
        input -> {
          hang(LONG.toMillis());
          return "never";
        });
    List<Runnable> neverRun = new java.util.concurrent.CopyOnWriteArrayList<>();
    long start = System.nanoTime();

    PatternOutcome outcome =
        p.execute(context(), new TestScope(delegates, neverRun::add, Duration.ofMillis(200)));

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(outcome.status()).isEqualTo(OutcomeStatus.TIMED_OUT);
    assertThat(outcome.message())
        .isEqualTo(
            "parallel pattern 'p': deadline passed with 1 of 2 task(s) unfinished: memory;"
                + " they were cancelled");
    assertThat(outcome.output()).isEqualTo(Map.of("cpu", "quick"));
    assertThat(pool.activeResources()).isEmpty();
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @Test
  void execute_deadlinePasses_timesOutCancelsAndReleases() {
    ParallelCoordinationPattern p = builder("p").resources("cpu", "memory").build();
    AtomicInteger interrupted = new AtomicInteger();
    delegates.register("cpu", input -> "quick");
    delegates.register(
        "memory",
        input -> {
          try {
            hang(LONG.toMillis());
            return "never";
          } catch (InterruptedException e) {
            interrupted.incrementAndGet();
            throw e;
          }
        });
    long start = System.nanoTime();

    PatternOutcome outcome = p.execute(context(), scope(Duration.ofMillis(200)));

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(outcome.status()).isEqualTo(OutcomeStatus.TIMED_OUT);
    assertThat(outcome.message())
        .isEqualTo(
            "parallel pattern 'p': deadline passed with 1 of 2 task(s) unfinished: memory;"
                + " they were cancelled");
    assertThat(outcome.output()).isEqualTo(Map.of("cpu", "quick"));
    assertThat(interrupted).hasValue(1);
    assertThat(pool.activeResources()).isEmpty();
  }

  @Test
  void execute_resourcesHeldElsewhere_conflictsAfterAcquireTimeout() throws Exception {
    ParallelCoordinationPattern p =
        builder("p")
            .capacity("cpu", 2)
            .resources("memory")
            .acquireTimeout(Duration.ofMillis(100))
            .build();
    AtomicInteger ran = new AtomicInteger();
    delegates.register("t", input -> ran.incrementAndGet());
    ResourcePool.Lease other =
        pool.tryAcquireAll("other", 0, Map.of("cpu", 2), Duration.ZERO).orElseThrow();
    try {
      PatternOutcome outcome =
          p.execute(
              contextWithTasks(
                  List.of(Map.of("name", "t", "resources", Map.of("cpu", 1, "memory", 1)))),
              scope());

      assertThat(outcome.status()).isEqualTo(OutcomeStatus.CONFLICT);
      assertThat(outcome.message())
          .isEqualTo(
              String.format(
                  Locale.ROOT,
                  "parallel pattern 'p': resources not free: task 't' of pattern 'p' could not"
                      + " acquire {cpu=1, memory=1} within 100 ms (in use {cpu=2, memory=0} of"
                      + " capacities {cpu=2, memory=%d}); cancelled 0 other task(s)",
                  ResourcePool.DEFAULT_CAPACITY));
      assertThat(outcome.cause())
          .isInstanceOfSatisfying(
              ResourceConflictException.class,
              e -> {
                assertThat(e.taskName()).isEqualTo("t");
                assertThat(e.requested()).isEqualTo(Map.of("cpu", 1, "memory", 1));
              });
      assertThat(ran).hasValue(0);
      assertThat(pool.activeResources()).isEqualTo(Map.of("cpu", 2));
    } finally {
      other.close();
    }
  }

  @Test
  void execute_conflictWithShortDeadline_endsByTheDeadlineNotTheAcquireTimeout() throws Exception {
    ParallelCoordinationPattern p =
        builder("p").resources("cpu").acquireTimeout(Duration.ofSeconds(30)).build();
    delegates.register("cpu", input -> "never");
    int all = p.capacities().get("cpu");
    ResourcePool.Lease other =
        pool.tryAcquireAll("other", 0, Map.of("cpu", all), Duration.ZERO).orElseThrow();
    try {
      long start = System.nanoTime();

      PatternOutcome outcome = p.execute(context(), scope(Duration.ofMillis(150)));

      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
      assertThat(outcome.status()).isIn(OutcomeStatus.CONFLICT, OutcomeStatus.TIMED_OUT);
      assertThat(pool.activeResources()).isEqualTo(Map.of("cpu", all));
      assertThat(pool.waitingRequests()).isZero();
    } finally {
      other.close();
    }
  }

  @Test
  void execute_tasksOfOneRunCompetingForOneUnit_takeTurns() {
    ParallelCoordinationPattern p =
        builder("p")
            .capacity("cpu", 1)
            .task("a", Map.of("cpu", 1))
            .task("b", Map.of("cpu", 1))
            .build();
    AtomicInteger inUse = new AtomicInteger();
    AtomicInteger maxInUse = new AtomicInteger();
    Delegate counting =
        input -> {
          maxInUse.accumulateAndGet(inUse.incrementAndGet(), Math::max);
          hang(20);
          inUse.decrementAndGet();
          return "done";
        };
    delegates.register("a", counting);
    delegates.register("b", counting);

    PatternOutcome outcome = p.execute(context(), scope());

    assertThat(outcome.isSuccess()).isTrue();
    assertThat(maxInUse).hasValue(1);
  }

  @Test
  void execute_callerInterrupted_cancelsTasksReleasesAndRestoresFlag() throws Exception {
    ParallelCoordinationPattern p = builder("p").capacity("cpu", 2).resources("memory").build();
    AtomicInteger interrupted = new AtomicInteger();
    Delegate blocking =
        input -> {
          try {
            hang(LONG.toMillis());
            return "never";
          } catch (InterruptedException e) {
            interrupted.incrementAndGet();
            throw e;
          }
        };
    delegates.register("cpu", blocking);
    delegates.register("memory", blocking);
    AtomicReference<Thread> caller = new AtomicReference<>();
    AtomicBoolean flagRestored = new AtomicBoolean();
    Future<PatternOutcome> run =
        callers.submit(
            () -> {
              caller.set(Thread.currentThread());
              PatternOutcome o = p.execute(context(), scope());
              flagRestored.set(Thread.interrupted());
              return o;
            });
    await().until(() -> p.activeResources().equals(Map.of("cpu", 1, "memory", 1)));

    caller.get().interrupt();
    PatternOutcome outcome = run.get(10, TimeUnit.SECONDS);

    assertThat(outcome.status()).isEqualTo(OutcomeStatus.CANCELLED);
    assertThat(outcome.message())
        .isEqualTo("parallel pattern 'p': interrupted; cancelled 2 unfinished task(s)");
    assertThat(flagRestored).isTrue();
    assertThat(interrupted).hasValue(2);
    assertThat(p.activeResources()).isEmpty();
    assertThat(pool.activeResources()).isEmpty();
  }

  @Test
  void execute_alreadyInterrupted_runsNothing() {
    ParallelCoordinationPattern p = builder("p").resources("cpu").build();
    AtomicInteger ran = new AtomicInteger();
    delegates.register("cpu", input -> ran.incrementAndGet());

    Thread.currentThread().interrupt();
    PatternOutcome outcome;
    try {
      outcome = p.execute(context(), scope());
    } finally {
      assertThat(Thread.interrupted()).isTrue();
    }

    assertThat(outcome.status()).isEqualTo(OutcomeStatus.CANCELLED);
    assertThat(ran).hasValue(0);
  }

  @Test
  void execute_rejectingExecutor_runsTheTasksOnTheCallingThread() {
    ParallelCoordinationPattern p = builder("p").resources("cpu", "memory").build();
    List<Thread> ranOn = new java.util.concurrent.CopyOnWriteArrayList<>();
    delegates.register(
        "cpu",
        input -> {
          ranOn.add(Thread.currentThread());
          return "x";
        });
    delegates.register(
        "memory",
        input -> {
          ranOn.add(Thread.currentThread());
          return "y";
        });

    PatternOutcome outcome =
        p.execute(
            context(),
            new TestScope(
                delegates,
                r -> {
                  throw new RejectedExecutionException("saturated");
                },
                null));

    // A saturated executor never stops the work: the waiting caller runs it (as a caller-runs
    // policy would), so nesting on a bounded executor cannot deadlock.
    assertThat(outcome.status()).as(outcome.message()).isEqualTo(OutcomeStatus.SUCCESS);
    assertThat(outcome.output()).isEqualTo(Map.of("cpu", "x", "memory", "y"));
    assertThat(ranOn).containsOnly(Thread.currentThread());
    assertThat(pool.activeResources()).isEmpty();
  }

  // --- ownership: the runtime that registers a pattern owns its pool ----------------------------

  /** A builder without a pool: the pattern uses the pool of the runtime that owns it. */
  private static ParallelCoordinationPattern.Builder unpooled(String name) {
    return ParallelCoordinationPattern.builder(name, "test pattern");
  }

  @Test
  void attach_guideConstructor_declaresEachResourceWithTheDefaultCapacityInTheRuntimePool() {
    TestRuntime runtime = new TestRuntime();
    ParallelCoordinationPattern p =
        new ParallelCoordinationPattern(
            "resource_manager",
            "Resource-based parallel execution",
            Set.of("cpu", "memory", "network"));

    p.attach(runtime);

    int d = ResourcePool.DEFAULT_CAPACITY;
    Map<String, Integer> expected = Map.of("cpu", d, "memory", d, "network", d);
    assertThat(runtime.resourcePool().capacities()).isEqualTo(expected);
    assertThat(p.capacities()).isEqualTo(expected);
    assertThat(p.pool()).containsSame(runtime.resourcePool());
    assertThat(pool.capacities()).as("no other pool is touched").isEmpty();
  }

  @Test
  void attach_defaultCapacityInTheRuntimePool_givesWayToALaterConfiguredOne() {
    TestRuntime runtime = new TestRuntime();
    ParallelCoordinationPattern guide =
        new ParallelCoordinationPattern("guide", "d", Set.of("cpu"));
    ParallelCoordinationPattern four = unpooled("four").capacity("cpu", 4).build();

    guide.attach(runtime);
    four.attach(runtime);

    assertThat(runtime.resourcePool().capacities()).isEqualTo(Map.of("cpu", 4));
    assertThat(guide.capacities()).isEqualTo(Map.of("cpu", 4));
    assertThat(four.capacities()).isEqualTo(Map.of("cpu", 4));
  }

  @Test
  void attach_capacityBelowATaskOfAnAttachedPattern_isRefused_andThatPatternStillRuns() {
    TestRuntime runtime = new TestRuntime(new ResourcePool(Map.of(), 8));
    ParallelCoordinationPattern wide =
        unpooled("wide").resources("cpu").task("t", Map.of("cpu", 4)).build();
    wide.attach(runtime);
    ParallelCoordinationPattern narrow = unpooled("narrow").capacity("cpu", 2).build();

    // An explicit capacity would take over from the default 8, below what wide's task needs.
    assertThatThrownBy(() -> narrow.attach(runtime))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "capacity 2 of 'cpu' is too small: a declared task or waiting request needs 4 units"
                + " and 0 are in use");
    assertThat(narrow.pool()).isEmpty();
    assertThat(runtime.resourcePool().capacities()).isEqualTo(Map.of("cpu", 8));
    AtomicInteger ran = new AtomicInteger();
    delegates.register("t", input -> ran.incrementAndGet());

    PatternOutcome outcome = wide.execute(context(), scope());

    assertThat(outcome.status()).as(outcome.message()).isEqualTo(OutcomeStatus.SUCCESS);
    assertThat(ran).hasValue(1);
  }

  @Test
  void attach_capacityConflictingWithRuntimePool_isRejectedAndThePatternStaysUnattached() {
    TestRuntime runtime = new TestRuntime(new ResourcePool(Map.of("cpu", 4)));
    ParallelCoordinationPattern p = unpooled("p").capacity("cpu", 2).resources("memory").build();

    assertThatThrownBy(() -> p.attach(runtime))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "resource 'cpu' already has capacity 4 in this pool but pattern 'p' declares capacity"
                + " 2; a capacity is set once per pool");

    assertThat(p.pool()).isEmpty();
    assertThat(p.activeResources()).isEqualTo(Map.of());
    assertThat(runtime.resourcePool().capacities())
        .as("nothing declared, not even memory")
        .isEqualTo(Map.of("cpu", 4));
    assertThat(p.execute(context(), scope()).status()).isEqualTo(OutcomeStatus.REJECTED);
    // Unowned, so another runtime can still take it.
    TestRuntime other = new TestRuntime();
    p.attach(other);
    assertThat(p.pool()).containsSame(other.resourcePool());
    assertThat(other.resourcePool().capacities())
        .isEqualTo(Map.of("cpu", 2, "memory", ResourcePool.DEFAULT_CAPACITY));
  }

  @Test
  void attach_configuredTaskAboveTheRuntimePoolCapacity_isRejectedAndThePoolUnchanged() {
    TestRuntime runtime = new TestRuntime(new ResourcePool(Map.of("cpu", 2)));
    ParallelCoordinationPattern p =
        unpooled("p").resources("cpu", "memory").task("big", Map.of("cpu", 3)).build();

    assertThatThrownBy(() -> p.attach(runtime))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pattern 'p' needs 3 units of 'cpu' in one task but its capacity is 2");

    assertThat(p.pool()).isEmpty();
    assertThat(runtime.resourcePool().capacities()).isEqualTo(Map.of("cpu", 2));
  }

  @Test
  void attach_withHostPool_declaresNothingInTheRuntimePoolAndKeepsTheHostPool() {
    TestRuntime runtime = new TestRuntime(new ResourcePool(Map.of("cpu", 8)));
    ParallelCoordinationPattern p = builder("p").capacity("cpu", 2).resources("memory").build();
    delegates.register("cpu", input -> "c");
    delegates.register("memory", input -> "m");

    p.attach(runtime);

    assertThat(p.pool()).containsSame(pool);
    assertThat(runtime.resourcePool().capacities()).isEqualTo(Map.of("cpu", 8));
    assertThat(p.capacities()).isEqualTo(Map.of("cpu", 2, "memory", ResourcePool.DEFAULT_CAPACITY));
    assertThat(p.execute(context(), scope()).output()).isEqualTo(Map.of("cpu", "c", "memory", "m"));
  }

  @Test
  void execute_unattachedWithoutPool_isRejectedBeforeAnythingRuns() {
    ParallelCoordinationPattern p = unpooled("p").resources("cpu", "memory").build();
    AtomicInteger ran = new AtomicInteger();
    delegates.register("cpu", input -> ran.incrementAndGet());
    delegates.register("memory", input -> ran.incrementAndGet());

    assertThat(p.match(context("cpu")).isMatch()).as("matching needs no pool").isTrue();
    PatternOutcome outcome = p.execute(context(), scope());

    assertThat(outcome.status()).isEqualTo(OutcomeStatus.REJECTED);
    assertThat(outcome.message())
        .isEqualTo(
            "parallel pattern 'p' has no resource pool to run in: register it in a registry"
                + " (whose runtime's pool it then uses) or build it with .pool(...)");
    assertThat(outcome.cause())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(outcome.message());
    assertThat(ran).hasValue(0);
    assertThat(p.pool()).isEmpty();
    assertThat(p.activeResources()).isEmpty();
  }

  @Test
  void execute_attached_acquiresFromTheRuntimePoolItResolvedEvenIfDetachedMeanwhile()
      throws Exception {
    TestRuntime runtime = new TestRuntime();
    ParallelCoordinationPattern p =
        unpooled("p").capacity("cpu", 2).task("t", Map.of("cpu", 2)).build();
    p.attach(runtime);
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    delegates.register("t", input -> meetAndWait(running, finish, "done"));

    Future<PatternOutcome> run = callers.submit(() -> p.execute(context(), scope()));
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();

    assertThat(runtime.resourcePool().activeResources("p")).isEqualTo(Map.of("cpu", 2));
    assertThat(p.activeResources()).isEqualTo(Map.of("cpu", 2));
    assertThat(pool.activeResources()).isEmpty();
    p.detach(runtime);
    // No owner any more, but its running execution still holds units: monitoring says so.
    assertThat(p.pool()).isEmpty();
    assertThat(p.activeResources())
        .as("still held by the running execution")
        .isEqualTo(Map.of("cpu", 2));
    finish.countDown();

    assertThat(run.get(10, TimeUnit.SECONDS).output()).isEqualTo(Map.of("t", "done"));
    assertThat(runtime.resourcePool().activeResources()).as("released where acquired").isEmpty();
    assertThat(p.activeResources()).isEmpty();
    assertThat(p.pool()).isEmpty();
    assertThat(p.execute(context(), scope()).status()).isEqualTo(OutcomeStatus.REJECTED);
  }

  @Test
  void match_contextTaskCapacity_isCheckedAgainstTheOwnersPool() {
    TestRuntime runtime = new TestRuntime(new ResourcePool(Map.of("cpu", 2)));
    ParallelCoordinationPattern p = unpooled("p").resources("cpu").build();
    p.attach(runtime);

    MatchResult m =
        p.match(contextWithTasks(List.of(Map.of("name", "t", "resources", Map.of("cpu", 3)))));

    assertThat(p.capacities()).isEqualTo(Map.of("cpu", 2));
    assertThat(m.isMatch()).isFalse();
    assertThat(m.reason()).contains("task 't' needs 3 units of 'cpu' but its capacity is 2");
  }

  @Test
  void execute_patternsOfTwoRuntimes_runIndependentlyWithTheirOwnCapacities() throws Exception {
    TestRuntime small = new TestRuntime();
    TestRuntime large = new TestRuntime();
    // Same name, same resource, different capacities: one pool would reject the second.
    ParallelCoordinationPattern one =
        unpooled("encoder").capacity("cpu", 1).task("one", Map.of("cpu", 1)).build();
    ParallelCoordinationPattern four =
        unpooled("encoder")
            .capacity("cpu", 4)
            .task("four1", Map.of("cpu", 1))
            .task("four2", Map.of("cpu", 1))
            .task("four3", Map.of("cpu", 1))
            .task("four4", Map.of("cpu", 1))
            .build();
    one.attach(small);
    four.attach(large);
    CountDownLatch allRunning = new CountDownLatch(5);
    CountDownLatch finish = new CountDownLatch(1);
    for (String t : List.of("one", "four1", "four2", "four3", "four4")) {
      delegates.register(t, input -> meetAndWait(allRunning, finish, t));
    }

    Future<PatternOutcome> a = callers.submit(() -> one.execute(context(), scope()));
    Future<PatternOutcome> b = callers.submit(() -> four.execute(context(), scope()));
    assertThat(allRunning.await(10, TimeUnit.SECONDS)).as("1 + 4 units held at once").isTrue();

    assertThat(small.resourcePool().capacities()).isEqualTo(Map.of("cpu", 1));
    assertThat(large.resourcePool().capacities()).isEqualTo(Map.of("cpu", 4));
    assertThat(small.resourcePool().activeResources()).isEqualTo(Map.of("cpu", 1));
    assertThat(large.resourcePool().activeResources()).isEqualTo(Map.of("cpu", 4));
    assertThat(one.activeResources()).isEqualTo(Map.of("cpu", 1));
    assertThat(four.activeResources()).isEqualTo(Map.of("cpu", 4));
    finish.countDown();

    assertThat(a.get(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    assertThat(b.get(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    assertThat(small.resourcePool().activeResources()).isEmpty();
    assertThat(large.resourcePool().activeResources()).isEmpty();
    assertThatThrownBy(() -> unpooled("other").capacity("cpu", 4).build().attach(small))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already has capacity 1")
        .hasMessageContaining("declares capacity 4");
  }

  /**
   * Blocks interruptibly for {@code millis}, like a delegate stuck in I/O; only an interrupt ends
   * it early.
   */
  private static void hang(long millis) throws InterruptedException {
    new java.util.concurrent.CountDownLatch(1)
        .await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
  }
}
