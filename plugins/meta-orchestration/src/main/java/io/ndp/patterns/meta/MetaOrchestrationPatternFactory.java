package io.ndp.patterns.meta;

import io.ndp.api.FailurePolicy;
import io.ndp.api.Pattern;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.pf4j.Extension;

/**
 * Builds {@link MetaOrchestrationPattern}s from definitions of type {@value
 * MetaOrchestrationPattern#TYPE}. Parameters:
 *
 * <ul>
 *   <li>{@value MetaOrchestrationPattern#DOMAINS} (required): list of domain names;
 *   <li>{@value MetaOrchestrationPattern#DEPENDENCIES}: map from a domain to the list of domains it
 *       runs after;
 *   <li>{@value MetaOrchestrationPattern#DOMAIN_AGENT_TYPES}: map from a domain to the agent type
 *       of its nested context;
 *   <li>{@value MetaOrchestrationPattern#DEFAULT_AGENT_TYPE}: the agent type of the other domains'
 *       nested contexts (default {@value MetaOrchestrationPattern#DEFAULT_DOMAIN_AGENT_TYPE});
 *   <li>{@value MetaOrchestrationPattern#DOMAIN_ATTRIBUTES}: map from a domain to a map of
 *       attributes for its nested context.
 * </ul>
 *
 * <p>{@code create(p.definition())} equals {@code p}. A hand-written definition comes back
 * normalised: domains and map keys sorted by name, optional parameters left out when empty or
 * default.
 *
 * <p>Stateless and thread-safe.
 *
 * @since 0.1.0
 */
@Extension
public final class MetaOrchestrationPatternFactory implements PatternFactory {

  /** Creates the factory; ServiceLoader and PF4J call this. */
  public MetaOrchestrationPatternFactory() {}

  @Override
  public String type() {
    return MetaOrchestrationPattern.TYPE;
  }

  @Override
  public Set<String> aliases() {
    return Set.of(MetaOrchestrationPattern.ALIAS);
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException naming every parameter of the wrong shape, or whatever {@link
   *     MetaOrchestrationPattern.Builder#build()} rejects (unknown domains, cycles)
   */
  @Override
  public Pattern create(PatternDefinition definition) {
    definition.requireType(type());
    String name = definition.name();
    List<String> problems = new ArrayList<>();
    MetaOrchestrationPattern.Builder b =
        MetaOrchestrationPattern.builder(name)
            .description(definition.description())
            .prior(definition.prior());
    try {
      b.domains(
          definition
              .stringList(MetaOrchestrationPattern.DOMAINS)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          String.format(
                              Locale.ROOT,
                              "meta-orchestration pattern '%s' needs the parameter '%s'",
                              name,
                              MetaOrchestrationPattern.DOMAINS))));
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    }
    try {
      definition
          .map(MetaOrchestrationPattern.DEPENDENCIES)
          .ifPresent(
              deps ->
                  deps.forEach(
                      (domain, prereqs) ->
                          b.after(
                              domain,
                              strings(
                                  name,
                                  MetaOrchestrationPattern.DEPENDENCIES + "." + domain,
                                  prereqs))));
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    }
    try {
      definition
          .map(MetaOrchestrationPattern.DOMAIN_AGENT_TYPES)
          .ifPresent(
              types ->
                  types.forEach(
                      (domain, type) ->
                          b.domainAgentType(
                              domain,
                              string(
                                  name,
                                  MetaOrchestrationPattern.DOMAIN_AGENT_TYPES + "." + domain,
                                  type))));
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    }
    try {
      Object fallback = definition.parameters().get(MetaOrchestrationPattern.DEFAULT_AGENT_TYPE);
      if (fallback != null) {
        b.defaultDomainAgentType(
            string(name, MetaOrchestrationPattern.DEFAULT_AGENT_TYPE, fallback));
      }
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    }
    try {
      definition
          .map(MetaOrchestrationPattern.DOMAIN_ATTRIBUTES)
          .ifPresent(
              attrs ->
                  attrs.forEach(
                      (domain, values) ->
                          b.domainAttributes(
                              domain,
                              map(
                                  name,
                                  MetaOrchestrationPattern.DOMAIN_ATTRIBUTES + "." + domain,
                                  values))));
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    }
    Object policy = definition.parameters().get(MetaOrchestrationPattern.FAILURE_POLICY);
    if (policy != null) {
      try {
        b.failurePolicy(FailurePolicy.of(policy));
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return b.build();
  }

  private static List<String> strings(String pattern, String key, Object value) {
    if (value instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
      return list.stream().map(String.class::cast).toList();
    }
    throw shape(pattern, key, "a list of domain names", value);
  }

  private static String string(String pattern, String key, Object value) {
    if (value instanceof String s) {
      return s;
    }
    throw shape(pattern, key, "a string", value);
  }

  private static Map<String, ?> map(String pattern, String key, Object value) {
    if (value instanceof Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      Map<String, ?> typed = (Map<String, ?>) m; // PatternDefinition guarantees string keys
      return typed;
    }
    throw shape(pattern, key, "a map of attributes", value);
  }

  private static IllegalArgumentException shape(
      String pattern, String key, String expected, Object value) {
    return new IllegalArgumentException(
        String.format(
            Locale.ROOT,
            "parameter '%s' of meta-orchestration pattern '%s' must be %s but was %s",
            key,
            pattern,
            expected,
            describe(value)));
  }

  private static String describe(Object value) {
    // PatternContext.describe is package-private in the api; keep the same shape here.
    return value instanceof String s
        ? "String '" + s + "'"
        : value.getClass().getSimpleName() + " " + value;
  }
}
