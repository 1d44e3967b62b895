package io.ndp.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Defects of the example service found in review: each test states the expected behaviour. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ServiceReviewTest {

  @LocalServerPort int port;

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  /**
   * The controller hands the client's requiredSteps to the context, and a sequential pattern runs
   * only the required steps: {"requiredSteps":["store"]} skips validate and stores an order with a
   * negative amount and no e-mail address. An order that validate refuses must never be stored,
   * whatever the request asks for (e.g. requiredSteps ["store"] refused with 400, or validate
   * always run first).
   */
  @Test
  void requiredStepsStoreOnly_cannotStoreAnOrderThatValidateRefuses() throws Exception {
    HttpResponse<String> r =
        post(
            "/run",
            """
            {"domain":"orders","agentType":"sequential","requiredSteps":["store"],
             "payload":{"id":"o-unchecked","amount":-5,"email":"nobody"}}""");
    assertThat(json.readTree(get("/orders").body()).has("o-unchecked"))
        .as("the invalid order is stored; POST /run answered %s %s", r.statusCode(), r.body())
        .isFalse();
    assertThat(r.statusCode()).isIn(400, 422);
  }

  /**
   * The amount "1e100000" (a 9-byte string) passes validate (a positive BigDecimal) and normalize
   * (requiredSteps picks validate_normalize_store) then expands it with setScale(2) into a
   * 100,003-digit number: the cost grows with the exponent (1e1000000 takes ~15 s of CPU and a
   * megabyte; 1e10000000 minutes, which the 5 s default-timeout cannot interrupt), and GET /orders
   * returns the stored 100,003 digits (more than a Jackson client's default limit of 1000 lets it
   * read). An amount that no order can have must be refused by validate (422 naming amount), like a
   * negative one.
   */
  @Test
  void anAmountWithAHugeExponent_isRefused_notExpandedIntoAHundredThousandDigits()
      throws Exception {
    HttpResponse<String> r =
        post(
            "/run",
            """
            {"domain":"orders","agentType":"sequential","requiredSteps":["validate","normalize","store"],
             "payload":{"id":"o-huge","amount":"1e100000","email":"a@b.c"}}""");
    // GET /orders lists the one order; its body is the order's size (a Jackson client with the
    // default StreamReadConstraints cannot even read it back: numbers are limited to 1000 digits)
    assertThat(get("/orders").body().length())
        .as("characters of GET /orders after POST /run answered %s", r.statusCode())
        .isLessThan(1_000);
    assertThat(r.statusCode()).as("status of POST /run").isEqualTo(422);
    assertThat(r.body()).contains("amount");
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
