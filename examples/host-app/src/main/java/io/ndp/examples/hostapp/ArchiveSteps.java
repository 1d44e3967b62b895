package io.ndp.examples.hostapp;

import io.ndp.api.DelegateDirectory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * The archive step's delegates for the evaluator-optimizer kind: gzip the processed file at a
 * compression level (generate), score the candidate against the smallest gzip can make of this data
 * (evaluate), and retry at a higher level (refine). The score is relative to the data, so the bars
 * hold for any input size: 1.0 is as small as gzip gets, at level 9. Thread-safe: pure functions.
 */
final class ArchiveSteps {

  /** The highest gzip level, the reference of the score. */
  static final int BEST_LEVEL = 9;

  /**
   * A gzip candidate: the level used, the compressed bytes, the original and the size of the
   * smallest gzip of it.
   */
  record Compressed(int level, byte[] gzip, byte[] original, int smallest) {
    /** The smallest size over this one's, in (0, 1]: 1.0 when nothing smaller is possible. */
    double quality() {
      return Math.min(1.0, (double) smallest / gzip.length);
    }
  }

  private ArchiveSteps() {}

  static void registerIn(DelegateDirectory delegates) {
    delegates.register("gzip_fast", in -> first(Files.readAllBytes((Path) in)));
    delegates.register("gzip_quality", in -> ((Compressed) in).quality());
    delegates.register(
        "gzip_harder",
        in -> {
          Compressed c = (Compressed) in;
          int level = Math.min(BEST_LEVEL, c.level() + 4);
          return new Compressed(level, gzip(c.original(), level), c.original(), c.smallest());
        });
  }

  /** The first candidate, at the fastest level. */
  static Compressed first(byte[] data) {
    return new Compressed(1, gzip(data, 1), data, gzip(data, BEST_LEVEL).length);
  }

  static byte[] gzip(byte[] data, int level) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(data.length / 3 + 64);
    try (GZIPOutputStream gz =
        new GZIPOutputStream(buf) {
          {
            def.setLevel(level);
          }
        }) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buf.toByteArray();
  }
}
