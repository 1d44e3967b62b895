package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.core.PluginReport.Status;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin whose pattern factory throws in its constructor is FAILED with the exception's message
 * in its report — readable without any logging binding — not NO_EXTENSIONS ("no META-INF/services
 * entry"), which PF4J's swallowed exception used to make it look like.
 */
class FactoryConstructorThrowsTest {
  @TempDir Path plugins;

  @Test
  void factoryWhoseConstructorThrows_isFailedWithTheCause() throws Exception {
    new TestPluginJar("ctor-throws")
        .factory(
            "test.ctor_throws.BadFactory",
            """
            package test.ctor_throws;
            import io.ndp.api.*;
            import java.util.*;
            public final class BadFactory implements PatternFactory {
              public BadFactory() { throw new IllegalStateException("licence file missing"); }
              public String type() { return "bad"; }
              public Set<String> aliases() { return Set.of(); }
              public Pattern create(PatternDefinition d) { throw new UnsupportedOperationException(); }
            }
            """)
        .writeTo(plugins);
    new TestPluginJar("empty-plugin").writeTo(plugins);

    try (Ndp ndp = Ndp.builder().pluginsDir(plugins).serviceLoader(false).build()) {
      PluginReport r = ndp.pluginReport("ctor-throws").orElseThrow();
      assertThat(r.status()).isEqualTo(Status.FAILED);
      assertThat(r.reason())
          .contains("its pattern factory cannot be created")
          .contains("test.ctor_throws.BadFactory")
          .contains("IllegalStateException: licence file missing");
      // A plugin that declares no factory at all is still NO_EXTENSIONS.
      assertThat(ndp.pluginReport("empty-plugin").orElseThrow().status())
          .isEqualTo(Status.NO_EXTENSIONS);
      assertThat(ndp.factories().types()).doesNotContain("bad");
    }
  }
}
