/**
 * The entry points a host uses: {@link io.ndp.core.PatternRegistry}, {@link
 * io.ndp.core.PatternExecutor}, {@link io.ndp.core.PatternStorage}, {@link
 * io.ndp.core.SelectionPolicy}, {@link io.ndp.core.PatternFactories} and {@link
 * io.ndp.core.PerformanceMeasurement}. Implementation details live in {@code io.ndp.core.internal}.
 */
@NullMarked
package io.ndp.core;

import org.jspecify.annotations.NullMarked;
