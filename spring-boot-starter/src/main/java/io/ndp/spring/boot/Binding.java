package io.ndp.spring.boot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;

/**
 * Turns what Spring binds into a {@code Map<String, Object>} into a definition's JSON-like values:
 * maps whose keys are 0, 1, 2... (a bound list) become lists, and strings that read as a boolean or
 * a number become one, since a properties file carries only strings. A step named {@code 1} would
 * thus become the number 1: quote-proof names are the host's to choose.
 */
final class Binding {
  private static final java.util.regex.Pattern INTEGER =
      java.util.regex.Pattern.compile("-?\\d{1,18}");
  private static final java.util.regex.Pattern DECIMAL =
      java.util.regex.Pattern.compile("-?\\d+\\.\\d+([eE][-+]?\\d+)?");
  private static final java.util.regex.Pattern INDEXED =
      java.util.regex.Pattern.compile("(.*)\\[(\\d+)]");

  private Binding() {}

  static Map<String, Object> plain(Map<String, Object> bound) {
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, TreeMap<Integer, Object>> indexed = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : bound.entrySet()) {
      Matcher m = INDEXED.matcher(e.getKey());
      if (m.matches()) {
        indexed
            .computeIfAbsent(m.group(1), k -> new TreeMap<>())
            .put(Integer.parseInt(m.group(2)), value(e.getValue()));
      } else {
        out.put(e.getKey(), value(e.getValue()));
      }
    }
    indexed.forEach((k, v) -> out.put(k, new ArrayList<>(v.values())));
    return out;
  }

  /** Keys 0, 1, ..., n-1 exactly (a YAML list bound into a map); {429, 503} stays a map. */
  private static boolean isListIndexes(java.util.Set<?> keys) {
    if (keys.isEmpty()) {
      return false;
    }
    java.util.Set<String> want = new java.util.HashSet<>();
    for (int i = 0; i < keys.size(); i++) {
      want.add(Integer.toString(i));
    }
    java.util.Set<String> have = new java.util.HashSet<>();
    keys.forEach(k -> have.add(k.toString()));
    return have.equals(want);
  }

  private static Object value(Object v) {
    if (v instanceof Map<?, ?> map) {
      if (isListIndexes(map.keySet())) {
        TreeMap<Integer, Object> sorted = new TreeMap<>();
        map.forEach((k, x) -> sorted.put(Integer.parseInt(k.toString()), value(x)));
        return new ArrayList<>(sorted.values());
      }
      Map<String, Object> m = new LinkedHashMap<>();
      map.forEach((k, x) -> m.put(k.toString(), x));
      return plain(m);
    }
    if (v instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      list.forEach(x -> out.add(value(x)));
      return out;
    }
    if (v instanceof CharSequence cs) {
      String s = cs.toString();
      if (s.equals("true") || s.equals("false")) {
        return Boolean.valueOf(s);
      }
      if (INTEGER.matcher(s).matches()) {
        long l = Long.parseLong(s);
        return l == (int) l ? Integer.valueOf((int) l) : Long.valueOf(l);
      }
      if (DECIMAL.matcher(s).matches()) {
        return Double.valueOf(s);
      }
      return s;
    }
    return v;
  }
}
