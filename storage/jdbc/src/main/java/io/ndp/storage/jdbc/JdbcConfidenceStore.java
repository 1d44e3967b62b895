package io.ndp.storage.jdbc;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.ndp.api.ConfidenceStats;
import io.ndp.api.ConfidenceStore;
import io.ndp.api.StorageException;
import io.ndp.storage.jdbc.OutcomeWriter.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Confidence statistics in a database, exact under concurrency from many threads and many hosts.
 *
 * <p><b>Form.</b> The store keeps what {@link ConfidenceStore}'s Javadoc prescribes: per domain a
 * clock ({@code ndp_domain}), per pattern and domain the counts, the decayed sums and the tick they
 * are valid at ({@code ndp_confidence}). A transaction first advances the clock of each domain it
 * records into by the number of its outcomes ({@code UPDATE ... SET clock = clock + k}, which locks
 * the domain's row until the commit, in the order of domain names so that two hosts never
 * deadlock), gives the outcomes the ticks it so reserved, then updates each pattern's row in one
 * atomic {@code UPDATE} that decays the sums to the newest tick and adds the batch: no
 * read-modify-write in Java, so concurrent hosts lose nothing.
 *
 * <p><b>Reads</b> join the rows with their domain's clock and add the outcomes this store has
 * buffered and not yet committed, each exactly once. A read that fails (the database is down)
 * answers with the last value read for that key, or empty, plus the buffered outcomes, and the
 * failure is in {@link JdbcStorage#health()}.
 *
 * <p><b>Resets</b> first commit what is buffered, then delete the rows they forget and write a
 * reset marker ({@code ndp_reset}) in the same transaction; the domain clocks stay. An outcome
 * another host buffered before the reset and commits after it counts (it is ordered after the
 * reset).
 *
 * <p>Thread-safe. Obtain it from {@link JdbcStorage}.
 *
 * @since 0.2.0
 */
public final class JdbcConfidenceStore implements ConfidenceStore {
  private static final Logger log = LoggerFactory.getLogger(JdbcConfidenceStore.class);
  private static final String TABLE = "ndp_confidence";

  private static final String ADVANCE_CLOCK =
      "UPDATE ndp_domain SET clock = clock + ? WHERE domain = ?";
  private static final String INSERT_CLOCK = "INSERT INTO ndp_domain (domain, clock) VALUES (?, ?)";
  private static final String READ_CLOCK = "SELECT clock FROM ndp_domain WHERE domain = ?";
  // Decays the sums to the newer of the row's tick and the batch's, then adds the batch's sums
  // decayed to that tick. The SET expressions all read the row as it was.
  private static final String DECAY =
      "POWER(CAST(2 AS DOUBLE PRECISION), CAST(? AS DOUBLE PRECISION) * CAST(%s AS DOUBLE"
          + " PRECISION))";
  private static final String UPDATE_ROW =
      "UPDATE ndp_confidence SET successes = successes + ?, failures = failures + ?,"
          + " decayed_successes = CASE WHEN tick <= ? THEN decayed_successes * "
          + String.format(DECAY, "tick - ?")
          + " + ? ELSE decayed_successes + ? * "
          + String.format(DECAY, "? - tick")
          + " END, decayed_failures = CASE WHEN tick <= ? THEN decayed_failures * "
          + String.format(DECAY, "tick - ?")
          + " + ? ELSE decayed_failures + ? * "
          + String.format(DECAY, "? - tick")
          + " END, tick = CASE WHEN tick <= ? THEN ? ELSE tick END"
          + " WHERE pattern = ? AND domain = ?";
  private static final String INSERT_ROW =
      "INSERT INTO ndp_confidence (pattern, domain, successes, failures, decayed_successes,"
          + " decayed_failures, tick) VALUES (?, ?, ?, ?, ?, ?, ?)";
  // The writer's last committed sequence number comes from the same statement, so from the same
  // snapshot as the rows.
  private static final String SELECT_ROWS =
      "SELECT c.domain, c.successes, c.failures, c.decayed_successes, c.decayed_failures, c.tick,"
          + " d.clock, (SELECT w.last_seq FROM ndp_writer w WHERE w.writer_id = ?)"
          + " FROM ndp_confidence c JOIN ndp_domain d ON d.domain = c.domain"
          + " WHERE c.pattern = ?";
  private static final String READ_WRITER = "SELECT last_seq FROM ndp_writer WHERE writer_id = ?";
  private static final String UPDATE_WRITER =
      "UPDATE ndp_writer SET last_seq = ?, updated_at = ? WHERE writer_id = ?";
  private static final String INSERT_WRITER =
      "INSERT INTO ndp_writer (writer_id, host, last_seq, updated_at) VALUES (?, ?, ?, ?)";
  private static final String INSERT_MARKER =
      "INSERT INTO ndp_reset (pattern, domain, host, reset_at) VALUES (?, ?, ?, ?)";

  private final Database db;
  private final OutcomeWriter writer;
  private final double halfLife;
  // 1 / halfLife; 0 when it never forgets (2^0 = 1).
  private final double inverseHalfLife;
  private final String host;
  private final String writerId = java.util.UUID.randomUUID().toString();
  private final Clock clock;
  private final Unreadable unreadable;
  // The last value read per pattern, per domain: what reads answer while the database is down.
  private final Cache<String, Map<String, ConfidenceStats>> lastRead;
  private final int bufferLimit;
  private volatile boolean closed;

  JdbcConfidenceStore(
      Database db,
      double halfLife,
      String host,
      Clock clock,
      Unreadable unreadable,
      long lastReadSize,
      Durability durability,
      Duration maxUnflushedTime,
      int maxUnflushedOutcomes,
      int bufferLimit,
      Duration syncTimeout) {
    this.db = db;
    this.halfLife = halfLife;
    this.inverseHalfLife = halfLife == Double.POSITIVE_INFINITY ? 0 : 1 / halfLife;
    this.host = host;
    this.clock = clock;
    this.unreadable = unreadable;
    this.bufferLimit = bufferLimit;
    this.lastRead = Caffeine.newBuilder().maximumSize(lastReadSize).build();
    this.writer =
        new OutcomeWriter(
            this::commit,
            durability,
            maxUnflushedTime,
            maxUnflushedOutcomes,
            bufferLimit,
            syncTimeout,
            db.description());
  }

  /** Returns the half-life of forgetting, in outcomes of the domain; infinite: never forgets. */
  public double halfLife() {
    return halfLife;
  }

  /**
   * Records one outcome, as the storage's {@link Durability} says: in {@code SYNC} it returns once
   * the outcome is committed, in {@code BATCHED} once it is buffered.
   *
   * @throws io.ndp.api.StorageUnavailableException when it cannot be acknowledged; the message says
   *     whether the outcome stays buffered (SYNC while the database is down) or was refused (the
   *     buffer limit reached)
   */
  @Override
  public void recordOutcome(String patternName, String domain, boolean success) {
    Names.require(patternName, "patternName");
    Names.require(domain, "domain");
    writer.record(patternName, domain, success);
  }

  @Override
  public ConfidenceStats stats(String patternName, String domain) {
    Names.require(patternName, "patternName");
    Names.require(domain, "domain");
    ConfidenceStats s = read(patternName, domain).get(domain);
    return s == null ? ConfidenceStats.EMPTY : s;
  }

  @Override
  public ConfidenceStats stats(String patternName) {
    Names.require(patternName, "patternName");
    ConfidenceStats sum = ConfidenceStats.EMPTY;
    for (ConfidenceStats s : read(patternName, null).values()) {
      sum = sum.plus(s);
    }
    return sum;
  }

  @Override
  public Map<String, ConfidenceStats> statsByDomain(String patternName) {
    Names.require(patternName, "patternName");
    return read(patternName, null);
  }

  /**
   * Per domain (only {@code onlyDomain} when given): the committed rows plus what this store has
   * not committed, each outcome once. The database is read first, then the buffer: an outcome
   * queued in the buffer then was not committed when the database was read; the batch in flight is
   * added only when the database read did not hold it (this writer's {@code last_seq}, read in the
   * same statement, was below it). A batch committed between the two reads is missed by this one
   * read only, never counted twice.
   */
  private Map<String, ConfidenceStats> read(String pattern, @Nullable String onlyDomain) {
    Map<String, ConfidenceStats> out = new TreeMap<>();
    long committedSeq = -1; // -1: no row read, so nothing of this pattern committed there
    boolean fromDatabase = false;
    try (Connection c = connectForRead()) {
      committedSeq = readRows(c, pattern, onlyDomain, out);
      fromDatabase = true;
      db.reached();
    } catch (SQLException e) {
      if (!(e instanceof NotTried)) {
        StorageException failure = db.failed("read the statistics of " + pattern, e);
        if (!Database.isUnavailable(e)) {
          throw failure; // not an outage (a closed storage, a broken schema): say so
        }
        log.debug("answering from the last read: {}", failure.getMessage());
      }
      Map<String, ConfidenceStats> last = lastRead.getIfPresent(pattern);
      if (last != null) {
        last.forEach(
            (d, s) -> {
              if (onlyDomain == null || onlyDomain.equals(d)) {
                out.put(d, s);
              }
            });
      }
    }
    OutcomeWriter.Pending pending = writer.pending(pattern);
    if (fromDatabase) {
      remember(pattern, onlyDomain, out);
    }
    addPending(out, pending.queued(), onlyDomain);
    // From the database: add the batch in flight unless the rows read already held it. From the
    // last read: it holds what was committed (rememberCommitted), never the batch in flight.
    if (pending.inFlightLast() > 0 && (!fromDatabase || committedSeq < pending.inFlightLast())) {
      addPending(out, pending.inFlight(), onlyDomain);
    }
    return out;
  }

  private static void addPending(
      Map<String, ConfidenceStats> out, Map<String, long[]> counts, @Nullable String onlyDomain) {
    counts.forEach(
        (d, c) -> {
          if (onlyDomain == null || onlyDomain.equals(d)) {
            // Outcomes not committed weigh 1: they are the newest of their domain.
            out.merge(d, new ConfidenceStats(c[0], c[1], c[0], c[1]), ConfidenceStats::plus);
          }
        });
  }

  /** Keeps what the database answered, for reads during an outage. */
  private void remember(
      String pattern, @Nullable String onlyDomain, Map<String, ConfidenceStats> read) {
    if (onlyDomain == null) {
      lastRead.put(pattern, Map.copyOf(read));
      return;
    }
    lastRead
        .asMap()
        .compute(
            pattern,
            (k, was) -> {
              Map<String, ConfidenceStats> m = was == null ? new TreeMap<>() : new TreeMap<>(was);
              ConfidenceStats s = read.get(onlyDomain);
              if (s == null) {
                m.remove(onlyDomain);
              } else {
                m.put(onlyDomain, s);
              }
              return Map.copyOf(m);
            });
  }

  /** A read not tried during an outage (another read probes the database meanwhile). */
  private static final class NotTried extends SQLException {
    private static final long serialVersionUID = 1L;

    NotTried() {
      super("not tried during an outage", "08000");
    }
  }

  private Connection connectForRead() throws SQLException {
    if (closed) {
      throw new IllegalStateException("the storage " + db.description() + " is closed");
    }
    if (!db.shouldTry()) {
      throw new NotTried();
    }
    return db.connect();
  }

  /** Reads the rows into {@code out}; returns this writer's last committed sequence, -1 if none. */
  private long readRows(
      Connection c, String pattern, @Nullable String onlyDomain, Map<String, ConfidenceStats> out)
      throws SQLException {
    String sql = onlyDomain == null ? SELECT_ROWS : SELECT_ROWS + " AND c.domain = ?";
    long committedSeq = -1;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, writerId);
      ps.setString(2, pattern);
      if (onlyDomain != null) {
        ps.setString(3, onlyDomain);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          committedSeq = rs.getLong(8); // 0 when the row is missing (SQL NULL)
          String domain = rs.getString(1);
          String key = pattern + "/" + domain;
          try {
            out.put(
                domain,
                stats(
                    rs.getLong(2),
                    rs.getLong(3),
                    rs.getDouble(4),
                    rs.getDouble(5),
                    rs.getLong(6),
                    rs.getLong(7)));
            unreadable.readable(TABLE, key);
          } catch (IllegalArgumentException e) {
            unreadable.report(TABLE, key, e.getMessage());
          }
        }
      }
    }
    return committedSeq;
  }

  /** The stats of one row read at its domain's clock; throws naming what is wrong with it. */
  private ConfidenceStats stats(
      long successes, long failures, double decayedS, double decayedF, long tick, long clockNow) {
    if (successes < 0 || failures < 0) {
      throw new IllegalArgumentException(
          "negative counts: " + successes + " successes, " + failures + " failures");
    }
    if (!(decayedS >= 0) || !(decayedF >= 0) || Double.isInfinite(decayedS + decayedF)) {
      throw new IllegalArgumentException(
          "decayed sums must be finite and not negative but were " + decayedS + ", " + decayedF);
    }
    if (tick > clockNow) {
      throw new IllegalArgumentException(
          "tick " + tick + " is ahead of its domain's clock " + clockNow);
    }
    double weight = Math.pow(2, -(clockNow - tick) * inverseHalfLife);
    // Rounding may lift a decayed sum a hair above its count; the count bounds it.
    return new ConfidenceStats(
        successes,
        failures,
        Math.min(decayedS * weight, successes),
        Math.min(decayedF * weight, failures));
  }

  /**
   * One transaction: skip what a commit whose acknowledgement was lost already wrote, reserve ticks
   * in each domain, update each pattern's row once, and record the batch's last sequence number as
   * this writer's.
   */
  private void commit(List<Outcome> batch) {
    long last = batch.get(batch.size() - 1).seq();
    TreeMap<String, Sums> rows = new TreeMap<>();
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      try {
        long done = writerSeq(c);
        TreeMap<String, List<Outcome>> byDomain = new TreeMap<>();
        for (Outcome o : batch) {
          if (o.seq() > done) {
            byDomain.computeIfAbsent(o.domain(), k -> new ArrayList<>()).add(o);
          }
        }
        for (Map.Entry<String, List<Outcome>> e : byDomain.entrySet()) {
          List<Outcome> outcomes = e.getValue();
          long clockNow = advanceClock(c, e.getKey(), outcomes.size());
          long tick = clockNow - outcomes.size();
          for (Outcome o : outcomes) {
            tick++;
            rows.computeIfAbsent(o.pattern() + '\u0000' + o.domain(), k -> new Sums(o, clockNow))
                .add(o.success(), clockNow - tick);
          }
        }
        for (Sums s : rows.values()) {
          upsertRow(c, s);
        }
        try (PreparedStatement ps = c.prepareStatement(UPDATE_WRITER)) {
          ps.setLong(1, last);
          ps.setTimestamp(2, Timestamp.from(clock.instant()));
          ps.setString(3, writerId);
          if (ps.executeUpdate() == 0) {
            insertWriter(c, last);
          }
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        rollback(c);
        throw e;
      }
    } catch (SQLException e) {
      throw db.failed("commit " + batch.size() + " outcome(s)", e);
    }
    rememberCommitted(rows.values());
    db.reached();
  }

  /** This writer's last committed sequence number; 0 before its first commit. */
  private long writerSeq(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(READ_WRITER)) {
      ps.setString(1, writerId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  private void insertWriter(Connection c, long lastSeq) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INSERT_WRITER)) {
      ps.setString(1, writerId);
      ps.setString(2, host);
      ps.setLong(3, lastSeq);
      ps.setTimestamp(4, Timestamp.from(clock.instant()));
      ps.executeUpdate();
    }
  }

  /**
   * Adds a committed batch to the last values read, so that what reads answer during an outage
   * includes this store's own commits since (the others' are seen once the database answers).
   */
  private void rememberCommitted(Iterable<Sums> committed) {
    for (Sums s : committed) {
      lastRead
          .asMap()
          .computeIfPresent(
              s.pattern,
              (k, was) -> {
                Map<String, ConfidenceStats> m = new TreeMap<>(was);
                m.merge(
                    s.domain,
                    new ConfidenceStats(s.successes, s.failures, s.decayedS, s.decayedF),
                    ConfidenceStats::plus);
                return Map.copyOf(m);
              });
    }
  }

  /** The batch's sums for one pattern and domain, weighed at the batch's last tick there. */
  private final class Sums {
    final String pattern;
    final String domain;
    final long tick;
    long successes;
    long failures;
    double decayedS;
    double decayedF;

    Sums(Outcome o, long tick) {
      this.pattern = o.pattern();
      this.domain = o.domain();
      this.tick = tick;
    }

    void add(boolean success, long age) {
      double w = Math.pow(2, -age * inverseHalfLife);
      if (success) {
        successes++;
        decayedS += w;
      } else {
        failures++;
        decayedF += w;
      }
    }
  }

  /** Adds {@code k} to the domain's clock (locking its row) and returns the new value. */
  private static long advanceClock(Connection c, String domain, int k) throws SQLException {
    while (true) {
      try (PreparedStatement ps = c.prepareStatement(ADVANCE_CLOCK)) {
        ps.setLong(1, k);
        ps.setString(2, domain);
        if (ps.executeUpdate() == 1) {
          try (PreparedStatement read = c.prepareStatement(READ_CLOCK)) {
            read.setString(1, domain);
            try (ResultSet rs = read.executeQuery()) {
              rs.next();
              return rs.getLong(1);
            }
          }
        }
      }
      if (insertOnce(
          c,
          INSERT_CLOCK,
          ps -> {
            ps.setString(1, domain);
            ps.setLong(2, k);
          })) {
        return k;
      }
      // Another host inserted the domain meanwhile: advance its row.
    }
  }

  private void upsertRow(Connection c, Sums s) throws SQLException {
    while (true) {
      try (PreparedStatement ps = c.prepareStatement(UPDATE_ROW)) {
        int i = 0;
        ps.setLong(++i, s.successes);
        ps.setLong(++i, s.failures);
        i = setSum(ps, i, s.tick, s.decayedS);
        i = setSum(ps, i, s.tick, s.decayedF);
        ps.setLong(++i, s.tick);
        ps.setLong(++i, s.tick);
        ps.setString(++i, s.pattern);
        ps.setString(++i, s.domain);
        if (ps.executeUpdate() == 1) {
          return;
        }
      }
      if (insertOnce(
          c,
          INSERT_ROW,
          ps -> {
            ps.setString(1, s.pattern);
            ps.setString(2, s.domain);
            ps.setLong(3, s.successes);
            ps.setLong(4, s.failures);
            ps.setDouble(5, s.decayedS);
            ps.setDouble(6, s.decayedF);
            ps.setLong(7, s.tick);
          })) {
        return;
      }
    }
  }

  /** Sets the parameters of one CASE of {@link #UPDATE_ROW}. */
  private int setSum(PreparedStatement ps, int i, long tick, double sum) throws SQLException {
    ps.setLong(++i, tick); // tick <= ?
    ps.setDouble(++i, inverseHalfLife);
    ps.setLong(++i, tick); // 2^((tick - a)/h)
    ps.setDouble(++i, sum);
    ps.setDouble(++i, sum);
    ps.setDouble(++i, inverseHalfLife);
    ps.setLong(++i, tick); // 2^((a - tick)/h)
    return i;
  }

  interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  /**
   * Inserts a row under a savepoint; returns false, the transaction intact, when another
   * transaction inserted the same key first.
   */
  static boolean insertOnce(Connection c, String sql, Binder binder) throws SQLException {
    Savepoint sp = c.setSavepoint();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      ps.executeUpdate();
      c.releaseSavepoint(sp);
      return true;
    } catch (SQLException e) {
      if (Database.UNIQUE_VIOLATION.equals(e.getSQLState())) {
        c.rollback(sp);
        return false;
      }
      throw e;
    }
  }

  private static void rollback(Connection c) {
    try {
      c.rollback();
    } catch (SQLException e) {
      log.debug("rollback failed", e);
    }
  }

  /**
   * Commits the outcomes buffered so far.
   *
   * @param timeout how long to wait
   * @throws io.ndp.api.StorageUnavailableException when the database is unavailable or slower
   */
  public void flush(Duration timeout) {
    writer.flush(Objects.requireNonNull(timeout, "timeout"));
  }

  @Override
  public void reset(String patternName) {
    Names.require(patternName, "patternName");
    resetWhere("pattern = ?", patternName, null, patternName);
  }

  @Override
  public void resetDomain(String domain) {
    Names.require(domain, "domain");
    resetWhere("domain = ?", null, domain, domain);
  }

  @Override
  public void resetAll() {
    resetWhere(null, null, null, null);
  }

  private void resetWhere(
      @Nullable String where,
      @Nullable String pattern,
      @Nullable String domain,
      @Nullable String value) {
    // What was recorded before the reset is forgotten with it: commit it first.
    writer.flush(Duration.ofSeconds(30));
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      try {
        try (PreparedStatement ps =
            c.prepareStatement(
                "DELETE FROM ndp_confidence" + (where == null ? "" : " WHERE " + where))) {
          if (value != null) {
            ps.setString(1, value);
          }
          ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_MARKER)) {
          ps.setString(1, pattern);
          ps.setString(2, domain);
          ps.setString(3, host);
          ps.setTimestamp(4, Timestamp.from(clock.instant()));
          ps.executeUpdate();
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        rollback(c);
        throw e;
      }
    } catch (SQLException e) {
      throw db.failed("reset statistics", e);
    }
    db.reached();
    if (pattern != null) {
      lastRead.invalidate(pattern);
    } else {
      lastRead.invalidateAll();
    }
  }

  /**
   * Counts the patterns and domains with statistics, for start-up messages.
   *
   * @return patterns and domains with at least one row
   */
  public Inventory inventory() {
    try (Connection c = db.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT COUNT(DISTINCT pattern), COUNT(DISTINCT domain), COUNT(*) FROM"
                    + " ndp_confidence");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      db.reached();
      return new Inventory(rs.getInt(1), rs.getInt(2), rs.getLong(3));
    } catch (SQLException e) {
      throw db.failed("count the statistics", e);
    }
  }

  /**
   * What the store holds.
   *
   * @param patterns patterns with statistics
   * @param domains domains with statistics
   * @param rows pattern × domain rows
   */
  public record Inventory(int patterns, int domains, long rows) {}

  /** Outcomes recorded and not yet committed. */
  public long bufferedOutcomes() {
    return writer.buffered();
  }

  /** Outcomes refused because the buffer limit was reached while the database was unavailable. */
  public long refusedOutcomes() {
    return writer.refused();
  }

  /** Reads go to the database; the runtime keeps its cache in front. */
  @Override
  public boolean readsAreCheap() {
    return false;
  }

  void close(Duration timeout) {
    closed = true;
    writer.close(timeout);
    // Everything is committed: this writer's row is no longer needed by anyone.
    try (Connection c = db.connect();
        PreparedStatement ps = c.prepareStatement("DELETE FROM ndp_writer WHERE writer_id = ?")) {
      ps.setString(1, writerId);
      ps.executeUpdate();
    } catch (SQLException e) {
      log.debug("cannot remove the writer row {}: {}", writerId, e.toString());
    }
  }

  int bufferLimit() {
    return bufferLimit;
  }
}
