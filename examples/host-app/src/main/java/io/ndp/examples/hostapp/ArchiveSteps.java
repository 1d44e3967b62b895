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
 * compression level (generate), score the space saved (evaluate), and retry at a higher level
 * (refine). Thread-safe: pure functions.
 */
final class ArchiveSteps {

  /** A gzip candidate: the level used, the compressed bytes and the original size. */
  record Compressed(int level, byte[] gzip, byte[] original) {
    double savings() {
      return 1.0 - (double) gzip.length / Math.max(1, original.length);
    }
  }

  static void registerIn(DelegateDirectory delegates) {
    delegates.register("gzip_fast", in -> gzip(Files.readAllBytes((Path) in), 1));
    delegates.register("gzip_savings", in -> ((Compressed) in).savings());
    delegates.register(
        "gzip_harder",
        in -> {
          Compressed c = (Compressed) in;
          return gzip(c.original(), Math.min(9, c.level() + 4));
        });
  }

  static Compressed gzip(byte[] data, int level) {
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
    return new Compressed(level, buf.toByteArray(), data);
  }
}
