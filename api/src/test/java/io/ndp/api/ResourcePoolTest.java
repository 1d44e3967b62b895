package io.ndp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResourcePoolTest {
  private static final Duration LONG_WAIT = Duration.ofSeconds(30);

  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void stopThreads() throws InterruptedException {
    threads.shutdownNow();
    assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void tryAcquireAll_whenAllFree_takesEveryUnitAtOnce() throws InterruptedException {
    ResourcePool pool = new ResourcePool(Map.of("cpu", 4, "memory", 2));

    Optional<ResourcePool.Lease> lease =
        pool.tryAcquireAll(Map.of("cpu", 3, "memory", 2), Duration.ZERO);

    assertThat(lease).isPresent();
    assertThat(lease.get().units()).containsExactly(Map.entry("cpu", 3), Map.entry("memory", 2));
    assertThat(pool.activeResources()).isEqualTo(Map.of("cpu", 3, "memory", 2));
    lease.get().close();
    assertThat(pool.activeResources()).isEmpty();
  }

  @Test
  void tryAcquireAll_whenOneResourceBusy_takesNothing() throws InterruptedException {
    ResourcePool pool = new ResourcePool(Map.of("cpu", 2, "memory", 1));
    ResourcePool.Lease memory = pool.tryAcquireAll(Map.of("memory", 1), Duration.ZERO).get();

    Optional<ResourcePool.Lease> both =
        pool.tryAcquireAll(Map.of("cpu", 1, "memory", 1), Duration.ZERO);

    assertThat(both).isEmpty();
    assertThat(pool.activeResources()).isEqualTo(Map.of("memory", 1));
    memory.close();
    assertThat(pool.activeResources()).isEmpty();
  }

  @Test
  void tryAcquireAll_moreUnitsThanCapacity_isRejectedAtOnce() {
    ResourcePool pool = new ResourcePool(Map.of("cpu", 4));

    assertThatThrownBy(() -> pool.tryAcquireAll(Map.of("cpu", 5), LONG_WAIT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("5 units of 'cpu' can never be acquired: its capacity is 4");
    assertThat(pool.activeResources()).isEmpty();
  }

  @Test
  void tryAcquireAll_undeclaredResourceAndZeroUnits_reportsBothAtOnce() {
    ResourcePool pool = new ResourcePool(Map.of("cpu", 4, "disk", 1));

    assertThatThrownBy(() -> pool.tryAcquireAll(Map.of("gpu", 1, "cpu", 0), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("resource 'gpu' is not declared in this pool (declared: [cpu, disk])")
        .hasMessageContaining("units of 'cpu' must be at least 1 but were 0");
  }

  @Test
  void tryAcquireAll_emptyRequest_yieldsEmptyLease() throws InterruptedException {
    ResourcePool pool = new ResourcePool();

    ResourcePool.Lease lease = pool.tryAcquireAll(Map.of(), Duration.ZERO).get();

    assertThat(lease.units()).isEmpty();
    lease.close();
    assertThat(pool.activeResources()).isEmpty();
  }

  @Test
  void close_calledTwice_releasesOnce() throws InterruptedException {
    ResourcePool pool = new ResourcePool(Map.of("cpu", 2));
    ResourcePool.Lease first = pool.tryAcquireAll(Map.of("cpu", 1), Duration.ZERO).get();
    ResourcePool.Lease second = pool.tryAcquireAll(Map.of("cpu", 1), Duration.ZERO).get();

    assertThat(first.release()).isTrue();
    first.close();
    assertThat(first.release()).isFalse();

    assertThat(first.isReleased()).isTrue();
    assertThat(pool.activeResources())
        .as("second lease still holds its unit")
        .isEqualTo(Map.of("cpu", 1));
    second.close();
    assertThat(pool.activeResources()).isEmpty();
  }

  @Test
  void close_fromManyThreadsAtOnce_releasesOnce() throws Exception {
    ResourcePool pool = new ResourcePool(Map.of("cpu", 2));
    ResourcePool.Lease held = pool.tryAcquireAll(Map.of("cpu", 1), Duration.ZERO).get();
    ResourcePool.Lease contested = pool.tryAcquireAll(Map.of("cpu", 1), Duration.ZERO).get();
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger releases = new AtomicInteger();
    List<Future<?>> closers = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      closers.add(
          threads.submit(
              () -> {
                start.await();
                if (contested.release()) {
                  releases.incrementAndGet();
                }
                return null;
              }));
    }

    start.countDown();
    for (Future<?> f : closers) {
      f.get(10, TimeUnit.SECONDS);
    }

    assertThat(releases).hasValue(1);
    assertThat(pool.activeResources()).isEqualTo(Map.of("cpu", 1));
    held.close();
  }

  @Test
  void tryAcquireAll_whenBusy_waitsThenConflicts() throws InterruptedException {
    ResourcePool pool = new ResourcePool(Map.of("cpu", 1));
    ResourcePool.Lease holder = pool.tryAcquireAll(Map.of("cpu", 1), Duration.ZERO).get();
    long start = System.nanoTime();

    Optional<ResourcePool.Lease> late = pool.tryAcquireAll(Map.of("cpu", 1), Duration.ofMillis(50));

    assertThat(late).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(50));
    assertThat(pool.waitingRequests()).isZero();
    assertThat(pool.activeResources()).isEqualTo(Map.of("cpu", 1));
    holder.close();
  }

  @Test
  void tryAcquireAll_whenReleasedWhileWaiting_acquires() throws Exception {
    ResourcePool pool = new ResourcePool(Map.of("cpu", 1, "memory", 1));
    ResourcePool.Lease holder = pool.tryAcquireAll(Map.of("memory", 1), Duration.ZERO).get();
    Future<Optional<ResourcePool.Lease>> waiter =
        threads.submit(() -> pool.tryAcquireAll(Map.of("cpu", 1, "memory", 1), LONG_WAIT));
    await().until(() -> pool.waitingRequests() == 1);

    holder.close();

    ResourcePool.Lease got = waiter.get(10, TimeUnit.SECONDS).orElseThrow();
    assertThat(pool.activeResources()).isEqualTo(Map.of("cpu", 1, "memory", 1));
    got.close();
    assertThat(pool.activeResources()).isEmpty();
  }

  @Test
  void tryAcquireAll_interruptedWhileWaiting_holdsNothingAndLeavesNoWaiter() throws Exception {
    ResourcePool pool = new ResourcePool(Map.of("cpu", 2, "memory", 1));
    ResourcePool.Lease holder = pool.tryAcquireAll(Map.of("memory", 1), Duration.ZERO).get();
    AtomicInteger interrupted = new AtomicInteger();
    Thread waiter =
        new Thread(
            () -> {
              try {
                pool.tryAcquireAll(Map.of("cpu", 2, "memory", 1), LONG_WAIT);
              } catch (InterruptedException e) {
                interrupted.incrementAndGet();
              }
            });
    waiter.start();
    await().until(() -> pool.waitingRequests() == 1);

    waiter.interrupt();
    waiter.join(10_000);

    assertThat(waiter.isAlive()).isFalse();
    assertThat(interrupted).hasValue(1);
    assertThat(pool.waitingRequests()).isZero();
    assertThat(pool.activeResources()).isEqualTo(Map.of("memory", 1));
    holder.close();
    assertThat(pool.activeResources()).isEmpty();
    pool.tryAcquireAll(Map.of("cpu", 2, "memory", 1), Duration.ZERO).orElseThrow().close();
  }

  @Test
  void tryAcquireAll_alreadyInterrupted_throwsWithoutAcquiring() {
    ResourcePool pool = new ResourcePool(Map.of("cpu", 1));
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> pool.tryAcquireAll(Map.of("cpu", 1), Duration.ZERO))
          .isInstanceOf(InterruptedException.class);
    } finally {
      Thread.interrupted();
    }
    assertThat(pool.activeResources()).isEmpty();
  }

  @Test
  void tryAcquireAll_higherPriorityWaiter_goesFirst() throws Exception {
    ResourcePool pool = new ResourcePool(Map.of("cpu", 1));
    ResourcePool.Lease holder = pool.tryAcquireAll(Map.of("cpu", 1), Duration.ZERO).get();
    List<String> order = new CopyOnWriteArrayList<>();
    Future<?> low =
        threads.submit(
            () -> {
              try (ResourcePool.Lease l =
                  pool.tryAcquireAll("low", 0, Map.of("cpu", 1), LONG_WAIT).orElseThrow()) {
                order.add(l.owner());
              }
              return null;
            });
    await().until(() -> pool.waitingRequests() == 1);
    CountDownLatch highHolds = new CountDownLatch(1);
    CountDownLatch highMayRelease = new CountDownLatch(1);
    Future<?> high =
        threads.submit(
            () -> {
              try (ResourcePool.Lease l =
                  pool.tryAcquireAll("high", 5, Map.of("cpu", 1), LONG_WAIT).orElseThrow()) {
                order.add(l.owner());
                highHolds.countDown();
                highMayRelease.await();
              }
              return null;
            });
    await().until(() -> pool.waitingRequests() == 2);

    holder.close();

    assertThat(highHolds.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(pool.activeResources("high")).isEqualTo(Map.of("cpu", 1));
    assertThat(pool.waitingRequests()).as("low still waits").isEqualTo(1);
    highMayRelease.countDown();
    high.get(10, TimeUnit.SECONDS);
    low.get(10, TimeUnit.SECONDS);
    assertThat(order).containsExactly("high", "low");
    assertThat(pool.activeResources()).isEmpty();
  }

  @Test
  void activeResources_byOwner_reportsOnlyThatOwnersUnits() throws InterruptedException {
    ResourcePool pool = new ResourcePool(Map.of("cpu", 4, "memory", 2));
    ResourcePool.Lease a = pool.tryAcquireAll("a", 0, Map.of("cpu", 1), Duration.ZERO).get();
    ResourcePool.Lease a2 =
        pool.tryAcquireAll("a", 0, Map.of("cpu", 2, "memory", 1), Duration.ZERO).get();
    ResourcePool.Lease b = pool.tryAcquireAll("b", 0, Map.of("memory", 1), Duration.ZERO).get();

    assertThat(pool.activeResources("a")).isEqualTo(Map.of("cpu", 3, "memory", 1));
    assertThat(pool.activeResources("b")).isEqualTo(Map.of("memory", 1));
    assertThat(pool.activeResources("nobody")).isEmpty();
    assertThat(pool.activeResources()).isEqualTo(Map.of("cpu", 3, "memory", 2));

    a.close();
    a2.close();
    b.close();
    assertThat(pool.activeResources("a")).isEmpty();
    assertThat(pool.activeResources()).isEmpty();
  }

  @Test
  void declare_conflictingCapacity_namesResourceAndBothCapacities() {
    ResourcePool pool = new ResourcePool(Map.of("cpu", 4));

    assertThatThrownBy(() -> pool.declare("cpu", 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("resource 'cpu' already has capacity 4")
        .hasMessageContaining("capacity 2");
    assertThat(pool.capacity("cpu")).hasValue(4);
  }

  @Test
  void declare_sameCapacityAgain_isAccepted() {
    ResourcePool pool = new ResourcePool(Map.of("cpu", 4));

    pool.declare("cpu", 4);

    assertThat(pool.capacities()).isEqualTo(Map.of("cpu", 4));
  }

  @Test
  void declareAll_withOneConflict_changesNothing() {
    ResourcePool pool = new ResourcePool(Map.of("cpu", 4));

    assertThatThrownBy(() -> pool.declareAll(Map.of("memory", 2, "cpu", 8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'cpu'");
    assertThat(pool.capacities()).isEqualTo(Map.of("cpu", 4));
  }

  @Test
  void declareAll_invalidEntries_reportsEveryOne() {
    Map<String, Integer> bad = new HashMap<>();
    bad.put(" ", 1);
    bad.put("cpu", 0);

    assertThatThrownBy(() -> new ResourcePool(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("resource names must be non-blank but found ' '")
        .hasMessageContaining("capacity of 'cpu' must be at least 1 but was 0");
  }

  @Test
  void declareFor_resourceWithoutCapacity_getsTheDefaultWhichGivesWayToAnExplicitOne() {
    ResourcePool pool = new ResourcePool(Map.of(), 3);

    pool.declareFor("pattern 'guide'", Set.of("cpu"), Map.of(), Map.of());
    assertThat(pool.capacities()).isEqualTo(Map.of("cpu", 3));
    pool.declareFor("pattern 'encoder'", Set.of("cpu"), Map.of("cpu", 4), Map.of("cpu", 4));
    assertThat(pool.capacities()).isEqualTo(Map.of("cpu", 4));

    // Now explicit: a different explicit capacity conflicts, and nothing changes.
    assertThatThrownBy(
            () -> pool.declareFor("pattern 'other'", Set.of("cpu"), Map.of("cpu", 2), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("resource 'cpu' already has capacity 4")
        .hasMessageContaining("pattern 'other' declares capacity 2");
    pool.declareFor("pattern 'guide2'", Set.of("cpu"), Map.of(), Map.of());
    assertThat(pool.capacities()).isEqualTo(Map.of("cpu", 4));
  }

  @Test
  void declareFor_explicitCapacityBelowADeclaredTaskOrUnitsInUse_isRefused() throws Exception {
    ResourcePool pool = new ResourcePool(Map.of(), 8);
    pool.declareFor("pattern 'a'", Set.of("cpu"), Map.of(), Map.of("cpu", 4));

    assertThatThrownBy(
            () -> pool.declareFor("pattern 'b'", Set.of("cpu"), Map.of("cpu", 2), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "capacity 2 of 'cpu' is too small: a declared task or waiting request needs 4 units"
                + " and 0 are in use");
    assertThat(pool.capacities()).isEqualTo(Map.of("cpu", 8));

    try (ResourcePool.Lease held =
        pool.tryAcquireAll(Map.of("cpu", 6), Duration.ZERO).orElseThrow()) {
      assertThatThrownBy(() -> pool.declare("cpu", 5))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("6 are in use");
      assertThat(held.units()).isEqualTo(Map.of("cpu", 6));
    }
    pool.declare("cpu", 5);
    assertThat(pool.capacities()).isEqualTo(Map.of("cpu", 5));
  }

  @Test
  void declareTogether_thatThrows_undoesExactlyItsOwnDeclarations() throws Exception {
    ResourcePool pool = new ResourcePool(Map.of("cpu", 2), 4);
    pool.declareFor("pattern 'x'", Set.of("memory"), Map.of(), Map.of("memory", 1));

    assertThatThrownBy(
            () ->
                pool.declareTogether(
                    () -> {
                      pool.declareFor(
                          "pattern 'a'",
                          Set.of("gpu", "memory"),
                          Map.of("gpu", 3),
                          Map.of("gpu", 3));
                      pool.declareFor(
                          "pattern 'b'", Set.of("memory"), Map.of("memory", 8), Map.of());
                      throw new IllegalStateException("a later pattern fails");
                    }))
        .hasMessage("a later pattern fails");
    assertThat(pool.capacities()).isEqualTo(Map.of("cpu", 2, "memory", 4));
    // memory is a default capacity again, and gpu is free: other explicit ones are accepted.
    pool.declareFor(
        "pattern 'c'", Set.of("gpu", "memory"), Map.of("gpu", 1, "memory", 2), Map.of());
    assertThat(pool.capacities()).isEqualTo(Map.of("cpu", 2, "gpu", 1, "memory", 2));

    assertThat(pool.declareTogether(() -> pool.declare("disk", 1).capacity("disk"))).hasValue(1);
    assertThatThrownBy(() -> pool.declareTogether(null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void declareTogether_holdsOffOtherThreads_untilItEnds() throws Exception {
    ResourcePool pool = new ResourcePool(Map.of("cpu", 1));
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    Thread declaring =
        new Thread(
            () ->
                pool.declareTogether(
                    () -> {
                      inside.countDown();
                      try {
                        return finish.await(10, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                      }
                    }));
    declaring.start();
    assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      Future<Optional<ResourcePool.Lease>> acquire =
          other.submit(() -> pool.tryAcquireAll(Map.of("cpu", 1), Duration.ZERO));
      assertThat(acquire).isNotDone();
      finish.countDown();
      declaring.join(10_000);
      Optional<ResourcePool.Lease> lease = acquire.get(10, TimeUnit.SECONDS);
      assertThat(lease).isPresent();
      lease.get().close();
    } finally {
      other.shutdownNow();
    }
  }

  @Test
  void declareFor_invalidExplicitCapacity_isNamed() {
    ResourcePool pool = new ResourcePool();
    Map<String, Integer> bad = new HashMap<>();
    bad.put("cpu", 0);

    assertThatThrownBy(() -> pool.declareFor("pattern 'x'", Set.of("cpu"), bad, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("capacity of 'cpu' must be at least 1 but was 0");
  }

  @Test
  void declareFor_taskNeedAboveCapacity_changesNothing() {
    ResourcePool pool = new ResourcePool(Map.of(), 2);

    assertThatThrownBy(
            () ->
                pool.declareFor("pattern 'big'", Set.of("cpu", "gpu"), Map.of(), Map.of("cpu", 3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pattern 'big' needs 3 units of 'cpu' in one task but its capacity is 2");
    assertThat(pool.capacities()).isEmpty();
  }

  @Test
  void defaultCapacity_isTheProcessorCountAndValidated() {
    assertThat(new ResourcePool().defaultCapacity())
        .isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThatThrownBy(() -> new ResourcePool(Map.of(), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("default capacity must be at least 1 but was 0");
  }

  /**
   * Many threads acquire random multi-resource requests with random priorities and waits. A counter
   * per resource, raised after acquisition and lowered before release, must never exceed the
   * capacity; at the end nothing is held and nobody waits.
   */
  @Test
  void tryAcquireAll_manyThreadsRandomRequests_neverOverAllocatesAndReleasesAll() throws Exception {
    String[] names = {"cpu", "memory", "network", "disk"};
    int[] capacity = {4, 2, 3, 1};
    Map<String, Integer> capacities = new HashMap<>();
    for (int i = 0; i < names.length; i++) {
      capacities.put(names[i], capacity[i]);
    }
    ResourcePool pool = new ResourcePool(capacities);
    AtomicIntegerArray inUse = new AtomicIntegerArray(names.length);
    AtomicIntegerArray maxSeen = new AtomicIntegerArray(names.length);
    AtomicLong acquired = new AtomicLong();
    AtomicLong conflicts = new AtomicLong();
    int threadCount = 16;
    int iterations = 2_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < threadCount; t++) {
      SplittableRandom random = new SplittableRandom(42 + t);
      workers.add(
          threads.submit(
              () -> {
                start.await();
                for (int i = 0; i < iterations; i++) {
                  Map<String, Integer> request = new HashMap<>();
                  for (int r = 0; r < names.length; r++) {
                    if (random.nextInt(3) == 0) {
                      request.put(names[r], 1 + random.nextInt(capacity[r]));
                    }
                  }
                  Optional<ResourcePool.Lease> lease =
                      pool.tryAcquireAll(
                          "t", random.nextInt(3), request, Duration.ofMillis(random.nextInt(3)));
                  if (lease.isEmpty()) {
                    conflicts.incrementAndGet();
                    continue;
                  }
                  try (ResourcePool.Lease held = lease.get()) {
                    acquired.incrementAndGet();
                    for (int r = 0; r < names.length; r++) {
                      Integer u = held.units().get(names[r]);
                      if (u != null) {
                        int now = inUse.addAndGet(r, u);
                        maxSeen.accumulateAndGet(r, now, Math::max);
                      }
                    }
                    Thread.yield();
                    for (int r = 0; r < names.length; r++) {
                      Integer u = held.units().get(names[r]);
                      if (u != null) {
                        inUse.addAndGet(r, -u);
                      }
                    }
                  }
                }
                return null;
              }));
    }

    start.countDown();
    for (Future<?> w : workers) {
      w.get(60, TimeUnit.SECONDS);
    }

    for (int r = 0; r < names.length; r++) {
      assertThat(maxSeen.get(r)).as("max units of %s", names[r]).isBetween(1, capacity[r]);
      assertThat(inUse.get(r)).isZero();
    }
    assertThat(acquired.get() + conflicts.get()).isEqualTo((long) threadCount * iterations);
    assertThat(pool.activeResources()).isEmpty();
    assertThat(pool.activeResources("t")).isEmpty();
    assertThat(pool.waitingRequests()).isZero();
  }

  @Test
  void newcomer_neverTakesUnitsAnEarlierWaiterNeeds() throws Exception {
    ResourcePool pool = new ResourcePool(Map.of("cpu", 2));
    ResourcePool.Lease one = pool.tryAcquireAll(Map.of("cpu", 1), Duration.ZERO).orElseThrow();
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      Future<Optional<ResourcePool.Lease>> big =
          other.submit(() -> pool.tryAcquireAll(Map.of("cpu", 2), Duration.ofSeconds(10)));
      await().atMost(Duration.ofSeconds(10)).until(() -> pool.waitingRequests() == 1);

      // One unit is free, but the earlier request needs it: first come, first served.
      assertThat(pool.tryAcquireAll(Map.of("cpu", 1), Duration.ZERO)).isEmpty();
      one.close();
      Optional<ResourcePool.Lease> granted = big.get(10, TimeUnit.SECONDS);
      assertThat(granted).isPresent();
      granted.get().close();
    } finally {
      other.shutdownNow();
    }
  }

  /**
   * A request for all 4 units amid constant 1-unit traffic of the same priority from 6 threads is
   * granted once the units held when it arrived are released; the test allows 2 s (each unit is
   * held for well under a millisecond).
   */
  @Test
  void largeRequestAmidConstantSmallTraffic_isGrantedPromptly() throws Exception {
    ResourcePool pool = new ResourcePool(Map.of("cpu", 4));
    java.util.concurrent.atomic.AtomicBoolean stop =
        new java.util.concurrent.atomic.AtomicBoolean();
    AtomicLong small = new AtomicLong();
    ExecutorService traffic = Executors.newFixedThreadPool(6);
    try {
      for (int t = 0; t < 6; t++) {
        traffic.submit(
            () -> {
              while (!stop.get()) {
                Optional<ResourcePool.Lease> l =
                    pool.tryAcquireAll(Map.of("cpu", 1), Duration.ofSeconds(5));
                l.ifPresent(
                    held -> {
                      small.incrementAndGet();
                      long until = System.nanoTime() + 100_000;
                      while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                      }
                      held.close();
                    });
              }
              return null;
            });
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> small.get() > 1_000);

      long t0 = System.nanoTime();
      Optional<ResourcePool.Lease> all =
          pool.tryAcquireAll(Map.of("cpu", 4), Duration.ofSeconds(2));
      long waited = System.nanoTime() - t0;

      assertThat(all).as("4 units within 2 s amid 1-unit traffic").isPresent();
      assertThat(all.get().units()).isEqualTo(Map.of("cpu", 4));
      all.get().close();
      System.out.printf("4-unit request amid 1-unit traffic granted after %.3f ms%n", waited / 1e6);
    } finally {
      stop.set(true);
      traffic.shutdown();
      assertThat(traffic.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(pool.activeResources()).isEmpty();
    assertThat(pool.waitingRequests()).isZero();
  }

  @Test
  void lowPriority_isServedBeforeNewerHighPriority_onceItWaitedLongEnough() throws Exception {
    ResourcePool pool = new ResourcePool(Map.of("cpu", 1));
    ResourcePool.Lease holder = pool.tryAcquireAll(Map.of("cpu", 1), Duration.ZERO).orElseThrow();
    ExecutorService others = Executors.newFixedThreadPool(2);
    try {
      long t0 = System.nanoTime();
      Future<Optional<ResourcePool.Lease>> low =
          others.submit(
              () -> pool.tryAcquireAll("low", 0, Map.of("cpu", 1), Duration.ofSeconds(10)));
      await().atMost(Duration.ofSeconds(10)).until(() -> pool.waitingRequests() == 1);
      // Four ageing steps: the low request now outranks a newcomer of priority 3.
      long fourSteps = ResourcePool.AGEING_STEP.toNanos() * 4 + 50_000_000;
      await().atMost(Duration.ofSeconds(10)).until(() -> System.nanoTime() - t0 > fourSteps);
      Future<Optional<ResourcePool.Lease>> high =
          others.submit(
              () -> pool.tryAcquireAll("high", 3, Map.of("cpu", 1), Duration.ofSeconds(10)));
      await().atMost(Duration.ofSeconds(10)).until(() -> pool.waitingRequests() == 2);

      holder.close();
      Optional<ResourcePool.Lease> first = low.get(10, TimeUnit.SECONDS);
      assertThat(first).isPresent();
      assertThat(first.get().owner()).isEqualTo("low");
      assertThat(high).isNotDone();
      first.get().close();
      Optional<ResourcePool.Lease> second = high.get(10, TimeUnit.SECONDS);
      assertThat(second).isPresent();
      second.get().close();
    } finally {
      others.shutdownNow();
    }
  }
}
