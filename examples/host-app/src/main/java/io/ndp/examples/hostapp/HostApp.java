package io.ndp.examples.hostapp;

import io.ndp.api.Attempt;
import io.ndp.api.ConfidenceStats;
import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternResult;
import io.ndp.console.ConsoleFeed;
import io.ndp.console.NdpConsole;
import io.ndp.core.Ndp;
import io.ndp.core.PatternExecutor;
import io.ndp.core.PatternStorage;
import io.ndp.core.PerformanceMeasurement;
import io.ndp.core.PerformanceStats;
import io.ndp.core.PluginReport;
import io.ndp.core.PluginTrust;
import io.ndp.examples.hostapp.OrdersCsv.InputRecord;
import io.ndp.storage.jdbc.Durability;
import io.ndp.storage.jdbc.JdbcConfidenceStore;
import io.ndp.storage.jdbc.JdbcStorage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.commons.csv.CSVPrinter;
import org.jspecify.annotations.Nullable;

/**
 * Order ingest through NDP: every line of an orders CSV is a context in the domain of its region,
 * served by the best of two competing sequential patterns — {@code strict_ingest} (parse, validate,
 * price, sign, store) and {@code tolerant_ingest} (repair first). The executor learns per region
 * which one works; malformed lines make the first choice fail and the executor falls back; lines no
 * pattern can ingest go to a rejects file with the reason.
 *
 * <p>Usage: {@code java -jar ndp-host-app.jar [--input orders.csv] [--out dir] ...}; {@code --help}
 * lists the options and the exit codes ({@link Cli}). Without {@code --input} it processes the
 * bundled {@code data/orders.csv}.
 */
public final class HostApp {

  /** Which plugin JARs the runtime loads; every one unless an allowlist is given. */
  private PluginTrust pluginTrust = PluginTrust.any();

  /**
   * Loads only the plugin JARs this policy trusts ({@code --trusted-plugins}).
   *
   * @param trust the policy
   * @return this
   */
  HostApp pluginTrust(PluginTrust trust) {
    this.pluginTrust = trust;
    return this;
  }

  private boolean removeLockWhenFailed;

  /**
   * Makes a failed run remove the output folder's lock file, while it still holds the lock (the
   * caller created the folder and removes it again). A run that then locks the old file sees that
   * the path no longer names it, and takes a new one.
   */
  HostApp removeLockWhenFailed(boolean remove) {
    this.removeLockWhenFailed = remove;
    return this;
  }

  /** The pattern kinds the job uses, each from a plugin. */
  static final List<String> KINDS =
      List.of("sequential", "parallel", "meta-orchestration", "evaluator-optimizer");

  /** The selection seed: the same input gives the same choices (see the README). */
  static final long SEED = 2026;

  /**
   * Runs the app; {@code --help} lists the options and exit codes (0 success, 1 job failed, 2 usage
   * or input error).
   */
  public static void main(String[] args) {
    if (java.util.Arrays.asList(args).contains("--verbose")) {
      // Before any logger exists: PF4J's own messages, off by default, at debug level.
      System.setProperty("org.slf4j.simpleLogger.log.org.pf4j", "debug");
    }
    System.exit(Cli.execute(args, System.out, System.err));
  }

