package io.ndp.api;

import static io.ndp.api.PatternContext.REQUIRED_DOMAINS;
import static io.ndp.api.PatternContext.REQUIRED_RESOURCES;
import static io.ndp.api.PatternContext.REQUIRED_STEPS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.AbstractMap.SimpleEntry;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Hostile input for {@link PatternContext}: any domain, agent type, attributes, priority, payload
 * and timeout either build a context whose typed accessors hold non-blank names, or fail with an
 * {@link InvalidContextException} that reports every broken rule, never with anything else.
 */
class PatternContextProperties {

  private static final List<String> KNOWN_KEYS =
      List.of(REQUIRED_STEPS, REQUIRED_RESOURCES, REQUIRED_DOMAINS);

  @Property(tries = 500)
  void anyInput_buildsAValidContext_orReportsEveryBrokenRule(
      @ForAll("names") String domain,
      @ForAll("names") String agentType,
      @ForAll("attributes") Map<String, Object> attributes,
      @ForAll int priority,
      @ForAll("values") Object payload,
      @ForAll("timeouts") Duration timeout) {
    Statistics.label("outcome")
        .coverage(
            c -> {
              c.check("built").percentage(p -> p > 5);
              c.check("rejected").percentage(p -> p > 5);
            });
    int broken = brokenRules(domain, agentType, attributes, timeout);

    PatternContext ctx;
    try {
      ctx = new PatternContext(domain, agentType, attributes, priority, payload, timeout);
    } catch (InvalidContextException e) {
      Statistics.label("outcome").collect("rejected");
      assertThat(e.problems())
          .isNotEmpty()
          .hasSize(broken)
          .allSatisfy(p -> assertThat(p).isNotBlank());
      return;
    }
    Statistics.label("outcome").collect("built");

    assertThat(broken).as("rules broken but accepted").isZero();
    assertNonBlankNames(ctx.requiredSteps());
    assertNonBlankNames(ctx.requiredResources());
    assertNonBlankNames(ctx.requiredDomains());
    names(attributes, REQUIRED_STEPS)
        .ifPresent(steps -> assertThat(ctx.requiredSteps()).containsExactlyElementsOf(steps));
    names(attributes, REQUIRED_RESOURCES)
        .ifPresent(
            r ->
                assertThat(ctx.requiredResources())
                    .containsExactlyInAnyOrderElementsOf(distinct(r)));
    names(attributes, REQUIRED_DOMAINS)
        .ifPresent(d -> assertThat(ctx.requiredDomains()).containsExactlyElementsOf(distinct(d)));
    assertThatThrownBy(() -> ctx.requiredSteps().add("x"))
        .isInstanceOf(UnsupportedOperationException.class);

    Map<String, Object> attrs = ctx.attributes();
    assertThat(attrs.keySet()).isEqualTo(attributes.keySet());
    assertThatThrownBy(() -> attrs.put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> attrs.remove(REQUIRED_STEPS))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(attrs::clear).isInstanceOf(UnsupportedOperationException.class);
  }

