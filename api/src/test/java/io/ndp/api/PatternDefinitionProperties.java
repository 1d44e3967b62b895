package io.ndp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.util.AbstractMap.SimpleEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Hostile input for {@link PatternDefinition}: any nested parameters, JSON-like or not, either
 * build a deeply unmodifiable definition equal to one built again from the same input, or fail with
 * an {@link IllegalArgumentException}, never with anything else.
 */
class PatternDefinitionProperties {

  /** The number types a definition keeps: the JDK's immutable ones, by exact class. */
  private static final Set<Class<?>> VALUE_NUMBERS =
      Set.of(
          Byte.class,
          Short.class,
          Integer.class,
          Long.class,
          Float.class,
          Double.class,
          BigInteger.class,
          BigDecimal.class);

  @Property(tries = 500)
  void anyParameters_buildAnImmutableDefinition_orAreRejected(
      @ForAll("names") String type,
      @ForAll("names") String name,
      @ForAll("descriptions") String description,
      @ForAll("parameters") Map<String, Object> parameters) {
    Statistics.label("outcome")
        .coverage(
            c -> {
              c.check("built").percentage(p -> p > 10);
              c.check("rejected").percentage(p -> p > 10);
            });
    boolean valid = isName(type) && isName(name) && description != null && isJson(parameters);
    // Taken before construction: the definition must not see what the caller does afterwards.
    Object expected = valid ? normalized(parameters) : null;

    PatternDefinition definition;
    try {
      definition = new PatternDefinition(type, name, description, parameters);
    } catch (IllegalArgumentException e) {
      Statistics.label("outcome").collect("rejected");
      assertThat(valid).as("valid input rejected: %s", e.getMessage()).isFalse();
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    Statistics.label("outcome").collect("built");
    assertThat(valid).as("invalid input accepted").isTrue();

    PatternDefinition again = new PatternDefinition(type, name, description, parameters);
    assertThat(definition).isEqualTo(again).hasSameHashCodeAs(again);
    assertThat(new PatternDefinition(type, name, description, definition.parameters()))
        .isEqualTo(definition);

    clearDeeply(parameters);
    assertThat(definition.parameters()).isEqualTo(expected);
    assertDeeplyUnmodifiable(definition.parameters());
  }

  private static boolean isName(String s) {
    return s != null && !s.isBlank();
  }

  /** Whether a value is what the class documentation allows: the oracle for this property. */
  private static boolean isJson(Object value) {
    if (value instanceof String || value instanceof Boolean) {
      return true;
    }
    if (value != null && VALUE_NUMBERS.contains(value.getClass())) {
      return true;
    }
    if (value instanceof Map<?, ?> m) {
      return m.entrySet().stream()
          .allMatch(e -> e.getKey() instanceof String && isJson(e.getValue()));
    }
    if (value instanceof Collection<?> c) {
      return c.stream().allMatch(PatternDefinitionProperties::isJson);
    }
    return false;
  }

  /** The expected parameters: maps kept, any collection turned into a list, leaves as they are. */
  private static Object normalized(Object value) {
    if (value instanceof Map<?, ?> m) {
      Map<Object, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(k, normalized(v)));
      return out;
    }
    if (value instanceof Collection<?> c) {
      List<Object> out = new ArrayList<>();
      c.forEach(v -> out.add(normalized(v)));
      return out;
    }
    return value;
  }

  /** Empties every mutable map and collection of the input, as a careless caller might. */
  private static void clearDeeply(Object value) {
    Collection<?> children =
        value instanceof Map<?, ?> m
            ? new ArrayList<>(m.values())
            : value instanceof Collection<?> c ? new ArrayList<>(c) : List.of();
    children.forEach(PatternDefinitionProperties::clearDeeply);
    try {
      if (value instanceof Map<?, ?> m) {
        m.clear();
      } else if (value instanceof Collection<?> c) {
        c.clear();
      }
    } catch (UnsupportedOperationException immutable) {
      // the caller could not change it either
    }
  }

