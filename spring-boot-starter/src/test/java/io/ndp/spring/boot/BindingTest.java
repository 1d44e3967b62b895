package io.ndp.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.PatternDefinition;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * What a properties file or YAML says under ndp.patterns[i].parameters becomes JSON-like values.
 */
class BindingTest {

  private static PatternDefinition bind(Map<String, String> properties) {
    NdpProperties p =
        new Binder(new MapConfigurationPropertySource(properties))
            .bind("ndp", NdpProperties.class)
            .get();
    return p.getPatterns().get(0).toDefinition(0);
  }

  @Test
  void listsNestedMapsNumbersAndBooleans_comeOutTyped() {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("ndp.patterns[0].type", "parallel");
    props.put("ndp.patterns[0].name", "fan-out");
    props.put("ndp.patterns[0].parameters.resources[0]", "db");
    props.put("ndp.patterns[0].parameters.resources[1]", "cpu");
    props.put("ndp.patterns[0].parameters.capacities.db", "2");
    props.put("ndp.patterns[0].parameters.timeout-ms", "1500");
    props.put("ndp.patterns[0].parameters.rate", "0.25");
    props.put("ndp.patterns[0].parameters.strict", "true");
    props.put("ndp.patterns[0].parameters.defaultDomainAgentType", "parallel");
    PatternDefinition d = bind(props);
    assertThat(d.parameters())
        .containsEntry("resources", List.of("db", "cpu"))
        .containsEntry("capacities", Map.of("db", 2L)) // the definition keeps integers as Long
        .containsEntry("timeout-ms", 1500L)
        .containsEntry("rate", 0.25)
        .containsEntry("strict", true)
        .containsEntry("defaultDomainAgentType", "parallel");
  }

  @Test
  void plain_turnsIndexedKeysIntoLists_inOrder() {
    Map<String, Object> bound = new LinkedHashMap<>();
    bound.put("steps[1]", "b");
    bound.put("steps[0]", "a");
    bound.put("nested", Map.of("0", "x", "1", "y"));
    bound.put("big", "12345678901");
    assertThat(Binding.plain(bound))
        .containsEntry("steps", List.of("a", "b"))
        .containsEntry("nested", List.of("x", "y"))
        .containsEntry("big", 12345678901L);
  }
}
