package io.ndp.api;

import java.util.Locale;
import java.util.regex.Matcher;

/**
 * What a pattern that runs several units of work (tasks, domains) does when some of them fail. One
 * vocabulary for every kind:
 *
 * <ul>
 *   <li>{@link #FAIL_FAST}: the first failure cancels the rest; the run fails with it.
 *   <li>{@link #COLLECT_ALL}: every unit runs to its end; the run succeeds only when all did, and
 *       otherwise fails naming every failure.
 *   <li>{@link #BEST_EFFORT}: every unit runs to its end; the run succeeds when at least one unit
 *       did, with the outputs of those that did.
 *   <li>{@link #quorum(int) QUORUM(n)}: the run succeeds as soon as {@code n} units did (the rest
 *       are cancelled), and fails as soon as {@code n} can no longer be reached.
 * </ul>
 *
 * <p>A deadline ends every policy: the run is TIMED_OUT with the outputs that finished.
 *
 * <p>Immutable and thread-safe.
 *
 * @param kind which policy
 * @param quorum for {@link Kind#QUORUM}, how many units must succeed (at least 1); 0 otherwise
 * @since 0.2.0
 */
public record FailurePolicy(Kind kind, int quorum) {

  /** The policies. */
  public enum Kind {
    /** See {@link FailurePolicy#FAIL_FAST}. */
    FAIL_FAST,
    /** See {@link FailurePolicy#COLLECT_ALL}. */
    COLLECT_ALL,
    /** See {@link FailurePolicy#BEST_EFFORT}. */
    BEST_EFFORT,
    /** See {@link FailurePolicy#quorum(int)}. */
    QUORUM
  }

  /** The first failure cancels the rest and fails the run (the default of the built-in kinds). */
  public static final FailurePolicy FAIL_FAST = new FailurePolicy(Kind.FAIL_FAST, 0);

  /** Every unit runs; the run succeeds only when all did. */
  public static final FailurePolicy COLLECT_ALL = new FailurePolicy(Kind.COLLECT_ALL, 0);

  /** Every unit runs; the run succeeds when at least one did. */
  public static final FailurePolicy BEST_EFFORT = new FailurePolicy(Kind.BEST_EFFORT, 0);

  private static final java.util.regex.Pattern QUORUM_FORM =
      java.util.regex.Pattern.compile("(?i)QUORUM\\((\\d{1,9})\\)");

  /**
   * Checks the quorum against the kind.
   *
   * @param kind which policy; not null
   * @param quorum at least 1 for {@link Kind#QUORUM}, 0 for every other kind
   * @throws IllegalArgumentException when the kind is null or the quorum does not fit it
   */
  public FailurePolicy {
    if (kind == null) {
      throw new IllegalArgumentException("failure policy kind must not be null");
    }
    if (kind == Kind.QUORUM ? quorum < 1 : quorum != 0) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "a %s failure policy takes %s but got quorum %d",
              kind,
              kind == Kind.QUORUM ? "a quorum of at least 1" : "no quorum",
              quorum));
    }
  }

  /**
   * The run succeeds as soon as {@code n} units did.
   *
   * @param n at least 1
   * @return the policy
   */
  public static FailurePolicy quorum(int n) {
    return new FailurePolicy(Kind.QUORUM, n);
  }

  /**
   * Reads a policy: {@code FAIL_FAST}, {@code COLLECT_ALL}, {@code BEST_EFFORT} or {@code
   * QUORUM(n)} (any case).
   *
   * @param text the policy
   * @return the policy
   * @throws IllegalArgumentException naming the text and the accepted forms
   */
  public static FailurePolicy parse(String text) {
    if (text != null) {
      String t = text.trim();
      Matcher m = QUORUM_FORM.matcher(t);
      if (m.matches()) {
        return quorum(Integer.parseInt(m.group(1)));
      }
      for (FailurePolicy p : new FailurePolicy[] {FAIL_FAST, COLLECT_ALL, BEST_EFFORT}) {
        if (p.kind.name().equalsIgnoreCase(t)) {
          return p;
        }
      }
    }
    throw new IllegalArgumentException(
        "failure policy must be FAIL_FAST, COLLECT_ALL, BEST_EFFORT or QUORUM(n) but was "
            + PatternContext.describe(text));
  }

  /**
   * Reads a policy given as a value: a {@code FailurePolicy} itself, or its text form (see {@link
   * #parse}).
   *
   * @param value the policy or its text
   * @return the policy
   * @throws IllegalArgumentException naming the value (and its type) when it is neither
   */
  public static FailurePolicy of(Object value) {
    if (value instanceof FailurePolicy p) {
      return p;
    }
    if (value instanceof String text) {
      return parse(text);
    }
    throw new IllegalArgumentException(
        "failure policy must be FAIL_FAST, COLLECT_ALL, BEST_EFFORT or QUORUM(n) but was "
            + PatternContext.describe(value));
  }

  /** Returns the form {@link #parse} reads. */
  @Override
  public String toString() {
    return kind == Kind.QUORUM ? "QUORUM(" + quorum + ")" : kind.name();
  }
}
