package io.ndp.storage.jdbc;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The databases the tests run against. PostgreSQL comes from {@code NDP_TEST_PG_URL} (set by {@code
 * .ci/run}, which starts a throwaway cluster on 127.0.0.1): without it, a PostgreSQL test fails in
 * CI ({@code CI=true}) and is skipped, saying why, elsewhere. The tests that stop and start that
 * server use the script in {@code NDP_TEST_PG_CTL} (argument {@code stop} or {@code start}), with
 * the same rule when it is not set.
 */
final class TestDatabases {
  static final String PG_URL_VARIABLE = "NDP_TEST_PG_URL";
  static final String PG_CTL_VARIABLE = "NDP_TEST_PG_CTL";

  private TestDatabases() {}

  /** The PostgreSQL URL; fails in CI and skips elsewhere when it is not set. */
  static String postgresUrl() {
    String url = System.getenv(PG_URL_VARIABLE);
    if (url == null || url.isBlank()) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError(
            PG_URL_VARIABLE
                + " is not set: in CI the PostgreSQL tests must run (.ci/run starts a cluster)");
      }
      assumeTrue(
          false,
          "PostgreSQL tests skipped: "
              + PG_URL_VARIABLE
              + " is not set (run .ci/run, or start a server as in ../shared/POSTGRES-NOTES.md)");
    }
    return url;
  }

  /**
   * The script that stops ({@code stop}: {@code pg_ctl -m fast stop}) or starts ({@code start}) the
   * server of {@link #postgresUrl()}; fails in CI and skips elsewhere when it is not set.
   */
  static Path postgresCtl() {
    String ctl = System.getenv(PG_CTL_VARIABLE);
    if (ctl == null || ctl.isBlank()) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError(
            PG_CTL_VARIABLE
                + " is not set: in CI the tests that stop and start PostgreSQL must run (.ci/run"
                + " gives the script that does it)");
      }
      assumeTrue(
          false,
          "PostgreSQL outage tests skipped: "
              + PG_CTL_VARIABLE
              + " is not set (the path of a script taking 'stop' or 'start' for the server of "
              + PG_URL_VARIABLE
              + ")");
    }
    Path path = Path.of(ctl);
    if (!Files.isExecutable(path)) {
      throw new AssertionError(PG_CTL_VARIABLE + " must name an executable script but was " + ctl);
    }
    return path;
  }

  /**
   * Runs {@link #postgresCtl()} with {@code stop} or {@code start} and waits for it (at most two
   * minutes).
   *
   * @throws AssertionError naming its exit code and output when it fails
   */
  static void postgresCtl(String action) {
    Path ctl = postgresCtl();
    try {
      // Output to a file, not a pipe: a server started by the script must not hold our pipe open.
      Path out = Files.createTempFile("ndp-pg-ctl-", ".log");
      try {
        Process p =
            new ProcessBuilder(ctl.toString(), action)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
          p.destroyForcibly();
          throw new AssertionError(
              String.format(
                  Locale.ROOT,
                  "%s %s did not finish within 2 minutes: %s",
                  ctl,
                  action,
                  Files.readString(out, StandardCharsets.UTF_8)));
        }
        if (p.exitValue() != 0) {
          throw new AssertionError(
              String.format(
                  Locale.ROOT,
                  "%s %s exited with %d: %s",
                  ctl,
                  action,
                  p.exitValue(),
                  Files.readString(out, StandardCharsets.UTF_8)));
        }
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new AssertionError("cannot run " + ctl + " " + action + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running " + ctl + " " + action, e);
    }
  }

  /** Empties every NDP table of the PostgreSQL test database (the schema stays). */
  static void emptyPostgres() {
    try (Connection c = DriverManager.getConnection(postgresUrl());
        Statement s = c.createStatement()) {
      s.execute(
          "DO $$ BEGIN IF to_regclass('ndp_confidence') IS NOT NULL THEN"
              + " TRUNCATE ndp_confidence, ndp_domain, ndp_definition, ndp_reset, ndp_setting, ndp_writer; END IF; END $$");
    } catch (SQLException e) {
      throw new AssertionError("cannot empty the PostgreSQL test database: " + e, e);
    }
  }
}
