package io.ndp.storage.jdbc;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.ndp.api.ConfidenceStats;
import io.ndp.api.ConfidenceStore;
import io.ndp.api.StorageException;
import io.ndp.storage.jdbc.OutcomeWriter.Local;
import io.ndp.storage.jdbc.OutcomeWriter.Outcome;
import io.ndp.storage.jdbc.OutcomeWriter.Pending;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;
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
 * read-modify-write in Java, so concurrent hosts lose nothing. The same transaction writes the
 * sequence number of this store's last committed outcome ({@code ndp_writer}).
 *
 * <p><b>Reads</b> join the rows with their domain's clock and this store's committed sequence
 * number (one statement, one snapshot), then add the outcomes this store has not committed — each
 * exactly once, and weighed as forgetting prescribes, as if they were committed now in order. While
 * the database cannot be reached a read answers with the last rows read (and this store's own
 * commits since) plus what is buffered; the failure is in {@link JdbcStorage#health()}. Any other
 * failure (a closed storage, a broken schema) is thrown.
 *
 * <p><b>Resets</b> first commit what is buffered, then lock the rows of the domains they touch in
 * the order commits lock them, delete the rows they forget and write a reset marker ({@code
 * ndp_reset}), in one transaction; the domain clocks stay. An outcome another host buffered before
 * the reset and commits after it counts (it is ordered after the reset).
 *
 * <p>Names must be at most {@value Names#MAX_LENGTH} characters of valid UTF-16 without NUL (what
 * every database can store); others are refused at the call.
 *
 * <p>Thread-safe. Obtain it from {@link JdbcStorage}.
 *
 * @since 0.2.0
 */
public final class JdbcConfidenceStore implements ConfidenceStore {
  private static final Logger log = LoggerFactory.getLogger(JdbcConfidenceStore.class);
  private static final String TABLE = "ndp_confidence";
  // Deadlocks and serialization failures: the transaction is retried at once, this many times.
  private static final int TRANSIENT_RETRIES = 5;

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
  // One row per stored row of the pattern, or one row of NULLs when it has none: this store's
  // committed sequence number always comes with them, from the same snapshot (NULL when its row is
  // missing: nothing of ours is known to be committed).
  private static final String SELECT_ROWS =
      "SELECT w.last_seq, c.domain, c.successes, c.failures, c.decayed_successes,"
          + " c.decayed_failures, c.tick, d.clock FROM (SELECT 1 AS one) x"
          + " LEFT JOIN ndp_writer w ON w.writer_id = ?"
          + " LEFT JOIN ndp_confidence c ON c.pattern = ?%s"
          + " LEFT JOIN ndp_domain d ON d.domain = c.domain";
  private static final String READ_WRITER = "SELECT last_seq FROM ndp_writer WHERE writer_id = ?";
  private static final String UPDATE_WRITER =
      "UPDATE ndp_writer SET last_seq = ?, updated_at = CURRENT_TIMESTAMP WHERE writer_id = ?";
  // The database's clock, not the host's: a host whose clock runs ahead must not take a live
  // writer for a dead one.
  private static final String INSERT_WRITER =
      "INSERT INTO ndp_writer (writer_id, host, last_seq, updated_at) VALUES (?, ?, ?,"
          + " CURRENT_TIMESTAMP)";
  private static final String NOW = "SELECT CURRENT_TIMESTAMP";
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
  // The last rows read per pattern (with this store's commits since): what reads answer while the
  // database cannot be reached.
  private final Cache<String, LastRead> lastRead;
  // The highest clock seen per domain (reads and commits), to weigh the last rows read.
  private final ConcurrentHashMap<String, Long> clocks = new ConcurrentHashMap<>();
  private final int bufferLimit;
  private volatile boolean closed;
  // This store's last committed batches (by their last sequence number), so that rows read before
  // a commit are completed with it when they are kept in lastRead; and the highest evicted.
  private final java.util.concurrent.ConcurrentSkipListMap<Long, List<Sums>> recentCommits =
      new java.util.concurrent.ConcurrentSkipListMap<>();
  private volatile long recentFloor;
  // Resets made through this store; a read during which one ran does not keep its rows.
  private final java.util.concurrent.atomic.AtomicLong resets =
      new java.util.concurrent.atomic.AtomicLong();
  private static final int RECENT_COMMITS = 1024;

  /** A stored row: the counts, and the decayed sums valid at {@code tick}. */
  record Row(long successes, long failures, double decayedS, double decayedF, long tick) {}

  /** A row known as of this store's committed sequence number {@code seq}. */
  private record Known(long seq, Row row) {}

  /**
   * The rows last known of a pattern, per domain; {@code fullSeq} is the sequence number of the
   * last read of all its domains (a domain missing then had no row), -1 when none.
   */
  private record LastRead(long fullSeq, Map<String, Known> byDomain) {}

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
    try (Connection c = db.connect()) {
      // Rows of writers that ended without closing (a crash) and wrote nothing for a week, by the
      // database's clock (every writer's row is stamped with it).
      Timestamp now;
      try (PreparedStatement ps = c.prepareStatement(NOW);
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        now = rs.getTimestamp(1);
      }
      try (PreparedStatement ps =
          c.prepareStatement("DELETE FROM ndp_writer WHERE updated_at < ?")) {
        ps.setTimestamp(1, Timestamp.from(now.toInstant().minus(Duration.ofDays(7))));
        ps.executeUpdate();
      }
      insertWriter(c, 0);
    } catch (SQLException e) {
      throw db.failed("register this writer", e);
    }
    this.writer =
        new OutcomeWriter(
            this::commit,
            new OutcomeWriter.Probe() {
              @Override
              public boolean needed() {
                return !db.reachable();
              }

              @Override
              public void run() {
                probe();
              }
            },
            durability,
            maxUnflushedTime,
            maxUnflushedOutcomes,
            bufferLimit,
            syncTimeout,
            inverseHalfLife,
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
   *     whether the outcome stays buffered (SYNC while the database is down, or a commit that takes
   *     longer than the sync timeout) or was refused (the buffer limit reached)
   * @throws IllegalArgumentException naming a name the database cannot store
   * @throws IllegalStateException when the storage is closed
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

  /** What a read found: rows, the clock of each domain, and up to which outcome it holds ours. */
  private record Found(
      Map<String, Row> rows,
      Map<String, Long> clockOf,
      ToLongFunction<String> seq,
      long lowestSeq,
      boolean writerRowMissing) {}

  /**
   * Per domain (only {@code onlyDomain} when given): the committed rows plus what this store has
   * not committed, each outcome once. The database (or the last rows read) first, then the buffer:
   * an outcome queued then was not committed when the rows were read, and the batch in flight is
   * added only when the rows did not hold it yet (this writer's committed sequence number, read
   * with them, was below its last). A batch committed between the two (neither in the rows nor in
   * flight any more) is added from this store's recent commits, as the database added it: so a read
   * counts every outcome acknowledged before it began, and none twice.
   */
  private Map<String, ConfidenceStats> read(String pattern, @Nullable String onlyDomain) {
    for (int attempt = 1; ; attempt++) {
      long committedBefore = writer.committed();
      Found found = found(pattern, onlyDomain);
      Pending pending = writer.pending(pattern);
      if (found.writerRowMissing()) {
        // Which of our batches the rows hold is not written down (another host purged this
        // writer's row; the next commit writes it again). When nothing was committed or in flight
        // around the read, the rows hold exactly what was committed before it: that is exact.
        if (pending.inFlightLast() == 0 && pending.committed() == committedBefore) {
          long all = pending.committed();
          return combine(
              new Found(found.rows(), found.clockOf(), d -> all, all, false), pending, onlyDomain);
        }
        if (attempt < 10) {
          // A commit was under way: it writes the row again. Wait for it, then read once more.
          writer.awaitCommitted(Math.max(pending.inFlightLast(), pending.committed()), 100);
          continue;
        }
        log.debug("a read of {} without this writer's row may be off by a batch", pattern);
        return combine(found, pending, onlyDomain);
      }
      Found complete = complete(found, pattern, onlyDomain, pending.committed());
      if (complete != null) {
        return combine(complete, pending, onlyDomain);
      }
      if (attempt == 3) {
        // Over a thousand commits of ours between two statements, three times running: answer
        // without the batches committed meanwhile rather than never.
        log.debug("a read of {} misses this store's newest commits", pattern);
        return combine(found, pending, onlyDomain);
      }
    }
  }

  /**
   * Adds this store's batches committed after the rows were read and up to {@code committed} (the
   * writer's committed sequence number when the buffer was looked at) to the rows, as the database
   * added them; null when some of them were forgotten meanwhile (read again).
   */
  private @Nullable Found complete(
      Found found, String pattern, @Nullable String onlyDomain, long committed) {
    long lowest = found.lowestSeq();
    if (lowest < 0 || lowest >= committed) {
      return found; // nothing committed since (or nothing known to complete)
    }
    Map<String, Row> rows = new HashMap<>(found.rows());
    Map<String, Long> clockOf = new HashMap<>(found.clockOf());
    for (Map.Entry<Long, List<Sums>> batch :
        recentCommits.subMap(lowest, false, committed, true).entrySet()) {
      for (Sums s : batch.getValue()) {
        long known = found.seq().applyAsLong(s.domain);
        if ((onlyDomain != null && !onlyDomain.equals(s.domain))
            || known < 0
            || batch.getKey() <= known) {
          continue; // another domain, one not known, or already in the rows
        }
        clockOf.merge(s.domain, s.tick, Math::max);
        if (s.pattern.equals(pattern)) {
          rows.put(s.domain, s.addTo(rows.get(s.domain)));
        }
      }
    }
    if (lowest < recentFloor) {
      return null; // batches after the rows were forgotten while (or before) they were added
    }
    return new Found(
        rows,
        clockOf,
        d -> {
          long known = found.seq().applyAsLong(d);
          return known < 0 ? known : Math.max(known, committed);
        },
        committed,
        false);
  }

  /** The committed rows of a pattern: from the database, or the last read while it is out. */
  private Found found(String pattern, @Nullable String onlyDomain) {
    if (closed) {
      throw new IllegalStateException("the storage " + db.description() + " is closed");
    }
    Found found;
    if (db.shouldTry()) {
      try (Connection c = db.connect()) {
        if (db.statementsNeedASnapshot()) {
          // One snapshot for the rows and the committed sequence number read with them.
          c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        }
        found = readRows(c, pattern, onlyDomain);
        db.reached();
      } catch (SQLException e) {
        StorageException failure = db.failed("read the statistics of " + pattern, e);
        if (!Database.isUnavailable(e)) {
          throw failure; // not an outage (a broken schema, a missing grant): say so
        }
        log.debug("answering from the last rows read: {}", failure.getMessage());
        found = fromLastRead(pattern, onlyDomain);
      }
    } else {
      found = fromLastRead(pattern, onlyDomain); // another read probes the database meanwhile
    }
    return found;
  }

  /** Checks whether the database answers again (the writer calls it during an outage). */
  private void probe() {
    try (Connection c = db.connect()) {
      if (c.isValid(2)) {
        db.reached();
      }
    } catch (SQLException e) {
      db.failed("reach the database", e);
    } catch (RuntimeException e) {
      db.failed("reach the database", new SQLException(e.toString(), "08000", e));
    }
  }

  /** Reads the rows of a pattern with this writer's committed sequence number, and keeps them. */
  private Found readRows(Connection c, String pattern, @Nullable String onlyDomain)
      throws SQLException {
    Map<String, Row> rows = new HashMap<>();
    Map<String, Long> clockOf = new HashMap<>();
    long seq = -1;
    boolean writerRowMissing = false;
    String sql = String.format(SELECT_ROWS, onlyDomain == null ? "" : " AND c.domain = ?");
    long resetsBefore = resets.get();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 0;
      ps.setString(++i, writerId);
      ps.setString(++i, pattern);
      if (onlyDomain != null) {
        ps.setString(++i, onlyDomain);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          seq = rs.getLong(1); // 0 when NULL
          writerRowMissing = rs.wasNull();
          String domain = rs.getString(2);
          if (domain == null) {
            continue; // the pattern has no row
          }
          String key = pattern + "/" + domain;
          try {
            long clockNow = rs.getLong(8);
            Row row =
                check(
                    new Row(
                        rs.getLong(3),
                        rs.getLong(4),
                        rs.getDouble(5),
                        rs.getDouble(6),
                        rs.getLong(7)),
                    clockNow);
            rows.put(domain, row);
            clockOf.put(domain, clockNow);
            clocks.merge(domain, clockNow, Math::max);
            unreadable.readable(TABLE, key);
          } catch (IllegalArgumentException e) {
            unreadable.report(TABLE, key, e.getMessage());
          }
        }
      }
    }
    if (seq < 0) {
      seq = 0;
    }
    if (!writerRowMissing) {
      // Without the row, which of our commits the rows hold is unknown: they cannot be completed.
      remember(pattern, onlyDomain, rows, seq, resetsBefore);
    }
    long known = seq;
    // Without this writer's row, which of our commits the rows hold is unknown: none is added.
    return new Found(rows, clockOf, d -> known, writerRowMissing ? -1 : known, writerRowMissing);
  }

  /** Throws naming what is wrong with a row. */
  private static Row check(Row r, long clockNow) {
    if (r.successes() < 0 || r.failures() < 0) {
      throw new IllegalArgumentException(
          "negative counts: " + r.successes() + " successes, " + r.failures() + " failures");
    }
    if (!(r.decayedS() >= 0)
        || !(r.decayedF() >= 0)
        || Double.isInfinite(r.decayedS() + r.decayedF())) {
      throw new IllegalArgumentException(
          "decayed sums must be finite and not negative but were "
              + r.decayedS()
              + ", "
              + r.decayedF());
    }
    if (r.tick() > clockNow) {
      throw new IllegalArgumentException(
          "tick " + r.tick() + " is ahead of its domain's clock " + clockNow);
    }
    return r;
  }

  /**
   * Keeps the rows read at this writer's sequence number {@code seq}, completed with this store's
   * commits after it (a commit that found no entry to add itself to); newer knowledge wins.
   */
  private void remember(
      String pattern,
      @Nullable String onlyDomain,
      Map<String, Row> rows,
      long seq,
      long resetsBefore) {
    lastRead
        .asMap()
        .compute(
            pattern,
            (k, was) -> {
              if (resets.get() != resetsBefore) {
                return was; // a reset of this store ran meanwhile: the rows may predate it
              }
              if (seq < recentFloor) {
                return was; // commits since were forgotten: these rows cannot be completed
              }
              Map<String, Row> read = new HashMap<>(rows);
              long upTo = seq;
              for (Map.Entry<Long, List<Sums>> batch :
                  recentCommits.tailMap(seq, false).entrySet()) {
                for (Sums s : batch.getValue()) {
                  if (s.pattern.equals(pattern)
                      && (onlyDomain == null || onlyDomain.equals(s.domain))) {
                    read.put(s.domain, s.addTo(read.get(s.domain)));
                  }
                }
                upTo = batch.getKey();
              }
              Map<String, Known> m = was == null ? new HashMap<>() : new HashMap<>(was.byDomain());
              long fullSeq = was == null ? -1 : was.fullSeq();
              Set<String> domains = new HashSet<>(read.keySet());
              if (onlyDomain == null) {
                domains.addAll(m.keySet());
                fullSeq = Math.max(fullSeq, upTo);
              } else {
                domains.add(onlyDomain);
              }
              for (String d : domains) {
                Known before = m.get(d);
                if (before != null && before.seq() > upTo) {
                  continue; // a later commit of ours was already added to it
                }
                Row row = read.get(d);
                if (row == null) {
                  m.remove(d);
                } else {
                  m.put(d, new Known(upTo, row));
                }
              }
              return new LastRead(fullSeq, Map.copyOf(m));
            });
  }

  /** The last rows read of a pattern, weighed at the highest clock seen of each domain. */
  private Found fromLastRead(String pattern, @Nullable String onlyDomain) {
    LastRead last = lastRead.getIfPresent(pattern);
    Map<String, Row> rows = new HashMap<>();
    Map<String, Long> clockOf = new HashMap<>();
    if (last == null) {
      return new Found(rows, clockOf, d -> -1, -1, false);
    }
    long lowest = last.fullSeq();
    for (Map.Entry<String, Known> e : last.byDomain().entrySet()) {
      String d = e.getKey();
      Known known = e.getValue();
      if (onlyDomain == null || onlyDomain.equals(d)) {
        rows.put(d, known.row());
        clockOf.put(d, Math.max(known.row().tick(), clocks.getOrDefault(d, 0L)));
        lowest = lowest < 0 ? known.seq() : Math.min(lowest, known.seq());
      }
    }
    return new Found(
        rows,
        clockOf,
        d -> {
          Known k = last.byDomain().get(d);
          return k != null ? k.seq() : last.fullSeq();
        },
        lowest,
        false);
  }

  /**
   * The rows plus the outcomes not in them, as if those were committed now in order: the batch in
   * flight (when the rows do not hold it), then the queue. Each domain's committed evidence decays
   * by the outcomes of the domain that follow it; each outcome of the pattern weighs what its
   * position among them gives.
   */
  private Map<String, ConfidenceStats> combine(
      Found found, Pending pending, @Nullable String onlyDomain) {
    Set<String> domains = new HashSet<>(found.rows().keySet());
    domains.addAll(pending.inFlight().keySet());
    domains.addAll(pending.queued().keySet());
    Map<String, ConfidenceStats> out = new TreeMap<>();
    for (String d : domains) {
      if (onlyDomain != null && !onlyDomain.equals(d)) {
        continue;
      }
      boolean inFlight =
          pending.inFlightLast() > 0 && found.seq().applyAsLong(d) < pending.inFlightLast();
      long kF = inFlight ? pending.inFlightCount().getOrDefault(d, 0L) : 0;
      long kQ = pending.queuedCount().getOrDefault(d, 0L);
      long successes = 0;
      long failures = 0;
      double effS = 0;
      double effF = 0;
      Row row = found.rows().get(d);
      if (row != null) {
        double keep = weight(found.clockOf().get(d) - row.tick() + kF + kQ);
        successes += row.successes();
        failures += row.failures();
        effS += row.decayedS() * keep;
        effF += row.decayedF() * keep;
      }
      Local f = inFlight ? pending.inFlight().get(d) : null;
      if (f != null) {
        double keep = weight(kF - f.tick() + kQ);
        successes += f.successes();
        failures += f.failures();
        effS += f.decayedS() * keep;
        effF += f.decayedF() * keep;
      }
      Local q = pending.queued().get(d);
      if (q != null) {
        double keep = weight(kQ - q.tick());
        successes += q.successes();
        failures += q.failures();
        effS += q.decayedS() * keep;
        effF += q.decayedF() * keep;
      }
      if (successes + failures > 0) {
        // Rounding may lift a decayed sum a hair above its count; the count bounds it.
        out.put(
            d,
            new ConfidenceStats(
                successes, failures, Math.min(effS, successes), Math.min(effF, failures)));
      }
    }
    return out;
  }

  /** {@code 2^(-k / halfLife)}. */
  private double weight(long k) {
    return Math.pow(2, -k * inverseHalfLife);
  }

  /** One pattern and domain of a batch, as a key that no two pairs share. */
  private record PairKey(String pattern, String domain) implements Comparable<PairKey> {
    @Override
    public int compareTo(PairKey o) {
      int c = pattern.compareTo(o.pattern);
      return c != 0 ? c : domain.compareTo(o.domain);
    }
  }

  /**
   * One transaction: skip what a commit whose acknowledgement was lost already wrote, reserve ticks
   * in each domain, update each pattern's row once, and record the batch's last sequence number as
   * this writer's. A deadlock or serialization failure retries it at once.
   */
  private void commit(List<Outcome> batch) {
    long last = batch.get(batch.size() - 1).seq();
    for (int attempt = 1; ; attempt++) {
      TreeMap<PairKey, Sums> rows = new TreeMap<>();
      Map<String, Long> domainClocks = new HashMap<>();
      Map<PairKey, Row> redone = new HashMap<>();
      try (Connection c = db.connect()) {
        c.setAutoCommit(false);
        try {
          long done = writerSeq(c);
          TreeMap<String, List<Outcome>> byDomain = new TreeMap<>();
          Set<PairKey> skipped = new HashSet<>();
          for (Outcome o : batch) {
            if (o.seq() > done) {
              byDomain.computeIfAbsent(o.domain(), k -> new ArrayList<>()).add(o);
            } else {
              skipped.add(new PairKey(o.pattern(), o.domain()));
            }
          }
          for (Map.Entry<String, List<Outcome>> e : byDomain.entrySet()) {
            List<Outcome> outcomes = e.getValue();
            long clockNow = advanceClock(c, e.getKey(), outcomes.size());
            domainClocks.put(e.getKey(), clockNow);
            long tick = clockNow - outcomes.size();
            for (Outcome o : outcomes) {
              tick++;
              rows.computeIfAbsent(new PairKey(o.pattern(), o.domain()), k -> new Sums(k, clockNow))
                  .add(o.success(), clockNow - tick);
            }
          }
          upsertRows(c, rows.values());
          try (PreparedStatement ps = c.prepareStatement(UPDATE_WRITER)) {
            ps.setLong(1, last);
            ps.setString(2, writerId);
            if (ps.executeUpdate() == 0) {
              insertWriter(c, last);
            }
          }
          // Outcomes a commit whose acknowledgement was lost already wrote: their rows as they are
          // now, for the last rows read (their deltas and ticks are not known here).
          for (PairKey k : skipped) {
            Row now = rowOf(c, k); // after this batch's own update of it, if any
            if (now != null) {
              redone.put(k, now);
            }
          }
          c.commit();
        } catch (SQLException | RuntimeException e) {
          rollback(c);
          throw e;
        }
      } catch (SQLException e) {
        if (isTransient(e) && attempt < TRANSIENT_RETRIES) {
          continue;
        }
        throw db.failedWrite("commit " + batch.size() + " outcome(s)", e);
      } catch (RuntimeException e) {
        throw db.failedWrite(
            "commit " + batch.size() + " outcome(s)", new SQLException(e.toString(), "HY000", e));
      }
      rememberCommitted(rows.values(), redone, domainClocks, last);
      db.wrote();
      return;
    }
  }

  /** The stored row of a pattern and domain, with its domain's clock noted; null when none. */
  private @Nullable Row rowOf(Connection c, PairKey k) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT c.successes, c.failures, c.decayed_successes, c.decayed_failures, c.tick,"
                + " d.clock FROM ndp_confidence c JOIN ndp_domain d ON d.domain = c.domain"
                + " WHERE c.pattern = ? AND c.domain = ?")) {
      ps.setString(1, k.pattern());
      ps.setString(2, k.domain());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        clocks.merge(k.domain(), rs.getLong(6), Math::max);
        return new Row(
            rs.getLong(1), rs.getLong(2), rs.getDouble(3), rs.getDouble(4), rs.getLong(5));
      }
    }
  }

  /** A deadlock or a serialization failure: the transaction may simply be tried again. */
  static boolean isTransient(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s
          && ("40001".equals(s.getSQLState()) || "40P01".equals(s.getSQLState()))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Adds a committed batch to the last rows read, as the database did, so that what reads answer
   * during an outage includes this store's own commits since (the others' are seen once the
   * database answers). A row already known as of this batch or later is left alone.
   */
  private void rememberCommitted(
      Collection<Sums> committed,
      Map<PairKey, Row> redone,
      Map<String, Long> domainClocks,
      long seq) {
    domainClocks.forEach((d, c) -> clocks.merge(d, c, Math::max));
    // Logged first: a read keeping rows from before this commit completes them with it.
    recentCommits.put(seq, List.copyOf(committed));
    while (recentCommits.size() > RECENT_COMMITS) {
      Map.Entry<Long, List<Sums>> oldest = recentCommits.pollFirstEntry();
      if (oldest != null) {
        recentFloor = Math.max(recentFloor, oldest.getKey());
      }
    }
    redone.forEach(
        (key, row) ->
            lastRead
                .asMap()
                .compute(
                    key.pattern(),
                    (k, was) -> {
                      if (was == null) {
                        return null;
                      }
                      Map<String, Known> m = new HashMap<>(was.byDomain());
                      m.put(key.domain(), new Known(seq, row));
                      return new LastRead(was.fullSeq(), Map.copyOf(m));
                    }));
    for (Sums s : committed) {
      if (redone.containsKey(new PairKey(s.pattern, s.domain))) {
        continue; // its row as it is now was kept above
      }
      // compute, not computeIfPresent: Caffeine's computeIfPresent returns at once when the key
      // is absent, without waiting for a read that is creating its entry (which then misses this
      // commit, when its rows predate it and it did not see this commit in recentCommits yet).
      lastRead
          .asMap()
          .compute(
              s.pattern,
              (k, was) -> {
                if (was == null) {
                  return null;
                }
                Known before = was.byDomain().get(s.domain);
                Row base;
                if (before != null) {
                  if (before.seq() >= seq) {
                    return was;
                  }
                  base = before.row();
                } else if (was.fullSeq() >= 0 && was.fullSeq() < seq) {
                  base = null; // no row when all its domains were read
                } else {
                  return was; // this domain is unknown: a delta alone would be wrong
                }
                Map<String, Known> m = new HashMap<>(was.byDomain());
                m.put(s.domain, new Known(seq, s.addTo(base)));
                return new LastRead(was.fullSeq(), Map.copyOf(m));
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

    Sums(PairKey key, long tick) {
      this.pattern = key.pattern();
      this.domain = key.domain();
      this.tick = tick;
    }

    /** The row after this batch, as the database's UPDATE computes it; null base: no row. */
    Row addTo(@Nullable Row base) {
      if (base == null) {
        return new Row(successes, failures, decayedS, decayedF, tick);
      }
      if (base.tick() <= tick) {
        double keep = weight(tick - base.tick());
        return new Row(
            base.successes() + successes,
            base.failures() + failures,
            base.decayedS() * keep + decayedS,
            base.decayedF() * keep + decayedF,
            tick);
      }
      double keep = weight(base.tick() - tick);
      return new Row(
          base.successes() + successes,
          base.failures() + failures,
          base.decayedS() + decayedS * keep,
          base.decayedF() + decayedF * keep,
          base.tick());
    }

    void add(boolean success, long age) {
      double w = weight(age);
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

  /**
   * Updates the rows in one JDBC batch (one round trip), in key order; inserts those that were
   * missing one by one.
   */
  private void upsertRows(Connection c, Collection<Sums> all) throws SQLException {
    List<Sums> sums = new ArrayList<>(all);
    List<Sums> missing = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(UPDATE_ROW)) {
      for (Sums s : sums) {
        bindUpdate(ps, s);
        ps.addBatch();
      }
      int[] counts = ps.executeBatch();
      for (int i = 0; i < counts.length; i++) {
        // H2 and PostgreSQL report each count; a driver that does not (SUCCESS_NO_INFO) would
        // have every row retried one by one, which is correct, only slower.
        if (counts[i] != 1) {
          missing.add(sums.get(i));
        }
      }
    }
    for (Sums s : missing) {
      if (missingStill(c, s)) {
        upsertRow(c, s);
      }
    }
  }

  /** Whether a row the batch may not have updated (its count was not 1) is still missing. */
  private static boolean missingStill(Connection c, Sums s) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT 1 FROM ndp_confidence WHERE pattern = ? AND domain = ?")) {
      ps.setString(1, s.pattern);
      ps.setString(2, s.domain);
      try (ResultSet rs = ps.executeQuery()) {
        return !rs.next();
      }
    }
  }

  private void bindUpdate(PreparedStatement ps, Sums s) throws SQLException {
    int i = 0;
    ps.setLong(++i, s.successes);
    ps.setLong(++i, s.failures);
    i = setSum(ps, i, s.tick, s.decayedS);
    i = setSum(ps, i, s.tick, s.decayedF);
    ps.setLong(++i, s.tick);
    ps.setLong(++i, s.tick);
    ps.setString(++i, s.pattern);
    ps.setString(++i, s.domain);
  }

  private void upsertRow(Connection c, Sums s) throws SQLException {
    while (true) {
      try (PreparedStatement ps = c.prepareStatement(UPDATE_ROW)) {
        bindUpdate(ps, s);
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
      ps.executeUpdate();
    }
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
    resetWhere("pattern = ?", patternName, null);
  }

  @Override
  public void resetDomain(String domain) {
    Names.require(domain, "domain");
    resetWhere("domain = ?", null, domain);
  }

  @Override
  public void resetAll() {
    resetWhere(null, null, null);
  }

  private void resetWhere(
      @Nullable String where, @Nullable String pattern, @Nullable String domain) {
    // What was recorded before the reset is forgotten with it: commit it first.
    writer.flush(Duration.ofSeconds(30));
    for (int attempt = 1; ; attempt++) {
      try (Connection c = db.connect()) {
        c.setAutoCommit(false);
        try {
          // Lock the domains' rows first, in the order commits lock them (String order, in
          // Java: the database's collation may differ): a commit holds its domains' rows before
          // it touches their statistics, so the two never wait on each other in a cycle.
          List<String> domains = new ArrayList<>();
          if (domain != null) {
            domains.add(domain);
          } else {
            try (PreparedStatement ps = c.prepareStatement("SELECT domain FROM ndp_domain");
                ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                domains.add(rs.getString(1));
              }
            }
            domains.sort(null);
          }
          try (PreparedStatement ps =
              c.prepareStatement("SELECT clock FROM ndp_domain WHERE domain = ? FOR UPDATE")) {
            for (String d : domains) {
              ps.setString(1, d);
              try (ResultSet rs = ps.executeQuery()) {
                rs.next(); // locked (or gone)
              }
            }
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "DELETE FROM ndp_confidence" + (where == null ? "" : " WHERE " + where))) {
            if (pattern != null || domain != null) {
              ps.setString(1, pattern != null ? pattern : domain);
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
        if (isTransient(e) && attempt < TRANSIENT_RETRIES) {
          continue;
        }
        throw db.failed("reset statistics", e);
      }
      break;
    }
    db.wrote();
    resets.incrementAndGet(); // before dropping: a read from before the reset keeps nothing
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
