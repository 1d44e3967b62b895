package io.ndp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * ResourcePool.Observer: an observer that throws an Error (an assertion, a NoClassDefFoundError
 * from a metrics library) from acquired() made tryAcquireAll throw after the units were granted:
 * the caller never got the lease, so the units stayed in use for good. Now such an observer is
 * logged like any other, and the JVM's own errors go on only after the units were given back.
 */
class ResourcePoolObserverReviewTest {

  @Test
  void anObserverThatThrowsAnError_changesNothing_noUnitsLeak() throws Exception {
    ResourcePool pool = new ResourcePool(Map.of("db", 1));
    pool.addObserver(
        new ResourcePool.Observer() {
          @Override
          public void acquired(
              String owner,
              Map<String, Integer> units,
              Map<String, Integer> inUse,
              Map<String, Integer> capacity,
              Duration waited) {
            throw new AssertionError("observer bug");
          }
        });

    // Logged, not thrown (only OutOfMemoryError and InternalError go on): the caller gets its
    // lease.
    Optional<ResourcePool.Lease> lease = pool.tryAcquireAll(Map.of("db", 1), Duration.ZERO);
    assertThat(lease).isPresent();
    lease.get().release();
    assertThat(pool.activeResources()).as("nothing is held by anyone").isEmpty();
    Optional<ResourcePool.Lease> again = pool.tryAcquireAll(Map.of("db", 1), Duration.ZERO);
    assertThat(again).as("the single unit is free again").isPresent();
  }

  @Test
  void anObserverThatThrowsInternalError_passesItOn_afterGivingTheUnitsBack() {
    ResourcePool pool = new ResourcePool(Map.of("db", 1));
    pool.addObserver(
        new ResourcePool.Observer() {
          @Override
          public void acquired(
              String owner,
              Map<String, Integer> units,
              Map<String, Integer> inUse,
              Map<String, Integer> capacity,
              Duration waited) {
            throw new InternalError("the JVM's own failure");
          }
        });
    Throwable thrown = catchThrowable(() -> pool.tryAcquireAll(Map.of("db", 1), Duration.ZERO));
    assertThat(thrown).isInstanceOf(InternalError.class);
    assertThat(pool.activeResources()).isEmpty();
  }
}
