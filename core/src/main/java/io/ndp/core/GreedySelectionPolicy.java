package io.ndp.core;

import io.ndp.api.PatternContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/** Highest expected score first, ties by name. Stateless and thread-safe. */
final class GreedySelectionPolicy implements SelectionPolicy {

  /** The only instance. */
  static final GreedySelectionPolicy INSTANCE = new GreedySelectionPolicy();

  private static final Comparator<Candidate> ORDER =
      Comparator.comparingDouble(Candidate::expectedScore)
          .reversed()
          .thenComparing(c -> c.pattern().name());

  private GreedySelectionPolicy() {}

  @Override
  public List<Candidate> rank(PatternContext context, List<Candidate> candidates) {
    // No stream: this runs on every call.
    if (candidates.size() <= 1) {
      return List.copyOf(candidates);
    }
    List<Candidate> ranked = new ArrayList<>(candidates);
    ranked.sort(ORDER);
    return Collections.unmodifiableList(ranked);
  }

  @Override
  public List<Scored> score(PatternContext context, List<Candidate> candidates) {
    List<Candidate> ranked = rank(context, candidates);
    List<Scored> scored = new ArrayList<>(ranked.size());
    for (Candidate c : ranked) {
      scored.add(new Scored(c, c.confidence()));
    }
    return scored;
  }

  @Override
  public String toString() {
    return "greedy";
  }
}
