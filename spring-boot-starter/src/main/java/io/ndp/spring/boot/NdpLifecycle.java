package io.ndp.spring.boot;

import io.ndp.core.Ndp;
import org.springframework.context.SmartLifecycle;

/**
 * Closes the runtime when the application context stops: it refuses new executions and drains those
 * in flight (up to {@code ndp.drain-timeout}) before the context destroys any bean.
 *
 * <p>Its phase is below the web server's graceful-shutdown phase ({@code DEFAULT_PHASE - 1024}) and
 * its stop phase ({@code DEFAULT_PHASE - 2048}): lifecycles stop from the highest phase down, so
 * the server has stopped accepting requests, and has let the running ones finish, before the
 * runtime drains. Since every lifecycle stops before any bean is destroyed, a {@code DataSource}
 * the storage writes to is still open while the drained executions record their outcomes.
 *
 * <p>Thread-safe.
 *
 * @since 0.2.0
 */
public final class NdpLifecycle implements SmartLifecycle {

  /** The phase: after the web server stopped, before beans are destroyed. */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

  private final Ndp ndp;
  private volatile boolean running;

  /**
   * Creates the lifecycle of a runtime.
   *
   * @param ndp the runtime it closes on stop
   */
  public NdpLifecycle(Ndp ndp) {
    this.ndp = ndp;
  }

  @Override
  public void start() {
    running = !ndp.isClosed();
  }

  @Override
  public void stop() {
    try {
      ndp.close();
    } finally {
      running = false;
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
