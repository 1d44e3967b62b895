package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.AbstractPattern;
import io.ndp.api.ExecutionScope;
import io.ndp.api.MatchResult;
import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternOutcome;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Review of c40de1f (the registry's alias index): tests that fail on the code under review. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AliasIndexReviewTest {

  private static final String ALIAS = "SharedAlias";

  /** Matches everything; declares {@link #ALIAS}; can hold the reading thread in typeAliases(). */
  private static final class Aliased extends AbstractPattern {
    private final String type;
    volatile Thread holdIn;
    final CountDownLatch reading = new CountDownLatch(1);
    final CountDownLatch proceed = new CountDownLatch(1);
    private final AtomicBoolean held = new AtomicBoolean();

    Aliased(String name, String type) {
      super(name, "review");
      this.type = type;
    }

    @Override
    public String type() {
      return type;
    }

    @Override
    public Set<String> typeAliases() {
      if (Thread.currentThread() == holdIn && held.compareAndSet(false, true)) {
        // The reader is inside patternsOfType, past its read of the alias's types.
        reading.countDown();
        try {
          proceed.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return Set.of(ALIAS);
    }

    @Override
    public Set<String> agentTypes() {
      return Set.of("aliased");
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
      return new PatternDefinition(type, name(), description(), Map.of());
    }
  }

  /**
   * The order in which the registry's alias set {first, second} iterates: built as
   * PatternRegistry.with builds it (Set.copyOf of a HashSet, one type added at a time), so the
   * JVM's randomized immutable-set order is the same as the registry's.
   */
  private static String firstOf(String first, String second) {
    Set<String> one = Set.copyOf(new HashSet<>(Set.of(first)));
    Set<String> next = new HashSet<>(one);
    next.add(second);
    return Set.copyOf(next).iterator().next();
  }

  /**
   * PatternRegistry.replace (and so PatternStorage.storePattern) promises "readers see the old one
   * or the new one, never neither". patternsOfType(alias) reads the alias's types once (an
   * immutable set) and then each type's list. When a pattern is replaced by one of another type
   * that declares the same alias, a reader that read the types before the replace and reaches the
   * old type's list after it finds the old type gone (its last pattern left) and never looks at the
   * new type: the pattern is in neither list it reads. Here the reader is held, inside
   * patternsOfType, in the typeAliases() of a pattern of a third type sharing the alias, which the
   * alias's set iterates first; the replace then runs; the reader returns without pattern 'x'.
   */
  @Test
  void replacingAPatternByOneOfAnotherTypeWithTheSameAlias_readersSeeTheOldOrTheNew()
      throws Exception {
    String oldType = "old-kind";
    String hookType = null;
    for (int i = 0; hookType == null; i++) {
      String candidate = "hook-kind-" + i;
      if (firstOf(candidate, oldType).equals(candidate)) {
        hookType = candidate;
      }
    }
    PatternRegistry registry = new PatternRegistry();
    PatternStorage storage = new PatternStorage(registry);
    Aliased hook = new Aliased("h", hookType);
    Aliased old = new Aliased("x", oldType);
    registry.register(hook); // the alias's types: {hookType}
    registry.register(old); // then {hookType, oldType}, hookType iterated first
    assertThat(registry.patternsOfType(ALIAS)).containsExactly(hook, old);

    CompletableFuture<List<Pattern>> read =
        CompletableFuture.supplyAsync(
            () -> {
              hook.holdIn = Thread.currentThread();
              return registry.patternsOfType(ALIAS);
            });
    assertThat(hook.reading.await(30, TimeUnit.SECONDS)).isTrue();
    Aliased replacement = new Aliased("x", "new-kind");
    storage.storePattern(replacement); // registry.replace: the old one leaves, the new one joins
    hook.proceed.countDown();
    List<Pattern> seen = read.get(30, TimeUnit.SECONDS);

    assertThat(registry.patternsOfType(ALIAS)).containsExactly(hook, replacement);
    assertThat(seen)
        .as("patternsOfType('%s') during the replace of 'x'", ALIAS)
        .extracting(Pattern::name)
        .contains("x");
  }
}
