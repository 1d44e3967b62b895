package io.ndp.console;

import io.ndp.api.Attempt;
import io.ndp.api.ConfidenceLevel;
import io.ndp.api.ConfidenceStats;
import io.ndp.api.Decision;
import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternResult;
import io.ndp.api.Prior;
import io.ndp.api.ResourcePool;
import io.ndp.api.event.BreakerStateChangedEvent;
import io.ndp.api.event.ConfidenceThresholdCrossedEvent;
import io.ndp.api.event.PluginFailedEvent;
import io.ndp.api.event.PluginLoadedEvent;
import io.ndp.api.event.PluginStoppedEvent;
import io.ndp.api.event.ResourceAcquiredEvent;
import io.ndp.api.event.ResourceConflictEvent;
import io.ndp.api.event.ResourceReleasedEvent;
import io.ndp.api.event.StatisticsResetEvent;
import io.ndp.core.Ndp;
import io.ndp.core.PatternRegistry;
import io.ndp.core.PluginReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Turns the runtime's state and events into the JSON-ready maps the API answers with. Only names,
 * counts, settings and messages go out: no payloads, outputs, attributes or stack traces.
 *
 * <p>Stateless and thread-safe.
 */
final class Views {

  private Views() {}

  /** Every pattern with its definition and its statistics per domain. */
  static Map<String, Object> patterns(Ndp ndp) {
    PatternRegistry registry = ndp.registry();
    List<Object> out = new ArrayList<>();
    for (Pattern p : registry.patterns()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", p.name());
      m.put("type", p.type());
      m.put("description", p.description());
      m.put("agentTypes", new TreeSet<>(p.agentTypes()));
      m.put("definition", definition(p.definition()));
      m.put("overall", stats(registry.statistics(p.name()), p.confidenceScore()));
      Map<String, Object> domains = new TreeMap<>();
      registry
          .statisticsByDomain(p.name())
          .forEach((domain, s) -> domains.put(domain, stats(s, p.confidenceScore(domain))));
      m.put("domains", domains);
      out.add(m);
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("patterns", out);
    root.put("pins", pins(registry));
    return root;
  }

  /** One pattern × domain cell. */
  static Map<String, Object> cell(Ndp ndp, ConsoleFeed feed, Pattern p, String domain) {
    PatternRegistry registry = ndp.registry();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("pattern", p.name());
    m.put("domain", domain);
    m.putAll(stats(registry.statistics(p.name(), domain), p.confidenceScore(domain)));
    m.put("breaker", registry.breakerState(p.name(), domain).toString());
    m.put("forced", registry.pins().forced(domain).map(p.name()::equals).orElse(false));
    m.put("forbidden", registry.pins().forbidden(domain).contains(p.name()));
    Prior prior = p.prior();
    Map<String, Object> pm = new LinkedHashMap<>();
    pm.put("alpha", prior.alpha());
    pm.put("beta", prior.beta());
    pm.put("mean", num(prior.mean()));
    m.put("prior", pm);
    List<Object> outcomes = new ArrayList<>();
    List<Object> history = new ArrayList<>();
    feed.cell(p.name(), domain)
        .ifPresent(
            t -> {
              for (ConsoleFeed.Outcome o : t.outcomes()) {
                Map<String, Object> om = new LinkedHashMap<>();
                om.put("at", o.at().toString());
                om.put("kind", o.kind());
                om.put("status", o.status());
                om.put("durationMillis", o.durationMillis());
                outcomes.add(om);
              }
              t.points().forEach(pt -> history.add(point(pt)));
            });
    // The chart ends now, whatever the sampler last saw.
    point(ndp, p.name(), domain).ifPresent(pt -> history.add(point(pt)));
    m.put("lastOutcomes", outcomes);
    m.put("history", history);
    return m;
  }

  /** The confidence of a registered pattern in a domain, now; empty when it left the registry. */
  static Optional<ConsoleFeed.Point> point(Ndp ndp, String pattern, String domain) {
    PatternRegistry registry = ndp.registry();
    return registry
        .find(pattern)
        .map(
            p -> {
              ConfidenceStats s = registry.statistics(pattern, domain);
              return new ConsoleFeed.Point(
                  Instant.now(), p.confidenceScore(domain), s.successes(), s.failures());
            });
  }

  private static Map<String, Object> point(ConsoleFeed.Point pt) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("at", pt.at().toString());
    m.put("epochMillis", pt.at().toEpochMilli());
    m.put("confidence", num(pt.confidence()));
    m.put("successes", pt.successes());
    m.put("failures", pt.failures());
    return m;
  }

