package io.ndp.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternResult;
import io.ndp.benchmarks.plugintemplate.KindFactory;
import io.ndp.core.Ndp;
import io.ndp.core.PluginReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.PluginClassLoader;

/**
 * The plugin JARs the start benchmark generates are real, distinct plugins: each starts through the
 * public API and serves a kind of its own from classes of its own.
 */
class GeneratedPluginsTest {

  @Test
  void threeGeneratedPluginsStartAndEachServesItsOwnKind(@TempDir Path plugins) throws IOException {
    GeneratedPlugins.write(plugins, 3);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      assertThat(ndp.pluginReports())
          .extracting(PluginReport::pluginId, PluginReport::status, PluginReport::types)
          .containsExactly(
              tuple(
                  "generated-plugin-000",
                  PluginReport.Status.STARTED,
                  List.of("generated-kind-000")),
              tuple(
                  "generated-plugin-001",
                  PluginReport.Status.STARTED,
                  List.of("generated-kind-001")),
              tuple(
                  "generated-plugin-002",
                  PluginReport.Status.STARTED,
                  List.of("generated-kind-002")));
      assertThat(ndp.conflicts()).isEmpty();
      Set<ClassLoader> loaders = new HashSet<>();
      for (int i = 0; i < 3; i++) {
        String type = GeneratedPlugins.type(i);
        assertThat(ndp.factories().resolveType(type)).contains(type);
        Pattern p = ndp.register(new PatternDefinition(type, "flow_" + i, "", Map.of()));
        assertThat(p.type()).isEqualTo(type);
        assertThat(p.getClass().getName())
            .isEqualTo(GeneratedPlugins.packageName(i) + ".KindPattern");
        assertThat(p.getClass().getClassLoader()).isInstanceOf(PluginClassLoader.class);
        loaders.add(p.getClass().getClassLoader());
        PatternResult r =
            ndp.executor().execute(p, PatternContext.builder("bench", type).payload("in").build());
        assertThat(r.success()).isTrue();
        assertThat(r.output()).isEqualTo("in");
        assertThat(r.message()).contains("echoed by " + type);
      }
      assertThat(loaders).hasSize(3);
    }
  }

  @Test
  void eachJarHoldsItsOwnClassesAndServicesFileButNoApi(@TempDir Path plugins) throws IOException {
    List<Path> jars = GeneratedPlugins.write(plugins, 2);
    assertThat(jars).hasSize(2);
    for (int i = 0; i < 2; i++) {
      try (JarFile jar = new JarFile(jars.get(i).toFile())) {
        assertThat(jar.getManifest().getMainAttributes().getValue("Plugin-Id"))
            .isEqualTo(GeneratedPlugins.pluginId(i));
        String pkg = GeneratedPlugins.packageName(i).replace('.', '/') + "/";
        assertThat(jar.stream().map(JarEntry::getName).filter(n -> n.endsWith(".class")))
            .containsExactlyInAnyOrder(pkg + "KindFactory.class", pkg + "KindPattern.class");
        try (InputStream in =
            jar.getInputStream(jar.getEntry("META-INF/services/io.ndp.api.PatternFactory"))) {
          assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
              .isEqualTo(GeneratedPlugins.packageName(i) + ".KindFactory\n");
        }
      }
    }
  }

  @Test
  void renamingAKeyTheClassDoesNotHoldIsRefused() throws IOException {
    byte[] template;
    try (InputStream in =
        KindFactory.class.getResourceAsStream(KindFactory.class.getSimpleName() + ".class")) {
      template = in.readAllBytes();
    }
    assertThatThrownBy(() -> GeneratedPlugins.renamed(template, Map.of("no/such/package/", "x/")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no/such/package/");
    assertThatThrownBy(() -> GeneratedPlugins.renamed(new byte[] {1, 2, 3, 4, 5, 6}, Map.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not a class file");
  }
}
