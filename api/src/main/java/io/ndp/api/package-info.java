/**
 * The NDP service-provider interface: what host applications, pattern kinds and storage back ends
 * agree on.
 *
 * <p>A host builds a {@link io.ndp.api.PatternContext}, registers {@link io.ndp.api.Delegate}s in a
 * {@link io.ndp.api.DelegateDirectory}, and receives a {@link io.ndp.api.PatternResult}. A pattern
 * kind contributes a {@link io.ndp.api.PatternFactory} that turns a {@link
 * io.ndp.api.PatternDefinition} into a {@link io.ndp.api.Pattern}. Storage back ends implement
 * {@link io.ndp.api.PatternDefinitionStore} and {@link io.ndp.api.ConfidenceStore}. A registered
 * pattern reads its confidence and its {@link io.ndp.api.ResourcePool} from the {@link
 * io.ndp.api.PatternRuntime} that owns it; it keeps no copy of either.
 *
 * <p>Everything in this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.ndp.api;

import org.jspecify.annotations.NullMarked;
