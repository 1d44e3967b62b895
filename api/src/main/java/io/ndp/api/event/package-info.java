/**
 * Events of an NDP runtime and the {@link io.ndp.api.event.NdpListener} that receives them: what an
 * execution did (started, each attempt, each fallback, finished with its decision), what happened
 * to confidence (statistics reset, a level or a host's threshold crossed) and to plugins (loaded,
 * failed, stopped).
 *
 * <p>Every event is an immutable record implementing the sealed {@link io.ndp.api.event.NdpEvent}.
 * A listener is called synchronously on the thread that did the work (confidence crossings: in the
 * order they happened, possibly by another execution's thread), with no lock of the runtime held;
 * one that throws is logged and skipped, and never changes a result. With no listener registered,
 * no event is created.
 *
 * <p>Everything in this package is non-null unless annotated {@code @Nullable}.
 *
 * @since 0.2.0
 */
@NullMarked
package io.ndp.api.event;

import org.jspecify.annotations.NullMarked;
