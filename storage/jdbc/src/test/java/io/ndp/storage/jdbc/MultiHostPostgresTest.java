package io.ndp.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.awaitility.Awaitility.await;

import io.ndp.api.ConfidenceStats;
import io.ndp.core.Ndp;
import io.ndp.core.PatternRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several hosts on one PostgreSQL database ({@code NDP_TEST_PG_URL}).
 *
 * <p>Four child JVMs ({@link RecordingHost}), each with its own {@link JdbcStorage} and so its own
 * connection pool, two in {@link Durability#SYNC} and two in {@link Durability#BATCHED}, record
 * {@value #PER_HOST} outcomes each from {@value #THREADS} threads at the same time, spread over
 * {@value MultiHostSchedule#PATTERNS} patterns × {@value MultiHostSchedule#DOMAINS} domains so that
 * every row and every domain clock is contended by every host. After they have closed their storage
 * and exited, the counts per pattern and domain are exactly those of the deterministic schedule,
 * each domain's clock is the number of its outcomes, and the decayed sums of a domain add up to
 * those of exactly one outcome per tick of its clock (no tick given twice nor skipped).
 *
 * <p>And a reset on one host is seen by another host's runtime (an {@link Ndp} over its own
 * storage, whose registry caches statistics for the storage's staleness) within that staleness.
 *
 * <p>The figures are printed (lines {@code multi-host}).
 */
class MultiHostPostgresTest {
  static final int HOSTS = 4;
  static final int PER_HOST = 25_000;
  static final int THREADS = 4;
  static final double HALF_LIFE = JdbcStorage.DEFAULT_HALF_LIFE;

  @Test
  void fourHostsRecordingAtOnce_leaveExactCountsAndDomainClocks(@TempDir Path dir)
      throws SQLException {
    String url = TestDatabases.postgresUrl();
    TestDatabases.emptyPostgres();
    List<ChildJvm> hosts = new ArrayList<>();
    AtomicInteger ready = new AtomicInteger();
    long recording;
    try {
      for (int h = 0; h < HOSTS; h++) {
        Durability durability = h % 2 == 0 ? Durability.SYNC : Durability.BATCHED;
        hosts.add(
            ChildJvm.start(
                "host-" + h + "-" + durability,
                RecordingHost.class,
                List.of(
                    url,
                    Integer.toString(h),
                    durability.name(),
                    Integer.toString(THREADS),
                    Integer.toString(PER_HOST)),
                dir,
                line -> {
                  if (line.equals("ready")) {
                    ready.incrementAndGet();
                  }
                }));
      }
      await("every host opens the database")
          .atMost(Duration.ofSeconds(90))
          .failFast(() -> hosts.forEach(ChildJvm::assertAlive))
          .until(() -> ready.get() == HOSTS);
      long start = System.nanoTime();
      hosts.forEach(ChildJvm::go);
      for (ChildJvm host : hosts) {
        assertThat(host.awaitExit(Duration.ofMinutes(5)))
            .as("host exits normally: %s", host.describe())
            .isZero();
      }
      recording = System.nanoTime() - start;
    } finally {
      hosts.forEach(ChildJvm::close);
    }

    List<String> done = new ArrayList<>();
    for (ChildJvm host : hosts) {
      assertThat(host.lines())
          .as("host says ready then done: %s", host.describe())
          .hasSize(2)
          .first()
          .isEqualTo("ready");
      String line = host.lines().get(1);
      assertThat(line).as(host.describe()).startsWith("done ").contains(" refused=0 ");
      done.add(line);
    }

    Map<String, long[]> expected = MultiHostSchedule.counts(HOSTS, PER_HOST);
    Map<String, Long> expectedClocks = new TreeMap<>();
    expected.forEach(
        (key, c) ->
            expectedClocks.merge(key.substring(key.indexOf('/') + 1), c[0] + c[1], Long::sum));
    Map<String, List<Long>> rows = new TreeMap<>();
    Map<String, Long> clocks = new TreeMap<>();
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      try (ResultSet rs =
          s.executeQuery("SELECT pattern, domain, successes, failures FROM ndp_confidence")) {
        while (rs.next()) {
          rows.put(rs.getString(1) + "/" + rs.getString(2), List.of(rs.getLong(3), rs.getLong(4)));
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT domain, clock FROM ndp_domain")) {
        while (rs.next()) {
          clocks.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    Map<String, List<Long>> expectedRows = new TreeMap<>();
    expected.forEach((key, c) -> expectedRows.put(key, List.of(c[0], c[1])));

    // Per domain, the decayed weights as the storage reads them: each tick 1..N of the domain's
    // clock holds exactly one outcome, so they add up to sum_{k<N} 2^(-k/h) whatever the order.
    Map<String, Double> weights = new TreeMap<>();
    try (JdbcStorage reader = JdbcStorage.builder().url(url).halfLife(HALF_LIFE).open()) {
      for (int p = 0; p < MultiHostSchedule.PATTERNS; p++) {
        reader
            .confidence()
            .statsByDomain("mh-p" + p)
            .forEach(
                (domain, st) ->
                    weights.merge(
                        domain, st.effectiveSuccesses() + st.effectiveFailures(), Double::sum));
      }
    }

    done.forEach(line -> System.out.println("multi-host " + line));
    System.out.printf(
        Locale.ROOT,
        "multi-host %d hosts x %d outcomes (%d threads each) in %d ms; clocks %s; rows %d%n",
        HOSTS,
        PER_HOST,
        THREADS,
        recording / 1_000_000,
        clocks,
        rows.size());

    assertThat(rows)
        .as("successes and failures per pattern/domain, exactly as scheduled")
        .isEqualTo(expectedRows);
    assertThat(clocks)
        .as("each domain's clock is the number of outcomes recorded in it")
        .isEqualTo(expectedClocks);
    assertThat(clocks.values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo((long) HOSTS * PER_HOST);
    expectedClocks.forEach(
        (domain, n) ->
            assertThat(weights.get(domain))
                .as(
                    "decayed weight of domain %s: one outcome per tick of its clock %d, half-life %s",
                    domain, n, HALF_LIFE)
                .isCloseTo(geometricWeight(n), offset(1e-6)));
  }

  @Test
  void resetOnOneHost_isSeenByAnotherHostsRuntime_withinStaleness() {
    String url = TestDatabases.postgresUrl();
    TestDatabases.emptyPostgres();
    Duration staleness = Duration.ofSeconds(1);
    Duration margin = Duration.ofSeconds(5);
    String pattern = "shared";
    String domain = "billing";
    try (JdbcStorage other = JdbcStorage.builder().url(url).host("other-host").open();
        Ndp ndp =
            Ndp.builder()
                .storage(
                    JdbcStorage.builder().url(url).host("this-host").staleness(staleness).open())
                .build()) {
      PatternRegistry registry = ndp.registry();
      for (int i = 0; i < 10; i++) {
        other.confidence().recordOutcome(pattern, domain, true);
      }
      long seenAfter =
          awaitSeen(registry, pattern, domain, 10, staleness.plus(margin), "outcomes of another");

      // The runtime answers from its cache: an outcome the other host commits now is not seen
      // at once (checked only while the snapshot is surely younger than the staleness bound).
      ndp.storage().dropCache();
      long beforeLoad = System.nanoTime();
      ConfidenceStats loaded = registry.statistics(pattern, domain);
      other.confidence().recordOutcome(pattern, domain, false);
      ConfidenceStats again = registry.statistics(pattern, domain);
      long age = System.nanoTime() - beforeLoad;
      assertThat(loaded.total()).isEqualTo(10);
      if (age < staleness.toNanos()) {
        assertThat(again)
            .as("within the staleness bound the runtime serves its cached snapshot")
            .isEqualTo(loaded);
      }
      awaitSeen(registry, pattern, domain, 11, staleness.plus(margin), "a newer outcome");

      other.confidence().reset(pattern);
      long seenReset =
          awaitSeen(registry, pattern, domain, 0, staleness.plus(margin), "a reset of the pattern");

      other.confidence().recordOutcome(pattern, domain, true);
      awaitSeen(registry, pattern, domain, 1, staleness.plus(margin), "an outcome after the reset");
      other.confidence().resetDomain(domain);
      long seenDomainReset =
          awaitSeen(registry, pattern, domain, 0, staleness.plus(margin), "a reset of the domain");

      System.out.printf(
          Locale.ROOT,
          "multi-host visibility (staleness %d ms): outcomes seen after %d ms, reset(pattern) after"
              + " %d ms, resetDomain after %d ms%n",
          staleness.toMillis(),
          seenAfter,
          seenReset,
          seenDomainReset);
    }
  }

  /** Waits until this runtime's registry shows {@code total} outcomes; returns the ms it took. */
  private static long awaitSeen(
      PatternRegistry registry,
      String pattern,
      String domain,
      long total,
      Duration atMost,
      String what) {
    long start = System.nanoTime();
    await("this runtime sees " + what + " host (total " + total + ")")
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(10))
        .until(() -> registry.statistics(pattern, domain).total() == total);
    return (System.nanoTime() - start) / 1_000_000;
  }

  /** {@code sum_{k=0}^{n-1} 2^(-k/h)}: the weight of one outcome at each of n ticks. */
  private static double geometricWeight(long n) {
    double q = Math.pow(2, -1 / HALF_LIFE);
    return (1 - Math.pow(q, n)) / (1 - q);
  }
}