  /** Counts the rules of {@link PatternContext} that the input breaks, one per problem. */
  private static int brokenRules(
      String domain, String agentType, Map<String, Object> attributes, Duration timeout) {
    int broken = 0;
    if (!isName(domain)) {
      broken++;
    }
    if (!isName(agentType)) {
      broken++;
    }
    if (attributes == null) {
      broken++;
    } else {
      for (Map.Entry<String, Object> e : attributes.entrySet()) {
        if (!isName(e.getKey()) || e.getValue() == null) {
          broken++;
        } else if (KNOWN_KEYS.contains(e.getKey())) {
          if (e.getValue() instanceof Collection<?> c) {
            broken += (int) c.stream().filter(element -> !isName(element)).count();
          } else {
            broken++;
          }
        }
      }
    }
    if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
      broken++;
    }
    return broken;
  }

  private static boolean isName(Object value) {
    return value instanceof String s && !s.isBlank();
  }

  private static void assertNonBlankNames(Collection<String> names) {
    assertThat(names).allSatisfy(n -> assertThat(isName(n)).as("'%s' is a name", n).isTrue());
  }

  /** Reads a name list of the input; only for input that built, so every element is a String. */
  private static Optional<List<String>> names(Map<String, Object> attributes, String key) {
    return Optional.ofNullable((Collection<?>) attributes.get(key))
        .map(c -> c.stream().map(String.class::cast).toList());
  }

  private static List<String> distinct(List<String> names) {
    return List.copyOf(new LinkedHashSet<>(names));
  }

  @Provide
  Arbitrary<String> names() {
    return Arbitraries.frequencyOf(
            List.of(
                Tuple.of(8, goodNames()),
                Tuple.of(1, Arbitraries.strings().all().ofMaxLength(8)),
                Tuple.of(1, blanks())))
        .injectNull(0.03);
  }

  @Provide
  Arbitrary<Map<String, Object>> attributes() {
    Arbitrary<Optional<Object>> nameLists = nameLists().optional(0.6);
    Arbitrary<Map<String, Object>> extras = mapsOf(attributeKeys(), values(2), 3);
    return Combinators.combine(nameLists, nameLists, nameLists, extras)
        .as(
            (steps, resources, domains, more) -> {
              Map<String, Object> m = new LinkedHashMap<>();
              steps.ifPresent(v -> m.put(REQUIRED_STEPS, v));
              resources.ifPresent(v -> m.put(REQUIRED_RESOURCES, v));
              domains.ifPresent(v -> m.put(REQUIRED_DOMAINS, v));
              m.putAll(more); // may replace a name list with anything at all
              return m;
            })
        .injectNull(0.02);
  }

  @Provide
  Arbitrary<Object> values() {
    return values(2);
  }

  @Provide
  Arbitrary<Duration> timeouts() {
    return Arbitraries.longs().between(-1, 3).map(Duration::ofMillis).injectNull(0.6);
  }

  private static Arbitrary<String> goodNames() {
    return Arbitraries.strings()
        .alpha()
        .numeric()
        .withChars("_-. é名\u00a0")
        .ofMinLength(1)
        .ofMaxLength(10)
        .filter(s -> !s.isBlank());
  }

  /** Empty, ASCII and Unicode whitespace: all blank to {@link String#isBlank()}. */
  private static Arbitrary<String> blanks() {
    return Arbitraries.strings().withChars(" \t\n\r\u000b\u2003\u3000").ofMaxLength(3);
  }

  /** What the name-list keys hold: mostly name collections, some with junk, some not lists. */
  private static Arbitrary<Object> nameLists() {
    Arbitrary<Object> junkElements =
        Arbitraries.frequencyOf(
                List.of(
                    Tuple.of(6, obj(goodNames())),
                    Tuple.of(1, obj(blanks())),
                    Tuple.of(1, obj(Arbitraries.integers())),
                    Tuple.of(1, obj(Arbitraries.strings().all().ofMaxLength(3)))))
            .injectNull(0.05);
    return Arbitraries.frequencyOf(
        List.of(
            Tuple.of(5, obj(goodNames().list().ofMaxSize(4))),
            Tuple.of(1, obj(goodNames().set().ofMaxSize(4))),
            Tuple.of(2, obj(junkElements.list().ofMaxSize(4))),
            Tuple.of(1, values(1))));
  }

  private static Arbitrary<String> attributeKeys() {
    return Arbitraries.frequencyOf(
            List.of(
                Tuple.of(1, Arbitraries.of(KNOWN_KEYS)),
                Tuple.of(6, goodNames()),
                Tuple.of(1, blanks())))
        .injectNull(0.03);
  }

  /** Strings, numbers, lists and maps nested up to {@code depth}, with nulls among them. */
  private static Arbitrary<Object> values(int depth) {
    Arbitrary<Object> leaves =
        Arbitraries.frequencyOf(
                List.of(
                    Tuple.of(3, obj(Arbitraries.strings().all().ofMaxLength(6))),
                    Tuple.of(1, obj(blanks())),
                    Tuple.of(2, obj(Arbitraries.integers())),
                    Tuple.of(1, obj(Arbitraries.of(true, false)))))
            .injectNull(0.05);
    if (depth == 0) {
      return leaves;
    }
    Arbitrary<Object> inner = values(depth - 1);
    return Arbitraries.frequencyOf(
        List.of(
            Tuple.of(4, leaves),
            Tuple.of(1, obj(inner.list().ofMaxSize(4))),
            Tuple.of(1, obj(mapsOf(goodNames().injectNull(0.05), inner, 4)))));
  }

  /** Maps built by hand so that keys and values may be null. */
  private static Arbitrary<Map<String, Object>> mapsOf(
      Arbitrary<String> keys, Arbitrary<Object> values, int maxSize) {
    return Combinators.combine(keys, values)
        .as(SimpleEntry::new)
        .list()
        .ofMaxSize(maxSize)
        .map(
            entries -> {
              Map<String, Object> m = new LinkedHashMap<>();
              entries.forEach(e -> m.put(e.getKey(), e.getValue()));
              return m;
            });
  }

  private static Arbitrary<Object> obj(Arbitrary<?> arbitrary) {
    return arbitrary.map(v -> (Object) v);
  }
}
