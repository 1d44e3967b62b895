package io.ndp.api;

import org.jspecify.annotations.Nullable;

/**
 * Host code that does the real work of a step, a resource-bound task or a domain: input in, output
 * out. Throwing marks the work failed; the pattern reports which delegate threw.
 *
 * <p>Implementations must be thread-safe when patterns may run them concurrently (parallel
 * coordination, meta-orchestration).
 *
 * <pre>{@code
 * executor.delegates().register("validate", input -> {
 *   Order order = (Order) input;
 *   if (order.total() < 0) throw new IllegalArgumentException("negative total");
 *   return order;
 * });
 * }</pre>
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface Delegate {

  /**
   * Does the work.
   *
   * @param input the context's payload for the first step, else the previous step's output
   * @return the output handed to the next step
   * @throws Exception when the work fails
   */
  @Nullable Object execute(@Nullable Object input) throws Exception;
}
