package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.ndp.api.ConfidenceLevel;
import io.ndp.api.ConfidenceStats;
import io.ndp.api.Pattern;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternNotFoundException;
import io.ndp.api.UnknownPatternTypeException;
import io.ndp.core.internal.InMemoryDefinitionStore;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PatternStorageTest {

  private final PatternStorage storage = new PatternStorage();
  private final SequentialDelegationPattern flow =
      new SequentialDelegationPattern("validation_flow", "", List.of("validate", "store"));

  @Test
  void storeThenGet_returnsTheSamePattern() {
    storage.storePattern(flow);

    assertThat(storage.getPattern("validation_flow")).isSameAs(flow);
    assertThat(storage.findDefinition("validation_flow")).contains(flow.definition());
  }

  @Test
  void getPattern_unknown_namesItAndOnlyCloseMatches() {
    storage.storePattern(flow);
    assertThatThrownBy(() -> storage.getPattern("nope"))
        .isInstanceOf(PatternNotFoundException.class)
        .hasMessage("no pattern named 'nope'");
    assertThatThrownBy(() -> storage.getPattern("validation_flwo"))
        .isInstanceOf(PatternNotFoundException.class)
        .hasMessage("no pattern named 'validation_flwo'; did you mean 'validation_flow'?");
  }

  @Test
  void getPatternsByType_acceptsTypeIdAndAlias() {
    var other = new SequentialDelegationPattern("other", "", List.of("x"));
    storage.storePattern(flow).storePattern(other);

    assertThat(storage.getPatternsByType("sequential")).containsExactly(other, flow);
    assertThat(storage.getPatternsByType("SequentialDelegationPattern"))
        .containsExactly(other, flow);
    assertThat(storage.getPatternsByType("parallel")).isEmpty();
  }

  @Test
  void getPatternsByConfidence_followsRecordedOutcomes_andResetForgets() {
    var good = new SequentialDelegationPattern("good", "", List.of("x"));
    var bad = new SequentialDelegationPattern("bad", "", List.of("x"));
    storage.storePattern(flow).storePattern(good).storePattern(bad);
    for (int i = 0; i < 4; i++) {
      storage.registry().confidence().record("good", "orders", true);
      storage.registry().confidence().record("bad", "orders", false);
    }

    assertThat(storage.getPatternsByConfidence(ConfidenceLevel.HIGH)).containsExactly(good);
    assertThat(storage.getPatternsByConfidence(ConfidenceLevel.LOW)).containsExactly(bad);
    assertThat(storage.getPatternsByConfidence(ConfidenceLevel.MEDIUM)).containsExactly(flow);
    assertThat(good.confidenceScore())
        .isCloseTo(5.0 / 6, within(0.005)); // forgetting: slightly less

    storage.resetStatistics("good");
    assertThat(storage.statistics("good")).isEqualTo(ConfidenceStats.EMPTY);
    assertThat(storage.getPatternsByConfidence(ConfidenceLevel.HIGH)).isEmpty();

    storage.resetAllStatistics();
    assertThat(storage.getPatternsByConfidence(ConfidenceLevel.MEDIUM)).hasSize(3);
  }

  @Test
  void smallCacheAndDroppedCache_answerWithTheRegistrysInstanceAndFigures() {
    PatternStorage small = PatternStorage.builder().cacheSize(1).build();
    var other = new SequentialDelegationPattern("other", "", List.of("x"));
    small.storePattern(flow).storePattern(other);
    small.registry().confidence().record("other", "orders", true);
    // Reading both repeatedly with a cache of one forces reloads from the store.
    for (int i = 0; i < 5; i++) {
      assertThat(small.getPattern("validation_flow")).isSameAs(flow);
      assertThat(small.getPattern("other")).isSameAs(other);
      small.dropCache();
    }
    assertThat(small.cacheStats().missCount()).isGreaterThanOrEqualTo(10);
    assertThat(other.confidenceScore()).isEqualTo(2.0 / 3);
    assertThat(small.getPatternsByConfidence(ConfidenceLevel.MEDIUM)).containsExactly(other, flow);
  }

  @Test
  void storedDefinitionNotYetLive_isBuiltOnceByItsFactoryAndRegistered() {
    InMemoryDefinitionStore defs = new InMemoryDefinitionStore();
    defs.store(flow.definition());
    PatternStorage s = PatternStorage.builder().definitionStore(defs).build();

    Pattern built = s.getPattern("validation_flow");
    assertThat(built).isEqualTo(flow).isNotSameAs(flow);
    assertThat(s.getPattern("validation_flow")).isSameAs(built);
    assertThat(s.registry().find("validation_flow")).containsSame(built);
  }

  @Test
  void storePattern_ofAnotherRegistrysPattern_isRefusedAndStoresNothing() {
    PatternRegistry other = new PatternRegistry();
    other.register(flow);

    assertThatThrownBy(() -> storage.storePattern(flow))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("pattern 'validation_flow' belongs to another registry")
        .hasMessageContaining("new PatternStorage(registry)");
    assertThat(storage.definitions()).isEmpty();
    assertThat(storage.registry().size()).isZero();
    assertThat(other.getPattern("validation_flow")).isSameAs(flow);
  }

  @Test
  void definitionOfAnUnknownType_isKeptAndReported() {
    InMemoryDefinitionStore defs = new InMemoryDefinitionStore();
    defs.store(new PatternDefinition("quantum", "q", "", Map.of()));
    PatternStorage s = PatternStorage.builder().definitionStore(defs).build();

    assertThatThrownBy(() -> s.getPattern("q"))
        .isInstanceOf(UnknownPatternTypeException.class)
        .hasMessageContaining("'quantum'");
    assertThat(s.getPatternsByType("quantum")).isEmpty();
    assertThat(s.definitions()).extracting(PatternDefinition::name).containsExactly("q");
  }

  @Test
  void storeAgain_replacesTheDefinition_removeForgetsIt() {
    storage.storePattern(flow);
    var replacement = new SequentialDelegationPattern("validation_flow", "v2", List.of("store"));
    storage.storePattern(replacement);

    assertThat(storage.getPattern("validation_flow")).isSameAs(replacement);
    assertThat(storage.registry().getPattern("validation_flow")).isSameAs(replacement);
    assertThat(storage.removePattern("validation_flow")).isTrue();
    assertThat(storage.findPattern("validation_flow")).isEmpty();
    assertThat(storage.removePattern("validation_flow")).isFalse();
  }

  @Test
  void badArguments_areRejected() {
    assertThatThrownBy(() -> storage.storePattern(null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PatternStorage.builder().cacheSize(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cacheSize must be positive but was 0");
  }
}
