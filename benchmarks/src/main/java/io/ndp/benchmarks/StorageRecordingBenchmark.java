package io.ndp.benchmarks;

import io.ndp.storage.jdbc.Durability;
import io.ndp.storage.jdbc.JdbcConfidenceStore;
import io.ndp.storage.jdbc.JdbcStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Outcome recording into durable storage: outcomes per second acknowledged by {@link
 * JdbcConfidenceStore#recordOutcome} in an H2 file and in PostgreSQL, in {@link Durability#SYNC}
 * (returns after the commit) and {@link Durability#BATCHED} (returns once buffered; the buffer of
 * at most 1000 unflushed outcomes makes the steady rate the commit rate), on 1 and on 4 threads
 * over 100 patterns × 10 domains (every pair recorded), with the storage's default half-life of
 * 100. On 4 threads SYNC recorders share a transaction (group commit), so 4 threads should beat 1.
 *
 * <p>Every trial opens a fresh storage: H2 in a temporary folder, PostgreSQL in a schema of its own
 * created in the database of {@value #PG_URL_VARIABLE} (both removed at the end of the trial). When
 * that variable is not set, {@link Suite} runs only {@code database=h2} and says so; run outside
 * the suite, the PostgreSQL trials fail at setup naming the variable.
 *
 * <p>The trial's tear-down closes the storage (committing what is buffered) and then reads the
 * tables directly: they must hold exactly the successes and failures the benchmark methods recorded
 * (warm-up included), and at least one, or the trial fails.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StorageRecordingBenchmark {

  /** The environment variable holding the PostgreSQL JDBC URL (user and password included). */
  public static final String PG_URL_VARIABLE = "NDP_TEST_PG_URL";

  static final String H2 = "h2";
  static final String POSTGRESQL = "postgresql";

  private static final int KEYS = 1024;

  /** Where the statistics are kept: an H2 file, or PostgreSQL from {@value #PG_URL_VARIABLE}. */
  @Param({H2, POSTGRESQL})
  public String database;

  /** When {@code recordOutcome} returns: after the commit, or once buffered. */
  @Param({"SYNC", "BATCHED"})
  public Durability durability;

  private final String[] patterns = new String[KEYS];
  private final String[] domains = new String[KEYS];
  private final LongAdder successes = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private JdbcStorage storage;
  private JdbcConfidenceStore store;
  // H2: the temporary folder of the database files.
  private Path h2Folder;
  // PostgreSQL: the server's URL and the schema of this trial.
  private String pgUrl;
  private String pgSchema;

  /** The PostgreSQL URL of the environment, when set. */
  static Optional<String> postgresUrl() {
    return postgresUrl(System.getenv());
  }

  static Optional<String> postgresUrl(Map<String, String> environment) {
    String url = environment.get(PG_URL_VARIABLE);
    return url == null || url.isBlank() ? Optional.empty() : Optional.of(url.trim());
  }

  @Setup(Level.Trial)
  public void setUp() throws IOException, SQLException {
    for (int i = 0; i < KEYS; i++) {
      patterns[i] = "pattern_" + (i % 100);
      domains[i] = "domain_" + (i / 100 % 10);
    }
    successes.reset();
    failures.reset();
    JdbcStorage.Builder builder = JdbcStorage.builder().durability(durability);
    switch (database) {
      case H2 -> {
        h2Folder = Files.createTempDirectory("ndp-bench-h2-");
        builder.h2File(h2Folder);
      }
      case POSTGRESQL -> {
        pgUrl =
            postgresUrl()
                .orElseThrow(
                    () ->
                        new IllegalStateException(
                            PG_URL_VARIABLE
                                + " is not set: give it a PostgreSQL JDBC URL, or run only"
                                + " database=h2 (the Suite does so by itself)"));
        pgSchema =
            "ndp_bench_"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        try (Connection c = DriverManager.getConnection(pgUrl);
            Statement s = c.createStatement()) {
          s.execute("CREATE SCHEMA " + pgSchema);
        }
        builder.url(pgUrl + (pgUrl.contains("?") ? "&" : "?") + "currentSchema=" + pgSchema);
      }
      default -> throw new IllegalArgumentException("unknown database '" + database + "'");
    }
    try {
      storage = builder.open();
    } catch (RuntimeException e) {
      try {
        removeDatabase();
      } catch (IOException | SQLException | RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    store = storage.confidence();
  }

  /** Each thread walks its own key sequence. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;

    int advance() {
      next = (next + 1) & (KEYS - 1);
      return next;
    }
  }

  @Benchmark
  @Threads(1)
  public void record1Thread(Cursor cursor) {
    record(cursor.advance());
  }

  @Benchmark
  @Threads(4)
  public void record4Threads(Cursor cursor) {
    record(cursor.advance());
  }

  private void record(int i) {
    boolean success = (i & 3) != 0;
    store.recordOutcome(patterns[i], domains[i], success);
    // Counted once acknowledged: what the tear-down expects the tables to hold.
    (success ? successes : failures).increment();
  }

  /**
   * Closes the storage (committing what is buffered), checks that the tables hold exactly what was
   * recorded, and removes the database, even when the check fails.
   */
  @TearDown(Level.Trial)
  public void tearDown() {
    RuntimeException failure = null;
    try {
      storage.close();
      check();
    } catch (RuntimeException e) {
      failure = e;
    }
    try {
      removeDatabase();
    } catch (IOException | SQLException | RuntimeException e) {
      if (failure == null) {
        failure = new IllegalStateException("cannot remove the benchmark's database: " + e, e);
      } else {
        failure.addSuppressed(e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Reads the committed tables directly (not through the store) and compares. */
  private void check() {
    long expectedSuccesses = successes.sum();
    long expectedFailures = failures.sum();
    String where = database + " " + durability;
    if (expectedSuccesses + expectedFailures == 0) {
      throw new IllegalStateException(
          where + ": no outcome was recorded, the trial measured nothing");
    }
    long storedSuccesses;
    long storedFailures;
    long clocks;
    try (Connection c = connectForCheck();
        Statement s = c.createStatement()) {
      try (ResultSet rs =
          s.executeQuery(
              "SELECT COALESCE(SUM(successes), 0), COALESCE(SUM(failures), 0) FROM "
                  + table("ndp_confidence"))) {
        rs.next();
        storedSuccesses = rs.getLong(1);
        storedFailures = rs.getLong(2);
      }
      try (ResultSet rs =
          s.executeQuery("SELECT COALESCE(SUM(clock), 0) FROM " + table("ndp_domain"))) {
        rs.next();
        clocks = rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(where + ": cannot read what was stored: " + e, e);
    }
    if (storedSuccesses != expectedSuccesses
        || storedFailures != expectedFailures
        || clocks != expectedSuccesses + expectedFailures) {
      throw new IllegalStateException(
          String.format(
              Locale.ROOT,
              "%s holds %d successes and %d failures (domain clocks %d) but %d and %d were"
                  + " recorded",
              where,
              storedSuccesses,
              storedFailures,
              clocks,
              expectedSuccesses,
              expectedFailures));
    }
  }

  private Connection connectForCheck() throws SQLException {
    if (H2.equals(database)) {
      // The storage is closed, so the file is free; IFEXISTS: never check a new empty database.
      return DriverManager.getConnection(
          "jdbc:h2:file:" + h2Folder.toAbsolutePath().resolve("ndp") + ";IFEXISTS=TRUE");
    }
    return DriverManager.getConnection(pgUrl);
  }

  private String table(String name) {
    return pgSchema == null ? name : pgSchema + "." + name;
  }

  private void removeDatabase() throws IOException, SQLException {
    if (h2Folder != null) {
      try (Stream<Path> files = Files.walk(h2Folder)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    if (pgSchema != null) {
      try (Connection c = DriverManager.getConnection(pgUrl);
          Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA " + pgSchema + " CASCADE");
      }
    }
  }

  /** The store under test (tests). */
  JdbcConfidenceStore store() {
    return store;
  }

  /** The H2 folder of the trial, or null (tests). */
  Path h2Folder() {
    return h2Folder;
  }

  /** Outcomes recorded so far (tests). */
  long recorded() {
    return successes.sum() + failures.sum();
  }
}
