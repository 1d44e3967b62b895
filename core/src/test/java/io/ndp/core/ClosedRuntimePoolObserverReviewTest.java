package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.ResourcePool;
import io.ndp.api.event.NdpListener;
import io.ndp.api.event.ResourceAcquiredEvent;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A runtime built over the host's ResourcePool (Ndp.Builder.resourcePool) adds an observer to it
 * when a listener hears resources, and never removes it: after close() the closed runtime's
 * listeners still hear every grant of the host's pool, and each runtime ever built over that pool
 * stays reachable from it (one observer more per runtime built and closed).
 */
class ClosedRuntimePoolObserverReviewTest {

  @Test
  void aClosedRuntime_noLongerObservesTheHostsPool() throws Exception {
    ResourcePool pool = new ResourcePool(Map.of("gpu", 1));
    AtomicInteger heard = new AtomicInteger();
    NdpListener listener =
        new NdpListener() {
          @Override
          public void onResourceAcquired(ResourceAcquiredEvent event) {
            heard.incrementAndGet();
          }
        };
    for (int i = 0; i < 3; i++) {
      Ndp.builder().resourcePool(pool).listener(listener).build().close();
    }

    pool.tryAcquireAll("host", 0, Map.of("gpu", 1), Duration.ZERO).orElseThrow().close();

    assertThat(heard)
        .as("grants of the host's own pool after every runtime over it was closed")
        .hasValue(0);
  }
}
