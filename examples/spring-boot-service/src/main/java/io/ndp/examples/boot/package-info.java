/** An example Spring Boot service embedding NDP through its starter. */
@NullMarked
package io.ndp.examples.boot;

import org.jspecify.annotations.NullMarked;
