package io.ndp.examples.hostapp;

import io.ndp.api.NdpException;
import io.ndp.core.PluginTrust;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The host app's command line (picocli): typed options, {@code --help}, {@code --version}, one-line
 * errors (the stack trace only with {@code --verbose}) and documented exit codes.
 */
@Command(
    name = "ndp-host-app",
    mixinStandardHelpOptions = true,
    versionProvider = Cli.Version.class,
    sortOptions = false,
    description = {
      "Ingests an orders CSV through learned delegation patterns and writes a nightly report.",
      "Without --input it processes the bundled data/orders.csv."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the job succeeded: every output file was written",
      "1:the job failed (the report, the ingest or moving the outputs into place): nothing is"
          + " written, the output folder is as it was (a --metrics-out page is still written, and"
          + " the failure says so, unless it would be in an output folder the run created); or,"
          + " after a successful job, the metrics page could not be written (the FAILED: line says"
          + " the outputs were written)",
      "2:usage or input error: an unknown option, a missing value, an input file that cannot be"
          + " read, an output or plugins folder that cannot be used, a --metrics-out that would"
          + " replace an output, the input, the --trusted-plugins list or a file of the data or"
          + " plugins folder, --data with --in-memory, a data folder in use by another run, a"
          + " --console port outside 0..65535 or in use"
    },
    footer = {
      "%nWith --console the app keeps serving after the job until Ctrl-C or SIGTERM, then closes"
          + " the console and the runtime and exits with the job's code (0 or 1)."
    })
final class Cli implements Callable<Integer> {

  /** Exit code of a job that ran and failed. */
  static final int JOB_FAILED = 1;

  /** Exit code of a usage or input error. */
  static final int USAGE = 2;

  /** The console's port when {@code --console} is given without one. */
  static final int DEFAULT_CONSOLE_PORT = 8080;

  /**
   * How a run with {@code --console} waits while the console serves, after the summary: until
   * Ctrl-C in the app ({@link UntilShutdown}), until the test says so in a test.
   */
  @FunctionalInterface
  interface UntilStopped {
    /** Blocks until the console should stop serving. */
    void await() throws InterruptedException;
  }