  /** The {@code plugins} folder next to the application JAR (or target/plugins in a build). */
  static Path defaultPluginsDir() {
    try {
      Path here =
          Path.of(HostApp.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      // target/ndp-host-app.jar and target/classes both sit next to target/plugins.
      return here.getParent().resolve("plugins");
    } catch (java.net.URISyntaxException e) {
      return Path.of("plugins");
    }
  }

  /**
   * Processes the input and writes {@code orders-processed.csv} and {@code orders-rejected.csv}.
   *
   * @param input the CSV, or {@code null} for the bundled one
   * @param outDir where to write
   * @param pluginsDir where the pattern kinds' plugin JARs are
   * @param dataDir the H2 folder of definitions and statistics (a run starts from what the previous
   *     ones learned), or {@code null} to keep them in memory
   * @param progress where to print progress
   * @return the run's figures
   */
  Summary run(
      Path input, Path outDir, Path pluginsDir, @Nullable Path dataDir, PrintStream progress)
      throws IOException {
    return run(input, outDir, pluginsDir, dataDir, progress, null);
  }

  /**
   * Processes the input as {@link #run(Path, Path, Path, Path, PrintStream)} does; with a {@code
   * consolePort}, the live console serves the runtime from before the first record, and the runtime
   * stays open after the job for it: the caller closes {@link Summary#serving()}.
   *
   * @param consolePort the console's port on 127.0.0.1 (0 for any free one), or {@code null} for no
   *     console
   * @throws Cli.InputError when the console cannot listen on the port (before any record is read)
   */
  Summary run(
      Path input,
      Path outDir,
      Path pluginsDir,
      @Nullable Path dataDir,
      PrintStream progress,
      @Nullable Integer consolePort)
      throws IOException {
    Path lockFile = outDir.resolve(LOCK);
    for (int tries = 1; ; tries++) {
      Files.createDirectories(outDir);
      Object before = fileKey(lockFile);
      java.nio.channels.FileChannel channel;
      try {
        channel =
            java.nio.channels.FileChannel.open(
                lockFile,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                java.nio.file.LinkOption.NOFOLLOW_LINKS);
      } catch (IOException e) {
        throw new Cli.InputError(
            "cannot use the lock file "
                + lockFile
                + " of the output folder (a link or not a file?): "
                + (e instanceof java.nio.file.FileSystemException f && f.getReason() != null
                    ? f.getReason()
                    : e.getMessage()));
      }
      try (channel) {
        java.nio.channels.FileLock lock = tryLock(channel);
        if (lock == null) {
          throw new Cli.InputError(
              "another run is writing to " + outDir + " (it holds " + lockFile + ")");
        }
        try (lock) {
          // The path must still name the file now locked: a failed run removes its lock file
          // while it holds it, and a run that had opened that file must take the new one.
          if (before == null || !before.equals(fileKey(lockFile))) {
            if (tries < 5) {
              continue;
            }
            throw new Cli.InputError(
                "the lock file " + lockFile + " keeps changing: another run is starting there");
          }
          boolean succeeded = false;
          try {
            Summary summary = locked(input, outDir, pluginsDir, dataDir, progress, consolePort);
            succeeded = summary.report().success();
            return summary;
          } finally {
            if (!succeeded && removeLockWhenFailed) {
              Files.deleteIfExists(lockFile); // still held: see above
            }
          }
        }
      }
    }
  }

  /** The file key (inode) of {@code file}, not following a link; null when it is missing. */
  private static @Nullable Object fileKey(Path file) throws IOException {
    try {
      return Files.readAttributes(
              file,
              java.nio.file.attribute.BasicFileAttributes.class,
              java.nio.file.LinkOption.NOFOLLOW_LINKS)
          .fileKey();
    } catch (java.nio.file.NoSuchFileException e) {
      return null;
    }
  }

  /** With the output folder locked: removes a killed run's staging folders, then runs the job. */
  private Summary locked(
      Path input,
      Path outDir,
      Path pluginsDir,
      @Nullable Path dataDir,
      PrintStream progress,
      @Nullable Integer consolePort)
      throws IOException {
    // Holding the lock, a staging folder here is a leftover of a run that was killed: one named
    // as a run names it, a folder (not a link), and not the input's folder.
    Path inputReal = input == null ? null : input.toRealPath();
    try (var entries = Files.newDirectoryStream(outDir, STAGING_PREFIX + "*")) {
      for (Path leftover : entries) {
        if (STAGING_NAME.matcher(leftover.getFileName().toString()).matches()
            && Files.isDirectory(leftover, java.nio.file.LinkOption.NOFOLLOW_LINKS)
            && (inputReal == null || !inputReal.startsWith(leftover.toRealPath()))) {
          deleteTree(leftover);
        }
      }
    }
    // The lock file stays after a successful run: deleting it would let a run that opened it
    // meanwhile lock a file no one else can see (a run now checks, but older ones did not).
    return runLocked(input, outDir, pluginsDir, dataDir, progress, consolePort);
  }

  private static java.nio.channels.@Nullable FileLock tryLock(java.nio.channels.FileChannel channel)
      throws IOException {
    try {
      return channel.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException e) {
      return null; // held by this process
    }
  }

  /**
   * Locked by a run for its whole length: one run at a time writes to an output folder. An empty
   * file that stays in the folder.
   */
  static final String LOCK = ".ndp-lock";

  private Summary runLocked(
      Path input,
      Path outDir,
      Path pluginsDir,
      @Nullable Path dataDir,
      PrintStream progress,
      @Nullable Integer consolePort)
      throws IOException {
    long started = System.nanoTime();
    OrdersCsv csv = new OrdersCsv(input);
    long records = csv.check();
    Files.createDirectories(outDir);

    PerformanceMeasurement perf = new PerformanceMeasurement();
    Map<String, LongAdder> wins = new ConcurrentHashMap<>();
    long[] seen = {0};
    long[] fallbacks = {0};
    long[] rejects = {0};

    long loadStart = System.nanoTime();
    // The default selection policy (drift-aware Thompson sampling over statistics that forget),
    // seeded so that a run on the same input makes the same choices; a service would leave the
    // seed out.
    // What the job did, as meters: read once at the end into a table and a Prometheus page.
    JobMetrics metrics = new JobMetrics();
    Ndp.Builder builder =
        Ndp.builder()
            .pluginsDir(pluginsDir)
            .pluginTrust(pluginTrust)
            .listener(metrics.listener())
            .executor(b -> b.maxAttempts(2).seed(SEED));
    // The console's feed hears every execution from the first one on.
    ConsoleFeed feed = null;
    if (consolePort != null) {
      feed = NdpConsole.feed();
      builder.listener(feed);
    }
    JdbcStorage durable = null;
    if (dataDir != null) {
      // The durable default: definitions and learned confidence in an H2 file. A batch job can
      // lose the last 200 ms of learning in a crash, so outcomes are committed in batches (a
      // service that must not lose one would keep the default, SYNC).
      durable = openData(dataDir);
      dataOpened = true;
      JdbcConfidenceStore.Inventory held = durable.confidence().inventory();
      progress.printf(
          Locale.ROOT,
          "confidence for %d patterns in %d domains from %s%n",
          held.patterns(),
          held.domains(),
          dataDir);
      builder.storage(durable);
    } else {
      progress.println("confidence in memory (--in-memory): this run starts from nothing");
    }
    Ndp ndp = builder.build();
    metrics.bindTo(ndp);
    long pluginMillis = (System.nanoTime() - loadStart) / 1_000_000;
    Map<PluginReport.Status, Long> byStatus = new java.util.EnumMap<>(PluginReport.Status.class);
    ndp.pluginReports().forEach(r -> byStatus.merge(r.status(), 1L, Long::sum));
    progress.printf(
        Locale.ROOT,
        "plugins from %s in %d ms (%s): %s%n",
        pluginsDir,
        pluginMillis,
        pluginTrust.verifies()
            ? "verified: " + pluginTrust
            : "not verified; --trusted-plugins FILE loads only the JARs it lists",
        byStatus.isEmpty()
            ? "none found"
            : byStatus.entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey().name().toLowerCase(Locale.ROOT))
                .collect(java.util.stream.Collectors.joining(", ")));
    for (PluginReport r : ndp.pluginReports()) {
      progress.printf(
          Locale.ROOT,
          "  %-22s %-8s types %s %s%n",
          r.pluginId(),
          r.status(),
          r.types(),
          r.reason());
    }
    // The job needs these kinds; without them it would fail mid-way with a stack trace.
    List<String> missing = KINDS.stream().filter(k -> ndp.factories().find(k).isEmpty()).toList();
    if (!missing.isEmpty()) {
      String loaded =
          ndp.factories().types().isEmpty()
              ? "none"
              : String.join(", ", new java.util.TreeSet<>(ndp.factories().types()));
      ndp.close();
      throw new Cli.InputError(
          String.format(
              Locale.ROOT,
              "the plugins folder %s provides no pattern kind %s (the job needs %s; loaded: %s)",
              pluginsDir,
              String.join(", ", missing),
              String.join(", ", KINDS),
              loaded));
    }
    // The console listens before the job starts, so that a page opened early sees it live; a port
    // that cannot be used stops the run here, before any record is read.
    Serving serving = new Serving(feed == null ? null : startConsole(ndp, feed, consolePort), ndp);
    if (serving.console != null) {
      progress.printf(
          Locale.ROOT, "console: http://127.0.0.1:%d/ (Ctrl-C to stop)%n", serving.port());
    }
    List<Pattern> patterns = new ArrayList<>();
    patterns.add(
        registerOrReuse(
            ndp,
            sequential(
                "strict_ingest",
                "Strict CSV: parse, validate, price, sign, store",
                "parse",
                "validate",
                "price",
                "sign",
                "store")));
    patterns.add(
        registerOrReuse(
            ndp,
            sequential(
                "tolerant_ingest",
                "Repairs legacy exports before the strict steps",
                "repair",
                "parse",
                "validate",
                "price",
                "sign",
                "store")));
    PatternStorage storage = ndp.storage();

    // Every output is written into a private staging folder inside the output folder and moved
    // into place only when the whole job succeeded: a failed run leaves the folder as it was.
    Path staging;
    try {
      staging = Files.createTempDirectory(outDir, STAGING_PREFIX);
    } catch (IOException e) {
      serving.close();
      throw e;
    }
    Path processed = staging.resolve(PROCESSED);
    Path rejected = staging.resolve(REJECTED);
    // Without a console the runtime closes with the job; with one it stays open for the page
    // (report failed or not) and the caller closes it, but a job that throws closes it here.
    boolean keepServing = false;
    try {
      PatternExecutor executor = ndp.executor();
      OrderSteps steps;
      try (CSVPrinter ok =
              OrdersCsv.OUT.print(
                  Files.newBufferedWriter(
                      processed, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW));
          CSVPrinter bad =
              OrdersCsv.OUT.print(
                  Files.newBufferedWriter(
                      rejected, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW))) {
        ok.printRecord(
            "order_id", "region", "sku", "quantity", "unit_price", "total", "email", "sha256");
        bad.printRecord("line", "reason");
        steps = new OrderSteps(ok);
        steps.registerIn(executor.delegates());

        csv.forEach(
            line -> {
              PatternContext ctx =
                  PatternContext.builder(regionOf(line), "sequential").payload(line).build();
              PatternResult r =
                  perf.measure("ingest_record", () -> executor.executeBestPattern(ctx));
              if (r.success()) {
                wins.computeIfAbsent(r.chosenPattern(), k -> new LongAdder()).increment();
                if (r.fallbacksTried() > 0) {
                  fallbacks[0]++;
                }
              } else {
                for (Attempt a : r.attempts()) {
                  if (a.error() instanceof java.io.UncheckedIOException e) {
                    // The output cannot be written (a full disk): the job fails, rejects nothing.
                    throw new IOException("cannot write " + PROCESSED + ": " + e.getCause(), e);
                  }
                }
                rejects[0]++;
                bad.printRecord(line.line(), furthest(r).message());
              }
              seen[0]++;
              if (seen[0] % 1_000 == 0 || seen[0] == records) {
                progress.printf(
                    Locale.ROOT,
                    "  processed %,d / %,d records (%d fallbacks, %d rejected)%n",
                    seen[0],
                    records,
                    fallbacks[0],
                    rejects[0]);
              }
            });
      } catch (IOException | java.io.UncheckedIOException e) {
        // Nothing is published: the summary says so, and the metrics page is still written.
        throw new JobFailed("the ingest failed: " + e.getMessage(), metrics.snapshot(), e);
      }

      progress.println(
          "  reporting: aggregate per region (parallel), archive (optimizer), manifest");
      patterns.addAll(registerReportPatterns(ndp));
      new ReportSteps(staging).registerIn(executor.delegates());
      ArchiveSteps.registerIn(executor.delegates());
      PatternContext report =
          PatternContext.builder("reporting", "orchestrator")
              .requiredDomains("aggregate", "archive", "manifest")
              .payload(processed)
              // A minute, and a second more per megabyte to aggregate, compress and hash.
              .timeout(java.time.Duration.ofMinutes(1).plusMillis(Files.size(processed) / 1_000))
              .build();
      PatternResult reportResult =
          perf.measure("report", () -> executor.executeBestPattern(report));
      // The figures of the table, read before the runtime closes (and with it the storage): all
      // outcomes committed, no cached snapshot, so that they are exact and the same every run.
      if (durable != null) {
        durable.confidence().flush(java.time.Duration.ofSeconds(30));
      }
      storage.dropCache();
      Map<String, ConfidenceStats> totals = new TreeMap<>();
      Map<String, Map<String, ConfidenceStats>> byDomain = new TreeMap<>();
      for (Pattern p : patterns) {
        totals.put(p.name(), storage.statistics(p.name()));
        byDomain.put(p.name(), storage.statisticsByDomain(p.name()));
      }
      PerformanceStats perRecord = perf.stats("ingest_record");
      // Also before the runtime closes: the confidence gauges read it.
      JobMetrics.Snapshot measured = metrics.snapshot();
      // Everything that can fail is done: now the outputs move into place, or none does.
      List<Path> written = List.of();
      if (reportResult.success()) {
        try {
          written = publish(staging, outDir);
        } catch (IOException e) {
          throw new JobFailed(
              "the outputs could not be moved into place: " + e.getMessage(), measured, e);
        }
      }
      keepServing = serving.console != null;
      return new Summary(
          seen[0],
          steps.written(),
          rejects[0],
          fallbacks[0],
          patterns,
          storage,
          totals,
          byDomain,
          wins,
          perRecord,
          reportResult,
          outDir,
          written,
          pluginMillis,
          (System.nanoTime() - started) / 1_000_000,
          measured,
          keepServing ? serving : null);
    } finally {
      if (!keepServing) {
        serving.close();
      }
      deleteTree(staging);
    }
  }

