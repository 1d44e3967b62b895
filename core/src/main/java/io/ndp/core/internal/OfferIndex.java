package io.ndp.core.internal;

import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.jspecify.annotations.Nullable;

/**
 * The patterns that serve one agent type, indexed by what they {@linkplain Pattern#offers() offer},
 * so that selection asks {@link Pattern#match} only of the patterns that offer every item a context
 * requires: its cost follows the number of candidates, not the number of patterns.
 *
 * <p>For each requirement key and item the index keeps the names of the patterns offering it (a
 * posting); patterns are grouped by the set of keys they declare. A pattern is a candidate when,
 * under every key it declares, it offers each item the context requires; the search starts from the
 * smallest posting among the required items. Patterns that declare nothing are always candidates.
 *
 * <p>Written by one thread at a time (the registry's write lock); read by any number without
 * locking. A pattern becomes visible only once all its postings are written (it joins its group
 * last) and stops being visible before they are removed (it leaves its group first), so a reader
 * sees a pattern registered or withdrawn concurrently either whole or not at all. The index only
 * narrows the search: every candidate is still asked {@link Pattern#match}.
 */
public final class OfferIndex {

  /** The requirement keys a pattern may declare offers under. */
  public static final Set<String> KEYS =
      Set.of(
          PatternContext.REQUIRED_STEPS,
          PatternContext.REQUIRED_RESOURCES,
          PatternContext.REQUIRED_DOMAINS);

  private static final Comparator<Pattern> BY_NAME = Comparator.comparing(Pattern::name);

  // Every pattern, by name, sorted, with the offers it was indexed by (so that withdrawing it
  // never asks the pattern again).
  private final ConcurrentSkipListMap<String, Indexed> all = new ConcurrentSkipListMap<>();
  // The patterns by the set of keys they declare offers under (the empty set: declare nothing).
  private final ConcurrentHashMap<Set<String>, ConcurrentHashMap<String, Indexed>> groups =
      new ConcurrentHashMap<>();
  // Counts the moves of patterns between groups (a replacement under other keys): odd during one.
  // Written under the write lock only.
  private volatile int moving;
  private static final int MAX_RETRIES = 8;
  // Requirement key, then item, to the names of the patterns offering it.
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Set<String>>> postings =
      new ConcurrentHashMap<>();

