package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.OutcomeStatus;
import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternResult;
import io.ndp.api.RuntimeClosedException;
import io.ndp.core.internal.InMemoryDefinitionStore;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ownership model under many threads: withdrawals racing with executions, close under load,
 * storage writes racing with reads through a tiny, randomly dropped cache. Invariants are checked
 * at the end; nothing is timed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OwnershipConcurrencyTest {

  private static final int THREADS = 8;

  /**
   * A churn thread withdraws and re-registers patterns (new instances each time) while 8 threads
   * execute. Once {@code awaitIdle} said a withdrawn instance is idle, it never runs again.
   */
  @Test
  void withdrawnInstance_neverRunsAfterAwaitIdleSaidIdle() throws Exception {
    PatternRegistry registry = new PatternRegistry();
    for (int i = 0; i < 4; i++) {
      registry.register(new ScriptedPattern("c" + i, "t", 1.0 - i / 10.0, OutcomeStatus.SUCCESS));
    }
    record Withdrawn(ScriptedPattern pattern, int runsWhenIdle) {}
    List<Withdrawn> withdrawn = new ArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong results = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try (PatternExecutor executor = new PatternExecutor(registry)) {
      executor.delegates().register("work", in -> in);
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        workers.add(
            pool.submit(
                () -> {
                  while (!stop.get()) {
                    PatternResult r =
                        executor.executeBestPattern(new PatternContext("d", "t", Map.of()));
                    assertThat(r.success()).as(r.message()).isTrue();
                    results.incrementAndGet();
                  }
                  return null;
                }));
      }
      SplittableRandom random = new SplittableRandom(7);
      for (int round = 0; round < 300; round++) {
        String name = "c" + random.nextInt(4);
        ScriptedPattern old = (ScriptedPattern) registry.unregister(name).orElseThrow();
        assertThat(executor.awaitIdle(List.of(name), Duration.ofSeconds(10))).isTrue();
        withdrawn.add(new Withdrawn(old, old.runs.get()));
        registry.register(
            new ScriptedPattern(name, "t", 1.0 - random.nextInt(4) / 10.0, OutcomeStatus.SUCCESS));
      }
      stop.set(true);
      for (Future<?> w : workers) {
        w.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    for (Withdrawn w : withdrawn) {
      assertThat(w.pattern().runs).as(w.pattern().name()).hasValue(w.runsWhenIdle());
    }
    long recorded = 0;
    for (int i = 0; i < 4; i++) {
      recorded += registry.statistics("c" + i).total();
    }
    assertThat(results.get()).isPositive();
    assertThat(recorded).isEqualTo(results.get());
  }

  /**
   * 8 threads execute while the executor closes: every call returns a result or is refused with
   * {@link RuntimeClosedException}; every returned result was recorded exactly once, nothing after.
   */
  @Test
  void closeUnderLoad_everyCallAnsweredOrRefused_andNothingLost() throws Exception {
    PatternRegistry registry = new PatternRegistry();
    ScriptedPattern p = new ScriptedPattern("p", "t", 1.0, OutcomeStatus.SUCCESS);
    registry.register(p);
    PatternExecutor executor = new PatternExecutor(registry);
    executor.delegates().register("work", in -> in);
    AtomicLong answered = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
    CountDownLatch started = new CountDownLatch(THREADS);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      Thread th =
          new Thread(
              () -> {
                started.countDown();
                while (true) {
                  try {
                    PatternResult r =
                        executor.executeBestPattern(new PatternContext("d", "t", Map.of()));
                    if (!r.success()) {
                      unexpected.add(new AssertionError(r.message()));
                    }
                    answered.incrementAndGet();
                  } catch (RuntimeClosedException e) {
                    refused.incrementAndGet();
                    return;
                  } catch (Throwable e) {
                    unexpected.add(e);
                    return;
                  }
                }
              });
      th.start();
      threads.add(th);
    }
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    while (answered.get() < 20_000) {
      Thread.onSpinWait();
    }
    executor.close();
    for (Thread th : threads) {
      th.join(30_000);
      assertThat(th.isAlive()).isFalse();
    }

    assertThat(unexpected).isEmpty();
    assertThat(refused).hasValue(THREADS);
    assertThat(registry.statistics("p").successes()).isEqualTo(answered.get());
    assertThat(registry.statistics("p").failures()).isZero();
    assertThat(executor.awaitTermination(Duration.ZERO)).isEmpty();
  }

  /**
   * Writers store new versions of 10 names while readers look them up through a cache of one entry
   * that is also dropped at random: at the end the registry's instance and the stored definition
   * agree for every name, and every read saw a definition some writer stored.
   */
  @Test
  void storesRacingWithReadsThroughATinyCache_registryAndStoreAgree() throws Exception {
    InMemoryDefinitionStore store = new InMemoryDefinitionStore();
    PatternStorage storage = PatternStorage.builder().definitionStore(store).cacheSize(1).build();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> all = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int id = t;
        all.add(
            pool.submit(
                () -> {
                  SplittableRandom random = new SplittableRandom(id);
                  for (int i = 0; i < 3_000; i++) {
                    String name = "n" + random.nextInt(10);
                    try {
                      if (id % 2 == 0) {
                        storage.storePattern(
                            new SequentialDelegationPattern(
                                name, "v" + id + "." + i, List.of("s" + random.nextInt(3))));
                      } else {
                        storage
                            .findPattern(name)
                            .ifPresent(p -> assertThat(p.name()).isEqualTo(name));
                        storage
                            .findDefinition(name)
                            .ifPresent(d -> assertThat(d.description()).startsWith("v"));
                        if (random.nextInt(20) == 0) {
                          storage.dropCache();
                        }
                      }
                    } catch (Throwable e) {
                      failures.add(e);
                    }
                  }
                }));
      }
      for (Future<?> f : all) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(failures).isEmpty();
    storage.dropCache();
    for (int i = 0; i < 10; i++) {
      String name = "n" + i;
      PatternDefinition stored = store.find(name).orElseThrow();
      Pattern live = storage.registry().getPattern(name);
      assertThat(live.definition()).as(name).isEqualTo(stored);
      assertThat(storage.getPattern(name)).isSameAs(live);
    }
    assertThat(storage.registry().size()).isEqualTo(10);
  }
}
