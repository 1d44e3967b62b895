package io.ndp.micrometer;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The cardinality guard of domain tags: the first {@code max} distinct domains seen keep their own
 * tag value, every later one shares {@link NdpMetrics#OTHER_DOMAIN}. Admitted domains stay admitted
 * for the life of the metrics, so a series never changes its meaning.
 *
 * <p>Thread-safe: reads of admitted domains take no lock; only the admission of a new domain, at
 * most {@code max} times, does.
 */
final class DomainTags {

  private final int max;
  private final Set<String> admitted = ConcurrentHashMap.newKeySet();
  // Set once the guard is full: from then on an unknown domain costs one volatile read.
  private volatile boolean full;

  DomainTags(int max) {
    this.max = max;
    this.full = max == 0;
  }

  /**
   * Returns the domain if it has (or now gets) a tag value of its own, or null when the guard is
   * full and the domain is tagged {@link NdpMetrics#OTHER_DOMAIN}.
   */
  @Nullable String admit(String domain) {
    if (admitted.contains(domain)) {
      return domain;
    }
    if (full) {
      return null;
    }
    synchronized (this) {
      if (admitted.contains(domain)) {
        return domain;
      }
      if (admitted.size() < max) {
        admitted.add(domain);
        return domain;
      }
      full = true;
      return null;
    }
  }

  /** Returns the tag value of a domain: itself when admitted, otherwise the shared one. */
  String tag(String domain) {
    String own = admit(domain);
    return own != null ? own : NdpMetrics.OTHER_DOMAIN;
  }

  int max() {
    return max;
  }
}
