package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.api.Pattern;
import io.ndp.api.PatternDefinition;
import io.ndp.core.PluginReport.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Review of c40de1f (Ndp records only plugin-built patterns): tests that fail on the code. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NdpPluginIdReviewTest {

  @TempDir Path plugins;

  /**
   * A plugin kind whose factory builds its patterns from a class on the host's class path (the
   * built-in SequentialDelegationPattern, found through the plugin's class loader).
   */
  private static TestPluginJar hostClassKind(String id, String type) {
    String pkg = "test.review_" + id.replace('-', '_');
    return new TestPluginJar(id)
        .factory(
            pkg + ".F",
            """
            package PKG;
            import io.ndp.api.*;
            import java.util.*;
            public final class F implements PatternFactory {
              public String type() { return "TYPE"; }
              public Set<String> aliases() { return Set.of(); }
              public Pattern create(PatternDefinition d) {
                try {
                  return (Pattern) Class.forName(
                          "io.ndp.patterns.sequential.SequentialDelegationPattern",
                          true,
                          F.class.getClassLoader())
                      .getConstructor(String.class, String.class, List.class)
                      .newInstance(d.name(), d.description(), List.of("x"));
                } catch (ReflectiveOperationException e) {
                  throw new IllegalStateException(e);
                }
              }
            }
            """
                .replace("PKG", pkg)
                .replace("TYPE", type));
  }

  /**
   * c40de1f records "only plugin-built patterns (builtBy)" by call site instead of by comparing the
   * origin with the names "host" and "classpath", so that a plugin's patterns are withdrawn with it
   * and refused while it is stopped. The admission rule (Ndp.rebuildFactories) still compares
   * origin names: {@code startedOrigins} always holds "host" and "classpath", so a pattern recorded
   * as built by a plugin whose id is "host" or "classpath" counts as started forever. Its patterns
   * built from host class-path classes (no PluginClassLoader to catch them) are admitted while the
   * plugin is stopped, unlike those of the same plugin under any other id (the "seq-kit" case).
   */
  @ParameterizedTest
  @ValueSource(strings = {"seq-kit", "host", "classpath"})
  void aStoppedPluginsPattern_builtFromAHostClass_isRefused_whateverThePluginId(String id)
      throws Exception {
    hostClassKind(id, "hosted-seq").writeTo(plugins);
    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).build()) {
      assertThat(ndp.pluginReport(id).orElseThrow().status()).isEqualTo(Status.STARTED);
      // Built by the plugin's (guarded) factory while it is started: recorded as the plugin's.
      Pattern built = ndp.create(new PatternDefinition("hosted-seq", "hs", "", Map.of()));
      assertThat(built.getClass().getClassLoader())
          .isSameAs(Ndp.class.getClassLoader()); // a host class-path class

      assertThat(ndp.stopPlugin(id, Duration.ofSeconds(5))).isTrue();
      assertThat(ndp.pluginReport(id).orElseThrow().status()).isEqualTo(Status.STOPPED);

      assertThatThrownBy(() -> ndp.registry().register(built))
          .as("registering a pattern of plugin '%s' while it is stopped", id)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("its plugin is not started");
      assertThat(ndp.registry().find("hs")).isEmpty();
    }
  }
}
