package io.ndp.micrometer;

import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The cardinality guard of domain tags: the first {@code max} distinct domains seen keep a tag
 * value of their own, every later one shares {@link NdpMetrics#OTHER_DOMAIN}. Admitted domains stay
 * admitted for the life of the metrics, so a series never changes its meaning.
 *
 * <p>The tag values are injective: a domain's own value is the domain itself, {@linkplain
 * #escape(String) escaped} when it could be taken for the overflow value (a domain named {@code
 * other}, or one starting with {@code _}, gets one more leading {@code _}). So the overflow value
 * {@code other} always means "past the guard".
 *
 * <p>Thread-safe: reads of admitted domains take no lock and allocate nothing; only the admission
 * of a new domain, at most {@code max} times, does.
 */
final class DomainTags {

  private final int max;
  // Admitted domain to its tag value, escaped once at admission.
  private final ConcurrentHashMap<String, String> admitted = new ConcurrentHashMap<>();
  // Set once the guard is full: from then on an unknown domain costs one volatile read.
  private volatile boolean full;

  DomainTags(int max) {
    this.max = max;
    this.full = max == 0;
  }

  /**
   * Returns the tag value of the domain if it has (or now gets) one of its own, or null when the
   * guard is full and the domain is tagged {@link NdpMetrics#OTHER_DOMAIN}.
   */
  @Nullable String admit(String domain) {
    String tag = admitted.get(domain);
    if (tag != null) {
      return tag;
    }
    if (full) {
      return null;
    }
    synchronized (this) {
      tag = admitted.get(domain);
      if (tag != null) {
        return tag;
      }
      if (admitted.size() < max) {
        tag = escape(domain);
        admitted.put(domain, tag);
        return tag;
      }
      full = true;
      return null;
    }
  }

  /** Returns the tag value of a domain: its own when admitted, otherwise the shared one. */
  String tag(String domain) {
    String own = admit(domain);
    return own != null ? own : NdpMetrics.OTHER_DOMAIN;
  }

  /**
   * Returns the tag value of an admitted domain: the domain itself, or with one more leading {@code
   * _} when it is {@link NdpMetrics#OTHER_DOMAIN} or starts with {@code _} ({@code other} → {@code
   * _other}, {@code _x} → {@code __x}). No domain's value is then the overflow value, and two
   * domains never share one.
   */
  static String escape(String domain) {
    return domain.equals(NdpMetrics.OTHER_DOMAIN) || domain.startsWith("_") ? "_" + domain : domain;
  }

  int max() {
    return max;
  }
}
