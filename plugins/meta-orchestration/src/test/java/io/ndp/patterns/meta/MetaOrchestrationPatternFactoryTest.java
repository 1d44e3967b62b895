package io.ndp.patterns.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.Pattern;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MetaOrchestrationPatternFactoryTest {

  private final MetaOrchestrationPatternFactory factory = new MetaOrchestrationPatternFactory();

  private static MetaOrchestrationPattern rich() {
    return MetaOrchestrationPattern.builder("platform")
        .description("auth first, then data; compute in parallel")
        .domains("auth", "data", "network", "compute")
        .after("data", "auth")
        .after("compute", "auth", "network")
        .domainAgentType("compute", "parallel")
        .defaultDomainAgentType("custom")
        .domainAttributes(
            "compute",
            Map.of("required_resources", List.of("cpu", "memory"), "limits", Map.of("cpu", 4)))
        .build();
  }

  @Test
  void create_definitionOfRichPattern_roundTripsToAnEqualPattern() {
    MetaOrchestrationPattern original = rich();

    Pattern copy = factory.create(original.definition());

    assertThat(copy).isInstanceOf(MetaOrchestrationPattern.class).isEqualTo(original);
    assertThat(copy.definition()).isEqualTo(original.definition());
    MetaOrchestrationPattern meta = (MetaOrchestrationPattern) copy;
    assertThat(meta.prerequisites("compute")).containsExactly("auth", "network");
    assertThat(meta.agentTypeFor("compute")).isEqualTo("parallel");
    assertThat(meta.agentTypeFor("auth")).isEqualTo("custom");
    assertThat(meta.domainAttributes("compute")).containsKeys("required_resources", "limits");
  }

  @Test
  void definition_richPattern_hasTheDocumentedParameters() {
    assertThat(rich().definition().parameters())
        .containsEntry("domains", List.of("auth", "compute", "data", "network"))
        .containsEntry(
            "dependencies", Map.of("compute", List.of("auth", "network"), "data", List.of("auth")))
        .containsEntry("domainAgentTypes", Map.of("compute", "parallel"))
        .containsEntry("defaultDomainAgentType", "custom")
        .containsKey("domainAttributes");
  }

  @Test
  void create_definitionOfGuidePattern_roundTripsWithOnlyTheDomains() {
    MetaOrchestrationPattern guide =
        new MetaOrchestrationPattern(
            "domain_coordinator",
            "Cross-domain orchestration",
            Set.of("auth", "data", "network", "compute"));

    assertThat(guide.definition().parameters()).containsOnlyKeys("domains");
    assertThat(factory.create(guide.definition())).isEqualTo(guide);
  }

  @Test
  void create_handWrittenDefinition_isNormalisedAndStable() {
    PatternDefinition handWritten =
        new PatternDefinition(
            "meta-orchestration",
            "p",
            "",
            Map.of(
                "domains",
                List.of("data", "auth"),
                "dependencies",
                Map.of("data", List.of("auth"))));

    Pattern p = factory.create(handWritten);

    assertThat(p.definition().parameters().get("domains")).isEqualTo(List.of("auth", "data"));
    assertThat(factory.create(p.definition())).isEqualTo(p);
  }

  @Test
  void create_cyclicDependencies_isRejectedNamingTheCycle() {
    PatternDefinition cyclic =
        new PatternDefinition(
            "meta-orchestration",
            "p",
            "",
            Map.of(
                "domains",
                List.of("auth", "data"),
                "dependencies",
                Map.of("data", List.of("auth"), "auth", List.of("data"))));

    assertThatThrownBy(() -> factory.create(cyclic))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("auth -> data -> auth");
  }

  @Test
  void create_malformedParameters_namesEveryOne() {
    PatternDefinition malformed =
        new PatternDefinition(
            "meta-orchestration",
            "p",
            "",
            Map.of(
                "domains", "auth",
                "dependencies", Map.of("data", "auth"),
                "domainAgentTypes", Map.of("data", 3),
                "domainAttributes", Map.of("data", List.of("x"))));

    assertThatThrownBy(() -> factory.create(malformed))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "parameter 'domains' of pattern 'p' must be a list of strings but was String 'auth'")
        .hasMessageContaining(
            "parameter 'dependencies.data' of meta-orchestration pattern 'p' must be a list of"
                + " domain names but was String 'auth'")
        .hasMessageContaining("'domainAgentTypes.data'")
        .hasMessageContaining("must be a string but was Integer 3")
        .hasMessageContaining("'domainAttributes.data'");
  }

  @Test
  void create_missingDomainsOrOtherType_isRejected() {
    assertThatThrownBy(
            () -> factory.create(new PatternDefinition("meta-orchestration", "p", "", Map.of())))
        .hasMessageContaining("needs the parameter 'domains'");
    assertThatThrownBy(
            () ->
                factory.create(
                    new PatternDefinition(
                        "sequential", "p", "", Map.of("steps", List.of("validate")))))
        .hasMessage(
            "factory of type 'meta-orchestration' cannot build pattern 'p' of type 'sequential'");
  }

  @Test
  void factory_typeAndAliases_matchThePattern() {
    assertThat(factory.type()).isEqualTo(MetaOrchestrationPattern.TYPE);
    assertThat(factory.aliases()).containsExactly(MetaOrchestrationPattern.ALIAS);
  }

  @Test
  void serviceLoader_findsTheFactory() {
    assertThat(ServiceLoader.load(PatternFactory.class).stream().map(ServiceLoader.Provider::type))
        .contains(MetaOrchestrationPatternFactory.class);
  }

  @Test
  void servicesFile_isWrittenIntoTargetClasses() throws IOException {
    Path services =
        Paths.get("target", "classes", "META-INF", "services", "io.ndp.api.PatternFactory");

    assertThat(services).exists();
    assertThat(Files.readString(services, StandardCharsets.UTF_8))
        .contains(MetaOrchestrationPatternFactory.class.getName());
    URL onClasspath =
        getClass().getClassLoader().getResource("META-INF/services/io.ndp.api.PatternFactory");
    assertThat(onClasspath).isNotNull();
    try (InputStream in = onClasspath.openStream()) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .contains(MetaOrchestrationPatternFactory.class.getName());
    }
  }
}
