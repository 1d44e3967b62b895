package io.ndp.storage.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.ndp.api.NdpStorage;
import io.ndp.api.StorageException;
import io.ndp.api.StorageUnavailableException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable storage over JDBC: pattern definitions and confidence statistics in H2 (a file, the
 * embedded default) or PostgreSQL (shared by several hosts). The one-line durable twin of the
 * in-memory runtime:
 *
 * <pre>{@code
 * Ndp ndp = Ndp.builder().storage(JdbcStorage.h2(Path.of("ndp-data"))).build();
 * }</pre>
 *
 * <p>Several hosts share one PostgreSQL database with {@code
 * JdbcStorage.builder().url("jdbc:postgresql://db:5432/ndp").username(..).password(..).open()}:
 * recording is exact across hosts (see {@link JdbcConfidenceStore}), and each host's runtime
 * re-reads a cached statistic after {@link Builder#staleness} (default {@value
 * #DEFAULT_STALENESS_MILLIS} ms), so it sees what the others recorded, and their resets, within
 * that time. An H2 file is opened by one process at a time.
 *
 * <p><b>Schema.</b> Created and migrated by Flyway (history table {@code ndp_schema_history}, so a
 * host's own Flyway migrations in the same database are not disturbed). A database whose schema is
 * newer than this code is refused with a {@link StorageException} naming both versions; nothing is
 * changed in it. The half-life of forgetting is stored at the first start; a host configured with
 * another is refused (the decayed sums would mean something else).
 *
 * <p><b>Durability</b> of outcomes: {@link Durability#SYNC} (the default) or {@link
 * Durability#BATCHED}; {@link #close()} commits what is buffered. While the database is
 * unavailable, reads answer from what was read before, outcomes wait in a buffer of at most {@link
 * Builder#bufferLimit} (default {@value #DEFAULT_BUFFER_LIMIT}) and are committed when it answers
 * again; the failure is in {@link #health()} and in the {@link StorageUnavailableException}s that
 * calls which cannot wait throw.
 *
 * <p>Thread-safe.
 *
 * @since 0.2.0
 */
public final class JdbcStorage implements NdpStorage {
  private static final Logger log = LoggerFactory.getLogger(JdbcStorage.class);

  /** The folder of the H2 default, relative to the working directory. */
  public static final Path DEFAULT_DIRECTORY = Path.of("ndp-data");

  /** The default staleness bound, in milliseconds. */
  public static final long DEFAULT_STALENESS_MILLIS = 1000;

  /** Outcomes buffered at most while the database is unavailable, by default. */
  public static final int DEFAULT_BUFFER_LIMIT = 100_000;

  /** In BATCHED mode, the default time an acknowledged outcome may stay uncommitted. */
  public static final Duration DEFAULT_MAX_UNFLUSHED_TIME = Duration.ofMillis(200);

  /** In BATCHED mode, the default number of acknowledged outcomes that may be uncommitted. */
  public static final int DEFAULT_MAX_UNFLUSHED_OUTCOMES = 1000;

  /** The half-life of forgetting by default: the runtime's in-memory default. */
  public static final double DEFAULT_HALF_LIFE = 100;

  /** The schema version this code creates and understands. */
  public static final int SCHEMA_VERSION = 1;

  private static final String MIGRATIONS = "classpath:io/ndp/storage/jdbc/migration";
  private static final String HISTORY_TABLE = "ndp_schema_history";

  private final @Nullable HikariDataSource pool;
  private final Database db;
  private final JdbcDefinitionStore definitions;
  private final JdbcConfidenceStore confidence;
  private final Unreadable unreadable;
  private final Duration staleness;
  private final Duration closeTimeout;
  private final Durability durability;
  private final Object closeLock = new Object();
  private boolean closed;

  private JdbcStorage(Builder b, @Nullable HikariDataSource pool, DataSource ds, String where) {
    this.pool = pool;
    this.db = new Database(ds, where, b.clock);
    this.unreadable = new Unreadable(b.clock);
    this.staleness = b.staleness;
    this.closeTimeout = b.closeTimeout;
    this.durability = b.durability;
    this.definitions = new JdbcDefinitionStore(db, b.clock, unreadable);
    this.confidence =
        new JdbcConfidenceStore(
            db,
            b.halfLife,
            b.host,
            b.clock,
            unreadable,
            b.lastReadSize,
            b.durability,
            b.maxUnflushedTime,
            b.maxUnflushedOutcomes,
            b.bufferLimit,
            b.syncTimeout);
  }

  /**
   * Opens (creating or migrating it) the H2 database in {@code directory}, with the defaults.
   *
   * @param directory the folder of the database files, created when missing
   * @return the storage
   * @throws StorageException when it cannot be opened: the folder cannot be created, another
   *     process has the file open, or its schema is newer than this code
   */
  public static JdbcStorage h2(Path directory) {
    return builder().h2File(directory).open();
  }

  /** Returns a builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public JdbcDefinitionStore definitions() {
    return definitions;
  }

  @Override
  public JdbcConfidenceStore confidence() {
    return confidence;
  }

  /** The staleness bound: the runtime re-reads a cached statistic after this time. */
  @Override
  public Optional<Duration> staleness() {
    return Optional.of(staleness);
  }

  @Override
  public String description() {
    return db.description();
  }

  /** Returns the durability mode of outcomes. */
  public Durability durability() {
    return durability;
  }

  /** Returns whether the database answers, its last failure and what waits for it. */
  public StorageHealth health() {
    return new StorageHealth(
        db.available(),
        db.lastFailure(),
        db.unavailableSince(),
        confidence.bufferedOutcomes(),
        confidence.bufferLimit());
  }

  /** Returns the rows that could not be read (skipped, never deleted), sorted by table and key. */
  public List<UnreadableRow> unreadableRows() {
    return unreadable.all();
  }

  /**
   * Commits what is buffered (waiting up to the close timeout while the database is unavailable),
   * then closes the connection pool (not a data source the host gave). Idempotent.
   *
   * @throws StorageUnavailableException naming how many outcomes could not be committed
   */
  @Override
  public void close() {
    synchronized (closeLock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      confidence.close(closeTimeout);
    } finally {
      if (pool != null) {
        pool.close();
      }
    }
  }

  @Override
  public String toString() {
    return "JdbcStorage[" + db.description() + ", " + durability + "]";
  }

  /** Creates the schema or migrates it; refuses one newer than this code. */
  private static void migrate(DataSource ds, String where) {
    Flyway flyway =
        Flyway.configure(JdbcStorage.class.getClassLoader())
            .dataSource(ds)
            .locations(MIGRATIONS)
            .table(HISTORY_TABLE)
            .loggers("slf4j")
            .load();
    try {
      MigrationVersion known = MigrationVersion.fromVersion(Integer.toString(SCHEMA_VERSION));
      for (MigrationInfo applied : flyway.info().applied()) {
        if (applied.getState() == MigrationState.FUTURE_SUCCESS
            || applied.getState() == MigrationState.FUTURE_FAILED
            || (applied.getVersion() != null
                && applied.getVersion().isNewerThan(known.getVersion()))) {
          throw new StorageException(
              String.format(
                  Locale.ROOT,
                  "the schema of %s is at version %s, newer than this code understands (%d):"
                      + " upgrade ndp-storage-jdbc; nothing was changed",
                  where,
                  applied.getVersion(),
                  SCHEMA_VERSION),
              null);
        }
      }
      flyway.migrate();
    } catch (FlywayException e) {
      SQLException sql = sqlCause(e);
      if (sql != null && Database.isUnavailable(sql)) {
        throw new StorageUnavailableException(
            "cannot open " + where + ": it is unavailable: " + sql.getMessage(), e);
      }
      throw new StorageException(
          "cannot migrate the schema of " + where + ": " + e.getMessage(), e);
    }
  }

  private static @Nullable SQLException sqlCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s) {
        return s;
      }
    }
    return null;
  }

  /** Stores the half-life at the first start; refuses another one later. */
  private static void agreeOnHalfLife(DataSource ds, String where, double halfLife) {
    String mine = halfLife == Double.POSITIVE_INFINITY ? "never" : Double.toString(halfLife);
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      JdbcConfidenceStore.insertOnce(
          c,
          "INSERT INTO ndp_setting (setting_name, setting_value) VALUES ('half_life', ?)",
          ps -> ps.setString(1, mine));
      String stored;
      try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT setting_value FROM ndp_setting WHERE setting_name = 'half_life'");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        stored = rs.getString(1);
      }
      c.commit();
      if (!stored.equals(mine)) {
        throw new StorageException(
            String.format(
                Locale.ROOT,
                "%s keeps statistics with a half-life of %s outcomes but this host is configured"
                    + " with %s: use the same half-life on every host (or reset all statistics"
                    + " and change the row half_life of ndp_setting)",
                where,
                stored,
                mine),
            null);
      }
    } catch (SQLException e) {
      throw new StorageException("cannot read the settings of " + where + ": " + e.getMessage(), e);
    }
  }

  /**
   * Configures a {@link JdbcStorage}. Not thread-safe. Every setter checks its value at the call
   * and names it when refused.
   *
   * @since 0.2.0
   */
  public static final class Builder {
    private @Nullable String url;
    private @Nullable String username;
    private @Nullable String password;
    private @Nullable DataSource dataSource;
    private @Nullable Path h2Directory;
    private Durability durability = Durability.SYNC;
    private Duration maxUnflushedTime = DEFAULT_MAX_UNFLUSHED_TIME;
    private int maxUnflushedOutcomes = DEFAULT_MAX_UNFLUSHED_OUTCOMES;
    private int bufferLimit = DEFAULT_BUFFER_LIMIT;
    private Duration syncTimeout = Duration.ofSeconds(10);
    private Duration staleness = Duration.ofMillis(DEFAULT_STALENESS_MILLIS);
    private Duration closeTimeout = Duration.ofSeconds(10);
    private Duration connectionTimeout = Duration.ofSeconds(2);
    private int poolSize = 4;
    private double halfLife = DEFAULT_HALF_LIFE;
    private long lastReadSize = 10_000;
    private String host = defaultHost();
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** An H2 database in files under {@code directory} (created when missing). */
    public Builder h2File(Path directory) {
      this.h2Directory = Objects.requireNonNull(directory, "directory");
      this.url = null;
      this.dataSource = null;
      return this;
    }

    /** A JDBC URL: {@code jdbc:postgresql://host:port/db} or {@code jdbc:h2:...}. */
    public Builder url(String jdbcUrl) {
      if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:")) {
        throw new IllegalArgumentException("url must be a JDBC URL (jdbc:...) but was " + jdbcUrl);
      }
      this.url = jdbcUrl;
      this.h2Directory = null;
      this.dataSource = null;
      return this;
    }

    /** The user name for {@link #url}. */
    public Builder username(String username) {
      this.username = Objects.requireNonNull(username, "username");
      return this;
    }

    /** The password for {@link #url}; never logged nor shown. */
    public Builder password(String password) {
      this.password = Objects.requireNonNull(password, "password");
      return this;
    }

    /** A data source of the host's (its pool): used as it is and not closed by the storage. */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      this.url = null;
      this.h2Directory = null;
      return this;
    }

    /** When outcomes are committed (default {@link Durability#SYNC}). */
    public Builder durability(Durability durability) {
      this.durability = Objects.requireNonNull(durability, "durability");
      return this;
    }

    /** BATCHED: the longest an acknowledged outcome waits for its commit (default 200 ms). */
    public Builder maxUnflushedTime(Duration time) {
      this.maxUnflushedTime = positive(time, "maxUnflushedTime");
      return this;
    }

    /** BATCHED: the most acknowledged outcomes uncommitted at any time (default 1000). */
    public Builder maxUnflushedOutcomes(int outcomes) {
      if (outcomes < 1) {
        throw new IllegalArgumentException(
            "maxUnflushedOutcomes must be at least 1 but was " + outcomes);
      }
      this.maxUnflushedOutcomes = outcomes;
      return this;
    }

    /** The most outcomes buffered while the database is unavailable (default 100,000). */
    public Builder bufferLimit(int outcomes) {
      if (outcomes < 1) {
        throw new IllegalArgumentException("bufferLimit must be at least 1 but was " + outcomes);
      }
      this.bufferLimit = outcomes;
      return this;
    }

    /**
     * How long a recorder waits at most (default 10 s): in SYNC for its commit, in BATCHED for room
     * under {@link #maxUnflushedOutcomes}; then it gets a {@code StorageUnavailableException} and
     * its outcome stays buffered.
     */
    public Builder syncTimeout(Duration timeout) {
      this.syncTimeout = positive(timeout, "syncTimeout");
      return this;
    }

    /** How long the runtime may serve a cached statistic (default 1 s). */
    public Builder staleness(Duration staleness) {
      this.staleness = positive(staleness, "staleness");
      return this;
    }

    /** How long {@link #close()} waits for the buffer's commit (default 10 s). */
    public Builder closeTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative()) {
        throw new IllegalArgumentException(
            "closeTimeout must be zero or positive but was " + timeout);
      }
      this.closeTimeout = timeout;
      return this;
    }

    /** How long to wait for a connection before the database counts as unavailable (2 s). */
    public Builder connectionTimeout(Duration timeout) {
      this.connectionTimeout = positive(timeout, "connectionTimeout");
      if (timeout.toMillis() < 250) {
        throw new IllegalArgumentException(
            "connectionTimeout must be at least 250 ms but was " + timeout);
      }
      return this;
    }

    /** Connections in the pool at most (default 4). */
    public Builder poolSize(int connections) {
      if (connections < 2) {
        throw new IllegalArgumentException(
            "poolSize must be at least 2 (a writer and a reader) but was " + connections);
      }
      this.poolSize = connections;
      return this;
    }

    /**
     * The half-life of forgetting, in outcomes of the domain (default 100, as in memory), or
     * infinite: never forget. Every host of one database must use the same.
     */
    public Builder halfLife(double outcomes) {
      if (!(outcomes >= 1)) {
        throw new IllegalArgumentException(
            "halfLife must be at least 1 outcome (or infinite: never forget) but was " + outcomes);
      }
      this.halfLife = outcomes;
      return this;
    }

    /** This host's name in reset markers (default: host name and process id). */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The clock of created/updated times and reset markers (tests). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Opens the storage: connects, creates or migrates the schema, checks the settings.
     *
     * @return the storage, which the caller (or the runtime it is given to) closes
     * @throws StorageUnavailableException when the database cannot be reached
     * @throws StorageException when its schema is newer than this code, or its half-life differs
     * @throws IllegalStateException when no database was configured
     */
    public JdbcStorage open() {
      if (durability == Durability.BATCHED && maxUnflushedOutcomes > bufferLimit) {
        throw new IllegalArgumentException(
            "maxUnflushedOutcomes ("
                + maxUnflushedOutcomes
                + ") must not exceed bufferLimit ("
                + bufferLimit
                + ")");
      }
      String jdbcUrl = url;
      String where;
      if (h2Directory != null) {
        Path dir = h2Directory.toAbsolutePath().normalize();
        try {
          Files.createDirectories(dir);
        } catch (IOException e) {
          throw new StorageException("cannot create the H2 folder " + dir + ": " + e, e);
        }
        // WRITE_DELAY=0: a commit reaches the file before it returns, so a killed process keeps
        // every acknowledged outcome.
        jdbcUrl = "jdbc:h2:file:" + dir.resolve("ndp") + ";WRITE_DELAY=0";
        where = "H2 " + h2Directory;
      } else if (jdbcUrl != null) {
        where = redact(jdbcUrl);
      } else if (dataSource != null) {
        where = "data source " + dataSource.getClass().getSimpleName();
      } else {
        throw new IllegalStateException(
            "no database: call h2File(dir), url(jdbcUrl) or dataSource(ds) first");
      }
      HikariDataSource pool = null;
      DataSource ds = dataSource;
      try {
        if (ds == null) {
          HikariConfig config = new HikariConfig();
          config.setJdbcUrl(jdbcUrl);
          if (username != null) {
            config.setUsername(username);
          }
          if (password != null) {
            config.setPassword(password);
          }
          config.setMaximumPoolSize(poolSize);
          config.setConnectionTimeout(connectionTimeout.toMillis());
          config.setValidationTimeout(Math.min(connectionTimeout.toMillis(), 1000));
          config.setPoolName("ndp-storage");
          config.setInitializationFailTimeout(connectionTimeout.toMillis());
          try {
            pool = new HikariDataSource(config);
          } catch (RuntimeException e) {
            throw new StorageUnavailableException(
                "cannot open " + where + ": " + rootMessage(e), e);
          }
          ds = pool;
        }
        migrate(ds, where);
        agreeOnHalfLife(ds, where, halfLife);
        JdbcStorage storage = new JdbcStorage(this, pool, ds, where);
        log.info("opened {} ({}, schema version {})", where, durability, SCHEMA_VERSION);
        return storage;
      } catch (RuntimeException e) {
        if (pool != null) {
          pool.close();
        }
        throw e;
      }
    }

    private static String rootMessage(Throwable e) {
      Throwable t = e;
      while (t.getCause() != null && t.getCause() != t) {
        t = t.getCause();
      }
      return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t + ")";
    }

    private static Duration positive(Duration d, String what) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive but was " + d);
      }
      return d;
    }

    private static String defaultHost() {
      String name;
      try {
        name = InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        name = "localhost";
      }
      return name + "/" + ProcessHandle.current().pid();
    }

    /** The URL without a password parameter. */
    static String redact(String jdbcUrl) {
      return Arrays.stream(jdbcUrl.split("(?=[?&;])"))
          .map(
              part ->
                  part.toLowerCase(Locale.ROOT).matches("[?&;][a-z_.]*(password|secret)=.*")
                      ? part.substring(0, part.indexOf('=') + 1) + "***"
                      : part)
          .reduce("", String::concat);
    }
  }
}
