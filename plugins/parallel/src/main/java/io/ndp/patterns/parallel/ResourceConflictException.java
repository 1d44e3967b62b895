package io.ndp.patterns.parallel;

import io.ndp.api.NdpException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * A task of a {@link ParallelCoordinationPattern} could not acquire its resources in time. It is
 * the cause of a {@link io.ndp.api.OutcomeStatus#CONFLICT} outcome, which lets the executor fall
 * back to another pattern; it is not thrown to the host.
 *
 * <p>Immutable and safe to share between threads.
 *
 * @since 0.1.0
 */
public final class ResourceConflictException extends NdpException {
  private static final long serialVersionUID = 1L;

  private final String patternName;
  private final String taskName;
  private final Map<String, Integer> requested;
  private final Duration waited;

  /**
   * @param patternName the pattern whose task could not run
   * @param taskName the task
   * @param requested the units it asked for, by resource
   * @param waited how long it waited
   * @param inUse the units in use when it gave up, by resource
   * @param capacities the capacities of the requested resources
   */
  public ResourceConflictException(
      String patternName,
      String taskName,
      Map<String, Integer> requested,
      Duration waited,
      Map<String, Integer> inUse,
      Map<String, Integer> capacities) {
    super(
        String.format(
            Locale.ROOT,
            "task '%s' of pattern '%s' could not acquire %s within %d ms"
                + " (in use %s of capacities %s)",
            taskName,
            patternName,
            requested,
            waited.toMillis(),
            inUse,
            capacities));
    this.patternName = patternName;
    this.taskName = taskName;
    this.requested = Map.copyOf(requested);
    this.waited = waited;
  }

  /** Returns the pattern whose task could not run. */
  public String patternName() {
    return patternName;
  }

  /** Returns the task that could not acquire its resources. */
  public String taskName() {
    return taskName;
  }

  /** Returns the units the task asked for, by resource. */
  public Map<String, Integer> requested() {
    return requested;
  }

  /** Returns how long the task waited. */
  public Duration waited() {
    return waited;
  }
}
