package io.ndp.storage.jdbc;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The databases the tests run against. PostgreSQL comes from {@code NDP_TEST_PG_URL} (set by {@code
 * .ci/run}, which starts a throwaway cluster on 127.0.0.1): without it, a PostgreSQL test fails in
 * CI ({@code CI=true}) and is skipped, saying why, elsewhere.
 */
final class TestDatabases {
  static final String PG_URL_VARIABLE = "NDP_TEST_PG_URL";

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
