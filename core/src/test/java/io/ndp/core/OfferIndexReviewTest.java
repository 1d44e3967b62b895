package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.AbstractPattern;
import io.ndp.api.ExecutionScope;
import io.ndp.api.MatchResult;
import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Review of the registry's offer and alias indexes: tests that fail on the code under review. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OfferIndexReviewTest {

  private static final String AGENT = "indexed";

  /** Matches every context; offers the given map (empty: declares nothing); aliases as set. */
  private static final class Flexible extends AbstractPattern {
    private final String type;
    private final Map<String, Set<String>> offers;
    final AtomicReference<Set<String>> aliases;

    Flexible(String name, String type, Map<String, Set<String>> offers, Set<String> aliases) {
      super(name, "review");
      this.type = type;
      this.offers = offers;
      this.aliases = new AtomicReference<>(aliases);
    }

    @Override
    public String type() {
      return type;
    }

    @Override
    public Set<String> typeAliases() {
      return aliases.get();
    }

    @Override
    public Set<String> agentTypes() {
      return Set.of(AGENT);
    }

    @Override
    public Map<String, Set<String>> offers() {
      return offers;
    }

    @Override
    public MatchResult match(PatternContext context) {
      return MatchResult.perfect();
    }

    @Override
    public PatternOutcome execute(PatternContext context, ExecutionScope scope) {
      return PatternOutcome.success(name(), "ok");
    }

    @Override
    public PatternDefinition definition() {
      return new PatternDefinition(type, name(), description(), Map.of("offers", offers.size()));
    }
  }

  /**
   * replace() promises that "readers see the old or the new one". When the new pattern declares
   * offers under other keys than the old one, OfferIndex.add puts it into another group and then
   * takes the old one out of its group; a reader iterating the groups (a weakly consistent
   * ConcurrentHashMap iteration) can pass the new group before the put and the old group after the
   * removal, and sees neither: the pattern is missing from the candidates of a context it offers
   * everything for. (With another matching pattern around, selection then never falls back to
   * asking everyone, so the replaced pattern is silently out of the ranking.)
   */
  @Test
  void replacingUnderOtherKeys_readersAlwaysSeeTheOldOrTheNewPattern() throws Exception {
    PatternRegistry registry = new PatternRegistry();
    Map<String, Set<String>> offersStep = Map.of(PatternContext.REQUIRED_STEPS, Set.of("s"));
    registry.register(new Flexible("p", "review", offersStep, Set.of()));
    PatternContext requiringS = PatternContext.builder("orders", AGENT).requiredSteps("s").build();
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicReference<String> missed = new AtomicReference<>();
    AtomicInteger replaces = new AtomicInteger();
    AtomicInteger reads = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(3);
    List<Future<?>> futures = new ArrayList<>();
    try {
      futures.add(
          threads.submit(
              () -> {
                long until =
                    System.nanoTime()
                        + TimeUnit.SECONDS.toNanos(Long.getLong("ndp.stress.seconds", 5));
                for (int r = 0; missed.get() == null && System.nanoTime() < until; r++) {
                  // Alternately: offers steps (group {required_steps}), declares nothing (group
                  // {}).
                  registry.replace(
                      new Flexible("p", "review", r % 2 == 0 ? Map.of() : offersStep, Set.of()));
                  replaces.incrementAndGet();
                }
                writing.set(false);
                return null;
              }));
      for (int t = 0; t < 2; t++) {
        futures.add(
            threads.submit(
                () -> {
                  while (writing.get() && missed.get() == null) {
                    List<String> names = new ArrayList<>();
                    for (Pattern p : registry.candidatesFor(requiringS)) {
                      names.add(p.name());
                    }
                    reads.incrementAndGet();
                    if (!names.contains("p")) {
                      missed.compareAndSet(null, "candidates were " + names);
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(missed.get())
        .as(
            "pattern 'p' missing during a replace (%d replaces, %d reads)",
            replaces.get(), reads.get())
        .isNull();
  }

  /**
   * The alias index counts, per alias, how many patterns of each type declare it, and withdrawing a
   * pattern re-reads its typeAliases() to decrement. Pattern.typeAliases() carries no promise to
   * stay the same (unlike offers(), whose Javadoc requires it); a pattern whose aliases changed
   * after it was registered decrements a count it never added, and another, well-behaved pattern of
   * the same type disappears from patternsOfType(alias) — while the registry still holds it. The
   * index before this change removed by identity and kept 'steady'.
   */
  @Test
  void withdrawingAPatternWhoseAliasesChanged_keepsTheOtherPatternsOfThatAlias() {
    PatternRegistry registry = new PatternRegistry();
    Flexible steady = new Flexible("steady", "kind", Map.of(), Set.of("KindPattern"));
    Flexible moody = new Flexible("moody", "kind", Map.of(), Set.of());
    registry.registerAll(List.of(steady, moody));
    assertThat(registry.patternsOfType("KindPattern")).containsExactly(steady);

    moody.aliases.set(Set.of("KindPattern"));
    registry.unregister("moody");

    assertThat(registry.find("steady")).contains(steady);
    assertThat(registry.patternsOfType("KindPattern")).containsExactly(steady);
  }

  /**
   * Hostile offers "get a clear, specific exception" naming the pattern (validOffers lists null
   * maps, unknown keys, null sets, null or blank items and exceptions from offers()). An offer
   * whose items are not strings (a raw or unchecked map, e.g. built from a parsed config) escapes
   * as a bare ClassCastException from OfferIndex.validOffers, naming neither the pattern nor the
   * value.
   */
  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void offersWithANonStringItem_areRefusedNamingThePattern() {
    Map<String, Set<String>> raw = (Map) Map.of(PatternContext.REQUIRED_STEPS, Set.of(42));
    PatternRegistry registry = new PatternRegistry();

    assertThatThrownBy(() -> registry.register(new Flexible("odd", "review", raw, Set.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pattern 'odd'")
        .hasMessageContaining("42");
    assertThat(registry.size()).isZero();
  }
}