  /**
   * Opens the H2 file of definitions and statistics; one another run holds open, or that cannot be
   * read, is an input error in one line (found before any record is read).
   */
  private static JdbcStorage openData(Path dataDir) {
    try {
      return JdbcStorage.builder().h2File(dataDir).durability(Durability.BATCHED).open();
    } catch (RuntimeException e) {
      StringBuilder chain = new StringBuilder();
      for (Throwable t = e; t != null && chain.length() < 10_000; t = t.getCause()) {
        chain.append(' ').append(t.getMessage());
      }
      String all = chain.toString();
      if (all.contains("already in use") || all.contains("The file is locked")) {
        throw new Cli.InputError(
            "the data folder " + dataDir + " is in use by another run (its database is locked)");
      }
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      throw new Cli.InputError(
          "cannot open the data in "
              + dataDir
              + ": "
              + Order.shorten(
                  String.valueOf(root.getMessage()).lines().findFirst().orElse(""), 160));
    }
  }

  /**
   * Starts the console on 127.0.0.1; a port in use or not allowed is an input error naming it, and
   * closes the runtime.
   */
  private static NdpConsole startConsole(Ndp ndp, ConsoleFeed feed, int port) {
    try {
      return NdpConsole.builder(ndp).feed(feed).port(port).start();
    } catch (IllegalStateException | IllegalArgumentException e) {
      ndp.close();
      String why = e.getMessage();
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof java.net.BindException) {
          String m = String.valueOf(t.getMessage());
          why = m.contains("in use") ? "the port is in use" : m;
          break;
        }
      }
      throw new Cli.InputError(
          String.format(
              Locale.ROOT,
              "the console cannot listen on %s:%d: %s",
              NdpConsole.DEFAULT_BIND_ADDRESS,
              port,
              why));
    }
  }

  /**
   * A running console and the runtime it shows, kept open after the job while the console serves.
   * {@link #close()} stops the console, then the runtime.
   */
  static final class Serving implements AutoCloseable {
    private final @Nullable NdpConsole console;
    private final Ndp ndp;

    Serving(@Nullable NdpConsole console, Ndp ndp) {
      this.console = console;
      this.ndp = ndp;
    }

    /** {@return the port the console listens on, or -1 without one} */
    int port() {
      return console == null ? -1 : console.port();
    }

    @Override
    public void close() {
      try {
        if (console != null) {
          console.close();
        }
      } finally {
        ndp.close();
      }
    }
  }

  /** The prefix of the staging folders inside the output folder. */
  static final String STAGING_PREFIX = ".ndp-staging-";

  /**
   * A staging folder's name: the prefix and the digits {@link Files#createTempDirectory} adds. Only
   * folders named so are leftovers a run may delete; a user's {@code .ndp-staging-notes.txt} is
   * not.
   */
  private static final java.util.regex.Pattern STAGING_NAME =
      java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(STAGING_PREFIX) + "\\d+");

  /**
   * How long an aggregation task waits for a cpu unit at most: bounded by the report's deadline.
   */
  static final int AGGREGATE_WAIT_MILLIS = 3_600_000;

  /**
   * The ingest or the publishing failed after the work began: nothing was written to the output
   * folder. Carries the job's metrics so far, for the {@code --metrics-out} page.
   */
  static final class JobFailed extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient JobMetrics.Snapshot metrics;

    JobFailed(String message, JobMetrics.Snapshot metrics, Throwable cause) {
      super(message, cause);
      this.metrics = metrics;
    }

    JobMetrics.Snapshot metrics() {
      return metrics;
    }
  }

  private volatile boolean dataOpened;

  /**
   * {@return whether this run opened the data folder's database: its files are then this run's own
   * (H2 locks them), which a failed run that created the folder may remove}
   */
  boolean openedTheData() {
    return dataOpened;
  }

  static final String PROCESSED = "orders-processed.csv";
  static final String REJECTED = "orders-rejected.csv";
  static final String MANIFEST = "MANIFEST.sha256";

  /**
   * The failed attempt that got furthest through the ingest stages: its reason is the most specific
   * (ties go to the earlier attempt).
   */
  static Attempt furthest(PatternResult r) {
    Attempt best = r.attempts().get(r.attempts().size() - 1);
    int reached = -1;
    for (Attempt a : r.attempts()) {
      int stage = a.error() instanceof Rejection rej ? rej.stage().ordinal() : -1;
      if (stage > reached) {
        reached = stage;
        best = a;
      }
    }
    return best;
  }

  /** The files a successful run writes, in the order they are moved into place. */
  static final List<String> OUTPUTS =
      java.util.stream.Stream.of(
              java.util.stream.Stream.of(PROCESSED, REJECTED, PROCESSED + ".gz"),
              ReportSteps.REGIONS.stream().map(r -> "report-" + r + ".csv"),
              java.util.stream.Stream.of(MANIFEST))
          .flatMap(x -> x)
          .toList();

  /**
   * Moves the staged outputs into the output folder, all or nothing: first the earlier run's files
   * of those names are set aside into the staging folder (a link is moved as a link, never
   * followed; a folder in the way stops everything), then the new files are renamed into place, the
   * manifest last. A failure part-way puts the folder back as it was. Only the {@link #OUTPUTS}
   * names are touched: other files in the folder are the user's.
   *
   * @return the files now in the output folder, in the order they were moved
   * @throws IOException when the outputs cannot be moved; the message says whether the folder is as
   *     it was
   */
  static List<Path> publish(Path staging, Path outDir) throws IOException {
    Path previous = Files.createDirectory(staging.resolve("previous"));
    java.nio.file.LinkOption noFollow = java.nio.file.LinkOption.NOFOLLOW_LINKS;
    java.nio.file.CopyOption atomic = java.nio.file.StandardCopyOption.ATOMIC_MOVE;
    List<String> setAside = new ArrayList<>();
    List<String> placed = new ArrayList<>();
    try {
      for (String name : OUTPUTS) {
        Path target = outDir.resolve(name);
        if (Files.isDirectory(target, noFollow)) {
          throw new IOException("a folder named " + name + " is in the way");
        }
        if (Files.exists(target, noFollow)) {
          Files.move(target, previous.resolve(name), atomic);
          setAside.add(name);
        }
      }
      for (String name : OUTPUTS) {
        place(staging.resolve(name), outDir.resolve(name));
        placed.add(name);
      }
    } catch (IOException e) {
      List<String> stuck = new ArrayList<>();
      for (int i = placed.size() - 1; i >= 0; i--) {
        moveBack(outDir.resolve(placed.get(i)), staging.resolve(placed.get(i)), stuck);
      }
      for (int i = setAside.size() - 1; i >= 0; i--) {
        moveBack(previous.resolve(setAside.get(i)), outDir.resolve(setAside.get(i)), stuck);
      }
      String why = e instanceof java.nio.file.FileSystemException f ? describe(f) : e.getMessage();
      if (stuck.isEmpty()) {
        throw new IOException(
            "cannot move the outputs into "
                + outDir
                + " ("
                + why
                + "); nothing was written, the folder is as it was",
            e);
      }
      // The earlier files must outlive the staging folder, which is deleted after this.
      Path kept = outDir.resolve(".ndp-previous-" + staging.getFileName());
      try {
        Files.move(previous, kept, atomic);
      } catch (IOException again) {
        kept = outDir.resolve(".ndp-kept-" + staging.getFileName());
        Files.move(staging, kept, atomic);
      }
      throw new IOException(
          "cannot move the outputs into "
              + outDir
              + " ("
              + why
              + ") nor put back "
              + String.join(", ", stuck)
              + "; the earlier files are in "
              + kept,
          e);
    }
    return placed.stream().map(outDir::resolve).toList();
  }

  /**
   * Puts a staged file at {@code target} only if nothing is there: a hard link fails atomically
   * when the name exists (a rename would silently replace it), then the staged name is removed.
   * Where hard links are not supported, a move without replacing (checked, then moved).
   */
  private static void place(Path staged, Path target) throws IOException {
    try {
      Files.createLink(target, staged);
    } catch (UnsupportedOperationException e) {
      Files.move(staged, target);
      return;
    }
    Files.delete(staged);
  }

  private static void moveBack(Path from, Path to, List<String> stuck) {
    try {
      Files.move(from, to, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException again) {
      stuck.add(from.getFileName().toString());
    }
  }

  private static String describe(java.nio.file.FileSystemException f) {
    return f.getReason() == null
        ? f.getClass().getSimpleName() + " " + f.getFile()
        : f.getFile() + ": " + f.getReason();
  }

  /** Whether a file of this name is one this job writes. */
  static boolean isOutputName(String name) {
    return OUTPUTS.contains(name);
  }

  /** Deletes a folder this run created, and what is in it; never follows a link. */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * Registers the definition, or keeps the pattern a previous run stored when its definition is the
   * same; one that changed in the code replaces the stored one (its statistics stay).
   */
  static Pattern registerOrReuse(Ndp ndp, PatternDefinition definition) {
    Optional<Pattern> stored = ndp.registry().find(definition.name());
    if (stored.isPresent()) {
      if (stored.get().definition().equals(definition)) {
        return stored.get();
      }
      ndp.unregister(definition.name());
    }
    return ndp.register(definition);
  }

  /**
   * The report stage: a meta-orchestration over three domains. {@code aggregate} goes to the best
   * parallel pattern (one task per region, two cpu units for three tasks, so one waits), {@code
   * archive} to the best evaluator-optimizer pattern (the third-party kind, scored against the
   * smallest gzip of the data: {@code archive_max} wants it at the fastest level, which only tiny
   * inputs allow, so it fails and the executor falls back to {@code archive_small}, which raises
   * the level), and {@code manifest}, which runs after both, to its delegate.
   */
  private static List<Pattern> registerReportPatterns(Ndp ndp) {
    List<Map<String, Object>> tasks = new ArrayList<>();
    for (String region : ReportSteps.REGIONS) {
      tasks.add(
          Map.of(
              "name", "aggregate_" + region,
              "delegate", "aggregate_" + region,
              "resources", Map.of("cpu", 1)));
    }
    List<Pattern> out = new ArrayList<>();
    out.add(
        registerOrReuse(
            ndp,
            new PatternDefinition(
                "parallel",
                "region_aggregation",
                "Per-region totals, at most two regions at a time",
                Map.of(
                    "resources",
                    List.of("cpu"),
                    "capacities",
                    Map.of("cpu", 2),
                    "tasks",
                    tasks,
                    // A task waits for its cpu unit as long as the report's deadline allows: the
                    // other tasks' time grows with the input (2 s, the default, failed on 100 MB).
                    "acquireTimeoutMillis",
                    AGGREGATE_WAIT_MILLIS))));
    out.add(
        registerOrReuse(
            ndp, optimizer("archive_max", "The smallest gzip, at the fastest level", 1.0, 1)));
    out.add(
        registerOrReuse(
            ndp,
            optimizer(
                "archive_small", "Within 5% of the smallest gzip, raising the level", 0.95, 3)));
    out.add(
        registerOrReuse(
            ndp,
            new PatternDefinition(
                "meta-orchestration",
                "nightly_report",
                "Aggregate and archive in parallel, then the manifest",
                Map.of(
                    "domains", List.of("aggregate", "archive", "manifest"),
                    "dependencies", Map.of("manifest", List.of("aggregate", "archive")),
                    "domainAgentTypes", Map.of("aggregate", "parallel", "archive", "optimizer"),
                    "domainAttributes", Map.of("archive", Map.of("min_quality", 0.9))))));
    return out;
  }

  private static PatternDefinition optimizer(
      String name, String description, double bar, int maxIterations) {
    return new PatternDefinition(
        "evaluator-optimizer",
        name,
        description,
        Map.of(
            "generator", "gzip_fast",
            "evaluator", "gzip_quality",
            "refiner", "gzip_harder",
            "qualityBar", bar,
            "maxIterations", maxIterations));
  }

  private static PatternDefinition sequential(String name, String description, String... steps) {
    return new PatternDefinition("sequential", name, description, Map.of("steps", List.of(steps)));
  }

  /**
   * The domain of a record: its region field, read loosely enough to route malformed and legacy
   * lines too ({@code " EU "} routes to {@code eu}); anything that is not a region the report knows
   * routes to {@code unknown}, so junk input never makes new domains.
   */
  static String regionOf(InputRecord record) {
    List<String> f = record.fields();
    if (f.size() != 6 && record.text().indexOf(';') >= 0) {
      try {
        f = OrderSteps.legacyFields(record.text());
      } catch (Rejection e) {
        return UNKNOWN_REGION;
      }
    }
    String region = f.size() < 2 ? "" : f.get(1).strip().toLowerCase(Locale.ROOT);
    return ReportSteps.REGIONS.contains(region) ? region : UNKNOWN_REGION;
  }

  /** The domain of records without a known region. */
  static final String UNKNOWN_REGION = "unknown";

  /** The figures of one run and the table printed at the end. */
  record Summary(
      long records,
      long written,
      long rejected,
      long fallbacks,
      List<Pattern> patterns,
      PatternStorage storage,
      Map<String, ConfidenceStats> totals,
      Map<String, Map<String, ConfidenceStats>> byDomain,
      Map<String, LongAdder> wins,
      PerformanceStats perf,
      PatternResult report,
      Path outDir,
      List<Path> writtenFiles,
      long pluginMillis,
      long millis,
      JobMetrics.Snapshot metrics,
      @Nullable Serving serving) {

    String table() {
      StringBuilder sb = new StringBuilder();
      sb.append(String.format(Locale.ROOT, "%nNDP host app: order ingest and nightly report%n"));
      sb.append(
          String.format(
              Locale.ROOT,
              "%-18s %-19s %5s %9s %10s %-6s  %s%n",
              "pattern",
              "kind",
              "runs",
              "successes",
              "confidence",
              "level",
              "confidence per domain"));
      for (Pattern p : patterns) {
        io.ndp.api.Prior prior = io.ndp.api.Prior.declaredBy(p);
        ConfidenceStats all = totals.get(p.name());
        Map<String, String> perDomain = new TreeMap<>();
        byDomain
            .get(p.name())
            .forEach(
                (d, s) -> perDomain.put(d, String.format(Locale.ROOT, "%.2f", s.score(prior))));
        sb.append(
            String.format(
                Locale.ROOT,
                "%-18s %-19s %5d %9d %10.3f %-6s  %s%n",
                p.name(),
                p.type(),
                all.total(),
                all.successes(),
                all.score(prior),
                all.level(prior),
                perDomain));
      }
      sb.append(
          String.format(
              Locale.ROOT,
              "records %d, written %d, rejected %d, fallbacks taken %d%n",
              records,
              written,
              rejected,
              fallbacks));
      sb.append(
          String.format(
              Locale.ROOT,
              "per record: p50 %.3f ms, p95 %.3f ms, p99 %.3f ms, max %.3f ms%n",
              perf.p50().toNanos() / 1e6,
              perf.p95().toNanos() / 1e6,
              perf.p99().toNanos() / 1e6,
              perf.max().toNanos() / 1e6));
      sb.append(
          String.format(
              Locale.ROOT,
              "report: %s in %d ms: %s%n",
              report.success() ? "succeeded" : "FAILED",
              report.totalDuration().toMillis(),
              report.message()));
      sb.append(metrics.table());
      sb.append(String.format(Locale.ROOT, "plugins loaded in %d ms%n", pluginMillis));
      if (writtenFiles.isEmpty()) {
        sb.append(
            String.format(
                Locale.ROOT,
                "written: nothing; %s is as it was before the run%n",
                outDir.toAbsolutePath()));
      } else {
        sb.append(
            String.format(
                Locale.ROOT,
                "written to %s: %s%n",
                outDir.toAbsolutePath(),
                writtenFiles.stream()
                    .map(p -> p.getFileName().toString())
                    .collect(java.util.stream.Collectors.joining(", "))));
      }
      sb.append(String.format(Locale.ROOT, "took %d ms%n", millis));
      return sb.toString();
    }
  }
}
