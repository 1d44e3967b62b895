package io.ndp.patterns.sequential;

import io.ndp.api.AbstractPattern;
import io.ndp.api.Delegate;
import io.ndp.api.ExecutionScope;
import io.ndp.api.MatchResult;
import io.ndp.api.OutcomeStatus;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternOutcome;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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
    super(name, description);
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
    this.definition = new PatternDefinition(TYPE, name, description, Map.of(STEPS, this.steps));
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
    Set<String> required = new LinkedHashSet<>(context.requiredSteps());
    if (required.isEmpty()) {
      return MatchResult.perfect();
    }
    List<String> missing = new ArrayList<>();
    for (String step : required) {
      if (!steps.contains(step)) {
        missing.add(step);
      }
    }
    if (!missing.isEmpty()) {
      // Concatenation, not String.format: selection builds this for every pattern that does not
      // match, and the formatter cost dominated selection among many patterns.
      return MatchResult.noMatch("lacks required steps " + missing + " (has " + steps + ")");
    }
    return MatchResult.coverage(required.size(), steps.size());
  }

  @Override
  public PatternOutcome execute(PatternContext context, ExecutionScope scope) {
    List<String> toRun = stepsFor(context);
    // Resolve every delegate first: a missing one must be found before any work is done.
    List<Delegate> delegates = new ArrayList<>(toRun.size());
    for (String step : toRun) {
      delegates.add(scope.delegates().require(step, name()));
    }
    @Nullable Object value = context.payload();
    // The outputs of the steps that finished, carried by an unsuccessful outcome as partial
    // results.
    Map<String, @Nullable Object> finished = new LinkedHashMap<>();
    for (int i = 0; i < toRun.size(); i++) {
      String step = toRun.get(i);
      if (Thread.currentThread().isInterrupted()) {
        return new PatternOutcome(
            OutcomeStatus.CANCELLED,
            partial(finished),
            String.format(
                Locale.ROOT, "interrupted before step '%s' (%d of %d)", step, i + 1, toRun.size()),
            null);
      }
      if (scope.expired()) {
        return new PatternOutcome(
            OutcomeStatus.TIMED_OUT,
            partial(finished),
            String.format(
                Locale.ROOT,
                "deadline passed before step '%s' (%d of %d)",
                step,
                i + 1,
                toRun.size()),
            null);
      }
      try {
        value = delegates.get(i).execute(value);
        finished.put(step, value);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        boolean late = scope.expired();
        return new PatternOutcome(
            late ? OutcomeStatus.TIMED_OUT : OutcomeStatus.CANCELLED,
            partial(finished),
            String.format(
                Locale.ROOT,
                late
                    ? "deadline passed during step '%s' (%d of %d); it was interrupted"
                    : "step '%s' (%d of %d) was interrupted",
                step,
                i + 1,
                toRun.size()),
            e);
      } catch (Exception e) {
        return new PatternOutcome(
            OutcomeStatus.FAILED,
            partial(finished),
            String.format(
                Locale.ROOT,
                "step '%s' (%d of %d) failed: %s",
                step,
                i + 1,
                toRun.size(),
                e.getMessage() == null ? e.getClass().getName() : e.getMessage()),
            e);
      }
    }
    // Built by concatenation: this runs on every successful call (String.format was the largest
    // single cost of a call with cheap delegates).
    return PatternOutcome.success(
        value, "ran " + toRun.size() + " steps: " + String.join(" -> ", toRun));
  }

  private static Map<String, @Nullable Object> partial(Map<String, @Nullable Object> finished) {
    return finished.isEmpty()
        ? Map.of()
        : Collections.unmodifiableMap(new LinkedHashMap<>(finished));
  }

  /** The steps a context runs: the required ones in this pattern's order, or all. */
  List<String> stepsFor(PatternContext context) {
    List<String> required = context.requiredSteps();
    if (required.isEmpty()) {
      return steps;
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
