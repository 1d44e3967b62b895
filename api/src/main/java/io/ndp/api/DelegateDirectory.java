package io.ndp.api;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Where the host registers its {@link Delegate}s by name (a step name, a task name, a domain).
 *
 * <p>Thread-safe: registration and lookups may happen concurrently with executions.
 *
 * @since 0.1.0
 */
public final class DelegateDirectory {
  private final ConcurrentMap<String, Delegate> delegates = new ConcurrentHashMap<>();

  /** Creates an empty directory. */
  public DelegateDirectory() {}

  /**
   * Registers a delegate.
   *
   * @param name the step, task or domain it serves; non-blank
   * @param delegate the code that does the work
   * @return this directory
   * @throws IllegalArgumentException when the name is blank, the delegate null, or the name taken
   */
  public DelegateDirectory register(String name, Delegate delegate) {
    checkName(name);
    if (delegate == null) {
      throw new IllegalArgumentException("delegate for '" + name + "' must not be null");
    }
    Delegate previous = delegates.putIfAbsent(name, delegate);
    if (previous != null) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "a delegate named '%s' is already registered; use replace to swap it",
              name));
    }
    return this;
  }

  /**
   * Registers or replaces a delegate.
   *
   * @param name the step, task or domain it serves; non-blank
   * @param delegate the code that does the work
   * @return the replaced delegate, if any
   */
  public Optional<Delegate> replace(String name, Delegate delegate) {
    checkName(name);
    if (delegate == null) {
      throw new IllegalArgumentException("delegate for '" + name + "' must not be null");
    }
    return Optional.ofNullable(delegates.put(name, delegate));
  }

  /**
   * Removes a delegate.
   *
   * @param name its name (not null)
   * @return whether one was removed
   */
  public boolean unregister(String name) {
    return delegates.remove(lookup(name)) != null;
  }

  /**
   * Looks a delegate up.
   *
   * @param name its name (not null)
   * @return the delegate, or empty
   */
  public Optional<Delegate> find(String name) {
    return Optional.ofNullable(delegates.get(lookup(name)));
  }

  /**
   * Looks a delegate up for a pattern that cannot run without it.
   *
   * @param name its name (not null)
   * @param patternName the pattern that needs it, named in the exception
   * @return the delegate
   * @throws MissingDelegateException when none is registered
   */
  public Delegate require(String name, String patternName) {
    if (patternName == null) {
      throw new IllegalArgumentException("the pattern that needs delegate '" + name + "' is null");
    }
    Delegate d = delegates.get(lookup(name));
    if (d == null) {
      throw new MissingDelegateException(name, patternName);
    }
    return d;
  }

  /**
   * Says whether a delegate is registered under a name, as of now (another thread may register or
   * remove one right after).
   *
   * @param name the name to look up; exact, case-sensitive
   * @return whether a delegate is registered under {@code name}
   */
  public boolean contains(String name) {
    return delegates.containsKey(lookup(name));
  }

  /**
   * {@return the registered names in their natural (case-sensitive) order: a copy, which later
   * registrations do not change}
   */
  public Set<String> names() {
    return new TreeSet<>(delegates.keySet());
  }

  /** A name to look up: any string but null (a blank one is never registered). */
  private static String lookup(String name) {
    if (name == null) {
      throw new IllegalArgumentException("delegate name to look up must not be null");
    }
    return name;
  }

  private static void checkName(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(
          "delegate name must be non-blank but was " + PatternContext.describe(name));
    }
  }
}
