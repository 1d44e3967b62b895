package io.ndp.patterns.parallel;

import io.ndp.api.FailurePolicy;
import io.ndp.api.Pattern;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternFactory;
import io.ndp.api.ResourcePool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.pf4j.Extension;

/**
 * Builds {@link ParallelCoordinationPattern}s from definitions of type {@value
 * ParallelCoordinationPattern#TYPE}. Parameters: {@value ParallelCoordinationPattern#RESOURCES}
 * (list of names, required), {@value ParallelCoordinationPattern#CAPACITIES} (map from resource to
 * units), {@value ParallelCoordinationPattern#TASKS} (list of maps {@code {name, delegate,
 * resources}}) and {@value ParallelCoordinationPattern#ACQUIRE_TIMEOUT_MILLIS} (whole
 * milliseconds). Every invalid parameter is reported at once.
 *
 * <p><b>Pools.</b> Patterns built by the no-argument factory (the one ServiceLoader and PF4J
 * create) have no pool of their own: they use the {@link ResourcePool} of the runtime that
 * registers them (declaring their resources there when registered, so a capacity that conflicts
 * with that pool rejects the registration), and cannot execute until one does. There is no
 * process-wide pool. A host that wants its patterns to acquire from a pool it owns hands a factory
 * built with {@link #ParallelCoordinationPatternFactory(ResourcePool)} to its storage; those
 * patterns declare their resources in that pool when created.
 *
 * <p>Thread-safe.
 *
 * @since 0.1.0
 */
@Extension
public final class ParallelCoordinationPatternFactory implements PatternFactory {
  // The host's pool; null when patterns use the pool of the runtime that registers them.
  private final @Nullable ResourcePool pool;

  /**
   * Creates the factory whose patterns use the pool of the runtime that registers them;
   * ServiceLoader and PF4J call this.
   */
  public ParallelCoordinationPatternFactory() {
    this.pool = null;
  }

  /**
   * Creates a factory whose patterns acquire from {@code pool}, a pool the host owns, whichever
   * runtime registers them.
   *
   * @param pool the pool
   */
  public ParallelCoordinationPatternFactory(ResourcePool pool) {
    this.pool = Objects.requireNonNull(pool, "pool");
  }

  @Override
  public String type() {
    return ParallelCoordinationPattern.TYPE;
  }

  @Override
  public Set<String> aliases() {
    return Set.of(ParallelCoordinationPattern.ALIAS);
  }

  @Override
  public Pattern create(PatternDefinition definition) {
    definition.requireType(type());
    Map<String, Object> p = definition.parameters();
    List<String> problems = new ArrayList<>();
    ParallelCoordinationPattern.Builder b =
        ParallelCoordinationPattern.builder(definition.name(), definition.description());
    if (pool != null) {
      b.pool(pool);
    }
    b.prior(definition.prior());

    Object resources = p.get(ParallelCoordinationPattern.RESOURCES);
    if (resources == null) {
      problems.add("the parameter 'resources' (a list of resource names) is missing");
    } else {
      try {
        b.resources(definition.stringList(ParallelCoordinationPattern.RESOURCES).orElse(List.of()));
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    }

    Object capacities = p.get(ParallelCoordinationPattern.CAPACITIES);
    if (capacities != null) {
      if (capacities instanceof Map<?, ?> m) {
        m.forEach(
            (r, units) -> {
              Integer n = TaskSpecs.positiveInt(units);
              if (!(r instanceof String name) || name.isBlank() || n == null) {
                problems.add(
                    String.format(
                        Locale.ROOT,
                        "capacities.%s must be a whole number of units of at least 1 but was %s",
                        r,
                        TaskSpecs.describe(units)));
              } else {
                b.capacity(name, n);
              }
            });
      } else {
        problems.add(
            "capacities must be a map from resource to units but was "
                + TaskSpecs.describe(capacities));
      }
    }

    Object tasks = p.get(ParallelCoordinationPattern.TASKS);
    if (tasks != null) {
      b.tasks(TaskSpecs.parse(ParallelCoordinationPattern.TASKS, tasks, problems));
    }

    Object policy = p.get(ParallelCoordinationPattern.FAILURE_POLICY);
    if (policy != null) {
      try {
        b.failurePolicy(FailurePolicy.of(policy));
      } catch (IllegalArgumentException e) {
        problems.add(
            e.getMessage() + (policy instanceof String ? "" : " " + TaskSpecs.describe(policy)));
      }
    }

    Object millis = p.get(ParallelCoordinationPattern.ACQUIRE_TIMEOUT_MILLIS);
    if (millis != null) {
      Long ms = TaskSpecs.wholeNumber(millis);
      if (ms == null || ms < 0 || ms > Integer.MAX_VALUE) {
        problems.add(
            String.format(
                Locale.ROOT,
                "acquireTimeoutMillis must be a whole number from 0 to %d but was %s",
                Integer.MAX_VALUE,
                TaskSpecs.describe(millis)));
      } else {
        b.acquireTimeout(Duration.ofMillis(ms));
      }
    }

    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "invalid definition of parallel pattern '%s': %s",
              definition.name(),
              String.join("; ", problems)));
    }
    return b.build();
  }
}
