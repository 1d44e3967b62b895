package io.ndp.patterns.parallel;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads task lists from untyped values (a context attribute, a definition parameter), naming every
 * offending key and value.
 */
final class TaskSpecs {
  private static final Set<String> KEYS =
      Set.of(ResourceTask.NAME, ResourceTask.DELEGATE, ResourceTask.RESOURCES);

  private TaskSpecs() {}

  /**
   * Parses {@code value}, a list of {@link ResourceTask}s (taken as they are) or maps {@code {name,
   * delegate?, resources?}}; resources are a map of units or a list of names (1 unit each).
   *
   * @param path how to name the value in messages, e.g. {@code tasks}
   * @return the tasks; empty with {@code problems} filled when anything is wrong
   */
  static List<ResourceTask> parse(String path, @Nullable Object value, List<String> problems) {
    int before = problems.size();
    if (!(value instanceof Collection<?> list)) {
      problems.add(
          String.format(
              Locale.ROOT,
              "%s must be a list of maps {name, delegate, resources} but was %s",
              path,
              describe(value)));
      return List.of();
    }
    if (list.isEmpty()) {
      problems.add(
          String.format(Locale.ROOT, "%s must name at least one task but was an empty list", path));
      return List.of();
    }
    List<ResourceTask> tasks = new ArrayList<>(list.size());
    Set<String> names = new HashSet<>();
    int i = 0;
    for (Object element : list) {
      String at = path + "[" + i++ + "]";
      ResourceTask task = parseOne(at, element, problems);
      if (task != null) {
        if (!names.add(task.name())) {
          problems.add(
              String.format(
                  Locale.ROOT, "%s.name '%s' is used by an earlier task", at, task.name()));
        }
        tasks.add(task);
      }
    }
    return problems.size() == before ? List.copyOf(tasks) : List.of();
  }

  private static @Nullable ResourceTask parseOne(
      String at, @Nullable Object element, List<String> problems) {
    if (element instanceof ResourceTask typed) {
      return typed; // checked when it was built: nothing to parse
    }
    if (!(element instanceof Map<?, ?> map)) {
      problems.add(
          String.format(
              Locale.ROOT,
              "%s must be a ResourceTask or a map {name, delegate, resources} but was %s",
              at,
              describe(element)));
      return null;
    }
    int before = problems.size();
    for (Object key : map.keySet()) {
      if (!KEYS.contains(key)) {
        problems.add(
            String.format(
                Locale.ROOT,
                "%s has unknown key %s (allowed: name, delegate, resources)",
                at,
                describe(key)));
      }
    }
    String name = nonBlank(at + ".name", map.get(ResourceTask.NAME), true, problems);
    String delegate = nonBlank(at + ".delegate", map.get(ResourceTask.DELEGATE), false, problems);
    Map<String, Integer> resources = resources(at + ".resources", map, problems);
    if (problems.size() != before || name == null) {
      return null;
    }
    return new ResourceTask(name, delegate != null ? delegate : name, resources);
  }

  private static @Nullable String nonBlank(
      String at, @Nullable Object value, boolean required, List<String> problems) {
    if (value == null && !required) {
      return null;
    }
    if (value instanceof String s && !s.isBlank()) {
      return s;
    }
    problems.add(
        String.format(
            Locale.ROOT, "%s must be a non-blank string but was %s", at, describe(value)));
    return null;
  }

  private static Map<String, Integer> resources(String at, Map<?, ?> task, List<String> problems) {
    Object value = task.get(ResourceTask.RESOURCES);
    Map<String, Integer> out = new LinkedHashMap<>();
    if (value == null) {
      if (task.containsKey(ResourceTask.RESOURCES)) {
        problems.add(at + " must be a map of units or a list of names but was null");
      }
      return out;
    }
    if (value instanceof Map<?, ?> units) {
      for (Map.Entry<?, ?> e : units.entrySet()) {
        if (!(e.getKey() instanceof String r) || r.isBlank()) {
          problems.add(
              String.format(
                  Locale.ROOT,
                  "%s keys must be non-blank resource names but found %s",
                  at,
                  describe(e.getKey())));
          continue;
        }
        Integer n = positiveInt(e.getValue());
        if (n == null) {
          problems.add(
              String.format(
                  Locale.ROOT,
                  "%s.%s must be a whole number of units of at least 1 but was %s",
                  at,
                  r,
                  describe(e.getValue())));
        } else {
          out.put(r, n);
        }
      }
      return out;
    }
    if (value instanceof Collection<?> names) {
      int i = 0;
      for (Object r : names) {
        if (!(r instanceof String s) || s.isBlank()) {
          problems.add(
              String.format(
                  Locale.ROOT,
                  "%s[%d] must be a non-blank resource name but was %s",
                  at,
                  i,
                  describe(r)));
        } else if (out.put(s, 1) != null) {
          problems.add(String.format(Locale.ROOT, "%s names '%s' twice", at, s));
        }
        i++;
      }
      return out;
    }
    problems.add(
        String.format(
            Locale.ROOT,
            "%s must be a map of units (e.g. {cpu=1}) or a list of names but was %s",
            at,
            describe(value)));
    return out;
  }

  /** Returns the value as an int of at least 1 when it is a whole number in range, else null. */
  static @Nullable Integer positiveInt(@Nullable Object value) {
    Long n = wholeNumber(value);
    return n != null && n >= 1 && n <= Integer.MAX_VALUE ? Integer.valueOf(n.intValue()) : null;
  }

  /** Returns the value as a long when it is a whole number (of any Number type), else null. */
  static @Nullable Long wholeNumber(@Nullable Object value) {
    if (value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Number n) {
      try {
        return new BigDecimal(n.toString()).longValueExact();
      } catch (ArithmeticException | NumberFormatException notWhole) {
        return null;
      }
    }
    return null;
  }

  /** Names a value with its type: {@code String 'two'}, {@code Integer 3}, {@code null}. */
  static String describe(@Nullable Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String s) {
      return "String '" + s + "'";
    }
    return value.getClass().getSimpleName() + " " + value;
  }
}
