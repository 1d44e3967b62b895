/**
 * Micrometer metrics for an NDP runtime: {@link io.ndp.micrometer.NdpMetrics} hears the runtime's
 * events (it is an {@link io.ndp.api.event.NdpListener}) and keeps timers, counters and gauges in a
 * host's {@code MeterRegistry}. An optional module: a host that does not add {@code ndp-micrometer}
 * pulls in no Micrometer.
 */
@NullMarked
package io.ndp.micrometer;

import org.jspecify.annotations.NullMarked;
