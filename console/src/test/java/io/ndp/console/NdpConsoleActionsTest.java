package io.ndp.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The actions: done with the token, refused otherwise, each with the status that says why. */
class NdpConsoleActionsTest {

  private ConsoleRuntime rt;

  @BeforeEach
  void start() {
    rt = new ConsoleRuntime(b -> b.actionsToken(ConsoleRuntime.TOKEN));
    rt.run("good", "eu");
    rt.run("good", "eu");
    rt.run("bad", "eu");
    rt.run("good", "us");
  }

  @AfterEach
  void stop() {
    rt.close();
  }

  @Test
  void resetPattern_clearsItsCountsInEveryDomain() {
    HttpResponse<String> r = rt.action("reset-pattern", "{\"pattern\":\"good\"}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(rt.parse(r.body()).get("done").asText()).contains("good");
    JsonNode good = pattern("good");
    assertThat(good.get("overall").get("successes").asLong()).isZero();
    assertThat(good.get("domains").path("eu").path("successes").asLong(0)).isZero();
    assertThat(pattern("bad").get("domains").get("eu").get("failures").asLong()).isEqualTo(1);
  }

  @Test
  void resetDomain_clearsEveryPatternThere_andLeavesOtherDomains() {
    HttpResponse<String> r = rt.action("reset-domain", "{\"domain\":\"eu\"}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(pattern("good").get("domains").path("eu").path("successes").asLong(0)).isZero();
    assertThat(pattern("bad").get("domains").path("eu").path("failures").asLong(0)).isZero();
    assertThat(pattern("good").get("domains").get("us").get("successes").asLong()).isEqualTo(1);
  }

  @Test
  void force_isVisibleInTheNextDecision() {
    HttpResponse<String> r = rt.action("force", "{\"domain\":\"eu\",\"pattern\":\"bad\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

    rt.runBest("eu");

    JsonNode last = rt.getJson("/api/decisions?domain=eu&limit=1").get("decisions").get(0);
    JsonNode first = last.get("decision").get("entries").get(0);
    assertThat(first.get("pattern").asText()).isEqualTo("bad");
    assertThat(first.get("verdict").asText()).isEqualTo("PINNED");
    assertThat(last.get("attempts").get(0).get("pattern").asText()).isEqualTo("bad");
    assertThat(rt.getJson("/api/patterns").get("pins").get("forced").get("eu").asText())
        .isEqualTo("bad");
    assertThat(rt.getJson("/api/patterns/bad/domains/eu").get("forced").asBoolean()).isTrue();
  }

  @Test
  void forbid_isVisibleInTheNextDecision_andAllowLiftsIt() {
    HttpResponse<String> r = rt.action("forbid", "{\"domain\":\"eu\",\"pattern\":\"good\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(rt.parse(r.body()).get("changed").asBoolean()).isTrue();

    rt.runBest("eu");

    JsonNode last = rt.getJson("/api/decisions?domain=eu&limit=1").get("decisions").get(0);
    assertThat(verdictOf(last, "good")).isEqualTo("FORBIDDEN");
    assertThat(last.get("attempts").get(0).get("pattern").asText()).isEqualTo("bad");

    HttpResponse<String> allowed = rt.action("allow", "{\"domain\":\"eu\",\"pattern\":\"good\"}");
    assertThat(allowed.statusCode()).isEqualTo(200);
    assertThat(rt.parse(allowed.body()).get("changed").asBoolean()).isTrue();
    rt.runBest("eu");
    JsonNode next = rt.getJson("/api/decisions?domain=eu&limit=1").get("decisions").get(0);
    assertThat(verdictOf(next, "good")).isNotEqualTo("FORBIDDEN");
  }

  @Test
  void forceOfAForbiddenPattern_isAConflictNamingThePattern() {
    rt.action("forbid", "{\"domain\":\"eu\",\"pattern\":\"good\"}");
    HttpResponse<String> r = rt.action("force", "{\"domain\":\"eu\",\"pattern\":\"good\"}");
    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(rt.parse(r.body()).get("error").asText()).contains("forbidden");
  }

  @Test
  void action_withoutToken_is401() {
    HttpResponse<String> r = rt.post("/api/actions/reset-domain", "{\"domain\":\"eu\"}");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).doesNotContain(ConsoleRuntime.TOKEN);
    assertThat(pattern("good").get("domains").get("eu").get("successes").asLong()).isEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Bearer wrong-token-of-some-length",
        "Bearer " + ConsoleRuntime.TOKEN + "x",
        "Basic " + ConsoleRuntime.TOKEN,
        "Bearer "
      })
  void action_withABadToken_is401(String authorization) {
    HttpResponse<String> r =
        rt.post("/api/actions/reset-domain", "{\"domain\":\"eu\"}", "Authorization", authorization);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(pattern("good").get("domains").get("eu").get("successes").asLong()).isEqualTo(2);
  }

  @Test
  void action_fromAForeignOrigin_is403_evenWithTheToken() {
    HttpResponse<String> r =
        rt.post(
            "/api/actions/reset-domain",
            "{\"domain\":\"eu\"}",
            "Authorization",
            "Bearer " + ConsoleRuntime.TOKEN,
            "Origin",
            "https://evil.example");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(pattern("good").get("domains").get("eu").get("successes").asLong()).isEqualTo(2);
  }

  @Test
  void action_fromTheConsolesOwnOrigin_isDone() {
    HttpResponse<String> r =
        rt.post(
            "/api/actions/reset-domain",
            "{\"domain\":\"eu\"}",
            "Authorization",
            "Bearer " + ConsoleRuntime.TOKEN,
            "Origin",
            "http://127.0.0.1:" + rt.console.port());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  @Test
  void action_whenActionsAreOff_is404() {
    try (ConsoleRuntime off = new ConsoleRuntime()) {
      assertThat(off.console.actionsEnabled()).isFalse();
      HttpResponse<String> r = off.action("reset-domain", "{\"domain\":\"eu\"}");
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(off.post("/api/actions/plugins/x/stop", "").statusCode()).isEqualTo(404);
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "reset-pattern | {}                                   | pattern",
        "reset-pattern | {\"pattern\":\"  \"}                 | pattern",
        "reset-pattern | {\"pattern\":\"nope\"}               | pattern",
        "reset-pattern | {\"pattern\":3}                      | pattern",
        "reset-domain  | {\"domain\":\"\"}                    | domain",
        "force         | {\"pattern\":\"good\"}               | domain",
        "force         | {\"domain\":\"eu\"}                  | pattern",
        "forbid        | {\"domain\":\"eu\",\"pattern\":\"x\"} | pattern",
        "allow         | {\"domain\":\"eu\"}                  | pattern",
        "reset-domain  | not json                             | body",
        "reset-domain  | [1,2]                                | body",
      })
  void action_withBadInput_is400NamingTheField(String action, String body, String field) {
    HttpResponse<String> r = rt.action(action, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(rt.parse(r.body()).get("field").asText()).isEqualTo(field);
  }

  @Test
  void action_withATooLongName_is400NamingTheField() {
    String longName = "d".repeat(ConsoleHandler.MAX_NAME + 1);
    HttpResponse<String> r = rt.action("reset-domain", "{\"domain\":\"" + longName + "\"}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(rt.parse(r.body()).get("field").asText()).isEqualTo("domain");
  }

  @Test
  void pluginAction_forAnUnknownPlugin_is404NamingTheId() {
    HttpResponse<String> stop = rt.action("plugins/nope/stop", "");
    assertThat(stop.statusCode()).isEqualTo(404);
    assertThat(rt.parse(stop.body()).get("field").asText()).isEqualTo("id");
    assertThat(rt.action("plugins/nope/start", "").statusCode()).isEqualTo(404);
    assertThat(rt.action("nonsense", "{}").statusCode()).isEqualTo(404);
  }

  @Test
  void actionsToken_tooShort_isRefusedAtBuild() {
    assertThatThrownBy(() -> NdpConsole.builder(rt.ndp).actionsToken("short"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 16")
        .hasMessageNotContaining("short");
  }

  private JsonNode pattern(String name) {
    for (JsonNode p : rt.getJson("/api/patterns").get("patterns")) {
      if (p.get("name").asText().equals(name)) {
        return p;
      }
    }
    throw new AssertionError("no pattern " + name);
  }

  private static String verdictOf(JsonNode decision, String pattern) {
    for (JsonNode e : decision.get("decision").get("entries")) {
      if (e.get("pattern").asText().equals(pattern)) {
        return e.get("verdict").asText();
      }
    }
    throw new AssertionError("no entry for " + pattern + " in " + decision);
  }
}
