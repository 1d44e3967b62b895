package io.ndp.api.event;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A lease gave its units back. Sent by the {@link io.ndp.api.ResourcePool} after it released its
 * lock, on the thread that released.
 *
 * <p>Immutable and thread-safe; the maps are immutable and list only the resources of {@code
 * units}.
 *
 * @param owner who held the lease, e.g. a pattern name
 * @param units resource name to units given back
 * @param inUse resource name to the units held by all leases together right after it
 * @param capacity resource name to its capacity then
 * @param waited how long the request waited; zero (a release does not wait)
 * @since 0.2.0
 */
public record ResourceReleasedEvent(
    String owner,
    Map<String, Integer> units,
    Map<String, Integer> inUse,
    Map<String, Integer> capacity,
    Duration waited)
    implements NdpEvent {

  /**
   * Checks the components and copies the maps.
   *
   * @param owner who; not null
   * @param units the units; not null
   * @param inUse the units in use; not null
   * @param capacity the capacities; not null
   * @param waited how long it waited; not null
   * @throws NullPointerException when a component, key or value is null
   */
  public ResourceReleasedEvent {
    Objects.requireNonNull(owner, "owner");
    units = Map.copyOf(units);
    inUse = Map.copyOf(inUse);
    capacity = Map.copyOf(capacity);
    Objects.requireNonNull(waited, "waited");
  }
}
