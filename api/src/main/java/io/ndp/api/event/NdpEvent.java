package io.ndp.api.event;

/**
 * Something an NDP runtime reports to its {@linkplain NdpListener listeners}. Each kind is an
 * immutable record; the set is closed, so that a {@code switch} over it can be exhaustive (Java
 * 21), and grows with the runtime (retries and circuit breakers will add theirs).
 *
 * <p>Immutable and thread-safe, like every permitted record.
 *
 * @since 0.2.0
 */
public sealed interface NdpEvent
    permits ExecutionStartedEvent,
        ExecutionFinishedEvent,
        AttemptStartedEvent,
        AttemptFinishedEvent,
        FallbackEvent,
        StatisticsResetEvent,
        ConfidenceThresholdCrossedEvent,
        PluginLoadedEvent,
        PluginFailedEvent,
        PluginStoppedEvent,
        RetryEvent,
        BreakerStateChangedEvent,
        ResourceAcquiredEvent,
        ResourceReleasedEvent,
        ResourceConflictEvent {}
