package io.ndp.api;

import java.util.Collection;
import java.util.Locale;
import java.util.TreeSet;

/**
 * A context names an agent type that no registered pattern serves.
 *
 * @since 0.1.0
 */
public final class UnknownAgentTypeException extends NdpException {
  private static final long serialVersionUID = 1L;

  /** The agent type no registered pattern serves. */
  private final String agentType;

  /**
   * @param agentType the agent type of the context
   * @param known the agent types that registered patterns serve
   */
  public UnknownAgentTypeException(String agentType, Collection<String> known) {
    super(
        String.format(
            Locale.ROOT,
            "no registered pattern serves agent type '%s'; served agent types: %s",
            agentType,
            new TreeSet<>(known)));
    this.agentType = agentType;
  }

  /**
   * {@return the context's agent type, which no registered pattern serves (the message lists the
   * ones served)}
   */
  public String agentType() {
    return agentType;
  }
}
