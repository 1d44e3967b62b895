package io.ndp.storage.jdbc;

import io.ndp.api.StorageException;
import io.ndp.api.StorageUnavailableException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection source shared by a storage's stores, with what they learned about the database's
 * health: every call reports its success or failure here, and a failure is turned into a typed
 * exception naming the store.
 */
final class Database {
  private static final Logger log = LoggerFactory.getLogger(Database.class);

  /** SQLSTATE of a unique-key violation, in H2 and PostgreSQL alike. */
  static final String UNIQUE_VIOLATION = "23505";

  private final DataSource dataSource;
  private final String description;
  private final Clock clock;
  private final AtomicReference<@Nullable Outage> outage = new AtomicReference<>();
  // A write refused while the database answers (a full disk, a broken table): it shows in
  // health() until a write succeeds, but reads keep asking the database.
  private final AtomicReference<@Nullable Outage> writesRefused = new AtomicReference<>();

  private record Outage(Instant since, StorageException last) {}

  Database(DataSource dataSource, String description, Clock clock) {
    this.dataSource = dataSource;
    this.description = description;
    this.clock = clock;
  }

  /**
   * Whether a statement must run in {@code REPEATABLE READ} to read from one snapshot: H2 reads the
   * rows of one statement each as committed when it reaches them (READ COMMITTED), where PostgreSQL
   * gives every statement one snapshot.
   */
  boolean statementsNeedASnapshot() {
    Boolean h2 = isH2;
    if (h2 == null) {
      try (Connection c = dataSource.getConnection()) {
        h2 =
            c.getMetaData()
                .getDatabaseProductName()
                .toLowerCase(java.util.Locale.ROOT)
                .contains("h2");
      } catch (SQLException e) {
        return false; // asked again next time
      }
      isH2 = h2;
    }
    return h2;
  }

  private volatile @Nullable Boolean isH2;

  String description() {
    return description;
  }

  Connection connect() throws SQLException {
    return dataSource.getConnection();
  }

  /** Notes that the database answered; ends an outage. */
  void reached() {
    Outage was = outage.getAndSet(null);
    if (was != null) {
      log.info("{} is reachable again (unavailable since {})", description, was.since());
    }
  }

  /** Notes that a write succeeded: ends an outage and a refusal of writes. */
  void wrote() {
    reached();
    Outage was = writesRefused.getAndSet(null);
    if (was != null) {
      log.info("{} takes writes again (refused since {})", description, was.since());
    }
  }

  /**
   * Turns a failure of {@code what} into the exception to throw, and notes an outage when the
   * database could not be reached.
   */
  StorageException failed(String what, SQLException e) {
    if (isUnavailable(e)) {
      StorageUnavailableException u =
          new StorageUnavailableException(
              "cannot " + what + ": " + description + " is unavailable: " + e.getMessage(), e);
      Outage was = outage.getAndUpdate(o -> new Outage(o == null ? clock.instant() : o.since(), u));
      if (was == null) {
        log.warn("{} became unavailable: {}", description, e.toString());
      }
      return u;
    }
    return new StorageException("cannot " + what + " in " + description + ": " + e.getMessage(), e);
  }

  /**
   * Like {@link #failed}, for a write that must wait for the database: a failure that is not an
   * outage is kept until a write succeeds ({@link #wrote}), so that {@code health()} shows why
   * outcomes wait; reads still ask the database.
   */
  StorageException failedWrite(String what, SQLException e) {
    StorageException failure = failed(what, e);
    if (!isUnavailable(e)) {
      Outage was =
          writesRefused.getAndUpdate(
              o -> new Outage(o == null ? clock.instant() : o.since(), failure));
      if (was == null) {
        log.warn("{} refuses writes: {}", description, e.toString());
      }
    }
    return failure;
  }

  /** Whether the failure says that the database cannot be reached (rather than a bad statement). */
  static boolean isUnavailable(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException) {
        return true;
      }
      if (t instanceof SQLException s) {
        String state = s.getSQLState();
        // 08: connection exception; 57P: operator intervention (PostgreSQL shutting down);
        // 90098/90121: H2's "database closed" and "disconnected".
        if (state != null
            && (state.startsWith("08")
                || state.startsWith("57P")
                || state.equals("90098")
                || state.equals("90121"))) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether a read should try the database: while it is available. During an outage reads answer
   * from what they read before without waiting for a connection timeout; the outcome writer probes
   * the database meanwhile and ends the outage when it answers.
   */
  boolean shouldTry() {
    return outage.get() == null;
  }

  /** Whether the database can be reached (reads ask it). */
  boolean reachable() {
    return outage.get() == null;
  }

  /** Whether it can be reached and takes writes. */
  boolean available() {
    return outage.get() == null && writesRefused.get() == null;
  }

  Optional<StorageException> lastFailure() {
    Outage o = outage.get();
    if (o == null) {
      o = writesRefused.get();
    }
    return o == null ? Optional.empty() : Optional.of(o.last());
  }

  Optional<Instant> unavailableSince() {
    Outage o = outage.get();
    if (o == null) {
      o = writesRefused.get();
    }
    return o == null ? Optional.empty() : Optional.of(o.since());
  }
}
