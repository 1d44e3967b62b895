/**
 * The parallel coordination kind: a pattern that runs resource-bound tasks concurrently, each
 * through the delegate the host registered for it, each acquiring all the units it needs from a
 * capacity-bound {@link io.ndp.patterns.parallel.ResourcePool} at once or not at all.
 *
 * <p>Entry points: {@link io.ndp.patterns.parallel.ParallelCoordinationPattern} (the guide's
 * constructor and a builder), {@link io.ndp.patterns.parallel.ResourcePool} (capacities, the shared
 * pool, monitoring) and {@link io.ndp.patterns.parallel.ParallelCoordinationPatternFactory} (found
 * by {@link java.util.ServiceLoader} and PF4J).
 */
@NullMarked
package io.ndp.patterns.parallel;

import org.jspecify.annotations.NullMarked;
