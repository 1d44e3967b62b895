package io.ndp.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.PatternContext;
import io.ndp.api.PatternResult;
import io.ndp.api.ResourcePool;
import io.ndp.core.ConsolePluginJars;
import io.ndp.core.Ndp;
import io.ndp.core.PluginReport;
import io.ndp.core.SelectionPolicy;
import io.ndp.patterns.sequential.SequentialDelegationPattern;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser: a runtime runs a scripted workload (successes, failures, a drift,
 * a fall-back, saturated resources, a plugin that fails to start) while headless Chromium shows the
 * page, and each test asserts what the page shows, updated live by the event stream. Each view is
 * saved as a screenshot in {@code target/console-screenshots}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {

  static final String TOKEN = "browser-test-token-0123456789";
  static final Duration LIVE = Duration.ofSeconds(15);

  final ConsoleFeed feed = NdpConsole.feed(100);
  final ResourcePool pool = new ResourcePool(Map.of("db", 2));
  final AtomicBoolean flakyWorks = new AtomicBoolean(true);
  final CountDownLatch releaseDb = new CountDownLatch(1);
  final List<CompletableFuture<PatternResult>> holding = new ArrayList<>();
  Ndp ndp;
  NdpConsole console;
  WebDriver browser;
  WebDriverWait wait;

  @BeforeAll
  void start(@TempDir Path plugins) throws Exception {
    ConsolePluginJars.failingToStart(plugins, "licensed-kind", "licensed");
    ndp =
        Ndp.builder()
            .listener(feed)
            .resourcePool(pool)
            .pluginsDir(plugins)
            .executor(b -> b.selectionPolicy(SelectionPolicy.greedy()).maxAttempts(2))
            .build();
    ndp.register(new SequentialDelegationPattern("flaky", "works until it drifts", List.of("f")));
    ndp.register(new SequentialDelegationPattern("steady", "always works", List.of("ok")));
    ndp.register(new SequentialDelegationPattern("holds-db", "holds one db unit", List.of("db")));
    ndp.delegates().register("ok", in -> "done");
    ndp.delegates()
        .register(
            "f",
            in -> {
              if (!flakyWorks.get()) {
                throw new IllegalStateException("upstream changed its format");
              }
              return "done";
            });
    ndp.delegates()
        .register(
            "db",
            in -> {
              try (ResourcePool.Lease lease =
                  pool.tryAcquireAll("holds-db", 0, Map.of("db", 1), Duration.ZERO)
                      .orElseThrow(() -> new IllegalStateException("db is full"))) {
                releaseDb.await(60, TimeUnit.SECONDS);
                return lease.units();
              }
            });
    // Only the resource scenario runs holds-db: best-pattern executions never pick it.
    for (String domain : List.of("orders", "billing")) {
      ndp.registry().pins().forbid(domain, "holds-db");
    }
    console = NdpConsole.builder(ndp).feed(feed).port(0).actionsToken(TOKEN).start();

    // Learned before the page opens: flaky is trusted in both domains (7/8); steady is unseen.
    for (int i = 0; i < 6; i++) {
      run("flaky", "orders");
      run("flaky", "billing");
    }
    browser = Chromium.start();
    // Views re-render on every event: an element read between two renders is stale, so reads
    // happen inside waits, which look again.
    wait = new WebDriverWait(browser, LIVE);
    wait.ignoring(StaleElementReferenceException.class);
    browser.get("http://127.0.0.1:" + console.port() + "/#patterns");
    wait.until(d -> d.findElement(By.id("live")).getText().equals("live"));
  }

  @AfterAll
  void stop() {
    releaseDb.countDown();
    holding.forEach(CompletableFuture::join);
    if (browser != null) {
      browser.quit();
    }
    if (console != null) {
      console.close();
    }
    if (ndp != null) {
      ndp.close();
    }
  }

  @Test
  @Order(1)
  void heatmap_cellChangesLevel_afterTheDrift_andItsDetailShowsTheOutcomes() {
    wait.until(d -> level("flaky", "orders").equals("HIGH"));

    flakyWorks.set(false); // the drift: flaky now fails everywhere
    for (int i = 0; i < 12; i++) {
      run("flaky", "orders");
    }

    // Live: no reload, the event stream brings the new level.
    wait.until(d -> level("flaky", "orders").equals("LOW"));
    assertThat(level("flaky", "billing")).as("another domain is untouched").isEqualTo("HIGH");

    cell("flaky", "orders").click();
    wait.until(d -> stat("Failures").equals("12"));
    assertThat(stat("Successes")).isEqualTo("6");
    assertThat(stat("Level")).isEqualTo("LOW");
    assertThat(stat("Prior")).contains("Beta(1, 1)");
    List<String> outcomes =
        wait.until(
            d ->
                d.findElements(By.cssSelector("#cell-outcomes tbody tr")).stream()
                    .map(WebElement::getText)
                    .toList());
    assertThat(outcomes).as("6 successes, 12 failures").hasSize(18);
    assertThat(outcomes.get(0)).as("newest first").contains("FAILED");
    assertThat(outcomes.get(outcomes.size() - 1)).as("oldest kept").contains("SUCCESS");
    // The chart is drawn by the vendored library into a canvas.
    assertThat(browser.findElements(By.cssSelector("#cell-chart canvas"))).isNotEmpty();
    Chromium.screenshot(browser, "patterns");
  }

  @Test
  @Order(2)
  void decisionFeed_showsTheFallback_andFiltersByDomain() {
    // flaky still ranks first in billing (learned there, above steady's prior), fails, and steady
    // takes over.
    PatternResult r = best("billing");
    assertThat(r.success()).isTrue();
    assertThat(r.chosenPattern()).isEqualTo("steady");
    assertThat(r.fallbacksTried()).as("%s %s", r.attempts(), r.decision()).isEqualTo(1);

    browser.findElement(By.cssSelector("#tabs a[data-view=decisions]")).click();
    WebElement domain = browser.findElement(By.cssSelector("#filters input[name=domain]"));
    domain.sendKeys("billing");
    wait.until(
        d ->
            rows("#decisions tbody tr").stream()
                .allMatch(tr -> "billing".equals(tr.getDomAttribute("data-domain"))));
    String row =
        wait.until(
            d -> {
              WebElement tr = fallbackRow();
              return tr == null
                  ? null
                  : tr.getText() + " | " + tr.findElement(By.cssSelector("td.fallback")).getText();
            });
    assertThat(row).contains("flaky RUN FAILED").contains("steady RUN SUCCESS").endsWith("| 1");

    wait.until(
        d -> {
          fallbackRow().click();
          return true;
        });
    String candidates =
        wait.until(
            d -> {
              String text = d.findElement(By.id("candidates")).getText();
              return text.contains("steady") ? text : null;
            });
    assertThat(candidates).contains("flaky");
    Chromium.screenshot(browser, "decisions");
  }

  @Test
  @Order(3)
  void resourceGauge_reachesCapacity_andCountsTheConflict() {
    browser.findElement(By.cssSelector("#tabs a[data-view=resources]")).click();
    for (int i = 0; i < 2; i++) {
      holding.add(CompletableFuture.supplyAsync(() -> run("holds-db", "batch")));
    }
    WebElement inUse =
        wait.until(
            d -> {
              WebElement td = d.findElement(By.cssSelector("tr[data-resource=db] td[data-in-use]"));
              return "2".equals(td.getDomAttribute("data-in-use")) ? td : null;
            });
    assertThat(inUse.getText()).isEqualTo("2 / 2");
    assertThat(inUse.getDomAttribute("class")).contains("full");
    assertThat(
            browser
                .findElement(By.cssSelector("tr[data-resource=db] meter"))
                .getDomProperty("value"))
        .isEqualTo("2");

    // A third holder finds no unit: a conflict, shown beside the gauge.
    assertThat(run("holds-db", "batch").success()).isFalse();
    wait.until(
        d ->
            d.findElement(By.cssSelector("tr[data-resource=db]"))
                .findElements(By.tagName("td"))
                .get(3)
                .getText()
                .equals("1"));
    Chromium.screenshot(browser, "resources");

    releaseDb.countDown();
    holding.forEach(f -> assertThat(f.join().success()).isTrue());
    wait.until(
        d ->
            "0"
                .equals(
                    d.findElement(By.cssSelector("tr[data-resource=db] td[data-in-use]"))
                        .getDomAttribute("data-in-use")));
  }

  @Test
  @Order(4)
  void pluginsView_showsTheFailedPluginsReason() {
    PluginReport report = ndp.pluginReport("licensed-kind").orElseThrow();
    assertThat(report.status()).isEqualTo(PluginReport.Status.FAILED);

    browser.findElement(By.cssSelector("#tabs a[data-view=plugins]")).click();
    WebElement row =
        wait.until(d -> d.findElement(By.cssSelector("#plugins tr[data-plugin=licensed-kind]")));
    assertThat(row.getText()).contains("FAILED");
    assertThat(row.findElement(By.cssSelector("td.reason")).getText()).contains("licence expired");
    assertThat(row.findElements(By.tagName("button")))
        .extracting(WebElement::getText)
        .containsExactly("Stop", "Start", "Reload");
    Chromium.screenshot(browser, "plugins");
  }

  @Test
  @Order(5)
  void actionWithTheToken_resetsADomain_andThePageShowsIt() {
    browser.findElement(By.cssSelector("#tabs a[data-view=patterns]")).click();
    assertThat(level("flaky", "orders")).isEqualTo("LOW");
    cell("flaky", "orders").click();
    wait.until(d -> d.findElement(By.id("cell-actions")).isDisplayed());

    // Without the token the page refuses before asking the server.
    browser.findElement(By.cssSelector("#cell-actions button[data-action=reset-domain]")).click();
    assertThat(browser.findElement(By.id("action-result")).getText()).contains("token");
    assertThat(level("flaky", "orders")).isEqualTo("LOW");

    // A wrong token: the server answers 401 and the page says so.
    browser.findElement(By.id("token")).sendKeys("wrong-token-wrong-token");
    browser.findElement(By.cssSelector("#cell-actions button[data-action=reset-domain]")).click();
    wait.until(d -> d.findElement(By.id("action-result")).getText().startsWith("401"));
    assertThat(ndp.registry().statistics("flaky", "orders").failures()).isEqualTo(12);

    WebElement token = browser.findElement(By.id("token"));
    token.clear();
    token.sendKeys(TOKEN);
    browser.findElement(By.cssSelector("#cell-actions button[data-action=reset-domain]")).click();
    wait.until(d -> d.findElement(By.id("action-result")).getText().contains("reset in domain"));
    // No outcome left in the domain: its column shows no level (or leaves the heatmap).
    wait.until(d -> List.of("none", "absent").contains(level("flaky", "orders")));
    assertThat(ndp.registry().statistics("flaky", "orders").total()).isZero();
    assertThat(level("flaky", "billing")).as("only the domain asked for").isNotIn("none", "absent");
    assertThat(browser.getPageSource()).doesNotContain(TOKEN);
    Chromium.screenshot(browser, "patterns-after-reset");
  }

  @Test
  @Order(6)
  void hostileNames_showAsText_andTheirCellOpens() {
    String domain = "eu/west <img src=x onerror=alert(1)> <b>bold</b>";
    run("steady", domain);
    wait.until(d -> !level("steady", domain).equals("absent"));
    cell("steady", domain).click();
    wait.until(d -> stat("Successes").equals("1"));
    assertThat(browser.findElement(By.id("cell-title")).getText()).isEqualTo("steady in " + domain);
    assertThat(browser.findElements(By.cssSelector("#heatmap img, #heatmap b, #cell-title b")))
        .as("data never becomes markup")
        .isEmpty();
  }

  // ------------------------------------------------------------------ helpers

  PatternResult run(String pattern, String domain) {
    return ndp.executor()
        .execute(
            ndp.registry().getPattern(pattern),
            PatternContext.builder(domain, "sequential").build());
  }

  PatternResult best(String domain) {
    return ndp.executor().executeBestPattern(PatternContext.builder(domain, "sequential").build());
  }

  WebElement cell(String pattern, String domain) {
    return cells(pattern, domain).get(0);
  }

  String level(String pattern, String domain) {
    List<WebElement> found = cells(pattern, domain);
    return found.isEmpty() ? "absent" : found.get(0).getDomAttribute("data-level");
  }

  /** The heatmap cells of a pattern × domain, matched by their data attributes (any characters). */
  List<WebElement> cells(String pattern, String domain) {
    return browser.findElements(By.cssSelector("#heatmap td.cell")).stream()
        .filter(
            td ->
                pattern.equals(td.getDomAttribute("data-pattern"))
                    && domain.equals(td.getDomAttribute("data-domain")))
        .toList();
  }

  String stat(String name) {
    List<WebElement> found =
        browser.findElements(By.cssSelector("#cell-stats td[data-stat='" + name + "']"));
    return found.isEmpty() ? "" : found.get(0).getText();
  }

  WebElement fallbackRow() {
    return rows("#decisions tbody tr").stream()
        .filter(tr -> "1".equals(tr.getDomAttribute("data-fallbacks")))
        .findFirst()
        .orElse(null);
  }

  List<WebElement> rows(String css) {
    return browser.findElements(By.cssSelector(css));
  }
}
