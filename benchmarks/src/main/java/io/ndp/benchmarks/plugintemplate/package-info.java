/**
 * The pattern kind the plugin start benchmark copies, renamed, into every plugin JAR it generates
 * ({@code io.ndp.benchmarks.GeneratedPlugins}). Nothing registers these classes themselves.
 */
@NullMarked
package io.ndp.benchmarks.plugintemplate;

import org.jspecify.annotations.NullMarked;
