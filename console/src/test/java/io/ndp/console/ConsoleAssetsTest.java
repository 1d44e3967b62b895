package io.ndp.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The page's files: the vendored chart library is served unchanged (checked against the checksums
 * in its {@code VENDORED.md}) with its licence, and the page loads nothing from another origin.
 */
class ConsoleAssetsTest {

  private final ConsoleRuntime rt = new ConsoleRuntime();

  @AfterEach
  void close() {
    rt.close();
  }

  @Test
  void vendoredChartLibrary_isServedUnchanged_withItsLicence() throws Exception {
    String note = rt.get("/index.html").body();
    assertThat(note).contains("/vendor/uPlot.iife.min.js").contains("/vendor/uPlot.min.css");

    HttpResponse<String> js = rt.get("/vendor/uPlot.iife.min.js");
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
    assertThat(sha256(js.body()))
        .isEqualTo("19c8d4c6ad88929a79f4ae49d6f7161566dfd0ba3d15cc495e974f787eb78f1f");
    assertThat(sha256(rt.get("/vendor/uPlot.min.css").body()))
        .isEqualTo("df630c6a8d6f8eeaff264b50f73ce5b114f646ffd9a0bb74f049b0a00135fa04");
    HttpResponse<String> licence = rt.get("/vendor/uPlot-LICENSE.txt");
    assertThat(licence.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
    assertThat(licence.body()).contains("The MIT License").contains("Leon Sorokin");
  }

  @Test
  void thePage_loadsNothingFromAnotherOrigin() {
    for (String path : new String[] {"/", "/console.js", "/console.css"}) {
      String body = rt.get(path).body();
      assertThat(Pattern.compile("(src|href)=\"(https?:)?//").matcher(body).find())
          .as("%s links another origin", path)
          .isFalse();
      assertThat(body).as(path).doesNotContain("fetch(\"http").doesNotContain("localStorage");
    }
    assertThat(rt.get("/").headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("script-src 'self'")
        .contains("connect-src 'self'");
  }

  @Test
  void consoleView_saysWhetherActionsAreOn() {
    JsonNode off = rt.getJson("/api/console");
    assertThat(off.get("actions").asBoolean()).isFalse();
    assertThat(off.get("sampleMillis").asLong()).isEqualTo(NdpConsole.SAMPLE_MILLIS);
    try (ConsoleRuntime on = new ConsoleRuntime(b -> b.actionsToken(ConsoleRuntime.TOKEN))) {
      JsonNode info = on.getJson("/api/console");
      assertThat(info.get("actions").asBoolean()).isTrue();
      assertThat(info.toString()).doesNotContain(ConsoleRuntime.TOKEN);
    }
  }

  private static String sha256(String body) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8)));
  }
}
