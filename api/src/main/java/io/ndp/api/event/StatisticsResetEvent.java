package io.ndp.api.event;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Confidence statistics were forgotten: of one pattern (every domain), of one domain (every
 * pattern), or all of them. Sent after the store forgot them.
 *
 * <p>Immutable and thread-safe.
 *
 * @param pattern the pattern whose statistics were reset, or {@code null} when not one pattern
 * @param domain the domain whose statistics were reset, or {@code null} when not one domain; both
 *     null: everything was reset
 * @since 0.2.0
 */
public record StatisticsResetEvent(@Nullable String pattern, @Nullable String domain)
    implements NdpEvent {

  /** {@return the pattern reset, when one pattern was} */
  public Optional<String> findPattern() {
    return Optional.ofNullable(pattern);
  }

  /** {@return the domain reset, when one domain was} */
  public Optional<String> findDomain() {
    return Optional.ofNullable(domain);
  }

  /** {@return whether every statistic was reset} */
  public boolean all() {
    return pattern == null && domain == null;
  }
}
