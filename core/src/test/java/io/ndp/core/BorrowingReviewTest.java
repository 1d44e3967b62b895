package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.ConfidenceStats;
import io.ndp.api.ConfidenceStore;
import io.ndp.api.DelegateDirectory;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.core.SelectionPolicy.Borrowed;
import io.ndp.core.SelectionPolicy.Candidate;
import io.ndp.core.internal.InMemoryConfidenceStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Review of the cold start: a pattern borrows from its <em>other</em> domains. {@code
 * PatternExecutor.borrowed} reads the domain's stats and then, in a second read, the pattern's
 * stats over all domains, and takes the difference as "elsewhere". Outcomes recorded in the
 * context's own domain between the two reads land in the difference: the domain borrows its own
 * outcomes as if they came from elsewhere (PatternExecutor.java:449 then :478-480).
 */
class BorrowingReviewTest {

  private static PatternContext in(String domain) {
    return PatternContext.builder(domain, "sequential").payload("x").build();
  }

  private static PatternExecutor executor(PatternRegistry registry) {
    DelegateDirectory delegates = new DelegateDirectory();
    delegates.register("work", input -> input);
    return PatternExecutor.builder(registry).delegates(delegates).build();
  }

  /** In-memory store; once armed, runs a hook (another thread's outcomes) before the 2nd read. */
  private static final class Interleaving implements ConfidenceStore {
    final InMemoryConfidenceStore delegate = new InMemoryConfidenceStore();
    final AtomicReference<Runnable> beforeAggregate = new AtomicReference<>();

    @Override
    public void recordOutcome(String patternName, String domain, boolean success) {
      delegate.recordOutcome(patternName, domain, success);
    }

    @Override
    public ConfidenceStats stats(String patternName, String domain) {
      return delegate.stats(patternName, domain);
    }

    @Override
    public ConfidenceStats stats(String patternName) {
      Runnable hook = beforeAggregate.getAndSet(null);
      if (hook != null) {
        hook.run();
      }
      return delegate.stats(patternName);
    }

    @Override
    public Map<String, ConfidenceStats> statsByDomain(String patternName) {
      // The other way to read a pattern over its domains: the same interleaving.
      Runnable hook = beforeAggregate.getAndSet(null);
      if (hook != null) {
        hook.run();
      }
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

  /**
   * Deterministic interleaving: "p" has never run anywhere but "us"; while the executor reads its
   * stats, another caller records 15 successes of "p" in "us". Nothing was ever recorded in another
   * domain, so nothing may be borrowed; the current code borrows 15 "elsewhere" outcomes (10 at
   * rate 16/17), i.e. the domain's own outcomes counted twice.
   */
  @Test
  void outcomesOfTheSameDomainRecordedBetweenTheTwoReadsAreNotBorrowedAsElsewhere() {
    Interleaving store = new Interleaving();
    PatternRegistry registry = PatternRegistry.builder().confidenceStore(store).build();
    registry.register(new ScriptedPattern("p", "sequential", 1.0, OutcomeStatus.SUCCESS));
    PatternExecutor executor = executor(registry);
    store.beforeAggregate.set(
        () -> {
          for (int i = 0; i < 15; i++) {
            store.recordOutcome("p", "us", true);
          }
        });

    Candidate c = executor.explain(in("us")).ranked().get(0);

    assertThat(store.delegate.statsByDomain("p")).containsOnlyKeys("us");
    assertThat(c.borrowed()).as("borrowed with no other domain: %s", c).isEqualTo(Borrowed.NONE);
  }

  /**
   * The same with real threads and the default in-memory store: "p" only ever runs in "us" (with a
   * half-life of 1 its evidence there stays below 20, so every selection reads the other domains).
   * Selections racing the outcomes of "us" see a borrowed share although no other domain exists.
   */
  @Test
  void concurrentOutcomesInTheOnlyDomainAreNeverBorrowed() throws Exception {
    PatternRegistry registry = PatternRegistry.builder().halfLife(1).build();
    registry.register(new ScriptedPattern("p", "sequential", 1.0, OutcomeStatus.SUCCESS));
    PatternExecutor executor = executor(registry);
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      Thread w =
          new Thread(
              () -> {
                while (!stop.get()) {
                  executor.executeBestPattern(in("us"));
                }
              });
      w.setDaemon(true);
      w.start();
      writers.add(w);
    }
    Candidate borrowing = null;
    try {
      long deadline = System.nanoTime() + 3_000_000_000L;
      while (borrowing == null && System.nanoTime() < deadline) {
        Candidate c = executor.explain(in("us")).ranked().get(0);
        if (!c.borrowed().equals(Borrowed.NONE)) {
          borrowing = c;
        }
      }
    } finally {
      stop.set(true);
      for (Thread w : writers) {
        w.join(5_000);
      }
      executor.close();
    }

    assertThat(registry.statisticsByDomain("p")).containsOnlyKeys("us");
    assertThat(borrowing).as("a selection in 'us' borrowed from no other domain").isNull();
  }
}
