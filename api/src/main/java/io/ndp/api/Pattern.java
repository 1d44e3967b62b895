package io.ndp.api;

import java.util.Map;
import java.util.Set;

/**
 * A named way of getting work done: it says which agent types it serves, whether and how well it
 * matches a context, and executes a context through the host's delegates.
 *
 * <p>Implementations must be thread-safe: the executor calls {@link #match} and {@link #execute}
 * from many threads at once. Kinds should extend {@link AbstractPattern}, which supplies naming,
 * equality and the link to the runtime that owns it.
 *
 * @since 0.1.0
 */
public interface Pattern {

  /**
   * {@return the pattern's name, e.g. {@code validation_flow}: non-blank, unique within a registry,
   * and the key under which its confidence is learned}
   */
  String name();

  /** {@return what the pattern is for, in words, for people; may be empty, never null} */
  String description();

  /**
   * {@return the type id of the pattern's kind, e.g. {@code sequential}: the id of the {@link
   * PatternFactory} that rebuilds it from its definition; stable across versions}
   */
  String type();

  /**
   * {@return other names of the type that storage queries accept, e.g. {@code
   * SequentialDelegationPattern}; empty when there are none}
   */
  Set<String> typeAliases();

  /**
   * {@return the agent types this pattern serves, e.g. {@code sequential}: it is a candidate only
   * for contexts whose {@link PatternContext#agentType()} is one of them}
   */
  Set<String> agentTypes();

  /**
   * Says whether and how well this pattern can serve {@code context}. Must not run any work.
   *
   * @param context the context to serve
   * @return a score in {@code [0, 1]}, with a reason when it is 0
   */
  MatchResult match(PatternContext context);

  /**
   * Returns what this pattern offers, under the context requirement each set answers: e.g. {@link
   * PatternContext#REQUIRED_STEPS} to the steps of a sequential pattern. A registry indexes these,
   * so that selection asks {@link #match} only of the patterns that offer every item the context
   * requires under each of these keys, instead of asking every pattern of the agent type.
   *
   * <p>The contract: when the context requires, under one of these keys, an item missing from its
   * set, {@link #match} says no match. The keys must be among {@link
   * PatternContext#REQUIRED_STEPS}, {@link PatternContext#REQUIRED_RESOURCES} and {@link
   * PatternContext#REQUIRED_DOMAINS}; the items are non-blank names. The value must not change
   * while the pattern is registered: the registry reads it when it registers the pattern and again
   * when it withdraws it.
   *
   * <p>The default, an empty map, declares nothing: such a pattern is asked about every context of
   * its agent types.
   *
   * @return requirement key to the items offered under it; empty to be asked about every context
   * @since 0.2.0
   */
  default Map<String, Set<String>> offers() {
    return Map.of();
  }

  /**
   * Executes {@code context} through the delegates in {@code scope}. Checks every delegate it needs
   * before it runs any of them.
   *
   * @param context the context, which this pattern matched
   * @param scope the delegates, the executor and the deadline of this execution
   * @return how the execution ended
   * @throws MissingDelegateException when a needed delegate is not registered (nothing ran)
   */
  PatternOutcome execute(PatternContext context, ExecutionScope scope);

  /**
   * {@return what storage keeps of this pattern; its factory turns it back into an equal pattern}
   */
  PatternDefinition definition();

  /**
   * Returns what selection believes of this pattern before a domain records any outcome of it. The
   * default reads the definition ({@link PatternDefinition#prior()}: {@link Prior#NEUTRAL} unless
   * the host declared one); a plugin whose kind is known to be reliable, or risky, overrides it.
   * Called on every selection: keep it cheap and free of side effects.
   *
   * @return the prior, never {@code null}
   * @since 0.2.0
   */
  default Prior prior() {
    return definition().prior();
  }

  /**
   * {@return the confidence learned for this pattern over all domains, read from the runtime that
   * owns it: the {@link ConfidenceStats#score(Prior)} of its statistics over all domains under its
   * {@link #prior()}, a posterior mean success rate in {@code (0, 1)}; the prior's mean while it
   * belongs to no runtime or nothing was recorded ({@link ConfidenceStats#NEUTRAL_PRIOR} for the
   * neutral prior)}
   */
  double confidenceScore();

  /**
   * Returns the confidence learned for this pattern in {@code domain}, read from the runtime that
   * owns it: the {@link ConfidenceStats#score(Prior)} of its statistics there under its {@link
   * #prior()}. It equals the posterior mean a selection shows for the pattern in that domain when
   * nothing is borrowed from other domains.
   *
   * @param domain the domain
   * @return the score; the prior's mean ({@link ConfidenceStats#NEUTRAL_PRIOR} for the neutral
   *     prior) when nothing was recorded or while it belongs to no runtime
   */
  double confidenceScore(String domain);

  /**
   * Makes {@code runtime} this pattern's owner. A registry calls this when it registers the
   * pattern; hosts do not. A pattern belongs to at most one runtime at a time, so that nothing but
   * its owner can answer for its confidence or resources. Attaching again to the same runtime is
   * harmless.
   *
   * @param runtime the runtime that registers this pattern
   * @throws IllegalStateException when the pattern belongs to another runtime (register a new
   *     instance there, e.g. built from {@link #definition()}); it is then not attached
   * @throws IllegalArgumentException when it cannot work in this runtime, e.g. a capacity it
   *     configures conflicts with the runtime's pool; it is then not attached
   */
  void attach(PatternRuntime runtime);

  /**
   * Releases this pattern from {@code runtime}, when that runtime is its owner; otherwise does
   * nothing. A registry calls this when it withdraws the pattern.
   *
   * @param runtime the runtime that withdraws this pattern
   */
  void detach(PatternRuntime runtime);

  /**
   * Returns the resources this pattern's running executions hold right now, as units per resource:
   * a consistent snapshot for monitoring. Empty for kinds that hold no resources (the default); the
   * parallel coordination kind reports its leases.
   *
   * @return resource to units in use; empty when idle
   */
  default Map<String, Integer> activeResources() {
    return Map.of();
  }
}
