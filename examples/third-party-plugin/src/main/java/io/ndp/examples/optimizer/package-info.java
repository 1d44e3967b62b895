/**
 * An example third-party pattern kind, the evaluator-optimizer loop: a generator produces a
 * candidate, an evaluator scores it, a refiner improves it, until the score reaches a quality bar
 * or an iteration limit.
 */
@NullMarked
package io.ndp.examples.optimizer;

import org.jspecify.annotations.NullMarked;
