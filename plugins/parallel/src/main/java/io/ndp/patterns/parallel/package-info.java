/** Parallel coordination over capacity-bound shared resources. */
@NullMarked
package io.ndp.patterns.parallel;

import org.jspecify.annotations.NullMarked;
