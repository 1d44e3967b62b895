/** Implementation details of core; not part of the public API and may change at any time. */
@NullMarked
package io.ndp.core.internal;

import org.jspecify.annotations.NullMarked;
