/**
 * The entry points a host uses: {@link io.ndp.core.PatternRegistry}, {@link
 * io.ndp.core.PatternExecutor}, {@link io.ndp.core.PatternStorage}, {@link
 * io.ndp.core.SelectionPolicy}, {@link io.ndp.core.PatternFactories} and {@link
 * io.ndp.core.PerformanceMeasurement}, and the runtime facade {@link io.ndp.core.Ndp}.
 * Implementation details live in {@code io.ndp.core.internal}.
 *
 * <p><b>Who owns what.</b> A {@link io.ndp.core.PatternRegistry} is the root of a runtime's state:
 * it owns the live patterns it registered (they are attached to it), their confidence statistics
 * (over a {@link io.ndp.api.ConfidenceStore}) and the {@link io.ndp.api.ResourcePool} they acquire
 * from. Executors and storages built over a registry read and write that state; they own only their
 * threads (an executor) and a cache of immutable definition snapshots in front of a {@link
 * io.ndp.api.PatternDefinitionStore} (a storage). {@link io.ndp.core.Ndp} creates, owns and closes
 * all of them plus the plugin manager. Nothing is static.
 */
@NullMarked
package io.ndp.core;

import org.jspecify.annotations.NullMarked;
