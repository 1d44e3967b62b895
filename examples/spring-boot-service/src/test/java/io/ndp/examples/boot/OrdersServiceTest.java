package io.ndp.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The example service end to end: started on a random port, called over HTTP on 127.0.0.1 as a
 * client would, its delegates really run (the order is stored), the runtime learns, and Actuator
 * shows it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OrdersServiceTest {

  @LocalServerPort int port;

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void run_executesTheBestPattern_andTheDelegatesStoreTheOrder() throws Exception {
    HttpResponse<String> r =
        post(
            "/run",
            """
            {"domain":"orders","agentType":"sequential",
             "payload":{"id":"o-1","amount":12.5,"email":"Ann@Example.org"}}""");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = json.readTree(r.body());
    assertThat(body.get("success").asBoolean()).isTrue();
    assertThat(body.get("chosenPattern").asText())
        .isIn("validate_store", "validate_normalize_store");
    assertThat(body.get("output").asText()).isEqualTo("o-1");

    JsonNode stored = json.readTree(get("/orders").body()).get("o-1");
    assertThat(stored).as("the store delegate ran").isNotNull();
    assertThat(stored.get("email").asText()).isIn("Ann@Example.org", "ann@example.org");
  }

  @Test
  void aFailingOrder_is422_withTheDelegatesReason_andEveryPatternTried() throws Exception {
    HttpResponse<String> r =
        post(
            "/run",
            """
            {"domain":"orders","agentType":"sequential",
             "payload":{"id":"o-bad","amount":-3,"email":"x@y.z"}}""");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
    JsonNode body = json.readTree(r.body());
    assertThat(body.get("success").asBoolean()).isFalse();
    assertThat(body.get("attempts")).hasSize(2); // ndp.executor.max-attempts: 2
    assertThat(body.get("attempts").get(0).get("message").asText())
        .contains("amount must be positive but was -3");
    assertThat(json.readTree(get("/orders").body()).has("o-bad")).isFalse();
  }

  @Test
  void badContexts_areClientErrors() throws Exception {
    assertThat(post("/run", "{\"agentType\":\"sequential\"}").statusCode()).isEqualTo(400);
    HttpResponse<String> unknown = post("/run", "{\"domain\":\"orders\",\"agentType\":\"nope\"}");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("nope");
  }

  @Test
  void actuator_showsTheRuntimesHealth_andWhatItLearned() throws Exception {
    for (int i = 0; i < 3; i++) {
      post(
          "/run",
          "{\"domain\":\"eu\",\"agentType\":\"sequential\",\"payload\":{\"id\":\"eu-"
              + i
              + "\",\"amount\":1,\"email\":\"a@b.c\"}}");
    }
    HttpResponse<String> health = get("/actuator/health");
    assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
    JsonNode ndp = json.readTree(health.body()).get("components").get("ndp");
    assertThat(ndp.get("status").asText()).isEqualTo("UP");

    HttpResponse<String> endpoint = get("/actuator/ndp");
    assertThat(endpoint.statusCode()).as(endpoint.body()).isEqualTo(200);
    assertThat(endpoint.body()).contains("validate_store").contains("validate_normalize_store");
    assertThat(endpoint.body()).contains("\"eu\"");
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }
}
