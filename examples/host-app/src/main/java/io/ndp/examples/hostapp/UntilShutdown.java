package io.ndp.examples.hostapp;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * How the app waits while {@code --console} serves: until Ctrl-C (SIGINT) or SIGTERM.
 *
 * <p>The signals are caught rather than left to start the JVM's shutdown: shutdown hooks run at
 * once and side by side (H2's closes the database under a runtime that is still closing), and the
 * exit code would be the signal's (130, 143). Caught, the first one ends the wait; the run then
 * closes the console and the runtime in order and exits with the job's code (0 or 1). A second
 * signal during that close ends the process the usual way. A signal that is ignored (a background
 * job's SIGINT, {@code nohup}) stays ignored; one the VM keeps for itself ({@code -Xrs}) is left to
 * the VM.
 */
final class UntilShutdown implements Cli.UntilStopped {

  private static final List<String> SIGNALS = List.of("INT", "TERM");

  @Override
  public void await() throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    List<Runnable> restore = new ArrayList<>();
    for (String name : SIGNALS) {
      Signal signal = new Signal(name);
      try {
        SignalHandler previous = Signal.handle(signal, s -> stop.countDown());
        restore.add(() -> Signal.handle(signal, previous));
      } catch (IllegalArgumentException keptByTheVm) {
        // -Xrs or an unknown signal: the VM's own handling stays.
      }
    }
    try {
      stop.await();
    } finally {
      restore.forEach(Runnable::run);
    }
  }
}