  static Map<String, Object> stats(ConfidenceStats s, double confidence) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("successes", s.successes());
    m.put("failures", s.failures());
    m.put("effectiveSampleSize", num(s.effectiveSampleSize()));
    m.put("confidence", num(confidence));
    m.put(
        "level",
        confidence >= 0 && confidence <= 1 ? ConfidenceLevel.of(confidence).toString() : null);
    return m;
  }

  static Map<String, Object> definition(PatternDefinition d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", d.type());
    m.put("name", d.name());
    m.put("description", d.description());
    m.put("parameters", d.parameters());
    return m;
  }

  static Map<String, Object> pins(PatternRegistry registry) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("forced", new TreeMap<>(registry.pins().allForced()));
    Map<String, Object> forbidden = new TreeMap<>();
    registry.pins().allForbidden().forEach((d, ps) -> forbidden.put(d, new TreeSet<>(ps)));
    m.put("forbidden", forbidden);
    return m;
  }

  /** One recorded execution: context names, result, attempts and the decision record. */
  static Map<String, Object> decision(ConsoleFeed.Recorded r) {
    PatternContext c = r.event().context();
    PatternResult res = r.event().result();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sequence", r.sequence());
    m.put("finishedAt", r.finishedAt().toString());
    m.put("domain", c.domain());
    m.put("agentType", c.agentType());
    m.put("depth", r.event().depth());
    m.put("chosenPattern", res.chosenPattern());
    m.put("success", res.success());
    m.put("message", res.message());
    m.put("durationMillis", res.totalDuration().toNanos() / 1e6);
    m.put("fallbacks", res.fallbacksTried());
    m.put("retries", res.retries());
    List<Object> attempts = new ArrayList<>();
    for (Attempt a : res.attempts()) {
      Map<String, Object> am = new LinkedHashMap<>();
      am.put("pattern", a.patternName());
      am.put("kind", a.kind().toString());
      am.put("status", a.status().toString());
      am.put("fallback", a.fallback());
      am.put("message", a.message());
      am.put("durationMillis", a.duration().toNanos() / 1e6);
      attempts.add(am);
    }
    m.put("attempts", attempts);
    Decision d = res.decision();
    Map<String, Object> dm = new LinkedHashMap<>();
    dm.put("policy", d.policy());
    dm.put("minConfidence", num(d.minConfidence()));
    dm.put("maxAttempts", d.maxAttempts());
    List<Object> entries = new ArrayList<>();
    for (Decision.Entry e : d.entries()) {
      Map<String, Object> em = new LinkedHashMap<>();
      em.put("pattern", e.pattern());
      em.put("verdict", e.verdict().toString());
      em.put("match", num(e.match()));
      em.put("posteriorMean", num(e.posteriorMean()));
      em.put("effectiveSampleSize", num(e.effectiveSampleSize()));
      em.put("sample", num(e.sample()));
      em.put("why", d.why(e));
      entries.add(em);
    }
    dm.put("entries", entries);
    dm.put("notes", d.notes());
    m.put("decision", dm);
    return m;
  }

  /** Capacity, units in use and waiting requests of the runtime's resource pool. */
  static Map<String, Object> resources(ResourcePool pool, Map<String, Long> conflicts) {
    Map<String, Integer> capacities = pool.capacities();
    Map<String, Integer> inUse = pool.activeResources();
    TreeSet<String> names = new TreeSet<>(capacities.keySet());
    names.addAll(inUse.keySet());
    names.addAll(conflicts.keySet());
    List<Object> out = new ArrayList<>();
    for (String name : names) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", name);
      m.put("capacity", capacities.get(name));
      m.put("inUse", inUse.getOrDefault(name, 0));
      m.put("conflicts", conflicts.getOrDefault(name, 0L));
      out.add(m);
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("resources", out);
    root.put("defaultCapacity", pool.defaultCapacity());
    root.put("waitingRequests", pool.waitingRequests());
    return root;
  }

  static Map<String, Object> plugins(Ndp ndp, ConsoleFeed feed) {
    List<Object> out = new ArrayList<>();
    for (PluginReport r : ndp.pluginReports()) {
      out.add(plugin(r, feed));
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("plugins", out);
    return root;
  }

  static Map<String, Object> plugin(PluginReport r, ConsoleFeed feed) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.pluginId());
    m.put("version", feed.pluginVersion(r.pluginId()).orElse(null));
    m.put("state", r.status().toString());
    m.put("healthy", r.isHealthy());
    m.put("reason", r.reason());
    m.put("path", r.path().toString());
    m.put("types", r.types());
    return m;
  }

  /** The data of one stream event, by kind. */
  static Object event(Object event) {
    if (event instanceof ConsoleFeed.Recorded r) {
      return decision(r);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    if (event instanceof BreakerStateChangedEvent e) {
      m.put("pattern", e.patternName());
      m.put("domain", e.domain());
      m.put("from", e.from().toString());
      m.put("to", e.to().toString());
      m.put("reason", e.reason());
    } else if (event instanceof ResourceAcquiredEvent e) {
      resource(m, e.owner(), e.units(), e.inUse(), e.capacity());
    } else if (event instanceof ResourceReleasedEvent e) {
      resource(m, e.owner(), e.units(), e.inUse(), e.capacity());
    } else if (event instanceof ResourceConflictEvent e) {
      resource(m, e.owner(), e.units(), e.inUse(), e.capacity());
    } else if (event instanceof PluginLoadedEvent e) {
      m.put("id", e.pluginId());
      m.put("version", e.version());
      m.put("types", e.types());
    } else if (event instanceof PluginFailedEvent e) {
      m.put("id", e.pluginId());
      m.put("version", e.version());
      m.put("state", e.state());
      m.put("reason", e.reason());
    } else if (event instanceof PluginStoppedEvent e) {
      m.put("id", e.pluginId());
      m.put("unloaded", e.unloaded());
      m.put("reason", e.reason());
    } else if (event instanceof StatisticsResetEvent e) {
      m.put("pattern", e.pattern());
      m.put("domain", e.domain());
    } else if (event instanceof ConfidenceThresholdCrossedEvent e) {
      m.put("pattern", e.pattern());
      m.put("domain", e.domain());
      m.put("oldConfidence", num(e.oldConfidence()));
      m.put("newConfidence", num(e.newConfidence()));
      m.put("oldLevel", e.oldLevel().toString());
      m.put("newLevel", e.newLevel().toString());
    } else if (event instanceof Map<?, ?> given) {
      given.forEach((k, v) -> m.put(String.valueOf(k), v));
    }
    return m;
  }

  private static void resource(
      Map<String, Object> m,
      String owner,
      Map<String, Integer> units,
      Map<String, Integer> inUse,
      Map<String, Integer> capacity) {
    m.put("owner", owner);
    m.put("units", new TreeMap<>(units));
    m.put("inUse", new TreeMap<>(inUse));
    m.put("capacity", new TreeMap<>(capacity));
  }

  /** JSON has no NaN or infinity: those go out as null. */
  static @Nullable Double num(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
