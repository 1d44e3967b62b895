package io.ndp.api.event;

import io.ndp.api.ConfidenceLevel;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;
import org.jspecify.annotations.Nullable;

/**
 * Recording an outcome moved a pattern's confidence in a domain across a line an operator watches
 * (the guide's "monitor confidence thresholds"): either its {@link ConfidenceLevel} changed ({@code
 * threshold} is null), or its confidence crossed a threshold the host set ({@code threshold} is
 * that threshold), downwards ({@link #falling()}) or back up. One event per line crossed; a record
 * that changes the level and crosses a host threshold sends two.
 *
 * <p>The values are the confidence scores before and after the outcome, as the runtime saw them:
 * {@link io.ndp.api.ConfidenceStats#score(io.ndp.api.Prior)} under the pattern's prior, the value
 * {@link io.ndp.api.Pattern#confidenceScore(String)} reads (a re-registration with another prior
 * moves them too, and is reported like an outcome). Outcomes that cross no line send nothing, so an
 * event's old value is where the score was just before it, not the previous event's new value; but
 * per pattern and domain each level event's old level is the previous level event's new level, and
 * each threshold is crossed alternately downwards and upwards: none is reported twice.
 *
 * <p>Immutable and thread-safe.
 *
 * @param pattern the pattern
 * @param domain the domain
 * @param oldConfidence the score before the outcome, in {@code [0, 1]}
 * @param newConfidence the score after it, in {@code [0, 1]}
 * @param oldLevel the level of {@code oldConfidence}
 * @param newLevel the level of {@code newConfidence}
 * @param threshold the host's threshold that was crossed, or {@code null} when the event reports a
 *     change of level
 * @since 0.2.0
 */
public record ConfidenceThresholdCrossedEvent(
    String pattern,
    String domain,
    double oldConfidence,
    double newConfidence,
    ConfidenceLevel oldLevel,
    ConfidenceLevel newLevel,
    @Nullable Double threshold)
    implements NdpEvent {

  /**
   * Checks the components.
   *
   * @param pattern the pattern; not null
   * @param domain the domain; not null
   * @param oldConfidence the score before; in {@code [0, 1]}
   * @param newConfidence the score after; in {@code [0, 1]}
   * @param oldLevel the level before; not null
   * @param newLevel the level after; not null
   * @param threshold the host's threshold crossed, or {@code null} for a change of level
   * @throws NullPointerException when a required component is null
   * @throws IllegalArgumentException when a score is outside {@code [0, 1]}
   */
  public ConfidenceThresholdCrossedEvent {
    Objects.requireNonNull(pattern, "pattern");
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(oldLevel, "oldLevel");
    Objects.requireNonNull(newLevel, "newLevel");
    if (!(oldConfidence >= 0 && oldConfidence <= 1 && newConfidence >= 0 && newConfidence <= 1)) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "confidence must be within [0, 1] but was %s -> %s",
              oldConfidence,
              newConfidence));
    }
  }

  /** {@return whether the confidence went down} */
  public boolean falling() {
    return newConfidence < oldConfidence;
  }

  /** {@return the host's threshold crossed; empty when the event reports a change of level} */
  public OptionalDouble findThreshold() {
    return threshold == null ? OptionalDouble.empty() : OptionalDouble.of(threshold);
  }
}
