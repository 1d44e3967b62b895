package io.ndp.storage.jdbc;

import io.ndp.api.StorageException;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether the database answered the last time it was asked, and what is waiting for it.
 *
 * @param available whether the last read or write reached the database
 * @param lastFailure the last failure, with the driver's exception as its cause; empty when none
 *     since the database was last reached
 * @param unavailableSince when the current outage began; empty when available
 * @param bufferedOutcomes outcomes recorded but not yet committed
 * @param bufferLimit outcomes buffered at most while the database is unavailable
 * @since 0.2.0
 */
public record StorageHealth(
    boolean available,
    Optional<StorageException> lastFailure,
    Optional<Instant> unavailableSince,
    long bufferedOutcomes,
    int bufferLimit) {}
