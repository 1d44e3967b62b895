package io.ndp.examples.hostapp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The host app as a user meets it, for the process-level tests: a separate JVM with this test class
 * path, no standard input, its streams captured to files, and what to check afterwards.
 */
final class AppProcess {
  private AppProcess() {}

  /** One run of the app: its exit code and what it printed on each stream. */
  record Run(int code, String out, String err) {
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  /** A run under way, and the files its output streams go to. */
  record Started(Process process, Path out, Path err) {
    Run await() throws Exception {
      assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("the app ends").isTrue();
      return new Run(
          process.exitValue(), Files.readString(out, UTF_8), Files.readString(err, UTF_8));
    }
  }

  /** Runs the app in {@code dir} with these arguments and waits for it. */
  static Run run(Path dir, String... args) throws Exception {
    return start(dir, List.of(), args).await();
  }

  /** Starts the app in {@code dir}, with these JVM options and arguments. */
  static Started start(Path dir, List<String> jvmArgs, String... args) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(jvmArgs);
    command.addAll(List.of("-cp", System.getProperty("java.class.path")));
    command.add(HostApp.class.getName());
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    return new Started(p, out, err);
  }

  /** Every entry of a folder and the SHA-256 of its bytes (or "(not a file)"), by name. */
  static Map<String, String> contents(Path folder) throws Exception {
    Map<String, String> m = new TreeMap<>();
    try (var files = Files.list(folder)) {
      for (Path f : files.toList()) {
        m.put(
            f.getFileName().toString(),
            Files.isRegularFile(f)
                ? HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)))
                : "(not a file)");
      }
    }
    return m;
  }

  /** {@code sha256sum -c MANIFEST.sha256} in the folder passes. */
  static void assertVerifies(Path folder) throws Exception {
    Process check =
        new ProcessBuilder("sha256sum", "-c", "MANIFEST.sha256")
            .directory(folder.toFile())
            .redirectErrorStream(true)
            .start();
    String said = new String(check.getInputStream().readAllBytes(), UTF_8);
    assertThat(check.waitFor()).as(said).isZero();
  }

  /** The end of a long output, for assertion messages. */
  static String tail(String s) {
    return s.length() <= 1_500 ? s : s.substring(s.length() - 1_500);
  }

  /**
   * Writes the lines into the named pipe from a daemon thread, so that the test never blocks on a
   * run that does not read it.
   */
  static void feed(Path fifo, List<String> lines) {
    Thread t =
        new Thread(
            () -> {
              try {
                Files.write(fifo, lines, java.nio.charset.StandardCharsets.UTF_8);
              } catch (java.io.IOException e) {
                // The run went away without reading: its exit code tells.
              }
            },
            "fifo-feed");
    t.setDaemon(true);
    t.start();
  }

  /** The allowlist of the plugin JARs in {@code plugins}, as {@code --trusted-plugins} reads it. */
  static List<String> allowlistOf(Path plugins) throws Exception {
    List<String> allowlist = new java.util.ArrayList<>();
    try (var jars = Files.list(plugins)) {
      for (Path jar : jars.filter(j -> j.toString().endsWith(".jar")).sorted().toList()) {
        try (java.util.jar.JarFile j = new java.util.jar.JarFile(jar.toFile())) {
          var a = j.getManifest().getMainAttributes();
          allowlist.add(
              java.util.HexFormat.of()
                      .formatHex(
                          java.security.MessageDigest.getInstance("SHA-256")
                              .digest(Files.readAllBytes(jar)))
                  + "  "
                  + a.getValue("Plugin-Id")
                  + "  "
                  + a.getValue("Plugin-Version"));
        }
      }
    }
    return allowlist;
  }

  /** Writes the orders header and these lines to {@code file}. */
  static Path input(Path file, List<String> lines) throws java.io.IOException {
    List<String> all = new java.util.ArrayList<>();
    all.add(String.join(",", OrdersCsv.HEADER));
    all.addAll(lines);
    return Files.write(file, all, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** {@code n} valid orders in the eu region, ids {@code O-1} to {@code O-n}. */
  static List<String> orders(int n) {
    List<String> lines = new java.util.ArrayList<>();
    for (int i = 1; i <= n; i++) {
      lines.add("O-" + i + ",eu,SKU-0001,1,1.00,a@example.eu");
    }
    return lines;
  }
}
