package io.ndp.patterns.sequential;

import io.ndp.api.AbstractPattern;
import io.ndp.api.Delegate;
import io.ndp.api.ExecutionScope;
import io.ndp.api.MatchResult;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternOutcome;
import io.ndp.api.Prior;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Runs a workflow of named steps in order, each through the {@link Delegate} registered under the
 * step's name, handing each step's output to the next. The first step receives the context's
 * payload; the pattern's output is the last step's output.
 *
 * <p><b>Matching.</b> The context's {@value PatternContext#REQUIRED_STEPS} must all be steps of
 * this pattern, else it does not match. When the context names no step, every step runs and the
 * match is perfect; otherwise only the required steps run (in this pattern's order), and the score
 * is {@code 0.5 + 0.5 × required / steps}, so that a pattern made for the job ranks above one that
 * merely contains it.
 *
 * <p><b>Execution.</b> Every delegate is looked up before the first step runs (a missing one throws
 * {@link io.ndp.api.MissingDelegateException}, nothing runs). The first step that throws stops the
 * run; the outcome names it. The deadline is checked before each step.
 *
 * <p>Immutable and thread-safe (delegates must be thread-safe if contexts run concurrently).
 *
 * <pre>{@code
 * var pattern = new SequentialDelegationPattern("validation_flow",
 *     "Sequential validation workflow", List.of("validate", "process", "store"));
 * }</pre>
 *
 * @since 0.1.0
 */
public final class SequentialDelegationPattern extends AbstractPattern {

  /** The type id of this kind. */
  public static final String TYPE = "sequential";

  /** The class-style alias of {@link #TYPE}. */
  public static final String ALIAS = "SequentialDelegationPattern";

  /** The agent type this kind serves. */
  public static final String AGENT_TYPE = "sequential";

  /** The definition parameter that holds the steps. */
  public static final String STEPS = "steps";

  private static final int SHORT = 16;

  private final List<String> steps;
  // Built once: storage keeps this very instance (so a registered pattern and its stored
  // definition share one copy), and equals/hashCode read it.
  private final PatternDefinition definition;

  /**
   * @param name unique pattern name
   * @param description what the workflow is for
   * @param steps the step names, in order; non-empty, non-blank, distinct
   * @throws IllegalArgumentException naming the offending step when the steps are invalid
   */
  public SequentialDelegationPattern(String name, String description, List<String> steps) {
    this(name, description, steps, Prior.NEUTRAL);
  }

  /**
   * A sequential pattern with a declared prior, which its definition keeps.
   *
   * @param name unique pattern name
   * @param description what the workflow is for
   * @param steps the step names, in order; non-empty, non-blank, distinct
   * @param prior what it is believed to do before any outcome ({@link Prior#NEUTRAL} by default)
   * @throws IllegalArgumentException naming the offending step when the steps are invalid, or when
   *     the prior is null
   * @since 0.2.0
   */
  public SequentialDelegationPattern(
      String name, String description, List<String> steps, Prior prior) {
    super(name, description, requirePrior(name, prior));
    if (steps == null || steps.isEmpty()) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "sequential pattern '%s' needs at least one step but got %s",
              name,
              steps));
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < steps.size(); i++) {
      String step = steps.get(i);
      if (step == null || step.isBlank()) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "step %d of sequential pattern '%s' must be a non-blank name but was %s",
                i,
                name,
                step == null ? "null" : "'" + step + "'"));
      }
      if (!seen.add(step)) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT, "sequential pattern '%s' lists step '%s' twice", name, step));
      }
    }
    this.steps = List.copyOf(steps);
    this.definition =
        new PatternDefinition(TYPE, name, description, withPrior(Map.of(STEPS, this.steps)));
  }

  private static Prior requirePrior(String name, Prior prior) {
    if (prior == null) {
      throw new IllegalArgumentException(
          "prior of sequential pattern '" + name + "' must not be null; use Prior.NEUTRAL");
    }
    return prior;
  }

  /** Returns the steps, in order. */
  public List<String> steps() {
    return steps;
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<String> typeAliases() {
    return Set.of(ALIAS);
  }

  @Override
  public Set<String> agentTypes() {
    return Set.of(AGENT_TYPE);
  }

  /** Offers its steps under {@value PatternContext#REQUIRED_STEPS}. */
  @Override
  public Map<String, Set<String>> offers() {
    return Map.of(PatternContext.REQUIRED_STEPS, Set.copyOf(steps));
  }

  @Override
  public MatchResult match(PatternContext context) {
    List<String> required = context.requiredSteps();
    if (required.isEmpty()) {
      return MatchResult.perfect();
    }
    // No set per call for the usual short lists (this runs for every candidate of every call); a
    // long list gets one, so that hostile input costs linear time, not quadratic.
    Set<String> seen = required.size() > SHORT ? new HashSet<>() : null;
    List<String> missing = null;
    int distinct = 0;
    for (int i = 0; i < required.size(); i++) {
      String step = required.get(i);
      if (seen != null ? !seen.add(step) : required.indexOf(step) != i) {
        continue; // named twice
      }
      distinct++;
      if (!steps.contains(step)) {
        missing = missing == null ? new ArrayList<>() : missing;
        missing.add(step);
      }
    }
    if (missing != null) {
      // Concatenation, not String.format: selection builds this for every pattern that does not
      // match, and the formatter cost dominated selection among many patterns.
      return MatchResult.noMatch("lacks required steps " + missing + " (has " + steps + ")");
    }
    return MatchResult.coverage(distinct, steps.size());
  }

  @Override
  public PatternOutcome execute(PatternContext context, ExecutionScope scope) {
    List<String> toRun = stepsFor(context);
    int n = toRun.size();
    // Resolve every delegate first: a missing one must be found before any work is done.
    Delegate[] delegates = new Delegate[n];
    for (int i = 0; i < n; i++) {
      delegates[i] = scope.delegates().require(toRun.get(i), name());
    }
    @Nullable Object value = context.payload();
    // The outputs of the steps that finished, turned into partial results only when a step does
    // not (no map per successful call).
    @Nullable Object[] outputs = new Object[n];
    for (int i = 0; i < n; i++) {
      String step = toRun.get(i);
      if (Thread.currentThread().isInterrupted()) {
        return new PatternOutcome(
            OutcomeStatus.CANCELLED,
            partial(toRun, outputs, i),
            String.format(Locale.ROOT, "interrupted before step '%s' (%d of %d)", step, i + 1, n),
            null);
      }
      if (scope.expired()) {
        return new PatternOutcome(
            OutcomeStatus.TIMED_OUT,
            partial(toRun, outputs, i),
            String.format(
                Locale.ROOT, "deadline passed before step '%s' (%d of %d)", step, i + 1, n),
            null);
      }
      try {
        value = delegates[i].execute(value);
        outputs[i] = value;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        boolean late = scope.expired();
        return new PatternOutcome(
            late ? OutcomeStatus.TIMED_OUT : OutcomeStatus.CANCELLED,
            partial(toRun, outputs, i),
            String.format(
                Locale.ROOT,
                late
                    ? "deadline passed during step '%s' (%d of %d); it was interrupted"
                    : "step '%s' (%d of %d) was interrupted",
                step,
                i + 1,
                n),
            e);
      } catch (Exception e) {
        return new PatternOutcome(
            OutcomeStatus.FAILED,
            partial(toRun, outputs, i),
            String.format(
                Locale.ROOT,
                "step '%s' (%d of %d) failed: %s",
                step,
                i + 1,
                n,
                e.getMessage() == null ? e.getClass().getName() : e.getMessage()),
            e);
      }
    }
    // Built by concatenation: this runs on every successful call (String.format was the largest
    // single cost of a call with cheap delegates).
    StringBuilder message =
        new StringBuilder(16 + 12 * n).append("ran ").append(n).append(" steps: ");
    for (int i = 0; i < n; i++) {
      message.append(i == 0 ? "" : " -> ").append(toRun.get(i));
    }
    return PatternOutcome.success(value, message.toString());
  }

  /** The outputs of the first {@code count} steps, in order. */
  private static Map<String, @Nullable Object> partial(
      List<String> steps, @Nullable Object[] outputs, int count) {
    if (count == 0) {
      return Map.of();
    }
    Map<String, @Nullable Object> finished = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      finished.put(steps.get(i), outputs[i]);
    }
    return Collections.unmodifiableMap(finished);
  }

  /** The steps a context runs: the required ones in this pattern's order, or all. */
  List<String> stepsFor(PatternContext context) {
    List<String> required = context.requiredSteps();
    if (required.isEmpty()) {
      return steps;
    }
    if (required.size() >= steps.size() && required.containsAll(steps)) {
      return steps; // every step: no copy
    }
    List<String> chosen = new ArrayList<>(required.size());
    for (String step : steps) {
      if (required.contains(step)) {
        chosen.add(step);
      }
    }
    return Collections.unmodifiableList(chosen);
  }

  @Override
  public PatternDefinition definition() {
    return definition;
  }
}
