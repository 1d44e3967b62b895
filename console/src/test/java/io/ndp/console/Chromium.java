package io.ndp.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium for the console's browser tests: Debian's {@code chromium} driven through its
 * {@code chromium-driver}, found at their Debian paths (or {@code NDP_CHROMIUM} and {@code
 * NDP_CHROMEDRIVER}); Selenium Manager never runs, nothing is downloaded.
 *
 * <p>Without the two programs the tests are skipped on a developer's machine and fail under CI
 * ({@code CI=true}), where {@code .ci/run} installs them.
 */
final class Chromium {

  static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

  private Chromium() {}

  static WebDriver start() {
    Path browser = program("NDP_CHROMIUM", "/usr/bin/chromium");
    Path driver = program("NDP_CHROMEDRIVER", "/usr/bin/chromedriver");
    boolean present = Files.isExecutable(browser) && Files.isExecutable(driver);
    if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(
          "browser tests need "
              + browser
              + " and "
              + driver
              + " (Debian: chromium chromium-driver)");
    }
    assumeTrue(present, "chromium and chromedriver are not installed; browser tests skipped");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(browser.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox", // CI runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,1000",
        "--lang=en-US");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(driver.toFile())
            .usingAnyFreePort()
            .build();
    ChromeDriver chrome = new ChromeDriver(service, options);
    chrome.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    return chrome;
  }

  /** Saves what the browser shows as {@code target/console-screenshots/<name>.png}. */
  static Path screenshot(WebDriver driver, String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      Path taken = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
      Path out = SCREENSHOTS.resolve(name + ".png");
      Files.copy(taken, out, StandardCopyOption.REPLACE_EXISTING);
      Files.deleteIfExists(taken);
      assertThat(Files.size(out)).as("screenshot %s", out).isGreaterThan(1000);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path program(String variable, String debianPath) {
    String given = System.getenv(variable);
    return Path.of(given == null || given.isBlank() ? debianPath : given);
  }
}
