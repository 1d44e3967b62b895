/**
 * A live console for an NDP runtime: {@link io.ndp.console.NdpConsole} serves a JSON API,
 * server-sent events and a small page over the runtime's patterns, learned confidence, recent
 * decisions, resources and plugins. An optional module: a host that does not add {@code
 * ndp-console} pulls in no HTTP server.
 */
@NullMarked
package io.ndp.console;

import org.jspecify.annotations.NullMarked;
