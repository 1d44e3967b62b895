package io.ndp.core;

import io.ndp.api.PatternContext;
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
    return candidates.stream().sorted(ORDER).toList();
  }

  @Override
  public String toString() {
    return "greedy";
  }
}
