package io.ndp.examples.hostapp;

import io.ndp.api.DelegateDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.GZIPOutputStream;

/**
 * The archive step's delegates for the evaluator-optimizer kind: gzip the processed file at a
 * compression level (generate), score the candidate against the smallest gzip can make of this data
 * (evaluate), and retry at a higher level (refine). The score is relative to the data, so the bars
 * hold for any input size: 1.0 is as small as gzip gets, at level 9. Files are streamed, never held
 * in memory; each candidate is a file in a {@code candidates} folder beside the processed file.
 * Thread-safe: each call writes its own file.
 */
final class ArchiveSteps {

  /** The highest gzip level, the reference of the score. */
  static final int BEST_LEVEL = 9;

  /**
   * A gzip candidate: the level used, its file and size, the original, and the size of the smallest
   * gzip of the original.
   */
  record Compressed(int level, Path gzip, long size, Path original, long smallest) {
    /** The smallest size over this one's, in (0, 1]: 1.0 when nothing smaller is possible. */
    double quality() {
      return Math.min(1.0, (double) smallest / Math.max(1, size));
    }
  }

  private ArchiveSteps() {}

  static void registerIn(DelegateDirectory delegates) {
    delegates.register("gzip_fast", in -> first((Path) in));
    delegates.register("gzip_quality", in -> ((Compressed) in).quality());
    delegates.register(
        "gzip_harder",
        in -> {
          Compressed c = (Compressed) in;
          return candidate(c.original(), Math.min(BEST_LEVEL, c.level() + 4), c.smallest());
        });
  }

  /** The first candidate, at the fastest level. */
  static Compressed first(Path original) throws IOException {
    CountingStream count = new CountingStream();
    gzip(original, BEST_LEVEL, count);
    long smallest = count.count;
    return candidate(original, 1, smallest);
  }

  private static Compressed candidate(Path original, int level, long smallest) throws IOException {
    Path dir = Files.createDirectories(original.resolveSibling("candidates"));
    for (int n = 1; ; n++) {
      // Created the usual way (the umask's permissions, like the other outputs), never over a file.
      Path file = dir.resolve("level-" + level + "-" + n + ".gz");
      OutputStream out;
      try {
        out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW);
      } catch (FileAlreadyExistsException taken) {
        continue;
      }
      gzip(original, level, out);
      return new Compressed(level, file, Files.size(file), original, smallest);
    }
  }

  /** Writes the gzip of {@code original} at {@code level} to {@code out}, and closes it. */
  static void gzip(Path original, int level, OutputStream out) throws IOException {
    try (InputStream in = Files.newInputStream(original);
        GZIPOutputStream gz =
            new GZIPOutputStream(out, 64 * 1024) {
              {
                def.setLevel(level);
              }
            }) {
      in.transferTo(gz);
    }
  }

  /** Counts the bytes written to it, keeps none. */
  private static final class CountingStream extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }
}
