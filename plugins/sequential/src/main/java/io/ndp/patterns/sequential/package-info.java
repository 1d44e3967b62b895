/**
 * The sequential delegation kind: a pattern that runs the required steps in its own order, each
 * through the delegate the host registered for the step, passing each output to the next step.
 */
@NullMarked
package io.ndp.patterns.sequential;

import org.jspecify.annotations.NullMarked;
