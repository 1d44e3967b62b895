package io.ndp.console;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One open {@code /api/events} stream. Runtime threads only {@link #offer} into a bounded queue and
 * start an asynchronous write when none is pending, so a slow or silent client costs them a failed
 * {@code offer} (counted as a drop), never a wait.
 *
 * <p>Thread-safe.
 */
final class EventClient {

  /** Events queued per client before new ones are dropped. */
  static final int DEFAULT_QUEUE_SIZE = 256;

  /** At most this many queued events go out in one write. */
  private static final int BATCH = 64;

  private final ArrayBlockingQueue<String> queue;
  private final AtomicBoolean writing = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final LongAdder dropped;
  private final Response response;
  private final Callback done;
  private final Consumer<EventClient> onClose;

  EventClient(
      int queueSize,
      LongAdder dropped,
      Response response,
      Callback done,
      Consumer<EventClient> onClose) {
    this.queue = new ArrayBlockingQueue<>(queueSize);
    this.dropped = dropped;
    this.response = response;
    this.done = done;
    this.onClose = onClose;
  }

  /** Queues one event (already in SSE form) and writes it when no write is pending. */
  void offer(String event) {
    if (closed.get()) {
      return;
    }
    if (!queue.offer(event)) {
      dropped.increment();
    }
    pump();
  }

  /** Ends the stream: the request completes and the client is forgotten. */
  void close() {
    if (closed.compareAndSet(false, true)) {
      queue.clear();
      onClose.accept(this);
      done.succeeded();
    }
  }

  boolean isClosed() {
    return closed.get();
  }

  /** Starts one write of what is queued, unless one is already pending (Jetty allows one). */
  private void pump() {
    while (!closed.get() && !queue.isEmpty() && writing.compareAndSet(false, true)) {
      StringBuilder batch = new StringBuilder();
      String next;
      for (int i = 0; i < BATCH && (next = queue.poll()) != null; i++) {
        batch.append(next);
      }
      if (batch.length() == 0) {
        writing.set(false);
        continue;
      }
      response.write(
          false,
          ByteBuffer.wrap(batch.toString().getBytes(StandardCharsets.UTF_8)),
          Callback.from(
              () -> {
                writing.set(false);
                pump();
              },
              this::failed));
      return;
    }
  }

  /** The connection is gone or broken: forget the client and fail the request. */
  private void failed(Throwable cause) {
    if (closed.compareAndSet(false, true)) {
      queue.clear();
      onClose.accept(this);
      done.failed(cause);
    }
  }
}
