package io.ndp.patterns.parallel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * One resource-bound unit of work of a {@link ParallelCoordinationPattern}: a name (the key of its
 * output), the delegate that does it, and the units of each resource it holds while it runs.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * new ResourceTask("encode", "video_encoder", Map.of("cpu", 2, "memory", 1));
 * }</pre>
 *
 * @param name non-blank, unique within a pattern or a context; the key of the task's output
 * @param delegate non-blank name of the delegate registered in the {@link
 *     io.ndp.api.DelegateDirectory}
 * @param resources resource name to units (each at least 1), sorted by name; may be empty for a
 *     task that needs no limited resource
 * @since 0.1.0
 */
public record ResourceTask(String name, String delegate, Map<String, Integer> resources) {

  /** Definition and attribute key of a task's name. */
  public static final String NAME = "name";

  /** Definition and attribute key of a task's delegate (defaults to its name). */
  public static final String DELEGATE = "delegate";

  /** Definition and attribute key of a task's resources: a map of units or a list of names. */
  public static final String RESOURCES = "resources";

  /** Validates every field, reporting all problems at once, and copies the resources sorted. */
  public ResourceTask {
    List<String> problems = new ArrayList<>();
    if (name == null || name.isBlank()) {
      problems.add("task name must be non-blank but was " + quote(name));
    }
    if (delegate == null || delegate.isBlank()) {
      problems.add(
          String.format(
              Locale.ROOT,
              "delegate of task %s must be non-blank but was %s",
              quote(name),
              quote(delegate)));
    }
    Map<String, Integer> copy = new TreeMap<>();
    if (resources == null) {
      problems.add(
          String.format(
              Locale.ROOT, "resources of task %s must be a map but were null", quote(name)));
    } else {
      for (Map.Entry<String, Integer> e : resources.entrySet()) {
        if (e.getKey() == null || e.getKey().isBlank()) {
          problems.add(
              String.format(
                  Locale.ROOT,
                  "resource names of task %s must be non-blank but found %s",
                  quote(name),
                  quote(e.getKey())));
        } else if (e.getValue() == null || e.getValue() < 1) {
          problems.add(
              String.format(
                  Locale.ROOT,
                  "task %s must need at least 1 unit of '%s' but asked for %s",
                  quote(name),
                  e.getKey(),
                  e.getValue()));
        } else {
          copy.put(e.getKey(), e.getValue());
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    resources = Collections.unmodifiableMap(copy);
  }

  /**
   * A task done by the delegate of the same name.
   *
   * @param name the task and delegate name
   * @param resources resource name to units
   * @return the task
   */
  public static ResourceTask of(String name, Map<String, Integer> resources) {
    return new ResourceTask(name, name, resources);
  }

  /** Returns this task as definition parameters: {@code {name, delegate, resources}}. */
  public Map<String, Object> toParameters() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(NAME, name);
    m.put(DELEGATE, delegate);
    m.put(RESOURCES, resources);
    return Collections.unmodifiableMap(m);
  }

  static String quote(@Nullable Object value) {
    return value == null ? "null" : "'" + value + "'";
  }
}
