package io.ndp.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ndp.api.ResourcePool;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every JSON view, checked by value against a scripted runtime. */
class NdpConsoleViewsTest {

  private ConsoleRuntime rt;

  @BeforeEach
  void start() {
    rt = new ConsoleRuntime();
    for (int i = 0; i < 3; i++) {
      rt.run("good", "eu");
    }
    rt.run("bad", "eu");
    rt.run("bad", "eu");
    rt.run("good", "us");
  }

  @AfterEach
  void stop() {
    rt.close();
  }

  @Test
  void cell_showsPriorLastOutcomesAndConfidenceOverTime_includingAfterAReset() {
    JsonNode cell = rt.getJson("/api/patterns/good/domains/eu");
    assertThat(cell.get("prior").get("alpha").asDouble()).isEqualTo(1.0);
    assertThat(cell.get("prior").get("mean").asDouble()).isEqualTo(0.5);
    assertThat(cell.get("lastOutcomes")).hasSize(3);
    assertThat(cell.get("lastOutcomes").get(0).get("status").asText()).isEqualTo("SUCCESS");
    assertThat(cell.get("lastOutcomes").get(0).get("kind").asText()).isEqualTo("RUN");
    JsonNode now = last(cell.get("history"));
    assertThat(now.get("successes").asLong()).isEqualTo(3);
    assertThat(now.get("confidence").asDouble())
        .isEqualTo(rt.ndp.registry().getPattern("good").confidenceScore("eu"));

    // The sampler keeps a point per change: after a reset the chart shows the drop to the prior.
    // The sampler may have stored a point while the setup's outcomes were still being recorded:
    // wait for the stored point of all three (the last before the live "now" point).
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              JsonNode h = rt.getJson("/api/patterns/good/domains/eu").get("history");
              return h.size() >= 2 && h.get(h.size() - 2).get("successes").asLong() == 3;
            });
    rt.ndp.registry().resetDomainStatistics("eu");
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              JsonNode h = rt.getJson("/api/patterns/good/domains/eu").get("history");
              // the last stored point (before the "now" point) is the sampled reset
              return h.size() >= 3 && h.get(h.size() - 2).get("successes").asLong() == 0;
            });
    JsonNode history = rt.getJson("/api/patterns/good/domains/eu").get("history");
    assertThat(history).anySatisfy(p -> assertThat(p.get("successes").asLong()).isEqualTo(3));
    assertThat(last(history).get("confidence").asDouble()).isEqualTo(0.5);
  }

  @Test
  void cellByQuery_opensDomainsHoldingASlash_andNamesTheMissingField() {
    rt.run("good", "eu/west");
    JsonNode cell = rt.getJson("/api/cell?pattern=good&domain=eu%2Fwest");
    assertThat(cell.get("domain").asText()).isEqualTo("eu/west");
    assertThat(cell.get("successes").asLong()).isEqualTo(1);
    assertThat(cell.get("lastOutcomes")).hasSize(1);

    HttpResponse<String> missing = rt.get("/api/cell?pattern=good");
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(rt.parse(missing.body()).get("field").asText()).isEqualTo("domain");
    assertThat(rt.get("/api/cell?pattern=nope&domain=eu").statusCode()).isEqualTo(404);
  }

  @Test
  void resources_countConflictsPerResource() throws Exception {
    ResourcePool pool = rt.ndp.registry().resourcePool();
    try (ResourcePool.Lease lease =
        pool.tryAcquireAll(Map.of("db", 2), Duration.ZERO).orElseThrow()) {
      assertThat(pool.tryAcquireAll(Map.of("db", 1), Duration.ZERO)).isEmpty();
      assertThat(pool.tryAcquireAll(Map.of("db", 1), Duration.ZERO)).isEmpty();
      JsonNode db = rt.getJson("/api/resources").get("resources").get(0);
      assertThat(db.get("inUse").asInt()).isEqualTo(2);
      assertThat(db.get("conflicts").asLong()).isEqualTo(2);
    }
  }

  private static JsonNode last(JsonNode array) {
    return array.get(array.size() - 1);
  }

  @Test
  void patterns_showEveryPatternWithItsCountsPerDomain() {
    JsonNode root = rt.getJson("/api/patterns");
    JsonNode good = byName(root.get("patterns"), "good");
    JsonNode bad = byName(root.get("patterns"), "bad");

    assertThat(good.get("type").asText()).isEqualTo("sequential");
    assertThat(good.get("definition").get("parameters").get("steps").get(0).asText())
        .isEqualTo("ok");
    assertThat(good.get("domains").get("eu").get("successes").asLong()).isEqualTo(3);
    assertThat(good.get("domains").get("eu").get("failures").asLong()).isZero();
    assertThat(good.get("domains").get("us").get("successes").asLong()).isEqualTo(1);
    assertThat(good.get("overall").get("successes").asLong()).isEqualTo(4);
    assertThat(bad.get("domains").get("eu").get("failures").asLong()).isEqualTo(2);
    assertThat(bad.get("domains").has("us")).isFalse();
    double confidence = good.get("domains").get("eu").get("confidence").asDouble();
    assertThat(confidence).isEqualTo(rt.ndp.registry().getPattern("good").confidenceScore("eu"));
    assertThat(good.get("domains").get("eu").get("level").asText())
        .isEqualTo(io.ndp.api.ConfidenceLevel.of(confidence).toString());
  }

  @Test
  void cell_showsOneDomainOfOnePattern_andUnknownPatternIs404() {
    JsonNode cell = rt.getJson("/api/patterns/bad/domains/eu");
    assertThat(cell.get("pattern").asText()).isEqualTo("bad");
    assertThat(cell.get("domain").asText()).isEqualTo("eu");
    assertThat(cell.get("successes").asLong()).isZero();
    assertThat(cell.get("failures").asLong()).isEqualTo(2);
    assertThat(cell.get("breaker").asText()).isNotBlank();
    assertThat(cell.get("forced").asBoolean()).isFalse();

    HttpResponse<String> missing = rt.get("/api/patterns/nope/domains/eu");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(rt.parse(missing.body()).get("field").asText()).isEqualTo("name");
  }

  @Test
  void decisions_listRecentExecutionsNewestFirst_andFiltersWork() {
    JsonNode all = rt.getJson("/api/decisions").get("decisions");
    assertThat(all).hasSize(6);
    assertThat(all.get(0).get("domain").asText()).isEqualTo("us");
    assertThat(all.get(0).get("chosenPattern").asText()).isEqualTo("good");
    assertThat(all.get(0).get("success").asBoolean()).isTrue();
    assertThat(all.get(0).get("attempts").get(0).get("pattern").asText()).isEqualTo("good");
    assertThat(all.get(0).get("attempts").get(0).get("status").asText()).isNotBlank();
    assertThat(all.get(0).get("attempts").get(0).get("kind").asText()).isEqualTo("RUN");
    assertThat(all.get(0).get("attempts").get(0).has("durationMillis")).isTrue();

    assertThat(rt.getJson("/api/decisions?domain=us").get("decisions")).hasSize(1);
    assertThat(rt.getJson("/api/decisions?domain=eu").get("decisions")).hasSize(5);
    JsonNode failures = rt.getJson("/api/decisions?outcome=failure").get("decisions");
    assertThat(failures).hasSize(2);
    failures.forEach(d -> assertThat(d.get("success").asBoolean()).isFalse());
    assertThat(rt.getJson("/api/decisions?pattern=bad").get("decisions")).hasSize(2);
    assertThat(rt.getJson("/api/decisions?pattern=good&domain=eu&outcome=success").get("decisions"))
        .hasSize(3);
    assertThat(rt.getJson("/api/decisions?limit=2").get("decisions")).hasSize(2);

    HttpResponse<String> bad = rt.get("/api/decisions?outcome=maybe");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(rt.parse(bad.body()).get("field").asText()).isEqualTo("outcome");
    assertThat(rt.get("/api/decisions?limit=0").statusCode()).isEqualTo(400);
  }

  @Test
  void decisions_carryTheDecisionRecordOfABestPatternRun() {
    rt.runBest("asia");
    JsonNode d = rt.getJson("/api/decisions?domain=asia").get("decisions").get(0);
    JsonNode entries = d.get("decision").get("entries");
    List<String> names = new ArrayList<>();
    entries.forEach(e -> names.add(e.get("pattern").asText()));
    assertThat(names).containsExactlyInAnyOrder("good", "bad");
    assertThat(entries.get(0).get("verdict").asText()).isNotBlank();
    assertThat(entries.get(0).get("why").asText()).isNotBlank();
    assertThat(d.get("decision").get("maxAttempts").asInt()).isEqualTo(1);
  }

  @Test
  void decisions_keepOnlyTheFeedsCapacity() {
    for (int i = 0; i < 60; i++) {
      rt.run("good", "bulk");
    }
    JsonNode root = rt.getJson("/api/decisions");
    assertThat(root.get("decisions")).hasSize(50);
    assertThat(root.get("seen").asLong()).isEqualTo(66);
  }

  @Test
  void resources_showCapacityInUseAndWaiting() throws Exception {
    ResourcePool pool = rt.ndp.registry().resourcePool();
    try (ResourcePool.Lease lease =
        pool.tryAcquireAll(Map.of("db", 1), Duration.ZERO).orElseThrow()) {
      assertThat(lease.units()).containsEntry("db", 1);
      JsonNode root = rt.getJson("/api/resources");
      JsonNode db = root.get("resources").get(0);
      assertThat(db.get("name").asText()).isEqualTo("db");
      assertThat(db.get("capacity").asInt()).isEqualTo(2);
      assertThat(db.get("inUse").asInt()).isEqualTo(1);
      assertThat(root.get("waitingRequests").asInt()).isZero();
    }
    assertThat(rt.getJson("/api/resources").get("resources").get(0).get("inUse").asInt()).isZero();
  }

  @Test
  void plugins_listTheReports_emptyWithoutAPluginsFolder() {
    JsonNode root = rt.getJson("/api/plugins");
    assertThat(root.get("plugins")).hasSize(rt.ndp.pluginReports().size()).isEmpty();
  }

  @Test
  void answers_areJsonWithNosniff() {
    for (String path :
        List.of("/api/patterns", "/api/decisions", "/api/resources", "/api/plugins")) {
      HttpResponse<String> r = rt.get(path);
      assertThat(r.headers().firstValue("Content-Type"))
          .as(path)
          .hasValue("application/json; charset=utf-8");
      assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
    }
    HttpResponse<String> unknown = rt.get("/api/nothing");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.headers().firstValue("Content-Type"))
        .hasValue("application/json; charset=utf-8");
  }

  @Test
  void page_isServedWithARestrictivePolicy() {
    HttpResponse<String> page = rt.get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("NDP console", "/console.js", "id=\"patterns\"");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'");
    assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(rt.get("/console.js").body())
        .contains("/api/events", "textContent")
        .doesNotContain("http://", "https://", "innerHTML", "eval(");
    assertThat(rt.get("/console.css").statusCode()).isEqualTo(200);
  }

  @Test
  void views_refuseOtherMethods() {
    assertThat(rt.post("/api/patterns", "{}").statusCode()).isEqualTo(405);
  }

  private static JsonNode byName(JsonNode array, String name) {
    for (JsonNode n : array) {
      if (n.get("name").asText().equals(name)) {
        return n;
      }
    }
    throw new AssertionError("no pattern " + name + " in " + array);
  }
}
