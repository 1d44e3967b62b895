package io.ndp.api;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A skeleton for pattern kinds: validated name and description, equality by {@link #definition()},
 * and confidence read through the bound {@link ConfidenceStore}.
 *
 * <p>Thread-safe: the binding is a volatile reference; subclasses must keep their own state
 * thread-safe.
 *
 * @since 0.1.0
 */
public abstract class AbstractPattern implements Pattern {
  private final String name;
  private final String description;
  private volatile @Nullable ConfidenceStore confidence;

  /**
   * @param name non-blank unique name
   * @param description what the pattern is for (may be empty, not null)
   * @throws IllegalArgumentException when the name is null or blank or the description null
   */
  protected AbstractPattern(String name, String description) {
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
  public double confidenceScore() {
    ConfidenceStore store = confidence;
    return store == null ? ConfidenceStats.NEUTRAL_PRIOR : store.stats(name).score();
  }

  @Override
  public double confidenceScore(String domain) {
    ConfidenceStore store = confidence;
    return store == null ? ConfidenceStats.NEUTRAL_PRIOR : store.stats(name, domain).score();
  }

  @Override
  public void bindConfidence(ConfidenceStore store) {
    this.confidence = Objects.requireNonNull(store, "store");
  }

  @Override
  public Optional<ConfidenceStore> confidenceStore() {
    return Optional.ofNullable(confidence);
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
