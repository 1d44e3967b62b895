/**
 * The meta-orchestration kind: a pattern that serves a context spanning several domains by handing
 * each required domain to its delegate or, one nesting level deeper, to the best pattern for that
 * domain, honouring the declared ordering between domains and running independent ones in parallel.
 * See {@link io.ndp.patterns.meta.MetaOrchestrationPattern}.
 */
@NullMarked
package io.ndp.patterns.meta;

import org.jspecify.annotations.NullMarked;
