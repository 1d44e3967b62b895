package io.ndp.patterns.parallel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.Pattern;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternFactory;
import io.ndp.api.ResourcePool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ParallelCoordinationPatternFactoryTest {
  private final ResourcePool pool = new ResourcePool();
  private final ParallelCoordinationPatternFactory factory =
      new ParallelCoordinationPatternFactory(pool);

  @Test
  void definition_richForm_roundTripsThroughTheFactory() {
    ParallelCoordinationPattern original =
        ParallelCoordinationPattern.builder("encoder", "Video encoding")
            .pool(pool)
            .capacity("cpu", 4)
            .capacity("memory", 2)
            .resources("network")
            .task("encode", Map.of("cpu", 2))
            .task(new ResourceTask("upload", "uploader", Map.of("network", 1, "memory", 1)))
            .acquireTimeout(Duration.ofMillis(750))
            .build();

    PatternDefinition definition = original.definition();
    Pattern copy = factory.create(definition);

    assertThat(definition.parameters())
        .isEqualTo(
            Map.of(
                "resources", List.of("cpu", "memory", "network"),
                "capacities", Map.of("cpu", 4, "memory", 2),
                "tasks",
                    List.of(
                        Map.of(
                            "name", "encode", "delegate", "encode", "resources", Map.of("cpu", 2)),
                        Map.of(
                            "name",
                            "upload",
                            "delegate",
                            "uploader",
                            "resources",
                            Map.of("memory", 1, "network", 1))),
                "acquireTimeoutMillis", 750));
    assertThat(copy).isEqualTo(original).isInstanceOf(ParallelCoordinationPattern.class);
    assertThat(copy.definition()).isEqualTo(definition);
    ParallelCoordinationPattern parallel = (ParallelCoordinationPattern) copy;
    assertThat(parallel.tasks()).isEqualTo(original.tasks());
    assertThat(parallel.acquireTimeout()).isEqualTo(Duration.ofMillis(750));
    assertThat(parallel.pool()).containsSame(pool);
  }

  @Test
  void definition_guideForm_holdsOnlyTheResources() {
    ParallelCoordinationPattern original =
        ParallelCoordinationPattern.builder("resource_manager", "Resource-based parallel execution")
            .pool(pool)
            .resources(Set.of("network", "cpu", "memory"))
            .build();

    PatternDefinition definition = original.definition();

    assertThat(definition.type()).isEqualTo("parallel");
    assertThat(definition.parameters())
        .isEqualTo(Map.of("resources", List.of("cpu", "memory", "network")));
    assertThat(factory.create(definition)).isEqualTo(original);
  }

  @Test
  void create_jsonStyleNumbersAndResourceLists_areAccepted() {
    PatternDefinition stored =
        new PatternDefinition(
            "parallel",
            "p",
            "",
            Map.of(
                "resources", List.of("cpu"),
                "capacities", Map.of("cpu", 3L),
                "tasks", List.of(Map.of("name", "t", "resources", List.of("cpu"))),
                "acquireTimeoutMillis", 1000L));

    ParallelCoordinationPattern p = (ParallelCoordinationPattern) factory.create(stored);

    assertThat(p.capacities()).isEqualTo(Map.of("cpu", 3));
    assertThat(p.tasks()).containsExactly(new ResourceTask("t", "t", Map.of("cpu", 1)));
    assertThat(p.acquireTimeout()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void create_invalidParameters_reportsEveryProblemAtOnce() {
    PatternDefinition bad =
        new PatternDefinition(
            "parallel",
            "p",
            "",
            Map.of(
                "capacities", Map.of("cpu", "four"),
                "tasks", List.of(Map.of("delegate", "d")),
                "acquireTimeoutMillis", -1));

    assertThatThrownBy(() -> factory.create(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid definition of parallel pattern 'p': ")
        .hasMessageContaining("the parameter 'resources' (a list of resource names) is missing")
        .hasMessageContaining(
            "capacities.cpu must be a whole number of units of at least 1 but was String 'four'")
        .hasMessageContaining("tasks[0].name must be a non-blank string but was null")
        .hasMessageContaining(
            "acquireTimeoutMillis must be a whole number from 0 to 2147483647 but was Integer -1");
    assertThat(pool.capacities()).isEmpty();
  }

  @Test
  void noArgFactory_buildsPatternsWithoutAPoolThatUseTheirOwnersPool() {
    ParallelCoordinationPatternFactory plain = new ParallelCoordinationPatternFactory();
    PatternDefinition stored =
        new PatternDefinition(
            "parallel",
            "p",
            "",
            Map.of("resources", List.of("cpu", "memory"), "capacities", Map.of("cpu", 3)));

    ParallelCoordinationPattern p = (ParallelCoordinationPattern) plain.create(stored);

    assertThat(p.pool()).isEmpty();
    assertThat(p.capacities()).isEqualTo(Map.of("cpu", 3, "memory", ResourcePool.DEFAULT_CAPACITY));
    TestRuntime runtime = new TestRuntime();
    p.attach(runtime);
    assertThat(p.pool()).containsSame(runtime.resourcePool());
    assertThat(runtime.resourcePool().capacities())
        .isEqualTo(Map.of("cpu", 3, "memory", ResourcePool.DEFAULT_CAPACITY));
    assertThat(pool.capacities()).as("the host pool of the other factory").isEmpty();
  }

  @Test
  void poolFactory_buildsPatternsThatDeclareInTheHostPool() {
    ParallelCoordinationPattern p =
        (ParallelCoordinationPattern)
            factory.create(
                new PatternDefinition(
                    "parallel",
                    "p",
                    "",
                    Map.of("capacities", Map.of("cpu", 2), "resources", List.of("cpu"))));

    assertThat(p.pool()).containsSame(pool);
    assertThat(pool.capacities()).isEqualTo(Map.of("cpu", 2));
  }

  @Test
  void create_otherType_isRejected() {
    assertThatThrownBy(
            () ->
                factory.create(
                    new PatternDefinition("sequential", "s", "", Map.of("steps", List.of("a")))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("factory of type 'parallel' cannot build pattern 's' of type 'sequential'");
  }

  @Test
  void factory_declaresTypeAndAlias() {
    assertThat(factory.type()).isEqualTo("parallel");
    assertThat(factory.aliases()).containsExactly("ParallelCoordinationPattern");
  }

  @Test
  void serviceLoader_findsTheFactory() {
    assertThat(ServiceLoader.load(PatternFactory.class).stream().map(ServiceLoader.Provider::type))
        .contains(ParallelCoordinationPatternFactory.class);
  }

  @Test
  void servicesFile_inTargetClasses_listsTheFactory() throws Exception {
    Path services = Path.of("target/classes/META-INF/services/io.ndp.api.PatternFactory");

    assertThat(services).exists();
    assertThat(Files.readAllLines(services, StandardCharsets.UTF_8))
        .anySatisfy(
            line ->
                assertThat(line.split("#")[0].trim())
                    .isEqualTo(ParallelCoordinationPatternFactory.class.getName()));
  }
}
