package io.ndp.api;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.RandomAccess;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * What storage keeps of a pattern and what a {@link PatternFactory} turns back into one: its type
 * id, name, description and kind-specific parameters.
 *
 * <p>Parameter values are JSON-like: {@code String}, {@code Boolean}, numbers of the JDK's
 * immutable types ({@code Integer}, {@code Long}, {@code Short}, {@code Byte}, {@code Double},
 * {@code Float}, {@code BigInteger}, {@code BigDecimal}), lists of such values and maps with string
 * keys. They are deep-copied into unmodifiable collections, so a definition is immutable and
 * thread-safe.
 *
 * @param type the type id of the pattern's kind, e.g. {@code sequential}: which {@link
 *     PatternFactory} builds it; non-blank
 * @param name the pattern's name, unique within a registry or store; non-blank
 * @param description what the pattern is for, in words; may be empty, not null
 * @param parameters kind-specific settings, e.g. {@code steps}, as an unmodifiable deep copy; the
 *     key {@value Prior#KEY} is reserved for the pattern's {@link Prior}, checked here; empty when
 *     the kind needs none
 * @since 0.1.0
 */
public record PatternDefinition(
    String type, String name, String description, Map<String, Object> parameters) {

  /**
   * Validates and deep-copies the parameters.
   *
   * @param type the type id of the pattern's kind; non-blank
   * @param name the pattern's name; non-blank
   * @param description what the pattern is for; not null
   * @param parameters kind-specific settings of the value types listed above, no null key or value
   *     at any depth; not null
   * @throws IllegalArgumentException when the type or name is blank, the description or parameters
   *     null, a parameter value null or of another type, or the {@value Prior#KEY} invalid; the
   *     message names the offending value
   */
  public PatternDefinition {
    List<String> problems = new ArrayList<>();
    if (type == null || type.isBlank()) {
      problems.add("type must be non-blank but was " + PatternContext.describe(type));
    }
    if (name == null || name.isBlank()) {
      problems.add("name must be non-blank but was " + PatternContext.describe(name));
    }
    if (description == null) {
      problems.add("description must not be null");
    }
    if (parameters == null) {
      problems.add("parameters must not be null");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "invalid pattern definition: " + String.join("; ", problems));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> copied =
        (Map<String, Object>)
            copyValue(
                "parameters",
                parameters,
                java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
    parameters = copied;
    Object prior = parameters.get(Prior.KEY);
    if (prior != null) {
      Prior.parse(name, prior); // a bad prior is refused here, never stored
    }
  }

  /**
   * Returns the prior this definition declares under {@value Prior#KEY}, or {@link Prior#NEUTRAL}.
   *
   * @return the declared prior
   */
  public Prior prior() {
    Object value = parameters.get(Prior.KEY);
    return value == null ? Prior.NEUTRAL : Prior.parse(name, value);
  }

  /**
   * Checks that this definition is of the type a factory builds; factories call it first.
   *
   * @param expectedType the factory's type id
   * @return this definition
   * @throws IllegalArgumentException naming the pattern and both types when they differ
   */
  public PatternDefinition requireType(String expectedType) {
    if (expectedType == null) {
      throw new IllegalArgumentException(
          "the expected type to check pattern '" + name + "' against must not be null");
    }
    if (!type.equals(expectedType)) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "factory of type '%s' cannot build pattern '%s' of type '%s'",
              expectedType,
              name,
              type));
    }
    return this;
  }

  private String requireKey(String key) {
    if (key == null) {
      throw new IllegalArgumentException(
          "parameter key of pattern '" + name + "' must not be null");
    }
    return key;
  }

  /**
   * Reads a parameter that must be a list of strings.
   *
   * @param key the parameter
   * @return the list, or empty when absent
   * @throws IllegalArgumentException when the key is null or the value is not a list of strings
   */
  public Optional<List<String>> stringList(String key) {
    Object v = parameters.get(requireKey(key));
    if (v == null) {
      return Optional.empty();
    }
    if (v instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
      @SuppressWarnings("unchecked")
      List<String> strings = (List<String>) list;
      return Optional.of(strings);
    }
    throw new IllegalArgumentException(
        String.format(
            Locale.ROOT,
            "parameter '%s' of pattern '%s' must be a list of strings but was %s",
            key,
            name,
            PatternContext.describe(v)));
  }

  /**
   * Reads a parameter that must be a map.
   *
   * @param key the parameter
   * @return the map, or empty when absent
   * @throws IllegalArgumentException when the key is null or the value is not a map
   */
  public Optional<Map<String, Object>> map(String key) {
    Object v = parameters.get(requireKey(key));
    if (v == null) {
      return Optional.empty();
    }
    if (v instanceof Map<?, ?>) {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) v;
      return Optional.of(m);
    }
    throw new IllegalArgumentException(
        String.format(
            Locale.ROOT,
            "parameter '%s' of pattern '%s' must be a map but was %s",
            key,
            name,
            PatternContext.describe(v)));
  }

  /** How deep parameters may nest: deeper is refused rather than overflow the stack. */
  private static final int MAX_DEPTH = 64;

  private static Object copyValue(String path, Object value, java.util.Set<Object> enclosing) {
    if (value instanceof String || value instanceof Boolean || isValueNumber(value)) {
      return value;
    }
    if (value instanceof Map<?, ?> || value instanceof Collection<?>) {
      if (enclosing.contains(value)) {
        throw new IllegalArgumentException(
            path + " contains itself (a map or list that holds itself)");
      }
      if (enclosing.size() >= MAX_DEPTH) {
        throw new IllegalArgumentException(
            path + " nests deeper than " + MAX_DEPTH + " maps and lists");
      }
      enclosing.add(value);
      try {
        return copyContainer(path, value, enclosing);
      } finally {
        enclosing.remove(value);
      }
    }
    return copyContainer(path, value, enclosing);
  }

  private static Object copyContainer(String path, Object value, java.util.Set<Object> enclosing) {
    if (value instanceof Map<?, ?> m) {
      // Sized to fit: a registry holds one definition per pattern, and a default-sized table is
      // most of a small definition's footprint. One entry, the common case, is a singleton map.
      Map<String, Object> out = new LinkedHashMap<>(capacityFor(m.size()));
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!(e.getKey() instanceof String k)) {
          throw new IllegalArgumentException(
              path + " keys must be strings but found " + PatternContext.describe(e.getKey()));
        }
        if (e.getValue() == null) {
          throw new IllegalArgumentException(path + "." + k + " must not be null");
        }
        out.put(k, copyValue(path + "." + k, e.getValue(), enclosing));
      }
      if (out.size() == 1) {
        Map.Entry<String, Object> only = out.entrySet().iterator().next();
        return Collections.singletonMap(only.getKey(), only.getValue());
      }
      return Collections.unmodifiableMap(out);
    }
    if (value instanceof Collection<?> c) {
      // An immutable JDK list of plain values (what patterns keep, e.g. their steps) is shared,
      // not copied, so that a pattern and its definition hold one list; any other collection is
      // copied into a compact immutable list.
      List<Object> out = new ArrayList<>(c.size());
      boolean same = true;
      int i = 0;
      for (Object element : c) {
        if (element == null) {
          throw new IllegalArgumentException(path + "[" + i + "] must not be null");
        }
        Object copied = copyValue(path + "[" + i + "]", element, enclosing);
        same &= copied == element;
        out.add(copied);
        i++;
      }
      if (same && value instanceof List<?> list && isImmutableJdkList(list)) {
        return new ImmutableView<>(list);
      }
      return new ImmutableView<>(List.copyOf(out));
    }
    throw new IllegalArgumentException(
        path
            + " must hold only strings, numbers (Integer, Long, Short, Byte, Double, Float,"
            + " BigInteger, BigDecimal), booleans, lists and maps but found "
            + PatternContext.describe(value));
  }

  /**
   * A read-only view of an immutable list that, like any list, answers queries for null ({@code
   * contains(null)} is false) where the JDK's immutable lists throw.
   */
  private static final class ImmutableView<E> extends AbstractList<E> implements RandomAccess {
    private final List<E> list;

    ImmutableView(List<E> list) {
      this.list = list;
    }

    @Override
    public E get(int index) {
      return list.get(index);
    }

    @Override
    public int size() {
      return list.size();
    }

    // Every mutator throws, even when it would change nothing (as the JDK's immutable lists do);
    // iterators and sublists are the immutable list's own, or views like this one.

    @Override
    public Iterator<E> iterator() {
      return list.iterator();
    }

    @Override
    public ListIterator<E> listIterator() {
      return list.listIterator();
    }

    @Override
    public ListIterator<E> listIterator(int index) {
      return list.listIterator(index);
    }

    @Override
    public List<E> subList(int fromIndex, int toIndex) {
      return new ImmutableView<>(list.subList(fromIndex, toIndex));
    }

    @Override
    public boolean add(E e) {
      throw new UnsupportedOperationException("a definition's lists are immutable");
    }

    @Override
    public boolean remove(@Nullable Object o) {
      throw new UnsupportedOperationException("a definition's lists are immutable");
    }

    @Override
    public boolean addAll(int index, Collection<? extends E> c) {
      throw new UnsupportedOperationException("a definition's lists are immutable");
    }

    @Override
    public void clear() {
      throw new UnsupportedOperationException("a definition's lists are immutable");
    }

    @Override
    public boolean addAll(Collection<? extends E> c) {
      throw new UnsupportedOperationException("a definition's lists are immutable");
    }

    @Override
    public boolean removeAll(Collection<?> c) {
      throw new UnsupportedOperationException("a definition's lists are immutable");
    }

    @Override
    public boolean retainAll(Collection<?> c) {
      throw new UnsupportedOperationException("a definition's lists are immutable");
    }

    @Override
    public boolean removeIf(Predicate<? super E> filter) {
      throw new UnsupportedOperationException("a definition's lists are immutable");
    }

    @Override
    public void replaceAll(UnaryOperator<E> operator) {
      throw new UnsupportedOperationException("a definition's lists are immutable");
    }

    @Override
    public void sort(@Nullable Comparator<? super E> c) {
      throw new UnsupportedOperationException("a definition's lists are immutable");
    }
  }

  private static final Class<?> LIST12 = List.of(1).getClass();
  private static final Class<?> LISTN = List.of(1, 2, 3).getClass();

  /**
   * Whether {@code list} is one of the JDK's immutable lists ({@code List.of}, {@code
   * List.copyOf}): nothing can change it, so a definition may share it.
   */
  private static boolean isImmutableJdkList(List<?> list) {
    Class<?> c = list.getClass();
    return c == LIST12 || c == LISTN;
  }

  /** A {@code HashMap} capacity that holds {@code n} entries without resizing. */
  private static int capacityFor(int n) {
    return n < 3 ? n + 1 : (int) Math.ceil(n / 0.75);
  }

  /**
   * Any other {@code Number} may be mutable ({@code AtomicLong}, {@code LongAdder}, a subclass of
   * {@code BigDecimal}) and would be shared with the caller, so the definition would change under
   * its readers and its {@code equals} with it. Exact classes, since only these are final or
   * trusted.
   */
  private static boolean isValueNumber(Object value) {
    Class<?> c = value.getClass();
    return c == Integer.class
        || c == Long.class
        || c == Double.class
        || c == Short.class
        || c == Byte.class
        || c == Float.class
        || c == BigInteger.class
        || c == BigDecimal.class;
  }
}
