package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
  void getPattern_unknown_namesIt() {
    storage.storePattern(flow);
    assertThatThrownBy(() -> storage.getPattern("nope"))
        .isInstanceOf(PatternNotFoundException.class)
        .hasMessageContaining("'nope'")
        .hasMessageContaining("validation_flow");
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
      storage.confidenceStore().recordOutcome("good", "orders", true);
      storage.confidenceStore().recordOutcome("bad", "orders", false);
    }

    assertThat(storage.getPatternsByConfidence(ConfidenceLevel.HIGH)).containsExactly(good);
    assertThat(storage.getPatternsByConfidence(ConfidenceLevel.LOW)).containsExactly(bad);
    assertThat(storage.getPatternsByConfidence(ConfidenceLevel.MEDIUM)).containsExactly(flow);
    assertThat(good.confidenceScore()).isEqualTo(5.0 / 6);

    storage.resetStatistics("good");
    assertThat(storage.statistics("good")).isEqualTo(ConfidenceStats.EMPTY);
    assertThat(storage.getPatternsByConfidence(ConfidenceLevel.HIGH)).isEmpty();

    storage.resetAllStatistics();
    assertThat(storage.getPatternsByConfidence(ConfidenceLevel.MEDIUM)).hasSize(3);
  }

  @Test
  void evictedPattern_isRebuiltFromItsDefinitionByTheFactory() {
    PatternStorage small = PatternStorage.builder().cacheSize(1).build();
    var other = new SequentialDelegationPattern("other", "", List.of("x"));
    small.storePattern(flow).storePattern(other);
    small.cacheStats(); // touch
    // Reading both repeatedly with a cache of one forces loads through the factory.
    for (int i = 0; i < 5; i++) {
      assertThat(small.getPattern("validation_flow")).isEqualTo(flow);
      assertThat(small.getPattern("other")).isEqualTo(other);
    }
    assertThat(small.cacheStats().loadCount()).isPositive();
    Pattern rebuilt = small.getPattern("validation_flow");
    assertThat(rebuilt.confidenceStore()).containsSame(small.confidenceStore());
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
