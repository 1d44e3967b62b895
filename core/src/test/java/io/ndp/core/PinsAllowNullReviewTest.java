package io.ndp.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.ndp.api.OutcomeStatus;
import org.junit.jupiter.api.Test;

/**
 * Review: {@link Pins#allow(String, String)} with a null pattern name throws a NullPointerException
 * ("Cannot invoke Object.equals(Object) because o is null", from the immutable set's contains) as
 * soon as the domain has a ban, while it answers false for a domain without one and for {@code
 * allow(null, null)}; force and forbid refuse null with an IllegalArgumentException naming the
 * value.
 */
class PinsAllowNullReviewTest {

  @Test
  void allowOfANullPattern_inADomainWithBans_isNotANullPointerException() {
    PatternRegistry registry = new PatternRegistry();
    registry.register(new ScriptedPattern("a", "t", 1.0, OutcomeStatus.SUCCESS));
    Pins pins = registry.pins();
    assertThat(pins.allow("orders", null)).isFalse(); // no ban in the domain yet: fine
    pins.forbid("orders", "a");

    Throwable thrown = catchThrowable(() -> pins.allow("orders", null));

    assertThat(thrown)
        .as("allow(\"orders\", null) with a ban in 'orders'")
        .satisfiesAnyOf(
            t -> assertThat(t).isNull(),
            t ->
                assertThat(t)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("null"));
    assertThat(pins.forbidden("orders")).containsExactly("a");
  }
}
