package io.ndp.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What the host asks the executor to do: a domain, the agent type that should serve it, attributes
 * that say what is required, a priority, an optional input payload and an optional timeout.
 *
 * <p>The attribute keys {@value #REQUIRED_STEPS}, {@value #REQUIRED_RESOURCES} and {@value
 * #REQUIRED_DOMAINS} have typed accessors; each pattern kind reads its own key and ignores the
 * others. Their values must be collections of non-blank strings; they are copied into immutable
 * lists (the typed accessors drop duplicates for resources and domains, keeping order). Other
 * attribute values are kept as given: pass immutable values.
 *
 * <p>{@code priority}: higher values run first wherever work queues (for example tasks of a
 * parallel pattern waiting for resources); the default is {@value #DEFAULT_PRIORITY}.
 *
 * <p>Immutable and thread-safe. Validated at construction: every problem found is reported at once
 * by an {@link InvalidContextException}.
 *
 * <pre>{@code
 * PatternContext ctx = new PatternContext("orders", "sequential",
 *     Map.of("required_steps", List.of("validate", "store")));
 * }</pre>
 *
 * @param domain the business domain (e.g. {@code orders}): confidence is learned per domain and
 *     pattern; non-blank
 * @param agentType the agent type that should serve the context, e.g. {@code sequential}; only
 *     patterns that serve it are candidates; non-blank
 * @param attributes what the context requires, keyed by attribute name; an unmodifiable copy
 * @param priority any {@code int}; higher values are served first wherever work queues (how waiting
 *     requests are ordered: {@link ResourcePool}); {@value #DEFAULT_PRIORITY} by default
 * @param payload the input handed to the first delegate, or {@code null} for none
 * @param timeout how long the whole execution (every attempt, fallbacks included) may take from the
 *     moment the executor starts it; positive. {@code null} means the executor's default timeout,
 *     or no limit when it has none. A nested execution never outlives its enclosing one's deadline.
 * @since 0.1.0
 */
public record PatternContext(
    String domain,
    String agentType,
    Map<String, Object> attributes,
    int priority,
    @Nullable Object payload,
    @Nullable Duration timeout) {

  /** Attribute key: the steps a sequential pattern must offer, in any order. */
  public static final String REQUIRED_STEPS = "required_steps";

  /** Attribute key: the resources a parallel pattern must offer. */
  public static final String REQUIRED_RESOURCES = "required_resources";

  /** Attribute key: the domains a meta-orchestration pattern must cover. */
  public static final String REQUIRED_DOMAINS = "required_domains";

  /** The priority of a context that does not set one. */
  public static final int DEFAULT_PRIORITY = 0;

  /**
   * Validates and copies; see the class documentation for the rules.
   *
   * @param domain the business domain; non-blank
   * @param agentType the agent type that should serve the context; non-blank
   * @param attributes what the context requires; copied, and lists of names are checked
   * @param priority higher values are served first where work queues
   * @param payload the input handed to the first delegate, or {@code null} for none
   * @param timeout positive, or {@code null} for the executor's default (or no limit)
   * @throws InvalidContextException listing every rule broken
   */
  public PatternContext {
    List<String> problems = new ArrayList<>();
    checkName("domain", domain, problems);
    checkName("agent_type", agentType, problems);
    Map<String, Object> copy = new LinkedHashMap<>();
    if (attributes == null) {
      problems.add("attributes must be a map but was null");
    } else {
      // Read as Object: a raw or unchecked map (a deserializer's) may hold keys of another type.
      for (Map.Entry<?, ?> e : ((Map<?, ?>) attributes).entrySet()) {
        Object value = e.getValue();
        if (!(e.getKey() instanceof String key) || key.isBlank()) {
          problems.add(
              "attribute keys must be non-blank strings but found " + describe(e.getKey()));
        } else if (value == null) {
          problems.add(String.format(Locale.ROOT, "attribute '%s' must not be null", key));
        } else if (isNameListKey(key)) {
          List<String> names = nameList(key, value, problems);
          if (names != null) {
            copy.put(key, names);
          }
        } else {
          copy.put(key, value);
        }
      }
    }
    if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
      problems.add("timeout must be positive but was " + timeout);
    }
    if (!problems.isEmpty()) {
      throw new InvalidContextException(problems);
    }
    attributes = java.util.Collections.unmodifiableMap(copy);
  }

  /**
   * The guide's three-argument form: default priority, no payload, no timeout.
   *
   * @param domain the business domain
   * @param agentType the agent type that should serve the context
   * @param attributes what the context requires
   */
  public PatternContext(String domain, String agentType, Map<String, ?> attributes) {
    this(domain, agentType, castAttributes(attributes), DEFAULT_PRIORITY, null, null);
  }

  /**
   * Starts a builder.
   *
   * @param domain the business domain
   * @param agentType the agent type that should serve the context
   * @return a new builder
   */
  public static Builder builder(String domain, String agentType) {
    return new Builder(domain, agentType);
  }

  /**
   * {@return a new builder prefilled with this context's values} Changing the builder leaves this
   * context as it is.
   */
  public Builder toBuilder() {
    Builder b = new Builder(domain, agentType);
    b.attributes.putAll(attributes);
    b.priority = priority;
    b.payload = payload;
    b.timeout = timeout;
    return b;
  }

  /**
   * {@return the steps of {@value #REQUIRED_STEPS}, in the order given (duplicates kept), or an
   * empty list when the context names none}
   */
  public List<String> requiredSteps() {
    return names(REQUIRED_STEPS);
  }

  /**
   * {@return the resources of {@value #REQUIRED_RESOURCES}, without duplicates, in the order first
   * given (an unmodifiable set), or an empty set when the context names none}
   */
  public Set<String> requiredResources() {
    return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(names(REQUIRED_RESOURCES)));
  }

  /**
   * {@return the domains of {@value #REQUIRED_DOMAINS}, without duplicates, in the order first
   * given, or an empty list when the context names none}
   */
  public List<String> requiredDomains() {
    return List.copyOf(new LinkedHashSet<>(names(REQUIRED_DOMAINS)));
  }

  /**
   * {@return the context's own timeout, or empty when it set none (the executor's default then
   * applies, if it has one)}
   */
  public Optional<Duration> findTimeout() {
    return Optional.ofNullable(timeout);
  }

  /**
   * Returns an attribute.
   *
   * @param key the attribute key
   * @return the value, or empty when absent
   * @throws IllegalArgumentException when the key is null
   */
  public Optional<Object> attribute(String key) {
    if (key == null) {
      throw new IllegalArgumentException("attribute key must not be null");
    }
    return Optional.ofNullable(attributes.get(key));
  }

  @SuppressWarnings("unchecked")
  private List<String> names(String key) {
    Object v = attributes.get(key);
    return v == null ? List.of() : (List<String>) v;
  }

  private static boolean isNameListKey(String key) {
    return key.equals(REQUIRED_STEPS)
        || key.equals(REQUIRED_RESOURCES)
        || key.equals(REQUIRED_DOMAINS);
  }

  private static @Nullable List<String> nameList(String key, Object value, List<String> problems) {
    String noun = key.substring("required_".length(), key.length() - 1);
    if (!(value instanceof Collection<?> c)) {
      problems.add(
          String.format(
              Locale.ROOT, "%s must be a list of %s names but was %s", key, noun, describe(value)));
      return null;
    }
    List<String> out = new ArrayList<>(c.size());
    int index = 0;
    boolean ok = true;
    for (Object element : c) {
      if (!(element instanceof String s) || s.isBlank()) {
        problems.add(
            String.format(
                Locale.ROOT,
                "%s must hold non-blank %s names but element %d was %s",
                key,
                noun,
                index,
                describe(element)));
        ok = false;
      } else {
        out.add(s);
      }
      index++;
    }
    return ok ? List.copyOf(out) : null;
  }

  private static void checkName(String what, @Nullable String value, List<String> problems) {
    if (value == null) {
      problems.add(what + " must be a non-blank string but was null");
    } else if (value.isBlank()) {
      problems.add(what + " must be a non-blank string but was '" + value + "'");
    }
  }

  static String describe(@Nullable Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String s) {
      return "String '" + s + "'";
    }
    if (value instanceof Map<?, ?> m) {
      // Never its toString: a map may hold itself (through a list), which would never end.
      return value.getClass().getSimpleName() + " of " + m.size() + " entries";
    }
    if (value instanceof Collection<?> c) {
      StringBuilder sb = new StringBuilder(value.getClass().getSimpleName()).append(" [");
      int shown = 0;
      for (Object element : c) {
        if (shown == 10) {
          sb.append(", ...");
          break;
        }
        sb.append(shown++ == 0 ? "" : ", ").append(shallow(element));
      }
      return sb.append(']').toString();
    }
    return value.getClass().getSimpleName() + " " + value;
  }

  /** An element of a collection: scalars as they are, anything else by its type only. */
  private static String shallow(@Nullable Object element) {
    if (element == null
        || element instanceof String
        || element instanceof Number
        || element instanceof Boolean) {
      return String.valueOf(element);
    }
    return element.getClass().getSimpleName();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castAttributes(@Nullable Map<String, ?> attributes) {
    return (Map<String, Object>) attributes;
  }

  /**
   * Builds a {@link PatternContext}. Not thread-safe; validation happens in {@link #build()}.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final String domain;
    private final String agentType;
    private final Map<String, Object> attributes = new LinkedHashMap<>();
    private int priority = DEFAULT_PRIORITY;
    private @Nullable Object payload;
    private @Nullable Duration timeout;
    // Problems only the builder sees (a null map given to attributes), reported by build().
    private final List<String> problems = new ArrayList<>();

    private Builder(String domain, String agentType) {
      this.domain = domain;
      this.agentType = agentType;
    }

    /**
     * Sets {@value PatternContext#REQUIRED_STEPS}, replacing an earlier value.
     *
     * @param steps the step names a sequential pattern must offer, in any order; each non-blank
     *     (checked in {@link #build()})
     * @return this builder
     */
    public Builder requiredSteps(String... steps) {
      return attribute(REQUIRED_STEPS, listOrNull(steps));
    }

    /**
     * Sets {@value PatternContext#REQUIRED_STEPS}, replacing an earlier value.
     *
     * @param steps the step names a sequential pattern must offer, in any order; each non-blank
     *     (checked in {@link #build()})
     * @return this builder
     */
    public Builder requiredSteps(Collection<String> steps) {
      return attribute(REQUIRED_STEPS, steps);
    }

    /**
     * Sets {@value PatternContext#REQUIRED_RESOURCES}, replacing an earlier value.
     *
     * @param resources the resource names a parallel pattern must offer; each non-blank (checked in
     *     {@link #build()}); duplicates count once
     * @return this builder
     */
    public Builder requiredResources(String... resources) {
      return attribute(REQUIRED_RESOURCES, listOrNull(resources));
    }

    /**
     * Sets {@value PatternContext#REQUIRED_RESOURCES}, replacing an earlier value.
     *
     * @param resources the resource names a parallel pattern must offer; each non-blank (checked in
     *     {@link #build()}); duplicates count once
     * @return this builder
     */
    public Builder requiredResources(Collection<String> resources) {
      return attribute(REQUIRED_RESOURCES, resources);
    }

    /**
     * Sets {@value PatternContext#REQUIRED_DOMAINS}, replacing an earlier value.
     *
     * @param domains the domains a meta-orchestration pattern must cover; each non-blank (checked
     *     in {@link #build()}); duplicates count once
     * @return this builder
     */
    public Builder requiredDomains(String... domains) {
      return attribute(REQUIRED_DOMAINS, listOrNull(domains));
    }

    /**
     * Sets {@value PatternContext#REQUIRED_DOMAINS}, replacing an earlier value.
     *
     * @param domains the domains a meta-orchestration pattern must cover; each non-blank (checked
     *     in {@link #build()}); duplicates count once
     * @return this builder
     */
    public Builder requiredDomains(Collection<String> domains) {
      return attribute(REQUIRED_DOMAINS, domains);
    }

    /**
     * Sets one attribute, replacing an earlier value.
     *
     * @param key the key
     * @param value the value (checked in {@link #build()})
     * @return this builder
     */
    public Builder attribute(String key, Object value) {
      attributes.put(key, value);
      return this;
    }

    /**
     * Adds every entry of {@code values}, replacing earlier values of the same keys.
     *
     * @param values the attributes to add; {@code null} (and null keys or values in it) is reported
     *     by {@link #build()}
     * @return this builder
     */
    public Builder attributes(Map<String, ?> values) {
      if (values == null) {
        problems.add("attributes must be a map but was null");
      } else {
        attributes.putAll(values);
      }
      return this;
    }

    /** The array as a list that may hold nulls (reported by {@link #build()}), or null. */
    private static @Nullable List<String> listOrNull(String @Nullable [] values) {
      return values == null ? null : java.util.Arrays.asList(values.clone());
    }

    /**
     * Sets the priority (default {@value PatternContext#DEFAULT_PRIORITY}).
     *
     * @param priority any {@code int}; higher values are served first wherever work queues, for
     *     example tasks of a parallel pattern waiting for resources
     * @return this builder
     */
    public Builder priority(int priority) {
      this.priority = priority;
      return this;
    }

    /**
     * Sets the input handed to the first delegate.
     *
     * @param payload the input, or {@code null} for none (the default)
     * @return this builder
     */
    public Builder payload(@Nullable Object payload) {
      this.payload = payload;
      return this;
    }

    /**
     * Sets how long the whole execution, fallbacks included, may take from the moment the executor
     * starts it.
     *
     * @param timeout positive (checked in {@link #build()}), or {@code null} for the executor's
     *     default timeout, or no limit when it has none (the default)
     * @return this builder
     */
    public Builder timeout(@Nullable Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /**
     * Validates and builds the context.
     *
     * @return the context
     * @throws InvalidContextException listing every rule broken
     */
    public PatternContext build() {
      if (problems.isEmpty()) {
        return new PatternContext(domain, agentType, attributes, priority, payload, timeout);
      }
      List<String> all = new ArrayList<>(problems);
      try {
        new PatternContext(domain, agentType, attributes, priority, payload, timeout);
      } catch (InvalidContextException e) {
        all.addAll(e.problems());
      }
      throw new InvalidContextException(all);
    }
  }

  @Override
  public String toString() {
    return "PatternContext[domain="
        + domain
        + ", agentType="
        + agentType
        + ", attributes="
        + attributes
        + ", priority="
        + priority
        + (timeout == null ? "" : ", timeout=" + timeout)
        + (payload == null ? "" : ", payload=" + Objects.toString(payload))
        + "]";
  }
}
