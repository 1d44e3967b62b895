package io.ndp.core;

import io.ndp.api.PatternNotFoundException;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An operator's pins: per domain, at most one pattern forced first and any number of patterns
 * forbidden. Owned by the registry, so every executor over it obeys the same pins; read by every
 * selection, shown in its {@link io.ndp.api.Decision} (verdicts {@code PINNED} and {@code
 * FORBIDDEN}) and in {@code explain()}.
 *
 * <p>A forced pattern is tried first in its domain when it matches the context (the others follow
 * in the policy's order, so the executor can still fall back); one that does not match is noted in
 * the decision and the policy ranks as usual. A forbidden pattern is never tried in its domain, not
 * even as the last candidate, nor run there by {@link PatternExecutor#execute}; configured fallback
 * patterns are the host's own choice and are not affected. Pins live in memory and end with the
 * runtime.
 *
 * <p>Thread-safe: changes are serialized, reads take no lock. A pattern can be forced or forbidden
 * in a domain, never both; a selection that reads the two while an operator turns one into the
 * other (unforce, then forbid) treats the pattern as forbidden.
 *
 * @since 0.2.0
 */
public final class Pins {

  private final PatternRegistry registry;
  // Domain to the forced pattern; domain to its forbidden patterns (immutable sets, replaced).
  private final ConcurrentHashMap<String, String> forced = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Set<String>> forbidden = new ConcurrentHashMap<>();
  // False until the first pin: a selection then skips both lookups.
  private volatile boolean any;

  Pins(PatternRegistry registry) {
    this.registry = registry;
  }

  /**
   * Forces {@code pattern} first in {@code domain}, replacing any pattern forced there before.
   *
   * @param domain the domain, non-blank
   * @param pattern a registered pattern's name
   * @return the pattern forced there before, if any
   * @throws IllegalArgumentException naming the value when either is null or blank, or when the
   *     pattern is forbidden in the domain (allow it first)
   * @throws PatternNotFoundException when no pattern of that name is registered
   */
  public synchronized Optional<String> force(String domain, String pattern) {
    check(domain, pattern);
    if (forbidden(domain).contains(pattern)) {
      throw new IllegalArgumentException(
          "pattern '"
              + pattern
              + "' is forbidden in domain '"
              + domain
              + "'; allow it before forcing it");
    }
    any = true;
    return Optional.ofNullable(forced.put(domain, pattern));
  }

  /**
   * Forbids {@code pattern} in {@code domain}: it is never tried there.
   *
   * @param domain the domain, non-blank
   * @param pattern a registered pattern's name
   * @return whether it was not forbidden there before
   * @throws IllegalArgumentException naming the value when either is null or blank, or when the
   *     pattern is forced in the domain (unforce it first)
   * @throws PatternNotFoundException when no pattern of that name is registered
   */
  public synchronized boolean forbid(String domain, String pattern) {
    check(domain, pattern);
    if (pattern.equals(forced.get(domain))) {
      throw new IllegalArgumentException(
          "pattern '"
              + pattern
              + "' is forced in domain '"
              + domain
              + "'; unforce it before forbidding it");
    }
    Set<String> before = forbidden(domain);
    if (before.contains(pattern)) {
      return false;
    }
    Set<String> after = new HashSet<>(before);
    after.add(pattern);
    any = true;
    forbidden.put(domain, Set.copyOf(after));
    return true;
  }

  /**
   * Lifts a ban of {@code pattern} in {@code domain}. Needs no registered pattern: a pattern that
   * left can still be allowed.
   *
   * @param domain the domain
   * @param pattern the pattern name
   * @return whether it was forbidden there
   */
  public synchronized boolean allow(String domain, String pattern) {
    Set<String> before = domain == null ? null : forbidden.get(domain);
    if (before == null || pattern == null || !before.contains(pattern)) {
      return false;
    }
    Set<String> after = new HashSet<>(before);
    after.remove(pattern);
    if (after.isEmpty()) {
      forbidden.remove(domain);
    } else {
      forbidden.put(domain, Set.copyOf(after));
    }
    return true;
  }

  /**
   * Removes the pattern forced in {@code domain}.
   *
   * @param domain the domain
   * @return the pattern that was forced there, if any
   */
  public synchronized Optional<String> unforce(String domain) {
    return domain == null ? Optional.empty() : Optional.ofNullable(forced.remove(domain));
  }

  /** Removes every pin. */
  public synchronized void clear() {
    forced.clear();
    forbidden.clear();
  }

  /**
   * Returns the pattern forced in {@code domain}.
   *
   * @param domain the domain
   * @return the forced pattern's name, if any
   */
  public Optional<String> forced(String domain) {
    return domain == null ? Optional.empty() : Optional.ofNullable(forced.get(domain));
  }

  /**
   * Returns the patterns forbidden in {@code domain}.
   *
   * @param domain the domain
   * @return their names, unmodifiable; empty when none
   */
  public Set<String> forbidden(String domain) {
    Set<String> s = domain == null ? null : forbidden.get(domain);
    return s == null ? Set.of() : s;
  }

  /** Returns every pin: domain to its forced pattern, sorted by domain. */
  public Map<String, String> allForced() {
    return new TreeMap<>(forced);
  }

  /** Returns every ban: domain to its forbidden patterns, sorted by domain. */
  public Map<String, Set<String>> allForbidden() {
    return new TreeMap<>(forbidden);
  }

  /** Whether any pin was ever set: selections skip the lookups until then. */
  boolean any() {
    return any;
  }

  private void check(String domain, String pattern) {
    if (domain == null || domain.isBlank()) {
      throw new IllegalArgumentException("domain must be non-blank but was " + quoted(domain));
    }
    if (pattern == null || pattern.isBlank()) {
      throw new IllegalArgumentException("pattern must be non-blank but was " + quoted(pattern));
    }
    registry.getPattern(pattern); // throws PatternNotFoundException with close matches
  }

  private static String quoted(String value) {
    return value == null ? "null" : "'" + value + "'";
  }

  @Override
  public String toString() {
    return "Pins[forced=" + allForced() + ", forbidden=" + allForbidden() + "]";
  }
}
