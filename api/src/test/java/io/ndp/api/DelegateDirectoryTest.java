package io.ndp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DelegateDirectoryTest {

  private final DelegateDirectory directory = new DelegateDirectory();

  @Test
  void register_thenRequire_returnsTheDelegate() throws Exception {
    directory.register("upper", in -> ((String) in).toUpperCase(java.util.Locale.ROOT));
    assertThat(directory.require("upper", "p").execute("abc")).isEqualTo("ABC");
    assertThat(directory.names()).containsExactly("upper");
  }

  @Test
  void registerTwice_isRejectedAndKeepsTheFirst() throws Exception {
    directory.register("x", in -> 1);
    assertThatThrownBy(() -> directory.register("x", in -> 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'x' is already registered");
    assertThat(directory.require("x", "p").execute(null)).isEqualTo(1);
  }

  @Test
  void replace_swapsAndReturnsThePrevious() {
    Delegate first = in -> 1;
    directory.register("x", first);
    assertThat(directory.replace("x", in -> 2)).contains(first);
  }

  @Test
  void require_missing_namesDelegateAndPattern() {
    assertThatThrownBy(() -> directory.require("store", "validation_flow"))
        .isInstanceOf(MissingDelegateException.class)
        .hasMessageContaining("'validation_flow'")
        .hasMessageContaining("'store'")
        .satisfies(
            e -> {
              MissingDelegateException m = (MissingDelegateException) e;
              assertThat(m.delegateName()).isEqualTo("store");
              assertThat(m.patternName()).isEqualTo("validation_flow");
            });
  }

  @Test
  void blankName_andNullDelegate_areRejected() {
    assertThatThrownBy(() -> directory.register(" ", in -> 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("String ' '");
    assertThatThrownBy(() -> directory.register("x", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'x'");
  }

  @Test
  void unregister_removes() {
    directory.register("x", in -> 1);
    assertThat(directory.unregister("x")).isTrue();
    assertThat(directory.find("x")).isEmpty();
    assertThat(directory.unregister("x")).isFalse();
  }
}
