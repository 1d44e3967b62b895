package io.ndp.spring.boot;

import io.ndp.api.ConfidenceStats;
import io.ndp.api.Pattern;
import io.ndp.api.Prior;
import io.ndp.core.Ndp;
import io.ndp.core.PatternRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code ndp} actuator endpoint ({@code GET /actuator/ndp} once exposed): the registered
 * patterns with their confidence per domain, and the recent decisions ({@link RecentDecisions}). It
 * shows names, figures and outcomes, never a payload.
 *
 * <p>Thread-safe: it reads the runtime's snapshots.
 *
 * @since 0.2.0
 */
@Endpoint(id = "ndp")
public final class NdpEndpoint {
  private final Ndp ndp;
  private final RecentDecisions recent;

  /**
   * Creates the endpoint.
   *
   * @param ndp the runtime
   * @param recent the recent decisions
   */
  public NdpEndpoint(Ndp ndp, RecentDecisions recent) {
    this.ndp = ndp;
    this.recent = recent;
  }

  /** {@return the report: patterns with their confidence per domain, and recent decisions} */
  @ReadOperation
  public Report report() {
    PatternRegistry registry = ndp.registry();
    List<PatternSummary> patterns = new ArrayList<>();
    for (Pattern p : registry.patterns()) {
      Map<String, DomainConfidence> byDomain = new LinkedHashMap<>();
      new TreeMap<>(registry.statisticsByDomain(p.name()))
          .forEach(
              (domain, s) -> byDomain.put(domain, DomainConfidence.of(s, Prior.declaredBy(p))));
      patterns.add(new PatternSummary(p.name(), p.type(), p.description(), byDomain));
    }
    return new Report(patterns, recent.newestFirst());
  }

  /**
   * What the endpoint returns. Immutable.
   *
   * @param patterns the registered patterns
   * @param recentDecisions the newest decisions first
   * @since 0.2.0
   */
  public record Report(
      List<PatternSummary> patterns, List<RecentDecisions.DecisionSummary> recentDecisions) {}

  /**
   * A registered pattern. Immutable.
   *
   * @param name its name
   * @param type its kind's type id
   * @param description its description
   * @param confidence its confidence per domain it has outcomes in, by domain name
   * @since 0.2.0
   */
  public record PatternSummary(
      String name, String type, String description, Map<String, DomainConfidence> confidence) {}

  /**
   * A pattern's confidence in one domain. Immutable.
   *
   * @param score the posterior mean in [0, 1] under the pattern's prior ({@code
   *     Pattern.confidenceScore(domain)})
   * @param level LOW, MEDIUM or HIGH
   * @param successes successes recorded
   * @param failures failures recorded
   * @since 0.2.0
   */
  public record DomainConfidence(double score, String level, long successes, long failures) {
    static DomainConfidence of(ConfidenceStats s, Prior prior) {
      return new DomainConfidence(
          s.score(prior), s.level(prior).name(), s.successes(), s.failures());
    }
  }
}
