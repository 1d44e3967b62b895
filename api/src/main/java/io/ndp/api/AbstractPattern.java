package io.ndp.api;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A skeleton for pattern kinds: validated name and description, equality by {@link #definition()},
 * and confidence read from the {@link PatternRuntime} that owns the pattern.
 *
 * <p><b>Ownership.</b> The pattern holds no statistics. While a registry holds it, that registry's
 * runtime is its one owner ({@link #attach}); a second runtime cannot take it over, and nothing
 * else can re-tie or reset what it reports. Kinds that need something from the runtime when they
 * join it (the parallel kind declares its resources in the runtime's pool) override {@link
 * #onAttach}.
 *
 * <p>Thread-safe: the owner is a volatile field set by compare-and-set; subclasses must keep their
 * own state thread-safe.
 *
 * @since 0.1.0
 */
public abstract class AbstractPattern implements Pattern {
  private final String name;
  private final String description;
  private final @Nullable Prior prior;
  // The prior read from definition() when none was given, once: selection asks on every call, and
  // a kind's definition() may build a new definition each time. Prior is immutable (final fields),
  // so a racy first read publishes safely; two threads at worst both compute the same value.
  private @Nullable Prior fromDefinition;
  // Set by compare-and-set through OWNER: a field, not an AtomicReference, since a runtime holds
  // one pattern per registered name.
  private volatile @Nullable PatternRuntime owner;

  private static final VarHandle OWNER;

  static {
    try {
      OWNER =
          MethodHandles.lookup()
              .findVarHandle(AbstractPattern.class, "owner", PatternRuntime.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * @param name non-blank unique name
   * @param description what the pattern is for (may be empty, not null)
   * @throws IllegalArgumentException when the name is null or blank or the description null
   */
  protected AbstractPattern(String name, String description) {
    this(name, description, null);
  }

  /**
   * A pattern with a declared prior: {@link #prior()} returns it, and a kind's {@code definition()}
   * keeps it through {@link #withPrior(Map)}, so that storage and factories carry it.
   *
   * @param name non-blank unique name
   * @param description what the pattern is for (may be empty, not null)
   * @param prior what the pattern is believed to do before any outcome; {@code null} reads {@link
   *     #definition()} instead
   * @throws IllegalArgumentException when the name is null or blank or the description null
   * @since 0.2.0
   */
  protected AbstractPattern(String name, String description, @Nullable Prior prior) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(
          "pattern name must be non-blank but was " + PatternContext.describe(name));
    }
    if (description == null) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "description of pattern '%s' must not be null", name));
    }
    this.name = name;
    this.description = description;
    this.prior = prior;
  }

  /**
   * Returns the prior given at construction, else the one its definition declares (read once: a
   * pattern's definition does not change).
   */
  @Override
  public Prior prior() {
    Prior p = prior;
    if (p != null) {
      return p;
    }
    p = fromDefinition;
    if (p == null) {
      p = Pattern.super.prior();
      fromDefinition = p;
    }
    return p;
  }

  /**
   * Returns {@code parameters} with the prior given at construction under {@value Prior#KEY},
   * unless it is neutral (or none was given): what a kind's {@code definition()} stores.
   *
   * @param parameters the kind's own parameters
   * @return the parameters, with the prior when there is one to keep
   * @since 0.2.0
   */
  protected final Map<String, Object> withPrior(Map<String, Object> parameters) {
    Prior p = prior;
    if (p == null || p.equals(Prior.NEUTRAL)) {
      return parameters;
    }
    Map<String, Object> out = new LinkedHashMap<>(parameters);
    out.put(Prior.KEY, p.toParameter());
    return out;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final String description() {
    return description;
  }

  @Override
  public final double confidenceScore() {
    PatternRuntime rt = owner;
    Prior prior = Prior.declaredBy(this);
    return rt == null ? prior.mean() : rt.statistics(name).score(prior);
  }

  @Override
  public final double confidenceScore(String domain) {
    PatternRuntime rt = owner;
    Prior prior = Prior.declaredBy(this);
    return rt == null ? prior.mean() : rt.statistics(name, domain).score(prior);
  }

  @Override
  public final void attach(PatternRuntime runtime) {
    if (runtime == null) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "pattern '%s' cannot be attached to a null runtime", name));
    }
    if (owner == runtime) {
      return;
    }
    if (!OWNER.compareAndSet(this, null, runtime)) {
      throw new IllegalStateException(
          String.format(
              Locale.ROOT,
              "pattern '%s' already belongs to another runtime; a pattern instance is registered"
                  + " in one registry at a time: register a new instance there (e.g. built from"
                  + " its definition) or unregister it first",
              name));
    }
    try {
      onAttach(runtime);
    } catch (RuntimeException e) {
      OWNER.compareAndSet(this, runtime, null);
      throw e;
    }
  }

  @Override
  public final void detach(PatternRuntime runtime) {
    OWNER.compareAndSet(this, runtime, null);
  }

  /**
   * Called once when a runtime becomes this pattern's owner, before the registry publishes it.
   * Throwing rejects the registration and leaves the pattern unowned. Does nothing by default.
   *
   * @param runtime the new owner
   */
  protected void onAttach(PatternRuntime runtime) {}

  /**
   * {@return the runtime that owns this pattern, or empty while no registry holds it (before it is
   * registered, after it is withdrawn)}
   */
  protected final Optional<PatternRuntime> runtime() {
    return Optional.ofNullable(owner);
  }

  /** Two patterns are equal when their definitions are. */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Pattern other
        && getClass() == o.getClass()
        && definition().equals(other.definition());
  }

  @Override
  public int hashCode() {
    return definition().hashCode();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + name + "]";
  }
}
