package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.ResourcePool;
import io.ndp.api.event.NdpListener;
import io.ndp.api.event.ResourceAcquiredEvent;
import io.ndp.api.event.ResourceConflictEvent;
import io.ndp.api.event.ResourceReleasedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** Resource events: what each says, a throwing listener changes nothing, nothing lost. */
class ResourceEventsTest {

  /** Keeps every resource event. */
  static final class Keeping implements NdpListener {
    final ConcurrentLinkedQueue<ResourceAcquiredEvent> acquired = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<ResourceReleasedEvent> released = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<ResourceConflictEvent> conflicts = new ConcurrentLinkedQueue<>();

    @Override
    public void onResourceAcquired(ResourceAcquiredEvent event) {
      acquired.add(event);
    }

    @Override
    public void onResourceReleased(ResourceReleasedEvent event) {
      released.add(event);
    }

    @Override
    public void onResourceConflict(ResourceConflictEvent event) {
      conflicts.add(event);
    }
  }

  @Test
  void grantConflictAndRelease_sayWhoWhatAndTheUnitsInUseAfter() throws Exception {
    Keeping keeping = new Keeping();
    ResourcePool pool = new ResourcePool(Map.of("gpu", 2, "disk", 5));
    PatternRegistry.builder().resourcePool(pool).listener(keeping).build();

    Optional<ResourcePool.Lease> lease =
        pool.tryAcquireAll("a", 0, Map.of("gpu", 2), Duration.ZERO);
    assertThat(lease).isPresent();
    assertThat(pool.tryAcquireAll("b", 0, Map.of("gpu", 1, "disk", 1), Duration.ofMillis(20)))
        .isEmpty();
    lease.get().release();
    lease.get().release(); // idempotent: one event

    assertThat(keeping.acquired)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.owner()).isEqualTo("a");
              assertThat(e.units()).isEqualTo(Map.of("gpu", 2));
              assertThat(e.inUse()).isEqualTo(Map.of("gpu", 2));
              assertThat(e.capacity()).isEqualTo(Map.of("gpu", 2));
            });
    assertThat(keeping.conflicts)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.owner()).isEqualTo("b");
              assertThat(e.units()).isEqualTo(Map.of("gpu", 1, "disk", 1));
              assertThat(e.inUse()).isEqualTo(Map.of("gpu", 2, "disk", 0));
              assertThat(e.capacity()).isEqualTo(Map.of("gpu", 2, "disk", 5));
              assertThat(e.waited()).isGreaterThanOrEqualTo(Duration.ofMillis(15));
            });
    assertThat(keeping.released)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.owner()).isEqualTo("a");
              assertThat(e.inUse()).isEqualTo(Map.of("gpu", 0));
            });
  }

  @Test
  void aListenerThatThrows_neitherLosesNorLeaksUnits() throws Exception {
    NdpListener throwing =
        new NdpListener() {
          @Override
          public void onResourceAcquired(ResourceAcquiredEvent event) {
            throw new IllegalStateException("listener bug");
          }

          @Override
          public void onResourceReleased(ResourceReleasedEvent event) {
            throw new IllegalStateException("listener bug");
          }
        };
    ResourcePool pool = new ResourcePool(Map.of("gpu", 1));
    PatternRegistry.builder().resourcePool(pool).listener(throwing).build();
    for (int i = 0; i < 3; i++) {
      ResourcePool.Lease lease = pool.tryAcquireAll(Map.of("gpu", 1), Duration.ZERO).orElseThrow();
      assertThat(pool.activeResources()).isEqualTo(Map.of("gpu", 1));
      assertThat(lease.release()).isTrue();
      assertThat(pool.activeResources()).isEmpty();
    }
  }

  @Test
  void noListenerHearingResources_addsNoObserver() throws Exception {
    ResourcePool pool = new ResourcePool(Map.of("gpu", 1));
    PatternRegistry.builder().resourcePool(pool).listener(new NdpListener() {}).build();
    // A listener without resource methods: the pool is not observed, so removing finds nothing
    // but what the test adds itself.
    ResourcePool.Observer mine = new ResourcePool.Observer() {};
    pool.addObserver(mine);
    assertThat(pool.removeObserver(mine)).isTrue();
    assertThat(pool.removeObserver(mine)).isFalse();
  }

  @Test
  void manyThreads_everyGrantHasOneReleaseAndTheLastEventsSeeNothingInUse() throws Exception {
    Keeping keeping = new Keeping();
    ResourcePool pool = new ResourcePool(Map.of("gpu", 3));
    PatternRegistry.builder().resourcePool(pool).listener(keeping).build();
    int threads = 8;
    int each = 500;
    LongAdder granted = new LongAdder();
    LongAdder refused = new LongAdder();
    ExecutorService exec = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int units = 1 + t % 3;
        fs.add(
            exec.submit(
                () -> {
                  for (int i = 0; i < each; i++) {
                    Optional<ResourcePool.Lease> l =
                        pool.tryAcquireAll(
                            "t" + units, 0, Map.of("gpu", units), Duration.ofMillis(1));
                    if (l.isPresent()) {
                      granted.increment();
                      l.get().release();
                    } else {
                      refused.increment();
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : fs) {
        f.get(1, TimeUnit.MINUTES);
      }
    } finally {
      exec.shutdownNow();
    }
    assertThat(granted.sum() + refused.sum()).isEqualTo((long) threads * each);
    assertThat(keeping.acquired).hasSize((int) granted.sum());
    assertThat(keeping.released).hasSize((int) granted.sum());
    assertThat(keeping.conflicts).hasSize((int) refused.sum());
    assertThat(keeping.acquired)
        .allSatisfy(e -> assertThat(e.inUse().get("gpu")).isBetween(e.units().get("gpu"), 3));
    assertThat(pool.activeResources()).isEmpty();
  }
}