  // Offers indexed lately, so that patterns offering the same (built from one template, say)
  // share one copy: a bounded table, written under the write lock only.
  private final Map<Map<String, Set<String>>, Map<String, Set<String>>> recentOffers =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(
            Map.Entry<Map<String, Set<String>>, Map<String, Set<String>>> eldest) {
          return size() > RECENT_OFFERS;
        }
      };

  private static final int RECENT_OFFERS = 64;

  /**
   * A pattern, the offers it was indexed by and their keys, the key of its group (kept apart: the
   * key set view of the offers would be one more object per pattern).
   */
  private record Indexed(Pattern pattern, Map<String, Set<String>> offers, Set<String> keys) {}

  /**
   * Adds a pattern, in place of the one of the same name if any; the caller holds the write lock.
   *
   * @param p the pattern
   * @param offers its offers, as returned by {@link #validOffers}
   */
  public void add(Pattern p, Map<String, Set<String>> offers) {
    String name = p.name();
    offers = recentOffers.computeIfAbsent(offers, o -> o);
    Set<String> keys = groupKey(offers);
    post(name, offers);
    Indexed indexed = new Indexed(p, offers, keys);
    Indexed previous = all.get(name);
    boolean moves = previous != null && !previous.keys().equals(keys);
    if (moves) {
      // A reader walking the groups could pass the new group before the pattern joins it and the
      // old one after it left: odd while a pattern moves, so that readers retry.
      moving++;
    }
    all.put(name, indexed);
    // From here on readers see the pattern, with all its postings written.
    groups.computeIfAbsent(keys, k -> new ConcurrentHashMap<>()).put(name, indexed);
    if (previous != null && previous.pattern() != p) {
      if (moves) {
        leaveGroup(name, previous);
      }
      unpost(name, previous.offers(), offers);
    }
    if (moves) {
      moving++;
    }
  }

  /**
   * Removes this very pattern (by identity) when it is here; the caller holds the write lock.
   *
   * @param p the pattern
   */
  public void remove(Pattern p) {
    String name = p.name();
    Indexed indexed = all.get(name);
    if (indexed == null || indexed.pattern() != p) {
      return; // not here, or replaced by another pattern of the same name
    }
    // First gone from its group (readers no longer see it), then from the postings.
    leaveGroup(name, indexed);
    all.remove(name, indexed);
    unpost(name, indexed.offers(), Map.of());
  }

  /** The key set of {@code offers}: the group's own when it has one, else a new immutable set. */
  private Set<String> groupKey(Map<String, Set<String>> offers) {
    Set<String> keys = new HashSet<>();
    offers.forEach((key, items) -> keys.add(key));
    for (Set<String> existing : groups.keySet()) {
      if (existing.equals(keys)) {
        return existing;
      }
    }
    return Set.copyOf(keys);
  }

  private void leaveGroup(String name, Indexed indexed) {
    Set<String> keys = indexed.keys();
    ConcurrentHashMap<String, Indexed> group = groups.get(keys);
    if (group != null && group.remove(name, indexed) && group.isEmpty()) {
      groups.remove(keys, group);
    }
  }

  private void post(String name, Map<String, Set<String>> offers) {
    offers.forEach(
        (key, items) -> {
          ConcurrentHashMap<String, Set<String>> byItem =
              postings.computeIfAbsent(key, k -> new ConcurrentHashMap<>());
          for (String item : items) {
            byItem.computeIfAbsent(item, i -> ConcurrentHashMap.newKeySet()).add(name);
          }
        });
  }

  /** Removes {@code name} from the postings of {@code offers}, except those in {@code kept}. */
  private void unpost(String name, Map<String, Set<String>> offers, Map<String, Set<String>> kept) {
    offers.forEach(
        (key, items) -> {
          ConcurrentHashMap<String, Set<String>> byItem = postings.get(key);
          if (byItem == null) {
            return;
          }
          Set<String> keep = kept.getOrDefault(key, Set.of());
          for (String item : items) {
            if (!keep.contains(item)) {
              byItem.computeIfPresent(
                  item,
                  (i, names) -> {
                    names.remove(name);
                    return names.isEmpty() ? null : names;
                  });
            }
          }
          if (byItem.isEmpty()) {
            postings.remove(key, byItem);
          }
        });
  }

  /** Returns whether no pattern is here. */
  public boolean isEmpty() {
    return all.isEmpty();
  }

  /** Returns how many patterns are here. */
  public int size() {
    return all.size();
  }

  /**
   * Returns how many (requirement key, item, pattern) entries the postings hold: the sum of the
   * offered items of the patterns here, when nothing leaked. For tests and diagnostics; O(entries).
   */
  public int postingEntries() {
    int n = 0;
    for (ConcurrentHashMap<String, Set<String>> byItem : postings.values()) {
      for (Set<String> names : byItem.values()) {
        n += names.size();
      }
    }
    return n;
  }

  /**
   * Returns the greatest name here below {@code name}, or null; for "did you mean".
   *
   * @param name the name
   * @return the name, or null
   */
  public @Nullable String nameBelow(String name) {
    return all.lowerKey(name);
  }

  /**
   * Returns the names here from {@code name} on, sorted, as a live view; for "did you mean".
   *
   * @param name the name
   * @return the names
   */
  public Iterable<String> namesFrom(String name) {
    return all.tailMap(name).keySet();
  }

  /** Returns every pattern, sorted by name; a new list. */
  public List<Pattern> all() {
    List<Pattern> out = new ArrayList<>(all.size());
    all.values().forEach(i -> out.add(i.pattern()));
    return out;
  }

  /**
   * Returns the patterns whose offers cover what {@code context} requires, and those that declare
   * no offers, sorted by name.
   *
   * @param context the context
   * @return the candidates; a new list
   */
  public List<Pattern> candidates(PatternContext context) {
    List<Pattern> out = new ArrayList<>();
    for (int attempt = 0; ; attempt++) {
      int before = moving;
      for (Map.Entry<Set<String>, ConcurrentHashMap<String, Indexed>> e : groups.entrySet()) {
        collect(e.getKey(), e.getValue(), context, out);
      }
      if ((before & 1) == 0 && moving == before) {
        break; // no pattern moved between groups meanwhile: nothing was missed
      }
      out.clear();
      if (attempt >= MAX_RETRIES) {
        // Patterns keep moving: every pattern, which the executor asks one by one.
        out.addAll(all());
        return out;
      }
      Thread.onSpinWait();
    }
    if (out.size() > 1) {
      out.sort(BY_NAME);
      dropReplaced(out);
    }
    return out;
  }

  /**
   * While a pattern replaces another of the same name under other keys, a reader may find both:
   * keeps the one registered now.
   */
  private void dropReplaced(List<Pattern> sorted) {
    for (int i = sorted.size() - 1; i > 0; i--) {
      Pattern p = sorted.get(i);
      if (p.name().equals(sorted.get(i - 1).name())) {
        Indexed now = all.get(p.name());
        sorted.remove(now != null && now.pattern() == p ? i - 1 : i);
      }
    }
  }

  private void collect(
      Set<String> keys,
      ConcurrentHashMap<String, Indexed> group,
      PatternContext context,
      List<Pattern> out) {
    // The smallest posting among the items this group's patterns must offer.
    @Nullable Set<String> smallest = null;
    boolean constrained = false;
    for (String key : keys) {
      for (String item : required(context, key)) {
        constrained = true;
        Set<String> posting = posting(key, item);
        if (posting == null) {
          return; // nobody offers it: no pattern of this group can serve the context
        }
        if (smallest == null || posting.size() < smallest.size()) {
          smallest = posting;
        }
      }
    }
    if (!constrained) {
      group.values().forEach(i -> out.add(i.pattern()));
      return;
    }
    for (String name : smallest) {
      Indexed i = group.get(name);
      if (i != null && offersAll(keys, name, context)) {
        out.add(i.pattern());
      }
    }
  }

  private boolean offersAll(Set<String> keys, String name, PatternContext context) {
    for (String key : keys) {
      for (String item : required(context, key)) {
        Set<String> posting = posting(key, item);
        if (posting == null || !posting.contains(name)) {
          return false;
        }
      }
    }
    return true;
  }

  private @Nullable Set<String> posting(String key, String item) {
    ConcurrentHashMap<String, Set<String>> byItem = postings.get(key);
    return byItem == null ? null : byItem.get(item);
  }

  @SuppressWarnings("unchecked")
  private static List<String> required(PatternContext context, String key) {
    Object v = context.attributes().get(key);
    // PatternContext keeps the three requirement keys as lists of names (it checks them).
    return v == null ? List.of() : (List<String>) v;
  }

  /**
   * Reads a pattern's offers once and returns an immutable copy, or says what is wrong with them: a
   * null map, an unknown key, a null set, a null or blank item, or an exception from {@code
   * offers()}.
   *
   * @param p the pattern
   * @return the offers, immutable
   * @throws IllegalArgumentException naming the pattern and the offending value
   */
  public static Map<String, Set<String>> validOffers(Pattern p) {
    Map<String, Set<String>> offers;
    try {
      offers = p.offers();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("pattern '" + p.name() + "' threw from offers(): " + e, e);
    }
    if (offers == null) {
      throw new IllegalArgumentException(
          "pattern '" + p.name() + "' returned null from offers() (return an empty map instead)");
    }
    if (offers.isEmpty()) {
      return Map.of();
    }
    Map<String, Set<String>> copy = new HashMap<>();
    // Read as raw objects: an implementation can hand over anything behind the generic types.
    for (Map.Entry<?, ?> e : ((Map<?, ?>) offers).entrySet()) {
      Object rawKey = e.getKey();
      if (!(rawKey instanceof String key) || !KEYS.contains(key)) {
        throw new IllegalArgumentException(
            "pattern '"
                + p.name()
                + "' offers under unknown requirement key "
                + describe(rawKey)
                + "; the keys are "
                + new TreeSet<>(KEYS));
      }
      if (!(e.getValue() instanceof Set<?> items)) {
        throw new IllegalArgumentException(
            "pattern '"
                + p.name()
                + "' offers a "
                + (e.getValue() == null ? "null set" : describe(e.getValue()))
                + " under '"
                + key
                + "' (needs a set of names)");
      }
      Set<String> names = new HashSet<>();
      for (Object item : items) {
        if (!(item instanceof String name) || name.isBlank()) {
          throw new IllegalArgumentException(
              "pattern '"
                  + p.name()
                  + "' offers a null, blank or non-string item under '"
                  + key
                  + "': "
                  + describe(item));
        }
        names.add(name);
      }
      copy.put(key, Set.copyOf(names));
    }
    return Map.copyOf(copy);
  }

  private static String describe(@Nullable Object value) {
    if (value == null) {
      return "null";
    }
    return value instanceof String
        ? "'" + value + "'"
        : value.getClass().getSimpleName() + " " + value;
  }
}
