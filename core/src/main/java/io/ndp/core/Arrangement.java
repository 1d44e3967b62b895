package io.ndp.core;

import io.ndp.api.Decision;
import io.ndp.api.Decision.Entry;
import io.ndp.api.Decision.Verdict;
import io.ndp.api.PatternContext;
import io.ndp.core.SelectionPolicy.Candidate;
import io.ndp.core.SelectionPolicy.Scored;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * Turns a policy's ranking into the order the executor runs, applying an operator's {@link Pins}
 * and the {@link Guardrails}, and records why each candidate is where it is. Stateless.
 *
 * @param ranked the candidates to run, in order (forbidden ones left out)
 * @param decision the record of the decision
 */
record Arrangement(List<Candidate> ranked, Decision decision) {

  static final Arrangement EMPTY = new Arrangement(List.of(), Decision.NONE);

  /** Salt of the guardrails' draws, apart from the policy's. */
  static final long SALT = 0x6a7d_11e5L;

  /**
   * Arranges a ranking.
   *
   * @param name the policy's name, read once by the executor
   * @param scored the policy's ranking
   * @param matching the candidates as the policy got them (their state seeds the seeded draws)
   * @param maxAttempts how many candidates the executor tries, for the decision
   * @param rejections why patterns that did not match were rejected, for a pin that did not apply
   */
  static Arrangement of(
      String name,
      List<Scored> scored,
      PatternContext context,
      List<Candidate> matching,
      Pins pins,
      Guardrails guardrails,
      SelectionRandom random,
      int maxAttempts,
      Map<String, String> rejections) {
    String forced = null;
    Set<String> banned = Set.of();
    if (pins.any()) {
      forced = pins.forced(context.domain()).orElse(null);
      banned = pins.forbidden(context.domain());
    }
    if (forced == null && banned.isEmpty() && !guardrails.active()) {
      // The common case: the policy's order stands.
      // Immutable lists built from arrays: the decision keeps them without copying.
      int n = scored.size();
      Candidate[] ranked = new Candidate[n];
      Entry[] entries = new Entry[n];
      for (int i = 0; i < n; i++) {
        Scored s = scored.get(i);
        ranked[i] = s.candidate();
        entries[i] = entry(s, Verdict.RANKED);
      }
      return new Arrangement(
          List.of(ranked), new Decision(name, 0, maxAttempts, List.of(entries), List.of()));
    }
    List<String> notes = new ArrayList<>(1);
    Scored pinned = null;
    List<Scored> kept = new ArrayList<>(scored.size());
    List<Scored> forbidden = new ArrayList<>(0);
    for (Scored s : scored) {
      String n = s.candidate().pattern().name();
      if (banned.contains(n)) {
        forbidden.add(s); // forbidden wins over forced, should a selection see both
      } else if (n.equals(forced)) {
        pinned = s;
      } else {
        kept.add(s);
      }
    }
    if (forced != null && pinned == null) {
      String why = rejections.get(forced);
      notes.add(
          "pattern '"
              + forced
              + "' is pinned for domain '"
              + context.domain()
              + "' but is not a candidate here"
              + (why != null
                  ? ": " + why
                  : banned.contains(forced)
                      ? ": it is forbidden"
                      : " (it does not serve the context)"));
    }
    UniformRandomProvider rng = guardrails.active() ? random.of(context, matching) : null;
    double floor = guardrails.minConfidence();
    List<Scored> above = new ArrayList<>(kept.size());
    List<Verdict> aboveVerdicts = new ArrayList<>(kept.size());
    List<Scored> below = new ArrayList<>(0);
    for (Scored s : kept) {
      if (floor > 0 && s.candidate().confidence() < floor) {
        if (guardrails.probeRate() > 0 && rng.nextDouble() < guardrails.probeRate()) {
          above.add(s);
          aboveVerdicts.add(Verdict.PROBED);
        } else {
          below.add(s);
        }
      } else {
        above.add(s);
        aboveVerdicts.add(Verdict.RANKED);
      }
    }
    if (guardrails.explorationRate() > 0
        && above.size() > 1
        && rng.nextDouble() < guardrails.explorationRate()) {
      // Uniformly among the candidates at or above the floor (probed ones are not: they had their
      // chance at the probe rate).
      List<Integer> eligible = new ArrayList<>(above.size());
      for (int i = 0; i < above.size(); i++) {
        if (aboveVerdicts.get(i) == Verdict.RANKED) {
          eligible.add(i);
        }
      }
      if (eligible.size() > 1) {
        int i = eligible.get(rng.nextInt(eligible.size()));
        above.add(0, above.remove(i));
        aboveVerdicts.remove(i);
        aboveVerdicts.add(0, Verdict.EXPLORED);
      }
    }
    List<Candidate> ranked = new ArrayList<>(scored.size());
    List<Entry> entries = new ArrayList<>(scored.size());
    if (pinned != null) {
      ranked.add(pinned.candidate());
      entries.add(entry(pinned, Verdict.PINNED));
    }
    for (int i = 0; i < above.size(); i++) {
      ranked.add(above.get(i).candidate());
      entries.add(entry(above.get(i), aboveVerdicts.get(i)));
    }
    for (Scored s : below) {
      ranked.add(s.candidate());
      entries.add(entry(s, Verdict.BELOW_FLOOR));
    }
    for (Scored s : forbidden) {
      entries.add(entry(s, Verdict.FORBIDDEN));
    }
    return new Arrangement(ranked, new Decision(name, floor, maxAttempts, entries, notes));
  }

  private static Entry entry(Scored s, Verdict verdict) {
    Candidate c = s.candidate();
    return new Entry(
        c.pattern().name(),
        c.match().score(),
        c.confidence(),
        c.stats().effectiveSampleSize(),
        c.borrowed().successes() + c.borrowed().failures(),
        s.sample(),
        verdict);
  }

  /** This arrangement without the named candidates (cycles), their entries dropped. */
  Arrangement without(Set<String> names) {
    List<Candidate> left = new ArrayList<>(ranked.size());
    for (Candidate c : ranked) {
      if (!names.contains(c.pattern().name())) {
        left.add(c);
      }
    }
    List<Entry> entries = new ArrayList<>(decision.entries().size());
    for (Entry e : decision.entries()) {
      if (!names.contains(e.pattern())) {
        entries.add(e);
      }
    }
    return new Arrangement(
        left,
        new Decision(
            decision.policy(),
            decision.minConfidence(),
            decision.maxAttempts(),
            entries,
            decision.notes()));
  }
}