  @SuppressWarnings("unchecked")
  private static void assertDeeplyUnmodifiable(Object value) {
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> map = (Map<String, Object>) m;
      assertThatThrownBy(() -> map.put("k", "v")).isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(map::clear).isInstanceOf(UnsupportedOperationException.class);
      map.values().forEach(PatternDefinitionProperties::assertDeeplyUnmodifiable);
    } else if (value instanceof Collection<?> c) {
      assertThat(c).isInstanceOf(List.class);
      List<Object> list = (List<Object>) c;
      assertThatThrownBy(() -> list.add("x")).isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(list::clear).isInstanceOf(UnsupportedOperationException.class);
      if (!list.isEmpty()) {
        assertThatThrownBy(() -> list.set(0, "x"))
            .isInstanceOf(UnsupportedOperationException.class);
      }
      list.forEach(PatternDefinitionProperties::assertDeeplyUnmodifiable);
    } else {
      assertThat(value instanceof String || value instanceof Boolean || isValueNumber(value))
          .as("%s of %s is an immutable leaf", value, value.getClass())
          .isTrue();
    }
  }

  private static boolean isValueNumber(Object value) {
    return VALUE_NUMBERS.contains(value.getClass());
  }

  @Provide
  Arbitrary<String> names() {
    return Arbitraries.frequencyOf(
            List.of(
                Tuple.of(
                    12,
                    Arbitraries.strings()
                        .alpha()
                        .numeric()
                        .withChars("_-.")
                        .ofMinLength(1)
                        .ofMaxLength(10)),
                Tuple.of(1, Arbitraries.strings().withChars(" \t\u2003").ofMaxLength(2))))
        .injectNull(0.02);
  }

  @Provide
  Arbitrary<String> descriptions() {
    return Arbitraries.strings().all().ofMaxLength(12).injectNull(0.02);
  }

  @Provide
  Arbitrary<Map<String, Object>> parameters() {
    return mapsOf(Arbitraries.strings().all().ofMaxLength(6), values(3)).injectNull(0.02);
  }

  /** JSON-like values nested up to {@code depth}, with a few nulls and non-JSON objects. */
  private static Arbitrary<Object> values(int depth) {
    Arbitrary<Object> leaves =
        Arbitraries.frequencyOf(
            List.of(
                Tuple.of(4, obj(Arbitraries.strings().all().ofMaxLength(6))),
                Tuple.of(2, obj(Arbitraries.integers())),
                Tuple.of(1, obj(Arbitraries.longs())),
                Tuple.of(1, obj(Arbitraries.doubles())),
                Tuple.of(1, obj(Arbitraries.bigDecimals())),
                Tuple.of(1, obj(Arbitraries.bigIntegers())),
                Tuple.of(1, obj(Arbitraries.of(true, false))),
                Tuple.of(1, nonJson())));
    if (depth == 0) {
      return leaves;
    }
    Arbitrary<Object> inner = values(depth - 1);
    return Arbitraries.frequencyOf(
        List.of(
            Tuple.of(6, leaves),
            Tuple.of(1, obj(inner.list().ofMaxSize(4))),
            Tuple.of(1, obj(inner.list().ofMaxSize(4).map(LinkedHashSet::new))),
            Tuple.of(1, obj(inner.list().ofMaxSize(3).map(Collections::unmodifiableList))),
            Tuple.of(2, obj(mapsOf(Arbitraries.strings().all().ofMaxLength(4), inner))),
            Tuple.of(1, obj(mapsWithOddKeys(inner)))));
  }

  /** Values a JSON parser never returns, from null to mutable numbers. */
  private static Arbitrary<Object> nonJson() {
    return Arbitraries.oneOf(
        List.of(
            Arbitraries.just(null),
            Arbitraries.create(Object::new),
            Arbitraries.create(() -> new int[] {1, 2}),
            Arbitraries.create(() -> Optional.of("x")),
            Arbitraries.just('c'),
            Arbitraries.just(LocalDate.of(2026, 1, 31)),
            Arbitraries.create(UUID::randomUUID),
            Arbitraries.create(() -> new StringBuilder("mutable")),
            Arbitraries.create(() -> new AtomicInteger(7)),
            Arbitraries.create(() -> new AtomicLong(7)),
            Arbitraries.create(LongAdder::new)));
  }

  private static Arbitrary<Map<String, Object>> mapsOf(
      Arbitrary<String> keys, Arbitrary<Object> values) {
    return Combinators.combine(keys, values)
        .as(SimpleEntry::new)
        .list()
        .ofMaxSize(4)
        .map(
            entries -> {
              Map<String, Object> m = new LinkedHashMap<>();
              entries.forEach(e -> m.put(e.getKey(), e.getValue()));
              return m;
            });
  }

  /** Maps whose keys are not all strings, as a YAML parser or a raw-typed caller may make. */
  private static Arbitrary<Map<Object, Object>> mapsWithOddKeys(Arbitrary<Object> values) {
    Arbitrary<Object> keys =
        Arbitraries.oneOf(
            List.of(
                obj(Arbitraries.strings().alpha().ofMaxLength(3)),
                obj(Arbitraries.integers().between(0, 9)),
                Arbitraries.just(null)));
    return Combinators.combine(keys, values)
        .as(SimpleEntry::new)
        .list()
        .ofMinSize(1)
        .ofMaxSize(3)
        .map(
            entries -> {
              Map<Object, Object> m = new LinkedHashMap<>();
              entries.forEach(e -> m.put(e.getKey(), e.getValue()));
              return m;
            });
  }

  private static Arbitrary<Object> obj(Arbitrary<?> arbitrary) {
    return arbitrary.map(v -> (Object) v);
  }
}
