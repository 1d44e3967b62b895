/** Meta-orchestration: each required domain to its delegate or its best pattern. */
@NullMarked
package io.ndp.patterns.meta;

import org.jspecify.annotations.NullMarked;
