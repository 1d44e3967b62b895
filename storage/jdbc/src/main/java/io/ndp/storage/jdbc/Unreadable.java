package io.ndp.storage.jdbc;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The rows found unreadable, reported once each in the log and kept until read or replaced. */
final class Unreadable {
  private static final Logger log = LoggerFactory.getLogger(Unreadable.class);

  private final ConcurrentSkipListMap<String, UnreadableRow> rows = new ConcurrentSkipListMap<>();
  private final Clock clock;

  Unreadable(Clock clock) {
    this.clock = clock;
  }

  void report(String table, String key, String reason) {
    UnreadableRow was =
        rows.put(table + "\u0000" + key, new UnreadableRow(table, key, reason, clock.instant()));
    if (was == null || !was.reason().equals(reason)) {
      log.warn("skipping unreadable row {} of {} (kept in the database): {}", key, table, reason);
    }
  }

  void readable(String table, String key) {
    if (!rows.isEmpty()) {
      rows.remove(table + "\u0000" + key);
    }
  }

  List<UnreadableRow> all() {
    return List.copyOf(rows.values());
  }
}
