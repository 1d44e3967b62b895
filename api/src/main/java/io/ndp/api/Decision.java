package io.ndp.api;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Why the patterns of one selection run in the order they do: for each candidate its match, its
 * posterior mean and effective sample size in the context's domain, the sample the policy drew (or
 * the mean it ranked by), and the {@link Verdict} that placed it — ranked by the policy, pinned or
 * forbidden by an operator, moved first by the exploration floor, or moved last (or probed) by the
 * minimum-confidence floor. Every {@link PatternResult} carries the decision that produced it;
 * {@code explain()} shows the one it would make.
 *
 * <p>Entries are in the order the executor tries them (at most its {@code maxAttempts}, then its
 * fallbacks, which are not part of the decision); forbidden candidates come last and are never
 * tried. Immutable and thread-safe.
 *
 * @param policy the selection policy's name, e.g. {@code drift-aware-thompson-sampling}; {@code
 *     none} for {@link #NONE}
 * @param minConfidence the minimum-confidence floor in force, a posterior mean in {@code [0, 1]} (0
 *     when none)
 * @param maxAttempts how many of the entries the executor tries at most, at least 1 (those after
 *     are skipped); 0 in {@link #NONE}, where nothing was selected. In a result's decision it also
 *     counts the entries skipped because their circuit breaker was open (they do not use up an
 *     attempt; a note says how many)
 * @param entries the candidates, in the order they run; an unmodifiable copy, possibly empty
 * @param notes anything else that shaped the decision, in words, e.g. a pinned pattern that did not
 *     match; an unmodifiable copy, usually empty
 * @since 0.2.0
 */
public record Decision(
    String policy, double minConfidence, int maxAttempts, List<Entry> entries, List<String> notes) {

  /** The decision of a result that involved no selection (a pattern run directly, or refused). */
  public static final Decision NONE = new Decision("none", 0, 0, List.of(), List.of());

  /**
   * Copies the lists.
   *
   * @param policy the selection policy's name; not null
   * @param minConfidence the minimum-confidence floor in force (0 when none)
   * @param maxAttempts how many of the entries the executor tries at most
   * @param entries the candidates, in run order; copied, no null element
   * @param notes anything else that shaped the decision; copied, no null element
   * @throws NullPointerException when the policy, a list or an element of it is null
   * @throws IllegalArgumentException when {@code minConfidence} is not in {@code [0, 1]} or {@code
   *     maxAttempts} is negative
   */
  public Decision {
    Objects.requireNonNull(policy, "policy");
    if (!(minConfidence >= 0 && minConfidence <= 1) || maxAttempts < 0) {
      throw new IllegalArgumentException(
          "a decision needs minConfidence in [0, 1] and maxAttempts >= 0 but was minConfidence="
              + minConfidence
              + ", maxAttempts="
              + maxAttempts);
    }
    entries = List.copyOf(entries);
    notes = List.copyOf(notes);
  }

  /**
   * Returns why {@code entry} is where it is, in words: its verdict's reason, and whether it is
   * skipped because the executor tries only the first {@code maxAttempts}.
   *
   * @param entry one of this decision's entries
   * @return the reason
   * @throws IllegalArgumentException when {@code entry} is null
   */
  public String why(Entry entry) {
    if (entry == null) {
      throw new IllegalArgumentException("the entry to explain must not be null");
    }
    String reason = entry.reason(minConfidence);
    int position = entries.indexOf(entry);
    return entry.verdict() != Verdict.FORBIDDEN && position >= maxAttempts && maxAttempts > 0
        ? reason + "; skipped: only the first " + maxAttempts + " are tried"
        : reason;
  }

  /**
   * {@return the candidate placed first, or empty when there is none or every candidate is
   * forbidden}
   */
  public Optional<Entry> chosen() {
    return entries.isEmpty() || entries.get(0).verdict() == Verdict.FORBIDDEN
        ? Optional.empty()
        : Optional.of(entries.get(0));
  }

  /**
   * Returns the entry of a pattern.
   *
   * @param pattern the pattern name
   * @return its entry, if it was a candidate
   * @throws IllegalArgumentException when {@code pattern} is null
   */
  public Optional<Entry> entry(String pattern) {
    if (pattern == null) {
      throw new IllegalArgumentException("the pattern name to look up must not be null");
    }
    for (Entry e : entries) {
      if (e.pattern().equals(pattern)) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  /** What placed a candidate where it is. */
  public enum Verdict {
    /** In the policy's order: the highest rank key first. */
    RANKED,
    /** Forced first by an operator's pin for the domain. */
    PINNED,
    /** Moved first by the exploration floor, whatever its rank. */
    EXPLORED,
    /** Below the minimum-confidence floor, but probed this time: kept at its rank. */
    PROBED,
    /** Below the minimum-confidence floor: tried only after every candidate above it. */
    BELOW_FLOOR,
    /** Forbidden by an operator for the domain: never tried. */
    FORBIDDEN
  }

  /**
   * One candidate of a decision.
   *
   * @param pattern the pattern's name
   * @param match its match score for the context, in [0, 1]
   * @param posteriorMean its confidence in the domain: the mean of its prior updated by what it
   *     borrowed from other domains and by its effective outcomes
   * @param effectiveSampleSize the effective outcomes of its own in the domain (after forgetting)
   * @param borrowed the pseudo-outcomes borrowed from its other domains (cold start), 0 when none
   * @param sample the confidence the policy ranked it by: a draw from the posterior for Thompson
   *     sampling, the posterior mean for greedy; {@code NaN} when the policy does not say
   * @param verdict what placed it
   */
  public record Entry(
      String pattern,
      double match,
      double posteriorMean,
      double effectiveSampleSize,
      double borrowed,
      double sample,
      Verdict verdict) {

    /**
     * Checks the name and the verdict.
     *
     * @param pattern the pattern's name; not null
     * @param match its match score for the context, in [0, 1]
     * @param posteriorMean its confidence in the domain, in [0, 1]
     * @param effectiveSampleSize its own effective outcomes in the domain, non-negative
     * @param borrowed the pseudo-outcomes borrowed from its other domains, non-negative
     * @param sample the confidence the policy ranked it by, or {@code NaN}
     * @param verdict what placed it; not null
     * @throws NullPointerException when the name or the verdict is null
     * @throws IllegalArgumentException when {@code match} or {@code posteriorMean} is not in {@code
     *     [0, 1]}, or {@code effectiveSampleSize} or {@code borrowed} is negative, NaN or infinite
     */
    public Entry {
      Objects.requireNonNull(pattern, "pattern");
      Objects.requireNonNull(verdict, "verdict");
      if (!(match >= 0 && match <= 1)
          || !(posteriorMean >= 0 && posteriorMean <= 1)
          || !(effectiveSampleSize >= 0 && effectiveSampleSize < Double.POSITIVE_INFINITY)
          || !(borrowed >= 0 && borrowed < Double.POSITIVE_INFINITY)) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "entry of '%s' needs match and posteriorMean in [0, 1], effectiveSampleSize and"
                    + " borrowed finite and >= 0, but was match=%s, posteriorMean=%s,"
                    + " effectiveSampleSize=%s, borrowed=%s",
                pattern,
                match,
                posteriorMean,
                effectiveSampleSize,
                borrowed));
      }
    }

    /**
     * {@return the rank key, {@code match × sample}, by which {@link Verdict#RANKED} entries are
     * ordered (highest first); {@code NaN} when the sample is unknown}
     */
    public double key() {
      return match * sample;
    }

    /**
     * Returns why it is where it is, in words.
     *
     * @param minConfidence the decision's floor, for the floor verdicts
     * @return the reason
     */
    public String reason(double minConfidence) {
      return switch (verdict) {
        case RANKED ->
            Double.isNaN(sample)
                ? "ranked by the policy"
                : String.format(
                    Locale.ROOT, "rank key %.3f = match %.3f × sample %.3f", key(), match, sample);
        case PINNED -> "pinned by an operator for this domain: tried first";
        case EXPLORED -> "drawn by the exploration floor: tried first whatever its rank";
        case PROBED ->
            String.format(
                Locale.ROOT,
                "confidence %.3f below the floor %.3f, probed this time",
                posteriorMean,
                minConfidence);
        case BELOW_FLOOR ->
            String.format(
                Locale.ROOT,
                "confidence %.3f below the floor %.3f: tried only after the others",
                posteriorMean,
                minConfidence);
        case FORBIDDEN -> "forbidden by an operator for this domain: never tried";
      };
    }
  }

  /** Prints one line per candidate, in run order, then the notes. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "  %-4s %-28s %6s %9s %7s %8s %7s  %s%n",
            "run",
            "pattern",
            "match",
            "posterior",
            "n(eff)",
            "borrowed",
            "sample",
            "why"));
    int rank = 1;
    for (Entry e : entries) {
      sb.append(
          String.format(
              Locale.ROOT,
              "  %-4s %-28s %6.3f %9.3f %7.1f %8.1f %7.3f  %s%n",
              e.verdict() == Verdict.FORBIDDEN ? "-" : Integer.toString(rank++),
              e.pattern(),
              e.match(),
              e.posteriorMean(),
              e.effectiveSampleSize(),
              e.borrowed(),
              e.sample(),
              why(e)));
    }
    for (String note : notes) {
      sb.append("  note: ").append(note).append(System.lineSeparator());
    }
    return sb.toString();
  }
}
