package io.ndp.api.event;

/**
 * Receives what an NDP runtime does, one typed method per event, each a no-op by default: a host
 * overrides the ones it cares about. Registered when the runtime is built ({@code
 * Ndp.builder().listener(l)}, or on the registry's and the executor's builders).
 *
 * <p><b>How it is called.</b> Synchronously, on the thread that did the work (a confidence crossing
 * may be delivered by the thread of another execution, right after its own, so that crossings
 * arrive in the order they happened), after it happened and with no lock of the runtime held: a
 * slow listener slows only the execution that reports to it. Listeners are called in the order they
 * were registered. A listener that throws is logged (at most once a second per source) and skipped
 * — anything but an {@code OutOfMemoryError} or {@code InternalError}, checked exceptions included:
 * it never changes a result, and the next listener is still called. Implementations must be
 * thread-safe: many executions report at once.
 *
 * <p>Which events come from where: executions and attempts from the executor that ran them;
 * statistics and confidence thresholds from the registry, which owns the statistics; plugins from
 * the runtime facade that loads them.
 *
 * @since 0.2.0
 */
public interface NdpListener {

  /**
   * An execution began.
   *
   * @param event what it serves
   */
  default void onExecutionStarted(ExecutionStartedEvent event) {}

  /**
   * An execution ended.
   *
   * @param event its result, the object returned to the caller
   */
  default void onExecutionFinished(ExecutionFinishedEvent event) {}

  /**
   * A pattern is about to be tried.
   *
   * @param event which one, and the attempt's index
   */
  default void onAttemptStarted(AttemptStartedEvent event) {}

  /**
   * A pattern's try ended.
   *
   * @param event the attempt, as in the result
   */
  default void onAttemptFinished(AttemptFinishedEvent event) {}

  /**
   * The executor moves on from a pattern that did not succeed to another one.
   *
   * @param event from which, to which, why
   */
  default void onFallback(FallbackEvent event) {}

  /**
   * Statistics were reset.
   *
   * @param event which ones
   */
  default void onStatisticsReset(StatisticsResetEvent event) {}

  /**
   * A pattern's confidence in a domain changed level, or crossed a threshold the host set.
   *
   * @param event the pattern, domain, old and new values
   */
  default void onConfidenceThresholdCrossed(ConfidenceThresholdCrossedEvent event) {}

  /**
   * A plugin was loaded and started.
   *
   * @param event which one
   */
  default void onPluginLoaded(PluginLoadedEvent event) {}

  /**
   * A plugin could not be used.
   *
   * @param event which one and why
   */
  default void onPluginFailed(PluginFailedEvent event) {}

  /**
   * A plugin was stopped or unloaded.
   *
   * @param event which one
   */
  default void onPluginStopped(PluginStoppedEvent event) {}

  /**
   * A pattern is tried again after a retryable failure.
   *
   * @param event which one, which retry, the backoff, the failed attempt
   */
  default void onRetry(RetryEvent event) {}

  /**
   * A pattern's circuit breaker in a domain changed state.
   *
   * @param event the pattern, domain, states and reason
   */
  default void onBreakerStateChanged(BreakerStateChangedEvent event) {}

  /**
   * Units of resources were acquired.
   *
   * @param event who, which units, what is in use now
   */
  default void onResourceAcquired(ResourceAcquiredEvent event) {}

  /**
   * Units of resources were released.
   *
   * @param event who, which units, what is in use now
   */
  default void onResourceReleased(ResourceReleasedEvent event) {}

  /**
   * A request for units was not granted in time.
   *
   * @param event who, which units, what was in use
   */
  default void onResourceConflict(ResourceConflictEvent event) {}
}
