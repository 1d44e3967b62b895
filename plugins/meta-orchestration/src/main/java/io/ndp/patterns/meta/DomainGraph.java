package io.ndp.patterns.meta;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The "runs after" relation between the domains of one pattern: cycle detection when the pattern is
 * built, and the deterministic order in which the required domains of a context are planned.
 *
 * <p>Static helpers only; stateless and thread-safe.
 */
final class DomainGraph {

  private DomainGraph() {}

  /**
   * Finds the cycles of the relation, each written in run order ({@code auth -> data -> auth}: data
   * runs after auth, auth runs after data). The walk visits domains and edges in sorted order and
   * reports one cycle per back edge it meets, so the message is the same on every run.
   *
   * @param domains every domain, in the order to walk them (sorted)
   * @param prerequisites domain to the domains it runs after; only known domains
   * @return the cycles, empty when there is none
   */
  static List<String> cycles(Collection<String> domains, Map<String, Set<String>> prerequisites) {
    // Walk the edges prerequisite -> dependent so that a cycle reads in run order.
    Map<String, List<String>> dependents = dependents(domains, prerequisites);
    Map<String, Integer> colour = new HashMap<>(); // absent: unvisited, 1: on the path, 2: done
    Set<String> reported = new LinkedHashSet<>();
    for (String start : domains) {
      if (colour.containsKey(start)) {
        continue;
      }
      // Iterative depth-first search: no recursion, whatever the number of domains.
      Deque<String> path = new ArrayDeque<>();
      Deque<Integer> nextChild = new ArrayDeque<>();
      path.push(start);
      nextChild.push(0);
      colour.put(start, 1);
      while (!path.isEmpty()) {
        String node = path.peek();
        int i = nextChild.pop();
        List<String> children = dependents.getOrDefault(node, List.of());
        if (i >= children.size()) {
          colour.put(node, 2);
          path.pop();
          continue;
        }
        nextChild.push(i + 1);
        String child = children.get(i);
        Integer c = colour.get(child);
        if (c == null) {
          colour.put(child, 1);
          path.push(child);
          nextChild.push(0);
        } else if (c == 1) {
          reported.add(describeCycle(path, child));
        }
      }
    }
    return List.copyOf(reported);
  }

  /**
   * Orders the required domains so that each comes after its required prerequisites; among the
   * domains that are ready at the same time the alphabetically first comes first. Prerequisites
   * outside {@code required} are ignored. The relation must be acyclic.
   *
   * @param required the domains to order
   * @param prerequisites domain to the domains it runs after
   * @return the domains in plan order
   */
  static List<String> order(Collection<String> required, Map<String, Set<String>> prerequisites) {
    Set<String> wanted = new LinkedHashSet<>(required);
    Map<String, Integer> waitingOn = new HashMap<>();
    for (String d : wanted) {
      waitingOn.put(d, requiredPrerequisites(d, wanted, prerequisites).size());
    }
    Map<String, List<String>> dependents = dependents(wanted, prerequisites);
    PriorityQueue<String> ready = new PriorityQueue<>();
    waitingOn.forEach(
        (d, n) -> {
          if (n == 0) {
            ready.add(d);
          }
        });
    List<String> order = new ArrayList<>(wanted.size());
    while (!ready.isEmpty()) {
      String d = ready.poll();
      order.add(d);
      for (String dependent : dependents.getOrDefault(d, List.of())) {
        if (wanted.contains(dependent) && waitingOn.merge(dependent, -1, Integer::sum) == 0) {
          ready.add(dependent);
        }
      }
    }
    if (order.size() != wanted.size()) {
      // Unreachable for a validated pattern: cycles are rejected when it is built.
      throw new IllegalStateException("domain ordering has a cycle among " + wanted);
    }
    return List.copyOf(order);
  }

  /** The prerequisites of {@code domain} that are among {@code required}, in sorted order. */
  static List<String> requiredPrerequisites(
      String domain, Set<String> required, Map<String, Set<String>> prerequisites) {
    return prerequisites.getOrDefault(domain, Set.of()).stream()
        .filter(required::contains)
        .sorted()
        .toList();
  }

  /** Prerequisite to its dependents (sorted), restricted to {@code domains}. */
  static Map<String, List<String>> dependents(
      Collection<String> domains, Map<String, Set<String>> prerequisites) {
    Map<String, List<String>> out = new HashMap<>();
    for (String d : domains) {
      for (String p : prerequisites.getOrDefault(d, Set.of())) {
        out.computeIfAbsent(p, k -> new ArrayList<>()).add(d);
      }
    }
    out.values().forEach(list -> list.sort(null));
    return out;
  }

  /** The part of the path (top is the newest node) from {@code back} on, closed by {@code back}. */
  private static String describeCycle(Deque<String> path, String back) {
    List<String> inRunOrder = new ArrayList<>(path);
    Collections.reverse(inRunOrder);
    List<String> cycle =
        new ArrayList<>(inRunOrder.subList(inRunOrder.indexOf(back), inRunOrder.size()));
    cycle.add(back);
    return String.join(" -> ", cycle);
  }
}
