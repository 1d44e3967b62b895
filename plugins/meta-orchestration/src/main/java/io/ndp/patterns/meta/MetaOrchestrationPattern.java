package io.ndp.patterns.meta;

import io.ndp.api.AbstractPattern;
import io.ndp.api.ExecutionScope;
import io.ndp.api.FailurePolicy;
import io.ndp.api.InvalidContextException;
import io.ndp.api.MatchResult;
import io.ndp.api.MissingDelegateException;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternOutcome;
import io.ndp.api.Prior;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Serves a context that spans several domains by handing each required domain to that domain's
 * handler, honouring the declared ordering between domains and running independent domains in
 * parallel; the outputs are aggregated per domain.
 *
 * <pre>{@code
 * var meta = new MetaOrchestrationPattern("domain_coordinator", "Cross-domain orchestration",
 *     Set.of("auth", "data", "network", "compute"));
 *
 * var ordered = MetaOrchestrationPattern.builder("platform")
 *     .description("auth first, then data; network and compute alongside")
 *     .domains("auth", "data", "network", "compute")
 *     .after("data", "auth")                       // data runs after auth
 *     .domainAgentType("compute", "parallel")      // compute's nested context
 *     .domainAttributes("compute", Map.of("required_resources", List.of("cpu")))
 *     .build();
 * }</pre>
 *
 * <p><b>Domains.</b> A set of non-blank names, kept sorted by name (the set carries no order;
 * ordering is declared with {@link Builder#after}). The name {@value #PAYLOAD_KEY} is reserved.
 *
 * <p><b>Matching.</b> The context's {@value PatternContext#REQUIRED_DOMAINS} must all be domains of
 * this pattern, else the pattern does not match and the reason names the missing ones. When the
 * context names no domain, every domain runs and the match is perfect (1.0); otherwise only the
 * required domains run and the score is {@code 0.5 + 0.5 × required / domains}, so that a pattern
 * made for exactly these domains ranks above one that merely contains them.
 *
 * <p><b>Handlers.</b> A domain is handled by the {@link io.ndp.api.Delegate} registered under the
 * domain's name in {@link ExecutionScope#delegates()}, if there is one (looked up when the run
 * starts). Otherwise it is handled by the best pattern for it, through {@link
 * ExecutionScope#executeBestPattern(PatternContext)}, with a nested context whose
 *
 * <ul>
 *   <li>domain is the domain's name (so the executor learns confidence in that sub-domain);
 *   <li>agent type is the one configured for the domain ({@link Builder#domainAgentType}), else the
 *       pattern's default ({@link Builder#defaultDomainAgentType}, by default {@value
 *       #DEFAULT_DOMAIN_AGENT_TYPE});
 *   <li>attributes are the parent's minus {@value PatternContext#REQUIRED_DOMAINS}, overlaid by the
 *       domain's own attributes ({@link Builder#domainAttributes}) — so the guide's context, which
 *       carries {@code required_steps} as well, hands those steps to a sequential pattern;
 *   <li>priority is the parent's; payload is the domain's input (below); timeout is what is left of
 *       the parent's deadline, none when the parent has none.
 * </ul>
 *
 * <p><b>Input and output.</b> A domain with no required prerequisite receives the context's payload
 * as it is. A domain with required prerequisites receives an unmodifiable {@code Map<String,
 * Object>} holding each such prerequisite's output under the prerequisite's name (sorted by name),
 * followed by the context's payload under {@value #PAYLOAD_KEY}; values may be {@code null}. JDK
 * types only, so that host code needs no class of this plugin (PF4J loads it in its own class
 * loader). The pattern's output is an unmodifiable {@code Map<String, Object>} from each domain
 * that ran to its output, in plan order (prerequisites first, ties by name); values may be {@code
 * null}.
 *
 * <p><b>Ordering and parallelism.</b> {@link Builder#after after("data", "auth")} means that data
 * starts only after auth has succeeded. Ordering constrains, it does not require: only the required
 * domains run, and a prerequisite that the context does not require is ignored (data then runs
 * without waiting, and its input holds only the required prerequisites' outputs). Every domain
 * whose required prerequisites have succeeded is started at once on {@link
 * ExecutionScope#executor()}; the calling thread coordinates and waits. A cycle in the ordering
 * (e.g. {@code auth -> data -> auth}) or a dependency naming an unknown domain is rejected when the
 * pattern is built.
 *
 * <p><b>Failure policy.</b> The first domain that fails (its delegate throws, or no pattern
 * succeeds for its nested context) fails the run: the outcome is {@link OutcomeStatus#FAILED} and
 * its message names the domain and why (the delegate's exception message or the nested result's
 * message), and its cause is a {@link DomainFailedException} naming the domain (caused in turn by
 * the delegate's exception, if any); no further domain is started, so the failed domain's
 * dependents never run; domains still running are interrupted and awaited. The outcome's output
 * holds the outputs of the domains that completed. When the deadline passes the run ends {@link
 * OutcomeStatus#TIMED_OUT}; when the calling thread is interrupted it ends {@link
 * OutcomeStatus#CANCELLED} with the interrupt flag restored. In every case the pattern returns only
 * after every domain it started has ended (structured concurrency): a delegate that ignores
 * interrupts delays the outcome.
 *
 * <p><b>Nesting and the depth guard.</b> A nested context may be served by another
 * meta-orchestration pattern (agent type {@value #AGENT_TYPE}), which nests further. Runaway
 * nesting — a domain whose nested context selects this same pattern again — is stopped by the
 * executor's depth limit: the nested call returns a failed result whose message says the nesting
 * depth limit was reached, and the domain fails with it, naming the domain. The levels are reported
 * once, as "pattern 'x' was selected again for it, 8 level(s) deep (auth > auth > ...)" followed by
 * the depth-limit message, not as one nested message per level. Each level waits on a thread of the
 * executor, so a bounded pool must have more threads than nesting depth × parallel domains, or the
 * run stalls (until its deadline, if it has one).
 *
 * <p>Immutable and thread-safe; delegates must be thread-safe, as independent domains run
 * concurrently.
 *
 * @since 0.1.0
 */
public final class MetaOrchestrationPattern extends AbstractPattern {

  /** The type id of this kind. */
  public static final String TYPE = "meta-orchestration";

  /** The class-style alias of {@link #TYPE}. */
  public static final String ALIAS = "MetaOrchestrationPattern";

  /** The agent type this kind serves. */
  public static final String AGENT_TYPE = "orchestrator";

  /** The agent type of a domain's nested context when none is configured. */
  public static final String DEFAULT_DOMAIN_AGENT_TYPE = "sequential";

  /**
   * The key of the context's payload in the input of a domain that has required prerequisites; no
   * domain may have this name.
   */
  public static final String PAYLOAD_KEY = "@payload";

  /** Definition parameter: the domains, a list of names. */
  public static final String DOMAINS = "domains";

  /** Definition parameter: domain to the list of domains it runs after (only when some). */
  public static final String DEPENDENCIES = "dependencies";

  /** Definition parameter: domain to its nested agent type (only when some). */
  public static final String DOMAIN_AGENT_TYPES = "domainAgentTypes";

  /**
   * Definition parameter: the nested agent type of domains without one (only when not {@value
   * #DEFAULT_DOMAIN_AGENT_TYPE}).
   */
  public static final String DEFAULT_AGENT_TYPE = "defaultDomainAgentType";

  /** Definition parameter: domain to the attributes of its nested context (only when some). */
  public static final String DOMAIN_ATTRIBUTES = "domainAttributes";

  /**
   * Definition parameter: the failure policy (when not {@code FAIL_FAST}), e.g. {@code QUORUM(2)}.
   */
  public static final String FAILURE_POLICY = "failurePolicy";

  /**
   * Context attribute choosing the failure policy of one execution (overrides the pattern's); see
   * {@link FailurePolicy}. Under any policy, a domain whose prerequisite failed never starts.
   */
  public static final String FAILURE_POLICY_ATTRIBUTE = "failure_policy";

  private final SortedSet<String> domains;
  private final Map<String, Set<String>> prerequisites;
  private final Map<String, String> domainAgentTypes;
  private final String defaultDomainAgentType;
  private final Map<String, Map<String, Object>> domainAttributes;
  private final PatternDefinition definition;
  private final FailurePolicy failurePolicy;

  /**
   * The guide's form: the given domains, no ordering between them, each domain's nested context
   * served by agent type {@value #DEFAULT_DOMAIN_AGENT_TYPE}.
   *
   * @param name unique pattern name
   * @param description what the pattern is for
   * @param domains the domains it coordinates; non-empty, non-blank names
   * @throws IllegalArgumentException naming the offending value when an argument is invalid
   */
  public MetaOrchestrationPattern(String name, String description, Set<String> domains) {
    this(builder(name).description(description).domains(requireDomains(name, domains)));
  }

  private MetaOrchestrationPattern(Builder b) {
    super(b.name, b.description, b.prior);
    List<String> problems = new ArrayList<>();
    if (b.domains.isEmpty()) {
      problems.add("it needs at least one domain but got none");
    }
    if (b.domains.contains(PAYLOAD_KEY)) {
      problems.add(
          String.format(
              Locale.ROOT,
              "domain name '%s' is reserved for the payload in a dependent domain's input",
              PAYLOAD_KEY));
    }
    this.domains = Collections.unmodifiableSortedSet(new TreeSet<>(b.domains));

    Map<String, Set<String>> known = new TreeMap<>();
    b.prerequisites.forEach(
        (domain, prereqs) -> {
          if (!domains.contains(domain)) {
            problems.add(unknown("an ordering names", domain));
            return;
          }
          for (String p : prereqs) {
            if (domains.contains(p)) {
              known.computeIfAbsent(domain, k -> new TreeSet<>()).add(p);
            } else {
              problems.add(unknown("domain '" + domain + "' is ordered after", p));
            }
          }
        });
    for (String cycle : DomainGraph.cycles(domains, known)) {
      problems.add("its ordering has a cycle: " + cycle + " (a -> b: b runs after a)");
    }
    Map<String, Set<String>> prereqCopy = new TreeMap<>();
    known.forEach(
        (d, ps) -> prereqCopy.put(d, Collections.unmodifiableSortedSet(new TreeSet<>(ps))));
    this.prerequisites = Collections.unmodifiableMap(prereqCopy);

    Map<String, String> types = new TreeMap<>();
    b.domainAgentTypes.forEach(
        (domain, type) -> {
          if (domains.contains(domain)) {
            types.put(domain, type);
          } else {
            problems.add(unknown("an agent type is set for", domain));
          }
        });
    this.domainAgentTypes = Collections.unmodifiableMap(types);
    this.defaultDomainAgentType = b.defaultDomainAgentType;

    Map<String, Map<String, Object>> attrs = new TreeMap<>();
    b.domainAttributes.forEach(
        (domain, values) -> {
          if (!domains.contains(domain)) {
            problems.add(unknown("attributes are set for", domain));
            return;
          }
          try {
            // The values become part of each nested context: check them as one now.
            new PatternContext(domain, agentTypeFor(domain), values);
            attrs.put(domain, values);
          } catch (InvalidContextException e) {
            problems.add(
                String.format(
                    Locale.ROOT,
                    "attributes of domain '%s' are invalid: %s",
                    domain,
                    String.join("; ", e.problems())));
          }
        });

    this.failurePolicy = b.failurePolicy;
    PatternDefinition def = null;
    if (problems.isEmpty()) {
      try {
        def = new PatternDefinition(TYPE, name(), description(), withPrior(parameters(attrs)));
      } catch (IllegalArgumentException e) {
        problems.add(
            "its settings cannot be stored in a definition (JSON-like values only): "
                + e.getMessage());
      }
    }
    if (!problems.isEmpty() || def == null) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "meta-orchestration pattern '%s' is invalid: %s",
              name(),
              String.join("; ", problems)));
    }
    this.definition = def;
    // Keep the definition's deep, unmodifiable copies of the attribute values.
    Map<String, Map<String, Object>> storedAttrs = new TreeMap<>();
    def.map(DOMAIN_ATTRIBUTES)
        .ifPresent(
            m ->
                m.forEach(
                    (domain, values) -> {
                      @SuppressWarnings("unchecked")
                      Map<String, Object> v = (Map<String, Object>) values;
                      storedAttrs.put(domain, v);
                    }));
    this.domainAttributes = Collections.unmodifiableMap(storedAttrs);
  }

  /**
   * Starts a builder for the richer form: ordering, nested agent types and attributes per domain.
   *
   * @param name unique pattern name (checked in {@link Builder#build()})
   * @return a new builder
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Returns the configured failure policy. */
  public FailurePolicy failurePolicy() {
    return failurePolicy;
  }

  /** Returns the domains, sorted by name. */
  public Set<String> domains() {
    return domains;
  }

  /**
   * Returns the domains that {@code domain} runs after.
   *
   * @param domain a domain of this pattern
   * @return its prerequisites, sorted; empty when none (or when the domain is unknown)
   */
  public Set<String> prerequisites(String domain) {
    return prerequisites.getOrDefault(domain, Collections.emptySortedSet());
  }

  /** Returns the ordering: each domain that has prerequisites to them, sorted; unmodifiable. */
  public Map<String, Set<String>> dependencies() {
    return prerequisites;
  }

  /**
   * Returns the agent type of {@code domain}'s nested context.
   *
   * @param domain a domain of this pattern
   * @return the configured agent type, else {@link #defaultDomainAgentType()}
   */
  public String agentTypeFor(String domain) {
    return domainAgentTypes.getOrDefault(domain, defaultDomainAgentType);
  }

  /** Returns the agent type of nested contexts of domains that have none configured. */
  public String defaultDomainAgentType() {
    return defaultDomainAgentType;
  }

  /**
   * Returns the attributes added to {@code domain}'s nested context.
   *
   * @param domain a domain of this pattern
   * @return the attributes; empty when none
   */
  public Map<String, Object> domainAttributes(String domain) {
    return domainAttributes.getOrDefault(domain, Map.of());
  }

  /**
   * Returns the domains a context runs, in plan order: prerequisites before the domains that run
   * after them, ties by name.
   *
   * @param context a context this pattern matches
   * @return the domains to run
   * @throws IllegalArgumentException when the context requires a domain this pattern lacks
   */
  public List<String> plan(PatternContext context) {
    List<String> required = context.requiredDomains();
    List<String> missing = missing(required);
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "meta-orchestration pattern '%s' lacks required domains %s (has %s)",
              name(),
              missing,
              domains));
    }
    return DomainGraph.order(required.isEmpty() ? domains : required, prerequisites);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<String> typeAliases() {
    return Set.of(ALIAS);
  }

  @Override
  public Set<String> agentTypes() {
    return Set.of(AGENT_TYPE);
  }

  /** Offers its domains under {@value PatternContext#REQUIRED_DOMAINS}. */
  @Override
  public Map<String, Set<String>> offers() {
    return Map.of(PatternContext.REQUIRED_DOMAINS, Set.copyOf(domains));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Perfect when the context names no domain; {@code 0.5 + 0.5 × required / domains} when it
   * names only domains of this pattern; no match, naming the missing domains, otherwise.
   */
  @Override
  public MatchResult match(PatternContext context) {
    List<String> required = context.requiredDomains();
    if (required.isEmpty()) {
      return MatchResult.perfect();
    }
    List<String> missing = missing(required);
    if (!missing.isEmpty()) {
      return MatchResult.noMatch(
          String.format(Locale.ROOT, "lacks required domains %s (has %s)", missing, domains));
    }
    return MatchResult.coverage(required.size(), domains.size());
  }

  /**
   * {@inheritDoc}
   *
   * <p>See the class documentation for handlers, inputs, ordering and the failure policy. A context
   * that requires a domain this pattern lacks is {@link OutcomeStatus#REJECTED} (nothing runs).
   */
  @Override
  public PatternOutcome execute(PatternContext context, ExecutionScope scope) {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(scope, "scope");
    List<String> missing = missing(context.requiredDomains());
    if (!missing.isEmpty()) {
      return PatternOutcome.of(
          OutcomeStatus.REJECTED,
          String.format(Locale.ROOT, "lacks required domains %s (has %s)", missing, domains),
          null);
    }
    List<String> plan = plan(context);
    // A domain with neither a delegate nor a pattern for its agent type is a host configuration
    // error: found before any domain runs, like a missing delegate in the other kinds.
    for (String domain : plan) {
      if (!scope.delegates().contains(domain) && !scope.serves(agentTypeFor(domain))) {
        throw new MissingDelegateException(domain, name());
      }
    }
    FailurePolicy policy;
    try {
      policy =
          context.attribute(FAILURE_POLICY_ATTRIBUTE).map(FailurePolicy::of).orElse(failurePolicy);
    } catch (IllegalArgumentException e) {
      return PatternOutcome.of(
          OutcomeStatus.REJECTED,
          String.format(
              Locale.ROOT,
              "cannot run this context: %s %s",
              FAILURE_POLICY_ATTRIBUTE,
              e.getMessage()),
          e);
    }
    if (policy.kind() == FailurePolicy.Kind.QUORUM && policy.quorum() > plan.size()) {
      return PatternOutcome.of(
          OutcomeStatus.REJECTED,
          String.format(
              Locale.ROOT,
              "cannot reach %s with %d planned domain(s) %s",
              policy,
              plan.size(),
              plan),
          null);
    }
    return new Orchestration(this, context, scope, plan, policy).run();
  }

  @Override
  public PatternDefinition definition() {
    return definition;
  }

  private List<String> missing(List<String> required) {
    return required.stream().filter(d -> !domains.contains(d)).toList();
  }

  private String unknown(String what, String domain) {
    return String.format(
        Locale.ROOT, "%s unknown domain '%s' (domains: %s)", what, domain, domains);
  }

  private Map<String, Object> parameters(Map<String, Map<String, Object>> attrs) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put(DOMAINS, List.copyOf(domains));
    if (!failurePolicy.equals(FailurePolicy.FAIL_FAST)) {
      p.put(FAILURE_POLICY, failurePolicy.toString());
    }
    if (!prerequisites.isEmpty()) {
      Map<String, Object> deps = new LinkedHashMap<>();
      prerequisites.forEach((d, ps) -> deps.put(d, List.copyOf(ps)));
      p.put(DEPENDENCIES, deps);
    }
    if (!domainAgentTypes.isEmpty()) {
      p.put(DOMAIN_AGENT_TYPES, domainAgentTypes);
    }
    if (!defaultDomainAgentType.equals(DEFAULT_DOMAIN_AGENT_TYPE)) {
      p.put(DEFAULT_AGENT_TYPE, defaultDomainAgentType);
    }
    if (!attrs.isEmpty()) {
      p.put(DOMAIN_ATTRIBUTES, attrs);
    }
    return p;
  }

  private static Set<String> requireDomains(String name, @Nullable Set<String> domains) {
    if (domains == null) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT, "domains of meta-orchestration pattern '%s' must not be null", name));
    }
    return domains;
  }

  private static String requireName(String what, @Nullable String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "%s must be a non-blank name but was %s",
              what,
              value == null ? "null" : "'" + value + "'"));
    }
    return value;
  }

  /**
   * Builds a {@link MetaOrchestrationPattern}. Each setter checks its own arguments; {@link
   * #build()} checks how they fit together (unknown domains, cycles) and reports every problem at
   * once.
   *
   * <p>Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final String name;
    private String description = "";
    private final Set<String> domains = new TreeSet<>();
    private final Map<String, Set<String>> prerequisites = new TreeMap<>();
    private final Map<String, String> domainAgentTypes = new TreeMap<>();
    private String defaultDomainAgentType = DEFAULT_DOMAIN_AGENT_TYPE;
    private final Map<String, Map<String, Object>> domainAttributes = new TreeMap<>();
    private FailurePolicy failurePolicy = FailurePolicy.FAIL_FAST;
    private Prior prior = Prior.NEUTRAL;

    private Builder(String name) {
      this.name = name;
    }

    /**
     * Declares what the pattern is believed to do before any outcome (default {@link
     * Prior#NEUTRAL}); its definition keeps it.
     *
     * @param prior the prior
     * @return this builder
     * @since 0.2.0
     */
    public Builder prior(Prior prior) {
      if (prior == null) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "prior of %s pattern '%s' must not be null",
                "meta-orchestration",
                name));
      }
      this.prior = prior;
      return this;
    }

    /**
     * Sets what the pattern is for (default: empty).
     *
     * @param description the description; not null
     * @return this builder
     */
    public Builder description(String description) {
      if (description == null) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "description of meta-orchestration pattern '%s' must not be null",
                name));
      }
      this.description = description;
      return this;
    }

    /**
     * Adds domains.
     *
     * @param domains non-blank names
     * @return this builder
     */
    public Builder domains(String... domains) {
      return domains(Arrays.asList(requireArray("domains", domains)));
    }

    /**
     * Adds domains.
     *
     * @param domains non-blank names
     * @return this builder
     */
    public Builder domains(Collection<String> domains) {
      if (domains == null) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT, "domains of meta-orchestration pattern '%s' must not be null", name));
      }
      int i = 0;
      for (String d : domains) {
        requireName(String.format(Locale.ROOT, "domain %d of pattern '%s'", i, name), d);
        i++;
      }
      this.domains.addAll(domains);
      return this;
    }

    /**
     * Declares that {@code domain} runs only after each of {@code prerequisites} has succeeded,
     * e.g. {@code after("data", "auth")}. Adds to earlier declarations. Every name must be a domain
     * of the pattern and the ordering must stay acyclic (checked in {@link #build()}).
     *
     * @param domain the dependent domain
     * @param prerequisites the domains it runs after
     * @return this builder
     */
    public Builder after(String domain, String... prerequisites) {
      return after(domain, Arrays.asList(requireArray("prerequisites", prerequisites)));
    }

    /**
     * Declares that {@code domain} runs only after each of {@code prerequisites} has succeeded.
     *
     * @param domain the dependent domain
     * @param prerequisites the domains it runs after
     * @return this builder
     * @see #after(String, String...)
     */
    public Builder after(String domain, Collection<String> prerequisites) {
      requireName("an ordered domain of pattern '" + name + "'", domain);
      if (prerequisites == null) {
        throw new IllegalArgumentException(
            String.format(Locale.ROOT, "prerequisites of domain '%s' must not be null", domain));
      }
      for (String p : prerequisites) {
        requireName("a prerequisite of domain '" + domain + "'", p);
      }
      this.prerequisites.computeIfAbsent(domain, k -> new TreeSet<>()).addAll(prerequisites);
      return this;
    }

    /**
     * Sets the agent type of {@code domain}'s nested context (used when no delegate is registered
     * for the domain), e.g. {@code parallel}.
     *
     * @param domain a domain of the pattern
     * @param agentType non-blank agent type
     * @return this builder
     */
    public Builder domainAgentType(String domain, String agentType) {
      requireName("a domain of pattern '" + name + "'", domain);
      domainAgentTypes.put(domain, requireName("agent type of domain '" + domain + "'", agentType));
      return this;
    }

    /**
     * Sets the agent type of nested contexts of domains that have none configured (default {@value
     * MetaOrchestrationPattern#DEFAULT_DOMAIN_AGENT_TYPE}).
     *
     * @param agentType non-blank agent type
     * @return this builder
     */
    public Builder defaultDomainAgentType(String agentType) {
      this.defaultDomainAgentType =
          requireName("default domain agent type of pattern '" + name + "'", agentType);
      return this;
    }

    /**
     * Sets attributes added to {@code domain}'s nested context, over the parent's (replacing
     * earlier ones for this domain). Values must be JSON-like (strings, numbers, booleans, lists,
     * maps) so that the pattern can be stored; the {@code required_*} keys follow {@link
     * PatternContext}'s rules.
     *
     * @param domain a domain of the pattern
     * @param attributes the attributes
     * @return this builder
     */
    public Builder domainAttributes(String domain, Map<String, ?> attributes) {
      requireName("a domain of pattern '" + name + "'", domain);
      if (attributes == null) {
        throw new IllegalArgumentException(
            String.format(Locale.ROOT, "attributes of domain '%s' must not be null", domain));
      }
      domainAttributes.put(domain, new LinkedHashMap<>(attributes));
      return this;
    }

    /**
     * Sets what a failing domain does to the run (default {@link FailurePolicy#FAIL_FAST}); a
     * context may override it with the attribute {@value #FAILURE_POLICY_ATTRIBUTE}.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder failurePolicy(FailurePolicy policy) {
      this.failurePolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Validates and builds the pattern.
     *
     * @return the pattern
     * @throws IllegalArgumentException listing every problem: a blank name, no domain, an ordering
     *     or setting naming an unknown domain, a cycle (e.g. {@code auth -> data -> auth}), invalid
     *     attributes
     */
    public MetaOrchestrationPattern build() {
      return new MetaOrchestrationPattern(this);
    }

    private static String[] requireArray(String what, String @Nullable [] values) {
      if (values == null) {
        throw new IllegalArgumentException(what + " must not be null");
      }
      return values;
    }
  }
}
