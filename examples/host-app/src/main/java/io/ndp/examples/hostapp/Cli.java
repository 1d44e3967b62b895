package io.ndp.examples.hostapp;

import io.ndp.api.NdpException;
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
import picocli.CommandLine.Option;

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
      "1:the job failed (the report or the ingest): nothing is written, the output folder is as"
          + " it was (a --metrics-out page is still written when the job ran to its end)",
      "2:usage or input error: an unknown option, a missing value, an input file that cannot be"
          + " read, an output or plugins folder that cannot be used"
    })
final class Cli implements Callable<Integer> {

  /** Exit code of a job that ran and failed. */
  static final int JOB_FAILED = 1;

  /** Exit code of a usage or input error. */
  static final int USAGE = 2;

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
          "also write the job's metrics to FILE as a Prometheus text page (replaced atomically)")
  @Nullable Path metricsOut;

  @Option(names = "--verbose", description = "print the stack trace of an error")
  boolean verbose;

  private final PrintStream outStream;
  private final PrintStream errStream;

  Cli(PrintStream outStream, PrintStream errStream) {
    this.outStream = outStream;
    this.errStream = errStream;
  }

  /** A usage or input error: exit code 2, one line. */
  static final class InputError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InputError(String message) {
      super(message);
    }
  }

  @Override
  public Integer call() throws IOException {
    // The first folder of each path that does not exist yet: what a failed run removes again.
    Path outCreated = firstMissing(out);
    Path dataCreated = inMemory ? null : firstMissing(data);
    int code = USAGE;
    try {
      checkInputs();
      Path pluginsDir = plugins != null ? plugins : HostApp.defaultPluginsDir();
      HostApp.Summary summary =
          new HostApp().run(input, out, pluginsDir, inMemory ? null : data, outStream);
      outStream.print(summary.table());
      if (metricsOut != null) {
        writeMetrics(metricsOut, summary.metrics().prometheus());
        outStream.println("metrics written to " + metricsOut);
      }
      if (!summary.report().success()) {
        String failed =
            "the report failed ("
                + summary.report().message()
                + "); nothing was written to "
                + out
                + ", which is as it was before the run";
        outStream.println("FAILED: " + failed);
        errStream.println("error: " + failed);
        code = JOB_FAILED;
        return code;
      }
      code = 0;
      return code;
    } catch (InputError e) {
      code = USAGE;
      throw e;
    } catch (IOException | RuntimeException e) {
      code = JOB_FAILED;
      throw e;
    } finally {
      if (code != 0) {
        // A failed run leaves no folder it created behind, unless something else was put there.
        if (outCreated != null) {
          Files.deleteIfExists(out.resolve(HostApp.LOCK));
          deleteEmptyUpTo(out, outCreated);
        }
        if (dataCreated != null && code == USAGE) {
          HostApp.deleteTree(data); // found before any work: nothing was learned
          deleteEmptyUpTo(data.toAbsolutePath().getParent(), dataCreated);
        }
      }
    }
  }

  /**
   * Writes the Prometheus page next to its target and renames it into place: a scraper or a
   * textfile collector reading the file sees the earlier page or this one, never half of one.
   */
  static void writeMetrics(Path target, String page) throws IOException {
    Path file = target.toAbsolutePath();
    Path temp = Files.createTempFile(file.getParent(), "." + file.getFileName() + ".", ".tmp");
    try {
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
      throw new IOException("cannot write the metrics page " + target + ": " + reason(e), e);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** The outermost missing folder on the way to {@code folder}, or null when it exists. */
  private static @Nullable Path firstMissing(Path folder) {
    Path p = folder.toAbsolutePath().normalize();
    if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    while (p.getParent() != null && !Files.exists(p.getParent(), LinkOption.NOFOLLOW_LINKS)) {
      p = p.getParent();
    }
    return p;
  }

  /** Deletes {@code folder} and its parents up to {@code top}, each only while it is empty. */
  private static void deleteEmptyUpTo(@Nullable Path folder, Path top) throws IOException {
    Path p = folder == null ? null : folder.toAbsolutePath().normalize();
    while (p != null && p.startsWith(top) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      try (var entries = Files.list(p)) {
        if (entries.findAny().isPresent()) {
          return;
        }
      }
      Files.delete(p);
      if (p.equals(top)) {
        return;
      }
      p = p.getParent();
    }
  }

  /**
   * Refuses, with one line each, what would otherwise fail with a stack trace mid-way. Checks
   * everything before it creates anything: the input, the plugins folder, then the data and output
   * folders (created here when missing).
   */
  private void checkInputs() {
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
      checkMetricsOut(metricsOut);
    }
    if (Files.isDirectory(out)) {
      checkOutputFolder();
    }
    if (!inMemory) {
      createFolder(data, "data");
    }
    createFolder(out, "output");
    if (!Files.isWritable(out)) {
      throw new InputError("the output folder " + out + " is not writable");
    }
  }

  private static void createFolder(Path folder, String what) {
    try {
      Files.createDirectories(folder);
    } catch (IOException | UnsupportedOperationException e) {
      throw new InputError("cannot create the " + what + " folder " + folder + ": " + reason(e));
    }
  }

  /**
   * The metrics page goes into a folder that exists and can be written, not over a folder, the
   * input or one of the job's outputs.
   */
  private void checkMetricsOut(Path metrics) {
    if (Files.isDirectory(metrics)) {
      throw new InputError("--metrics-out must be a file, but " + metrics + " is a folder");
    }
    Path file = metrics.toAbsolutePath().normalize();
    Path folder = file.getParent();
    Path outFolder = out.toAbsolutePath().normalize();
    List<String> taken = new ArrayList<>(HostApp.OUTPUTS);
    taken.add(HostApp.LOCK);
    for (String name : taken) {
      if (file.equals(outFolder.resolve(name))) {
        throw new InputError(
            "--metrics-out " + metrics + " is the job's output " + name + " in " + out);
      }
    }
    try {
      if (input != null && Files.exists(metrics) && Files.isSameFile(metrics, input)) {
        throw new InputError(
            "the input "
                + input
                + " is the --metrics-out file "
                + metrics
                + ": the run would replace it");
      }
    } catch (IOException e) {
      throw new InputError("cannot read --metrics-out " + metrics + ": " + reason(e));
    }
    // The output folder is created (and checked) below; any other folder must be there already.
    if (folder != null && folder.equals(outFolder)) {
      return;
    }
    if (folder == null || !Files.isDirectory(folder)) {
      throw new InputError("the folder of --metrics-out " + metrics + " does not exist: " + folder);
    }
    if (!Files.isWritable(folder)) {
      throw new InputError(
          "the folder of --metrics-out " + metrics + " is not writable: " + folder);
    }
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

  /** Runs the command line and returns the exit code. */
  static int execute(String[] args, PrintStream out, PrintStream err) {
    Cli cli = new Cli(out, err);
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
