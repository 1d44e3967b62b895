package io.ndp.opentelemetry;

import io.opentelemetry.api.common.AttributeKey;

/**
 * The names {@link NdpTracing} gives its spans, span events and attributes: the keys to query a
 * trace back end by, and to read spans by in tests.
 *
 * <p>Spans: {@value #EXECUTION_SPAN} {@code <agent type>} per execution, {@value #ATTEMPT_SPAN}
 * {@code <pattern>} per attempt (a child of its execution), {@value #DELEGATE_SPAN} {@code <name>}
 * per call of a {@linkplain NdpTracing#traced traced delegate} (a child of the span current where
 * it runs). Events: {@value #FALLBACK_EVENT} and {@value #RETRY_EVENT} on the execution span,
 * {@value #BREAKER_EVENT} on the attempt span whose outcome changed the breaker.
 *
 * <p>Immutable: constants only.
 *
 * @since 0.2.0
 */
public final class NdpAttributes {

  /** Prefix of an execution span's name; the context's agent type follows after a space. */
  public static final String EXECUTION_SPAN = "ndp.execute";

  /** Prefix of an attempt span's name; the pattern's name follows after a space. */
  public static final String ATTEMPT_SPAN = "ndp.attempt";

  /** Prefix of a delegate span's name; the delegate's name follows after a space. */
  public static final String DELEGATE_SPAN = "ndp.delegate";

  /** Event on an execution span: the executor moved on from a pattern that did not succeed. */
  public static final String FALLBACK_EVENT = "ndp.fallback";

  /** Event on an execution span: the executor tries the same pattern again. */
  public static final String RETRY_EVENT = "ndp.retry";

  /**
   * Name prefix of the span of its own that a circuit breaker change gets when it is delivered
   * outside the attempt that caused it (by another execution's thread): {@code ndp.breaker
   * <pattern>}, a root span with the change's attributes and event.
   */
  public static final String BREAKER_SPAN = "ndp.breaker";

  /** Event on an attempt span: the pattern's circuit breaker in the domain changed state. */
  public static final String BREAKER_EVENT = "ndp.breaker.state_changed";

  /** The context's domain (execution spans). */
  public static final AttributeKey<String> DOMAIN = AttributeKey.stringKey("ndp.domain");

  /** The context's agent type (execution spans). */
  public static final AttributeKey<String> AGENT_TYPE = AttributeKey.stringKey("ndp.agent_type");

  /** The nesting depth: 0 for a host's call, 1 and more for nested executions. */
  public static final AttributeKey<Long> DEPTH = AttributeKey.longKey("ndp.depth");

  /**
   * The pattern: on an execution span the one whose output the result is (absent when none
   * succeeded); on an attempt span the one tried; on retry and breaker events the one concerned.
   */
  public static final AttributeKey<String> PATTERN = AttributeKey.stringKey("ndp.pattern");

  /**
   * How the execution ended: {@code SUCCESS}, else the status of its last attempt (e.g. {@code
   * FAILED}, {@code CONFLICT}), or {@code NONE} when no attempt was made (nothing matched, the
   * depth limit or the nested budget was reached).
   */
  public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("ndp.outcome");

  /**
   * The confidence of the execution's pattern in the domain when it was selected: the posterior
   * mean of its entry in the result's decision record; absent when it has none (a configured
   * fallback, a pattern run directly, a failed execution).
   */
  public static final AttributeKey<Double> CONFIDENCE = AttributeKey.doubleKey("ndp.confidence");

  /** How many attempts the execution made, as in its result. */
  public static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("ndp.attempts");

  /** How many times the execution moved on to another pattern ({@code fallbacksTried()}). */
  public static final AttributeKey<Long> FALLBACKS = AttributeKey.longKey("ndp.fallbacks");

  /** How many of the execution's attempts were retries ({@code retries()}). */
  public static final AttributeKey<Long> RETRIES = AttributeKey.longKey("ndp.retries");

  /** The attempt's index among the execution's attempts, from 0. */
  public static final AttributeKey<Long> ATTEMPT_INDEX = AttributeKey.longKey("ndp.attempt.index");

  /** Whether the attempt tried one of the executor's configured fallback patterns. */
  public static final AttributeKey<Boolean> ATTEMPT_FALLBACK =
      AttributeKey.booleanKey("ndp.attempt.fallback");

  /** How the attempt ended: an {@code OutcomeStatus} name. */
  public static final AttributeKey<String> ATTEMPT_STATUS =
      AttributeKey.stringKey("ndp.attempt.status");

  /**
   * What kind of try the attempt was: {@code RUN}, {@code RETRY}, {@code PROBE}, {@code SKIPPED}.
   */
  public static final AttributeKey<String> ATTEMPT_KIND =
      AttributeKey.stringKey("ndp.attempt.kind");

  /** The attempt's duration on the executor's clock, in milliseconds. */
  public static final AttributeKey<Double> ATTEMPT_DURATION_MS =
      AttributeKey.doubleKey("ndp.attempt.duration_ms");

  /** The delegate's name (delegate spans). */
  public static final AttributeKey<String> DELEGATE = AttributeKey.stringKey("ndp.delegate");

  /** The pattern the executor moved on from (fallback events). */
  public static final AttributeKey<String> FALLBACK_FROM =
      AttributeKey.stringKey("ndp.fallback.from");

  /** The pattern tried next (fallback events). */
  public static final AttributeKey<String> FALLBACK_TO = AttributeKey.stringKey("ndp.fallback.to");

  /** Whether the pattern tried next is a configured fallback (fallback events). */
  public static final AttributeKey<Boolean> FALLBACK_CONFIGURED =
      AttributeKey.booleanKey("ndp.fallback.configured");

  /** Why the previous attempt did not succeed: its status and message (fallback events). */
  public static final AttributeKey<String> FALLBACK_REASON =
      AttributeKey.stringKey("ndp.fallback.reason");

  /** Which retry of the pattern this is, from 1 (retry events). */
  public static final AttributeKey<Long> RETRY_NUMBER = AttributeKey.longKey("ndp.retry.number");

  /** The wait before the retry, in milliseconds (retry events). */
  public static final AttributeKey<Double> RETRY_BACKOFF_MS =
      AttributeKey.doubleKey("ndp.retry.backoff_ms");

  /** The breaker's state before (breaker events). */
  public static final AttributeKey<String> BREAKER_FROM =
      AttributeKey.stringKey("ndp.breaker.from");

  /** The breaker's state after (breaker events). */
  public static final AttributeKey<String> BREAKER_TO = AttributeKey.stringKey("ndp.breaker.to");

  /** Why the breaker changed state (breaker events). */
  public static final AttributeKey<String> BREAKER_REASON =
      AttributeKey.stringKey("ndp.breaker.reason");

  private NdpAttributes() {}
}
