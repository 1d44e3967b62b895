/**
 * Traces of NDP executions through the OpenTelemetry API: {@link io.ndp.opentelemetry.NdpTracing}
 * makes a span per execution and a child span per attempt from the runtime's events, wraps the
 * executor's pool so that the trace context reaches the work it runs, and wraps delegates into
 * spans of their own; {@link io.ndp.opentelemetry.NdpAttributes} names the spans and attributes.
 * Depends on the api and {@code opentelemetry-api} only: the host brings the SDK.
 *
 * <p>Everything in this package is non-null unless annotated {@code @Nullable}.
 *
 * @since 0.2.0
 */
@NullMarked
package io.ndp.opentelemetry;

import org.jspecify.annotations.NullMarked;
