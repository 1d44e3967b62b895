package io.ndp.examples.boot;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/** The stored orders, by id: what the {@code store} delegate writes. Thread-safe. */
@Component
public class OrderBook {

  private final Map<String, Map<String, Object>> orders = new ConcurrentHashMap<>();

  /**
   * Stores an order under its id; a second order with the same id is refused.
   *
   * @param id the order id
   * @param order the normalised order
   * @throws IllegalStateException when an order with that id is stored already
   */
  public void put(String id, Map<String, Object> order) {
    if (orders.putIfAbsent(id, Map.copyOf(order)) != null) {
      throw new IllegalStateException("order '" + id + "' is stored already");
    }
  }

  /** {@return the stored orders, sorted by id} */
  public Map<String, Map<String, Object>> all() {
    return new TreeMap<>(orders);
  }
}
