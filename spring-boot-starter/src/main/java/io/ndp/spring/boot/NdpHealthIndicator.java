package io.ndp.spring.boot;

import io.ndp.api.BreakerState;
import io.ndp.api.NdpStorage;
import io.ndp.api.Pattern;
import io.ndp.core.Ndp;
import io.ndp.core.PatternRegistry;
import io.ndp.core.PluginReport;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.util.ClassUtils;

/**
 * The {@code ndp} health: DOWN when the runtime is closed or its durable store does not answer; UP
 * otherwise. A failed plugin or an open circuit breaker does not make it DOWN (the runtime serves
 * with the rest, as it is designed to), but both are in the details:
 *
 * <pre>{@code
 * { "status": "UP",
 *   "details": {
 *     "store": { "type": "jdbc", "available": true, "description": "...", ... },
 *     "patterns": 3,
 *     "pluginsFailed": { "broken-kind": { "status": "FAILED", "reason": "...", "path": "..." } },
 *     "openBreakers": [ { "pattern": "flaky", "domain": "orders", "state": "OPEN" } ] } }
 * }</pre>
 *
 * <p>Thread-safe: it reads the runtime's snapshots.
 *
 * @since 0.2.0
 */
public final class NdpHealthIndicator extends AbstractHealthIndicator {
  private static final Set<PluginReport.Status> FAILED =
      EnumSet.of(
          PluginReport.Status.FAILED,
          PluginReport.Status.DISABLED,
          PluginReport.Status.UNRESOLVED,
          PluginReport.Status.INVALID,
          PluginReport.Status.API_CLASH,
          PluginReport.Status.LEAKED);

  private final Ndp ndp;
  private final boolean jdbcPresent;

  /**
   * Creates the indicator of a runtime.
   *
   * @param ndp the runtime
   * @param classLoader the application's class loader, which says whether {@code ndp-storage-jdbc}
   *     is there
   */
  public NdpHealthIndicator(Ndp ndp, @Nullable ClassLoader classLoader) {
    super("NDP health check failed");
    this.ndp = ndp;
    this.jdbcPresent = ClassUtils.isPresent(JdbcStorages.JDBC_STORAGE_CLASS, classLoader);
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    boolean up = !ndp.isClosed();
    builder.withDetail("runtime", ndp.isClosed() ? "closed" : "running");
    Map<String, Object> store = new LinkedHashMap<>();
    Optional<NdpStorage> owned = ndp.ownedStorage();
    if (owned.isEmpty()) {
      store.put("type", "memory");
      store.put("available", true);
    } else {
      Optional<JdbcStorages.StoreState> state =
          jdbcPresent ? JdbcStorages.health(owned.get()) : Optional.empty();
      if (state.isPresent()) {
        store.putAll(state.get().details());
        up &= state.get().available();
      } else {
        store.put("type", owned.get().getClass().getName());
        store.put("description", owned.get().description());
      }
    }
    builder.withDetail("store", store);
    PatternRegistry registry = ndp.registry();
    builder.withDetail("patterns", registry.size());
    Map<String, Object> failed = new LinkedHashMap<>();
    for (PluginReport r : ndp.pluginReports()) {
      if (FAILED.contains(r.status())) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("status", r.status().name());
        d.put("reason", r.reason());
        d.put("path", r.path().toString());
        failed.put(r.pluginId(), d);
      }
    }
    builder.withDetail("pluginsFailed", failed);
    List<Map<String, String>> open = new ArrayList<>();
    if (registry.breakerPolicy().enabled()) {
      for (Pattern p : registry.patterns()) {
        for (String domain : registry.statisticsByDomain(p.name()).keySet()) {
          BreakerState s = registry.breakerState(p.name(), domain);
          if (s != BreakerState.CLOSED) {
            open.add(Map.of("pattern", p.name(), "domain", domain, "state", s.name()));
          }
        }
      }
    }
    builder.withDetail("openBreakers", open);
    if (up) {
      builder.up();
    } else {
      builder.down();
    }
  }
}
