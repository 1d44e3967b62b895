package io.ndp.core.internal;

import io.ndp.api.ConfidenceLevel;
import io.ndp.api.event.ConfidenceThresholdCrossedEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tells which lines a pattern's confidence in a domain crossed when an outcome was recorded: the
 * {@link ConfidenceLevel} bands and the host's thresholds. It keeps the last score it saw per
 * pattern and domain and swaps it atomically for the new one, so that per pattern and domain every
 * crossing is reported once, each event's old value is the previous one's new value, and concurrent
 * records never report the same crossing twice. Built only when someone listens.
 *
 * <p>Thread-safe.
 */
final class ConfidenceWatch {

  private record Key(String pattern, String domain) {}

  private final double[] thresholds;
  private final ConcurrentHashMap<Key, Double> last = new ConcurrentHashMap<>();

  ConfidenceWatch(double[] thresholds) {
    this.thresholds = thresholds.clone();
    Arrays.sort(this.thresholds);
  }

  /** Whether a score was seen for the pattern in the domain since it was last forgotten. */
  boolean knows(String pattern, String domain) {
    return last.containsKey(new Key(pattern, domain));
  }

  /**
   * Records the score seen after an outcome and returns the crossings since the last score seen.
   *
   * @param before the score read before the outcome, used when none was seen yet (NaN: unknown)
   * @param after the score read after it
   * @return the crossings, in the order level then thresholds; empty when none
   */
  List<ConfidenceThresholdCrossedEvent> observe(
      String pattern, String domain, double before, double after) {
    Key key = new Key(pattern, domain);
    double[] previous = {before};
    last.compute(
        key,
        (k, seen) -> {
          if (seen != null) {
            previous[0] = seen;
          }
          return after;
        });
    double old = previous[0];
    if (Double.isNaN(old) || old == after) {
      return List.of();
    }
    List<ConfidenceThresholdCrossedEvent> crossed = null;
    ConfidenceLevel oldLevel = ConfidenceLevel.of(old);
    ConfidenceLevel newLevel = ConfidenceLevel.of(after);
    if (oldLevel != newLevel) {
      crossed = new ArrayList<>(2);
      crossed.add(
          new ConfidenceThresholdCrossedEvent(
              pattern, domain, old, after, oldLevel, newLevel, null));
    }
    for (double t : thresholds) {
      if ((old >= t) != (after >= t)) {
        crossed = crossed == null ? new ArrayList<>(2) : crossed;
        crossed.add(
            new ConfidenceThresholdCrossedEvent(
                pattern, domain, old, after, oldLevel, newLevel, t));
      }
    }
    return crossed == null ? List.of() : crossed;
  }

  /** Forgets the scores seen of a pattern. */
  void forgetPattern(String pattern) {
    last.keySet().removeIf(k -> k.pattern().equals(pattern));
  }

  /** Forgets the scores seen in a domain. */
  void forgetDomain(String domain) {
    last.keySet().removeIf(k -> k.domain().equals(domain));
  }

  /** Forgets every score seen. */
  void forgetAll() {
    last.clear();
  }
}