  @Option(
      names = "--input",
      paramLabel = "FILE",
      description = "the orders CSV (default: the bundled data/orders.csv)")
  @Nullable Path input;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "where the outputs go (default: ${DEFAULT-VALUE})",
      defaultValue = "target/ndp-output")
  Path out = Path.of("target", "ndp-output");

  @Option(
      names = "--plugins",
      paramLabel = "DIR",
      description = "the pattern kinds' plugin JARs (default: the plugins folder next to the JAR)")
  @Nullable Path plugins;

  @Option(
      names = "--trusted-plugins",
      paramLabel = "FILE",
      description =
          "load only the plugin JARs listed in FILE, one 'sha256  plugin-id  version' per line"
              + " (see README, Trusting plugins); a JAR not listed is refused, never loaded")
  @Nullable Path trustedPlugins;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "definitions and learned confidence, an H2 file (default: ${DEFAULT-VALUE})",
      defaultValue = "ndp-data")
  Path data = Path.of("ndp-data");

  @Option(
      names = "--in-memory",
      description = "keep definitions and confidence in memory: start from nothing, keep nothing")
  boolean inMemory;

  @Option(
      names = "--metrics-out",
      paramLabel = "FILE",
      description =
          "also write the job's metrics to FILE as a Prometheus text page (replaced atomically);"
              + " not an output, the input, or in the data or plugins folder")
  @Nullable Path metricsOut;

  @Option(
      names = "--console",
      paramLabel = "PORT",
      arity = "0..1",
      fallbackValue = "" + DEFAULT_CONSOLE_PORT,
      description =
          "serve the live console (the patterns, their confidence and the decisions) on"
              + " http://127.0.0.1:PORT/ from before the job, and keep serving after it until"
              + " Ctrl-C or SIGTERM; PORT is ${FALLBACK-VALUE} when left out, 0 for any free port"
              + " (the line 'console: http://...' says which)")
  @Nullable Integer console;

  @Option(names = "--verbose", description = "print the stack trace of an error")
  boolean verbose;

  /** The real path of the {@code --metrics-out} page, set by the check before any work. */
  private @Nullable Path metricsFile;

  /** Whether the metrics page goes into the output folder itself. */
  private boolean metricsInOut;

  private final PrintStream outStream;
  private final PrintStream errStream;
  private final UntilStopped untilStopped;

  Cli(PrintStream outStream, PrintStream errStream, UntilStopped untilStopped) {
    this.outStream = outStream;
    this.errStream = errStream;
    this.untilStopped = untilStopped;
  }

  /** A usage or input error: exit code 2, one line. */
  static final class InputError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InputError(String message) {
      super(message);
    }
  }

  @Spec CommandSpec spec;

  /** The outermost folder this run created on the way to {@code --out}, or null. */
  private @Nullable Path outCreated;

  /** The outermost folder this run created on the way to {@code --data}, or null. */
  private @Nullable Path dataCreated;

  @Override
  public Integer call() throws IOException {
    int code = USAGE;
    HostApp app = new HostApp();
    try {
      if (inMemory && spec.commandLine().getParseResult().hasMatchedOption("--data")) {
        throw new InputError(
            "--data and --in-memory exclude each other: keep what is learned in --data "
                + data
                + ", or in memory only");
      }
      Path pluginsDir = plugins != null ? plugins : HostApp.defaultPluginsDir();
      checkInputs(pluginsDir);
      HostApp.Summary summary =
          app.pluginTrust(trust())
              .removeLockWhenFailed(outCreated != null)
              .run(input, out, pluginsDir, inMemory ? null : data, outStream, console);
      try (HostApp.Serving serving = summary.serving()) {
        code = finish(summary, outCreated);
        if (serving != null) {
          // The page keeps reading the runtime: it closes (console first) when the wait ends.
          outStream.flush();
          try {
            untilStopped.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return code;
      }
    } catch (InputError e) {
      code = USAGE;
      throw e;
    } catch (HostApp.JobFailed e) {
      code = JOB_FAILED;
      failed(e.getMessage(), e.metrics(), outCreated);
      if (verbose) {
        e.printStackTrace(errStream);
      }
      return code;
    } catch (IOException | RuntimeException e) {
      code = JOB_FAILED;
      throw e;
    } finally {
      if (code != 0) {
        // A failed run leaves no folder it created behind, unless something else was put there;
        // and removes only what is its own: the lock file when it held the lock, the database when
        // it opened it (another run may have put its own there meanwhile).
        if (dataCreated != null && code == USAGE) {
          if (app.openedTheData()) {
            // Found before any work: nothing was learned. Only the data folder itself (its files
            // are this run's: H2 locked them), not a folder beside it that another run made.
            HostApp.deleteTree(data.toRealPath());
          }
          deleteEmptyFolders(dataCreated);
        }
        if (outCreated != null) {
          // The lock file, when this run held it, was removed while still held (HostApp).
          deleteEmptyFolders(outCreated);
        }
      }
    }
  }

  /**
   * Prints the summary, writes the metrics page and, for a failed report, the {@code FAILED:} line.
   *
   * @return 0, or {@link #JOB_FAILED} when the report failed
   */
  private int finish(HostApp.Summary summary, @Nullable Path outCreated) throws IOException {
    outStream.print(summary.table());
    if (!summary.report().success()) {
      failed(
          "the report failed (" + summary.report().message() + ")", summary.metrics(), outCreated);
      return JOB_FAILED;
    }
    if (metricsOut != null && metricsFile != null) {
      try {
        writeMetrics(metricsFile, metricsOut, summary.metrics().prometheus());
        outStream.println("metrics written to " + metricsOut);
      } catch (IOException e) {
        // Checked before any work (a trial file beside it), so only a late failure (a full disk)
        // gets here: the outputs are in place, and the line says so.
        String message =
            e.getMessage() + "; the job's outputs were written to " + out + " and verify";
        outStream.println("FAILED: " + message);
        errStream.println("error: " + message);
        return JOB_FAILED;
      }
    }
    return 0;
  }

  /**
   * The end of a job that failed after the work began: the metrics page when it may be written, a
   * {@code FAILED:} line on standard output saying what was and was not written, and the same as an
   * {@code error:} line.
   */
  private void failed(String why, JobMetrics.Snapshot metrics, @Nullable Path outCreated) {
    // A failed run removes the output folder it created: a page in it would keep it, so that
    // page is not written (and the failure says so).
    boolean pageInCreatedFolder = metricsInOut && outCreated != null;
    String pageNote = "";
    boolean pageInOut = false;
    if (metricsOut != null && metricsFile != null && !pageInCreatedFolder) {
      try {
        writeMetrics(metricsFile, metricsOut, metrics.prometheus());
        outStream.println("metrics written to " + metricsOut);
        pageInOut = metricsInOut;
        pageNote = pageInOut ? "" : "; the metrics page was written to " + metricsOut;
      } catch (IOException e) {
        pageNote = "; " + e.getMessage();
      }
    } else if (pageInCreatedFolder) {
      pageNote =
          "; the metrics page "
              + metricsOut
              + " was not written: it would be in "
              + out
              + ", which this run created and removed again";
    }
    String message =
        why
            + "; "
            + (pageInOut
                ? "nothing but the metrics page "
                    + metricsOut
                    + " was written to "
                    + out
                    + ", which is otherwise as it was before the run"
                : "nothing was written to " + out + ", which is as it was before the run")
            + pageNote;
    outStream.println("FAILED: " + message);
    errStream.println("error: " + message);
  }

  /**
   * Writes the Prometheus page next to {@code file} (the real path the check looked at) and renames
   * it into place: a scraper or a textfile collector reading the file sees the earlier page or this
   * one, never half of one. Errors name the page as the user gave it, {@code shown}.
   */
  static void writeMetrics(Path file, Path shown, String page) throws IOException {
    Path temp = null;
    try {
      temp = Files.createTempFile(file.getParent(), "." + file.getFileName() + ".", ".tmp");
      try {
        // Readable by a collector running as another user, like a file written the usual way.
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
      } catch (UnsupportedOperationException notPosix) {
        // Keep the file system's default.
      }
      Files.writeString(temp, page, StandardCharsets.UTF_8);
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new IOException("cannot write the metrics page " + shown + ": " + reason(e), e);
    } finally {
      if (temp != null) {
        Files.deleteIfExists(temp);
      }
    }
  }

  /**
   * Deletes the folders this run created, {@code top} and below it, each only while it is empty,
   * innermost first. {@code top} is a real path ({@link #createFolder}).
   */
  private static void deleteEmptyFolders(Path top) throws IOException {
    java.util.List<Path> folders = new ArrayList<>();
    try (var walk = Files.walk(top)) {
      walk.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).forEach(folders::add);
    } catch (java.nio.file.NoSuchFileException gone) {
      return;
    }
    java.util.Collections.reverse(folders);
    for (Path p : folders) {
      try (var entries = Files.list(p)) {
        if (entries.findAny().isPresent()) {
          return;
        }
      }
      Files.delete(p);
    }
  }

  /**
   * Refuses, with one line each, what would otherwise fail with a stack trace mid-way. Checks
   * everything before it creates anything: the input, the plugins folder, then the data and output
   * folders (created here when missing).
   */
  /** The trust policy: the allowlist given, read now (a bad one is a usage error), else any. */
  private PluginTrust trust() {
    if (trustedPlugins == null) {
      return PluginTrust.any();
    }
    try {
      return PluginTrust.allowlist(trustedPlugins);
    } catch (IllegalArgumentException e) {
      throw new InputError("--trusted-plugins: " + e.getMessage());
    }
  }

  private void checkInputs(Path pluginsDir) {
    if (console != null && (console < 0 || console > 65_535)) {
      throw new InputError(
          "--console must be a port from 0 to 65535 (0: any free port), but was " + console);
    }
    if (input != null) {
      if (!Files.exists(input)) {
        throw new InputError("input file not found: " + input);
      }
      if (!Files.isRegularFile(input)) {
        throw new InputError("input is not a file: " + input);
      }
      if (!Files.isReadable(input)) {
        throw new InputError("input file cannot be read: " + input);
      }
    }
    if (plugins != null && !Files.isDirectory(plugins)) {
      throw new InputError("plugins folder not found: " + plugins);
    }
    if (plugins == null && !Files.isDirectory(pluginsDir)) {
      throw new InputError(
          "plugins folder not found: "
              + pluginsDir
              + " (the default, next to the application; give one with --plugins DIR)");
    }
    if (!inMemory && Files.exists(data) && !Files.isDirectory(data)) {
      throw new InputError("--data must be a folder, but " + data + " is a file");
    }
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new InputError("--out must be a folder, but " + out + " is a file");
    }
    if (Files.isSymbolicLink(out) && !Files.exists(out)) {
      throw new InputError("--out " + out + " is a link to a folder that does not exist");
    }
    if (!inMemory && Files.isSymbolicLink(data) && !Files.exists(data)) {
      throw new InputError("--data " + data + " is a link to a folder that does not exist");
    }
    if (metricsOut != null) {
      checkMetricsOut(metricsOut, pluginsDir);
    }
    if (Files.isDirectory(out)) {
      checkOutputFolder();
    }
    // The outer one first when one holds the other: the folder a run created is counted as the
    // outer one's, and removed with it (data is cleaned first, then the output folder).
    boolean dataHoldsOut = false;
    if (!inMemory) {
      try {
        Path dataReal = realPath(data);
        Path outReal = realPath(out);
        dataHoldsOut = dataReal != null && outReal != null && outReal.startsWith(dataReal);
      } catch (IOException e) {
        throw new InputError("cannot read --data " + data + ": " + reason(e));
      }
    }
    if (dataHoldsOut) {
      dataCreated = createFolder(data, "data");
      outCreated = createFolder(out, "output");
    } else {
      outCreated = createFolder(out, "output");
      if (!inMemory) {
        dataCreated = createFolder(data, "data");
      }
    }
    if (!Files.isWritable(out)) {
      throw new InputError("the output folder " + out + " is not writable");
    }
    if (metricsFile != null) {
      // A trial file where the page's temporary file will go: a name too long or a folder that
      // cannot be written is found now, not after the outputs were published.
      try {
        Files.delete(
            Files.createTempFile(
                metricsFile.getParent(), "." + metricsFile.getFileName() + ".", ".tmp"));
      } catch (IOException | RuntimeException e) {
        throw new InputError("cannot write --metrics-out " + metricsOut + ": " + reason(e));
      }
    }
  }

  /**
   * Creates {@code folder} and its missing parents, one at a time, on its real path (through links
   * and "..", as the file system walks it).
   *
   * @return the outermost folder this call created, or null when it created none: only that is this
   *     run's to remove again (a folder another run created meanwhile is not)
   */
  private static @Nullable Path createFolder(Path folder, String what) {
    try {
      Path real = realPath(folder);
      if (real == null) {
        // A missing folder followed by "..": created as the file system walks it, never removed.
        Files.createDirectories(folder);
        return null;
      }
      java.util.ArrayDeque<Path> missing = new java.util.ArrayDeque<>();
      for (Path p = real; !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
        missing.push(p);
      }
      Path created = null;
      for (Path p : missing) {
        try {
          Files.createDirectory(p);
          if (created == null) {
            created = p;
          }
        } catch (java.nio.file.FileAlreadyExistsException someoneElse) {
          if (!Files.isDirectory(p)) {
            throw someoneElse;
          }
        }
      }
      return created;
    } catch (IOException | UnsupportedOperationException e) {
      throw new InputError("cannot create the " + what + " folder " + folder + ": " + reason(e));
    }
  }

  /**
   * The metrics page goes into a folder that exists and can be written (or is the output folder,
   * created below), not over a folder, the input or one of the job's outputs, and not into the data
   * or plugins folder. Compared by real path: a link or ".." cannot make the same file look like
   * another. Sets {@link #metricsFile}, the real path the page is then written to, so that the
   * write goes where this check looked.
   */
  private void checkMetricsOut(Path metrics, Path pluginsDir) {
    Path name = metrics.getFileName();
    if (Files.isDirectory(metrics)
        || name == null
        || name.toString().equals(".")
        || name.toString().equals("..")) {
      throw new InputError("--metrics-out must be a file, but " + metrics + " is a folder");
    }
    Path folder = metrics.toAbsolutePath().getParent();
    try {
      Path outReal = realPath(out);
      Path folderReal;
      if (Files.isDirectory(folder)) {
        folderReal = folder.toRealPath();
      } else {
        // Only the output folder may be missing: it is created below. A folder that is missing
        // and followed by ".." is missing too: the file system walks through it.
        Path planned = realPath(folder);
        if (planned == null || !planned.equals(outReal)) {
          throw new InputError(
              "the folder of --metrics-out " + metrics + " does not exist: " + folder);
        }
        folderReal = planned;
      }
      Path file = folderReal.resolve(name);
      boolean inOut = folderReal.equals(outReal);
      List<String> taken = new ArrayList<>(HostApp.OUTPUTS);
      taken.add(HostApp.LOCK);
      if (inOut && taken.contains(name.toString())) {
        throw new InputError(
            "--metrics-out " + metrics + " is the job's output " + name + " in " + out);
      }
      if (input != null && sameName(file, input)) {
        throw new InputError(
            "the input "
                + input
                + " is the --metrics-out file "
                + metrics
                + ": the run would replace it");
      }
      if (trustedPlugins != null && sameName(file, trustedPlugins)) {
        throw new InputError(
            "--metrics-out "
                + metrics
                + " is the --trusted-plugins list "
                + trustedPlugins
                + ": the page would replace it");
      }
      Path dataReal = inMemory ? null : realPath(data);
      if (dataReal != null && file.startsWith(dataReal)) {
        throw new InputError(
            "--metrics-out "
                + metrics
                + " is in the data folder "
                + data
                + ": the page would replace what the runs learned");
      }
      Path pluginsReal = realPath(pluginsDir);
      if (pluginsReal != null && file.startsWith(pluginsReal)) {
        throw new InputError(
            "--metrics-out " + metrics + " is in the plugins folder " + pluginsDir);
      }
      if (!inOut && !Files.isWritable(folder)) {
        throw new InputError(
            "the folder of --metrics-out " + metrics + " is not writable: " + folder);
      }
      metricsFile = file;
      metricsInOut = inOut;
    } catch (IOException e) {
      throw new InputError("cannot read --metrics-out " + metrics + ": " + reason(e));
    }
  }

  /**
   * Whether the page {@code file} (its folder's real path and its name) and {@code other} are the
   * same file or the same name: compared as the names are (a link is replaced by the page, so a
   * link named like the input is the input's name) and as what they point to.
   */
  private static boolean sameName(Path file, Path other) throws IOException {
    java.util.Set<Path> page = new java.util.HashSet<>();
    page.add(file);
    if (Files.exists(file)) {
      page.add(file.toRealPath());
    }
    Path otherName = realPath(other);
    if (otherName != null && otherName.getParent() != null) {
      // Its folder's real path and its own name, the last link not followed.
      Path folder = realPath(other.toAbsolutePath().getParent());
      if (folder != null && page.contains(folder.resolve(other.getFileName()))) {
        return true;
      }
    }
    return Files.exists(other) && page.contains(other.toRealPath());
  }

  /**
   * The real path that {@code p} names, or will name once its missing folders are created: the real
   * path of the part that exists, then the missing names as given. Null when a missing name is
   * "..", which the file system cannot walk through.
   */
  private static @Nullable Path realPath(Path p) throws IOException {
    Path existing = p.toAbsolutePath();
    java.util.ArrayDeque<Path> missing = new java.util.ArrayDeque<>();
    while (!Files.exists(existing)) {
      missing.push(existing.getFileName());
      existing = existing.getParent();
      if (existing == null) {
        return null;
      }
    }
    Path real = existing.toRealPath();
    for (Path name : missing) {
      if (name.toString().equals("..")) {
        return null;
      }
      if (!name.toString().equals(".")) {
        real = real.resolve(name);
      }
    }
    return real;
  }

  /** Nothing in the way of an output, and the input is not one of them. */
  private void checkOutputFolder() {
    for (String name : HostApp.OUTPUTS) {
      Path p = out.resolve(name);
      if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        throw new InputError(
            "the output folder "
                + out
                + " holds a folder named like an output file, in the way: "
                + name);
      }
      try {
        if (input != null && Files.exists(p) && Files.isSameFile(p, input)) {
          throw new InputError(
              "the input " + input + " is the output " + p + ": the run would replace it");
        }
      } catch (IOException e) {
        throw new InputError("cannot read the output folder " + out + ": " + reason(e));
      }
    }
  }

  /** Why a file operation failed, in words. */
  private static String reason(Exception e) {
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "a parent folder does not exist or cannot hold folders";
    }
    if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return String.valueOf(e.getMessage());
  }

  /** Runs the command line and returns the exit code; {@code --console} waits until Ctrl-C. */
  static int execute(String[] args, PrintStream out, PrintStream err) {
    return execute(args, out, err, new UntilShutdown());
  }

  /**
   * Runs the command line and returns the exit code; a run with {@code --console} serves until
   * {@code untilStopped} returns.
   */
  static int execute(String[] args, PrintStream out, PrintStream err, UntilStopped untilStopped) {
    Cli cli = new Cli(out, err, untilStopped);
    CommandLine cmd = new CommandLine(cli);
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    cmd.setParameterExceptionHandler(
        (ex, a) -> {
          err.println("error: " + ex.getMessage() + " (see --help)");
          return USAGE;
        });
    cmd.setExecutionExceptionHandler(
        (ex, c, parsed) -> {
          int code = ex instanceof InputError ? USAGE : JOB_FAILED;
          if (ex instanceof UncheckedIOException u) {
            ex = u.getCause();
          }
          err.println("error: " + (ex instanceof InputError ? ex.getMessage() : describe(ex)));
          if (cli.verbose) {
            ex.printStackTrace(err);
          }
          return code;
        });
    return cmd.execute(args);
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    if (e instanceof NdpException || e instanceof IOException) {
      return m == null ? e.getClass().getSimpleName() : m;
    }
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  /** The version of the JAR (its manifest), and of the NDP API. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Cli.class.getPackage().getImplementationVersion();
      return new String[] {
        "ndp-host-app " + (v == null ? "(development build)" : v),
        "NDP API " + io.ndp.api.NdpVersion.API_VERSION
      };
    }
  }
}
