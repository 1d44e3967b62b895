package io.ndp.core.internal;

import com.google.common.util.concurrent.Striped;
import io.ndp.api.ConfidenceLevel;
import io.ndp.api.event.ConfidenceThresholdCrossedEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.Lock;

/**
 * Tells which lines a pattern's confidence in a domain crossed when an outcome was recorded: the
 * {@link ConfidenceLevel} bands and the host's thresholds, between two scores read from the store
 * under the key's lock ({@link #lockFor}; a prior change takes all of a pattern's, {@link
 * #locksFor}), so that per pattern and domain every crossing is reported once, levels chain, and
 * concurrent records never report the same crossing twice. Built only when someone listens.
 *
 * <p>Thread-safe.
 */
final class ConfidenceWatch {

  private final double[] thresholds;
  // One lock per stripe of (pattern, domain): an outcome's before-read, record and after-read are
  // one step for this runtime, so two outcomes of one key never report crossings out of order.
  private final Striped<Lock> locks = Striped.lock(64);

  ConfidenceWatch(double[] thresholds) {
    this.thresholds = thresholds.clone();
    Arrays.sort(this.thresholds);
  }

  /**
   * The locks of a pattern's domains, in the one order every caller takes several in (so that two
   * such callers never deadlock; a caller of {@link #lockFor} takes one only).
   */
  List<Lock> locksFor(String pattern, java.util.Collection<String> domains) {
    List<String> keys = new ArrayList<>(domains.size());
    for (String d : domains) {
      keys.add(pattern + '\u0000' + d);
    }
    List<Lock> out = new ArrayList<>();
    locks.bulkGet(keys).forEach(out::add);
    // bulkGet may give a stripe twice (two keys on one stripe): take each once.
    return new ArrayList<>(new java.util.LinkedHashSet<>(out));
  }

  /** The lock that orders the outcomes of a pattern in a domain. */
  Lock lockFor(String pattern, String domain) {
    return locks.get(pattern + '\u0000' + domain);
  }

  /**
   * The crossings between two scores of a pattern in a domain, read from the store just before and
   * just after a change (an outcome or a reset).
   *
   * @return the crossings, level first, then thresholds in ascending order; empty when none
   */
  List<ConfidenceThresholdCrossedEvent> crossings(
      String pattern, String domain, double old, double now) {
    if (Double.isNaN(old) || Double.isNaN(now) || old == now) {
      return List.of();
    }
    List<ConfidenceThresholdCrossedEvent> crossed = null;
    ConfidenceLevel oldLevel = ConfidenceLevel.of(old);
    ConfidenceLevel newLevel = ConfidenceLevel.of(now);
    if (oldLevel != newLevel) {
      crossed = new ArrayList<>(2);
      crossed.add(
          new ConfidenceThresholdCrossedEvent(pattern, domain, old, now, oldLevel, newLevel, null));
    }
    for (double t : thresholds) {
      if ((old >= t) != (now >= t)) {
        crossed = crossed == null ? new ArrayList<>(2) : crossed;
        crossed.add(
            new ConfidenceThresholdCrossedEvent(pattern, domain, old, now, oldLevel, newLevel, t));
      }
    }
    return crossed == null ? List.of() : crossed;
  }
}
