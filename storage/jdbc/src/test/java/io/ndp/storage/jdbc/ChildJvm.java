package io.ndp.storage.jdbc;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A JVM started by a test to run a {@code main} class of the test sources: the same {@code java} as
 * this one ({@link ProcessHandle#current()}), on this JVM's class path (Surefire's, which names the
 * test classes and every dependency). Its standard output is read line by line by a thread of this
 * JVM and handed to a listener; its standard error goes to a file, shown when something fails. Its
 * standard input stays open: the child reads commands from it (see {@link
 * #awaitGoOrExitWithParent()}) and halts when it closes, so a child never outlives its test.
 *
 * <p>Not thread-safe; one test drives it.
 */
final class ChildJvm implements AutoCloseable {
  /** What the parent writes to a child's standard input to let it start its work. */
  static final String GO = "go";

  private final String name;
  private final Process process;
  private final Path stderr;
  private final Writer stdin;
  private final Thread reader;
  private final List<String> lines = new CopyOnWriteArrayList<>();

  private ChildJvm(
      String name, Process process, Path stdout, Path stderr, Consumer<String> listener) {
    this.name = name;
    this.process = process;
    this.stderr = stderr;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), UTF_8);
    this.reader = new Thread(() -> follow(stdout, listener), "stdout of " + name);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code main} with {@code args}.
   *
   * @param name what the child is called in messages and in the name of its stderr file
   * @param dir where its stderr file goes
   * @param listener called with each line of its standard output, on the reader thread
   */
  static ChildJvm start(
      String name, Class<?> main, List<String> args, Path dir, Consumer<String> listener) {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElseThrow(() -> new AssertionError("cannot tell which java runs this JVM"));
    List<String> command = new ArrayList<>();
    command.add(java);
    command.add("-Xmx256m");
    command.add("-XX:+UseSerialGC");
    command.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(args);
    try {
      Files.createDirectories(dir);
      Path stdout = dir.resolve(name + ".stdout.log");
      Path stderr = dir.resolve(name + ".stderr.log");
      // Standard output goes to a file that a thread follows: reading it from a pipe loses the
      // lines still in the pipe when the child is killed (the JDK closes the stream under the
      // reader when it drains it at exit).
      Process p =
          new ProcessBuilder(command)
              .redirectOutput(ProcessBuilder.Redirect.to(stdout.toFile()))
              .redirectError(ProcessBuilder.Redirect.to(stderr.toFile()))
              .start();
      return new ChildJvm(name, p, stdout, stderr, listener);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
  }

  /**
   * Follows the child's standard output file as it grows, handing each complete line to {@code
   * listener}, until the child has exited and the file is read to its end.
   */
  private void follow(Path stdout, Consumer<String> listener) {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try (InputStream in = Files.newInputStream(stdout)) {
      while (true) {
        boolean exited = !process.isAlive(); // before the read: nothing is written after it
        int n = in.read(buffer);
        if (n < 0) {
          if (exited) {
            break;
          }
          Thread.sleep(2); // a file has no blocking read: poll it as tail -f does
          continue;
        }
        for (int i = 0; i < n; i++) {
          if (buffer[i] == '\n') {
            String text = line.toString(UTF_8);
            line.reset();
            listener.accept(text);
            if (!text.startsWith("ack ")) {
              lines.add(text);
            }
          } else {
            line.write(buffer[i]);
          }
        }
      }
      if (line.size() > 0) {
        lines.add("(unfinished line) " + line.toString(UTF_8));
      }
    } catch (IOException e) {
      lines.add("(reading stdout failed: " + e + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Lets the child start its work (see {@link #awaitGoOrExitWithParent()}). */
  void go() {
    try {
      stdin.write(GO + "\n");
      stdin.flush();
    } catch (IOException e) {
      throw new AssertionError(name + " has gone before it was let go: " + describe(), e);
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Fails, describing the child, when it has exited (for Awaitility's {@code failFast}). */
  void assertAlive() {
    if (!process.isAlive()) {
      throw new AssertionError("the child has exited: " + describe());
    }
  }

  /** Kills the child at once (SIGKILL: no shutdown hook, no finally) and reads what it printed. */
  void kill() {
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(30));
  }

  /**
   * Waits for the child to exit and for its output to be read.
   *
   * @return its exit code
   * @throws AssertionError when it does not exit in time (it is then killed)
   */
  int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(
            String.format(
                Locale.ROOT, "%s did not exit within %s; killed. %s", name, timeout, describe()));
      }
      reader.join(TimeUnit.SECONDS.toMillis(30));
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + name, e);
    }
  }

  /** The lines of its standard output other than {@code ack} lines. */
  List<String> lines() {
    return List.copyOf(lines);
  }

  /** Its name, state, other lines and the end of its standard error: for failure messages. */
  String describe() {
    String err;
    try {
      err = Files.exists(stderr) ? Files.readString(stderr, UTF_8) : "";
    } catch (IOException e) {
      err = "(unreadable: " + e + ")";
    }
    if (err.length() > 4000) {
      err = "..." + err.substring(err.length() - 4000);
    }
    return String.format(
        Locale.ROOT,
        "%s (%s), stdout: %s, stderr (%s):%n%s",
        name,
        process.isAlive() ? "running" : "exit " + process.exitValue(),
        lines,
        stderr,
        err);
  }

  /** Kills the child if it still runs. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      stdin.close();
    } catch (IOException e) {
      // it is gone
    }
  }

  /**
   * In the child: waits for the parent's {@link #GO} on standard input, and from then on halts the
   * JVM as soon as standard input closes (the parent has gone), so that no child outlives its test.
   */
  static void awaitGoOrExitWithParent() throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, UTF_8));
    String line = in.readLine();
    if (!GO.equals(line)) {
      System.err.println("expected '" + GO + "' on standard input but read " + line + "; exiting");
      Runtime.getRuntime().halt(2);
    }
    Thread watchdog =
        new Thread(
            () -> {
              try {
                while (in.readLine() != null) {
                  // nothing else is said
                }
              } catch (IOException e) {
                // treated as the parent having gone
              }
              System.err.println("standard input closed: the parent has gone; halting");
              Runtime.getRuntime().halt(2);
            },
            "parent watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }
}
