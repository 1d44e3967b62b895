/**
 * The parallel coordination kind: a pattern that runs resource-bound tasks concurrently, each
 * through the delegate the host registered for it, each acquiring all the units it needs from a
 * capacity-bound {@link io.ndp.api.ResourcePool} at once or not at all.
 *
 * <p>The pool belongs to the runtime that registers the pattern ({@link
 * io.ndp.api.PatternRuntime#resourcePool()}), or to the host when it hands one to the pattern's
 * builder or factory; there is no process-wide pool. Resources a pattern names without a capacity
 * get the pool's default, {@link io.ndp.api.ResourcePool#DEFAULT_CAPACITY} (the processor count)
 * unless declared.
 *
 * <p>Entry points: {@link io.ndp.patterns.parallel.ParallelCoordinationPattern} (the guide's
 * constructor and a builder) and {@link
 * io.ndp.patterns.parallel.ParallelCoordinationPatternFactory} (found by {@link
 * java.util.ServiceLoader} and PF4J); capacities and monitoring are in {@link
 * io.ndp.api.ResourcePool}.
 */
@NullMarked
package io.ndp.patterns.parallel;

import org.jspecify.annotations.NullMarked;
