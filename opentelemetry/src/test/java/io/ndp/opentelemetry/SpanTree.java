package io.ndp.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The spans a test exported, as a tree: parents, children, and a rendering to compare by value. */
final class SpanTree {
  final List<SpanData> spans;
  private final Map<String, SpanData> byId = new HashMap<>();
  private final Map<String, List<SpanData>> byParent = new HashMap<>();

  SpanTree(List<SpanData> spans) {
    this.spans = List.copyOf(spans);
    for (SpanData s : spans) {
      assertThat(byId.put(s.getSpanId(), s))
          .as("span id %s exported twice", s.getSpanId())
          .isNull();
      byParent.computeIfAbsent(s.getParentSpanId(), k -> new ArrayList<>()).add(s);
    }
  }

  /** Spans without a parent. */
  List<SpanData> roots() {
    return spans.stream().filter(s -> !s.getParentSpanContext().isValid()).toList();
  }

  /** Spans whose parent is set but was not exported (still open, or lost). */
  List<SpanData> orphans() {
    return spans.stream()
        .filter(s -> s.getParentSpanContext().isValid())
        .filter(s -> !byId.containsKey(s.getParentSpanId()))
        .toList();
  }

  SpanData parent(SpanData s) {
    return byId.get(s.getParentSpanId());
  }

  /**
   * The children, attempts by their index, the others by name (parallel work ends in any order).
   */
  List<SpanData> children(SpanData parent) {
    List<SpanData> out = new ArrayList<>(byParent.getOrDefault(parent.getSpanId(), List.of()));
    out.sort(Comparator.comparing(SpanTree::orderKey));
    return out;
  }

  private static String orderKey(SpanData s) {
    Long index = s.getAttributes().get(NdpAttributes.ATTEMPT_INDEX);
    return index != null ? String.format("0 %05d", index) : "1 " + s.getName();
  }

  List<SpanData> named(String name) {
    return spans.stream().filter(s -> s.getName().equals(name)).toList();
  }

  SpanData only(String name) {
    List<SpanData> found = named(name);
    assertThat(found).as("spans named '%s'", name).hasSize(1);
    return found.get(0);
  }

  /** Spans with an attribute of a value. */
  <T> List<SpanData> with(AttributeKey<T> key, T value) {
    return spans.stream().filter(s -> Objects.equals(s.getAttributes().get(key), value)).toList();
  }

  /**
   * Checks that the execution and attempt spans say what the executor reported: one execution span
   * per finished execution (found by domain and depth, unique in the scripted tests) whose
   * attributes and status are the result's, with one attempt child per attempt of the result, in
   * order, with the attempt's pattern, status, kind, fallback flag and duration; and no other
   * execution or attempt span.
   */
  void assertMatchesResults(
      java.util.Collection<io.ndp.api.event.ExecutionFinishedEvent> finished) {
    int attempts = 0;
    for (io.ndp.api.event.ExecutionFinishedEvent e : finished) {
      io.ndp.api.PatternResult r = e.result();
      List<SpanData> found =
          spans.stream()
              .filter(
                  s ->
                      s.getName()
                          .equals(NdpAttributes.EXECUTION_SPAN + " " + e.context().agentType()))
              .filter(s -> e.context().domain().equals(s.getAttributes().get(NdpAttributes.DOMAIN)))
              .filter(
                  s -> Long.valueOf(e.depth()).equals(s.getAttributes().get(NdpAttributes.DEPTH)))
              .toList();
      assertThat(found)
          .as("execution spans of %s at depth %d", e.context().domain(), e.depth())
          .hasSize(1);
      SpanData exec = found.get(0);
      io.opentelemetry.api.common.Attributes a = exec.getAttributes();
      assertThat(a.get(NdpAttributes.AGENT_TYPE)).isEqualTo(e.context().agentType());
      assertThat(a.get(NdpAttributes.ATTEMPTS)).isEqualTo((long) r.attempts().size());
      assertThat(a.get(NdpAttributes.FALLBACKS)).isEqualTo(r.fallbacksTried());
      assertThat(a.get(NdpAttributes.RETRIES)).isEqualTo(r.retries());
      assertThat(a.get(NdpAttributes.PATTERN)).isEqualTo(r.chosenPattern());
      assertThat(a.get(NdpAttributes.CONFIDENCE))
          .isEqualTo(
              r.chosenPattern() == null
                  ? null
                  : r.decision().entry(r.chosenPattern()).map(x -> x.posteriorMean()).orElse(null));
      assertThat(a.get(NdpAttributes.OUTCOME))
          .isEqualTo(
              r.success()
                  ? "SUCCESS"
                  : r.attempts().isEmpty()
                      ? "NONE"
                      : r.attempts().get(r.attempts().size() - 1).status().name());
      assertThat(exec.getStatus().getStatusCode())
          .isEqualTo(r.success() ? StatusCode.UNSET : StatusCode.ERROR);
      if (!r.success()) {
        assertThat(exec.getStatus().getDescription()).isEqualTo(r.message());
      }
      List<SpanData> attemptSpans =
          children(exec).stream()
              .filter(s -> s.getName().startsWith(NdpAttributes.ATTEMPT_SPAN + " "))
              .toList();
      assertThat(attemptSpans).hasSize(r.attempts().size());
      for (int i = 0; i < r.attempts().size(); i++) {
        io.ndp.api.Attempt at = r.attempts().get(i);
        SpanData s = attemptSpans.get(i);
        io.opentelemetry.api.common.Attributes sa = s.getAttributes();
        assertThat(s.getName()).isEqualTo(NdpAttributes.ATTEMPT_SPAN + " " + at.patternName());
        assertThat(sa.get(NdpAttributes.PATTERN)).isEqualTo(at.patternName());
        assertThat(sa.get(NdpAttributes.ATTEMPT_INDEX)).isEqualTo((long) i);
        assertThat(sa.get(NdpAttributes.ATTEMPT_FALLBACK)).isEqualTo(at.fallback());
        assertThat(sa.get(NdpAttributes.ATTEMPT_STATUS)).isEqualTo(at.status().name());
        assertThat(sa.get(NdpAttributes.ATTEMPT_KIND)).isEqualTo(at.kind().name());
        assertThat(sa.get(NdpAttributes.ATTEMPT_DURATION_MS))
            .isEqualTo(TracingListener.millis(at.duration()));
        assertThat(s.getStatus().getStatusCode())
            .isEqualTo(at.isSuccess() ? StatusCode.UNSET : StatusCode.ERROR);
        if (!at.isSuccess()) {
          assertThat(s.getStatus().getDescription()).isEqualTo(at.status() + ": " + at.message());
        }
      }
      attempts += r.attempts().size();
    }
    assertThat(
            spans.stream().filter(s -> s.getName().startsWith(NdpAttributes.EXECUTION_SPAN + " ")))
        .hasSize(finished.size());
    assertThat(spans.stream().filter(s -> s.getName().startsWith(NdpAttributes.ATTEMPT_SPAN + " ")))
        .hasSize(attempts);
  }

  /** One line per span, two spaces of indent per level, " !" after a span with status ERROR. */
  String render(SpanData root) {
    StringBuilder sb = new StringBuilder();
    render(root, 0, sb);
    return sb.toString();
  }

  private void render(SpanData s, int level, StringBuilder sb) {
    sb.append("  ".repeat(level)).append(s.getName());
    if (s.getStatus().getStatusCode() == StatusCode.ERROR) {
      sb.append(" !");
    }
    sb.append('\n');
    for (SpanData c : children(s)) {
      render(c, level + 1, sb);
    }
  }
}
