package io.ndp.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ndp.core.Ndp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The builder's checks: each setter names the rule and the value; start() checks combinations. */
class NdpConsoleBuilderTest {

  private final Ndp ndp = Ndp.builder().build();

  @AfterEach
  void close() {
    ndp.close();
  }

  @ParameterizedTest
  @ValueSource(ints = {-1, 65_536})
  void port_outOfRange_isRefused(int port) {
    assertThatThrownBy(() -> NdpConsole.builder(ndp).port(port))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port must be within [0, 65535] but was " + port);
  }

  @Test
  void blankBindAddress_andNullRuntime_areRefused() {
    assertThatThrownBy(() -> NdpConsole.builder(ndp).bindAddress(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bindAddress");
    assertThatThrownBy(() -> NdpConsole.builder(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tokenWithWhiteSpace_isRefused() {
    assertThatThrownBy(() -> NdpConsole.builder(ndp).actionsToken("sixteen chars and more"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("white space");
  }

  @Test
  void recentDecisions_differentFromTheGivenFeed_isRefusedAtStart() {
    assertThatThrownBy(
            () -> NdpConsole.builder(ndp).feed(NdpConsole.feed(10)).recentDecisions(20).start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("recentDecisions 20 differs from the given feed's capacity 10");
  }

  @Test
  void withoutAFeed_theConsoleMakesOneOfTheGivenSize_andActionsAreOff() {
    try (NdpConsole console = NdpConsole.builder(ndp).recentDecisions(7).port(0).start()) {
      assertThat(console.consoleFeed().capacity()).isEqualTo(7);
      assertThat(console.listener()).isSameAs(console.consoleFeed());
      assertThat(console.actionsEnabled()).isFalse();
      assertThat(console.port()).isPositive();
    }
  }

  @Test
  void aTakenPort_failsToStart_namingIt() {
    try (NdpConsole first = NdpConsole.builder(ndp).port(0).start()) {
      assertThatThrownBy(() -> NdpConsole.builder(ndp).port(first.port()).start())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("127.0.0.1:" + first.port());
    }
  }
}
