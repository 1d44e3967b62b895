package io.ndp.spring.boot;

import io.ndp.api.Attempt;
import io.ndp.api.PatternResult;
import io.ndp.api.event.ExecutionFinishedEvent;
import io.ndp.api.event.NdpListener;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Keeps the runtime's last decisions for the {@code ndp} actuator endpoint: the newest {@code
 * ndp.actuator.recent-decisions} finished top-level executions, each with its domain, agent type,
 * chosen pattern, outcome and attempts (pattern names, kinds and statuses). Never a payload: no
 * input, output, attribute or message is kept.
 *
 * <p>Thread-safe: executions finish on many threads; a short lock guards a bounded deque.
 *
 * @since 0.2.0
 */
public final class RecentDecisions implements NdpListener {
  private final int capacity;
  private final Clock clock;
  private final Deque<DecisionSummary> decisions;

  /**
   * Creates a listener that keeps the newest {@code capacity} decisions.
   *
   * @param capacity at least 1
   * @param clock the clock of the finish times
   * @throws IllegalArgumentException when the capacity is below 1
   */
  public RecentDecisions(int capacity, Clock clock) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1 but was " + capacity);
    }
    this.capacity = capacity;
    this.clock = clock;
    this.decisions = new ArrayDeque<>(capacity);
  }

  @Override
  public void onExecutionFinished(ExecutionFinishedEvent event) {
    if (event.depth() > 0) {
      return; // a nested execution is part of its top-level decision
    }
    PatternResult r = event.result();
    List<AttemptSummary> attempts = new ArrayList<>(r.attempts().size());
    for (Attempt a : r.attempts()) {
      attempts.add(
          new AttemptSummary(
              a.patternName(),
              a.kind().name(),
              a.status().name(),
              a.fallback(),
              a.duration().toMillis()));
    }
    DecisionSummary d =
        new DecisionSummary(
            clock.instant(),
            event.context().domain(),
            event.context().agentType(),
            r.chosenPattern(),
            r.success(),
            r.totalDuration().toMillis(),
            attempts);
    synchronized (decisions) {
      if (decisions.size() == capacity) {
        decisions.removeFirst();
      }
      decisions.addLast(d);
    }
  }

  /** {@return the decisions kept, newest first} */
  public List<DecisionSummary> newestFirst() {
    List<DecisionSummary> out;
    synchronized (decisions) {
      out = new ArrayList<>(decisions);
    }
    java.util.Collections.reverse(out);
    return List.copyOf(out);
  }

  /** {@return how many decisions are kept at most} */
  public int capacity() {
    return capacity;
  }

  /**
   * One finished top-level execution. Immutable.
   *
   * @param finishedAt when it finished
   * @param domain the context's domain
   * @param agentType the context's agent type
   * @param chosenPattern the pattern that succeeded, or null when none did
   * @param success whether it succeeded
   * @param durationMillis how long it took
   * @param attempts its attempts, in order
   * @since 0.2.0
   */
  public record DecisionSummary(
      Instant finishedAt,
      String domain,
      String agentType,
      @Nullable String chosenPattern,
      boolean success,
      long durationMillis,
      List<AttemptSummary> attempts) {

    /** Copies the attempts. */
    public DecisionSummary {
      attempts = List.copyOf(attempts);
    }
  }

  /**
   * One attempt of a decision. Immutable.
   *
   * @param pattern the pattern tried
   * @param kind RUN, RETRY, PROBE or SKIPPED
   * @param status its outcome status
   * @param fallback whether it was a configured fallback
   * @param durationMillis how long it took
   * @since 0.2.0
   */
  public record AttemptSummary(
      String pattern, String kind, String status, boolean fallback, long durationMillis) {}
}
