package io.ndp.storage.jdbc;

import java.time.Instant;

/**
 * A stored row that could not be read: it is skipped by every query (never deleted) and reported
 * here and in the log, with its key, until it is read successfully or replaced.
 *
 * @param table the table, e.g. {@code ndp_definition}
 * @param key the row's key, e.g. the pattern name, or {@code pattern/domain}
 * @param reason why it could not be read
 * @param seen when it was last found unreadable
 * @since 0.2.0
 */
public record UnreadableRow(String table, String key, String reason, Instant seen) {}
