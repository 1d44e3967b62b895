package io.ndp.benchmarks;

import io.ndp.api.DelegateDirectory;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternResult;
import io.ndp.core.Ndp;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The three-step work both sides of the execution benchmarks do: validate a 256-byte record,
 * SHA-256 it, put the digest into a map. Through NDP the steps are delegates; the baseline calls
 * the same methods directly, so the difference is what the framework adds.
 */
final class Workload {

  static final byte[] RECORD = new byte[256];

  static {
    for (int i = 0; i < RECORD.length; i++) {
      RECORD[i] = (byte) (i * 31 + 7);
    }
  }

  private final Map<Integer, byte[]> stored = new ConcurrentHashMap<>();
  private final ThreadLocal<MessageDigest> sha256 = ThreadLocal.withInitial(Workload::newDigest);

  Object validate(Object input) {
    if (!(input instanceof byte[] bytes) || bytes.length != 256) {
      throw new IllegalArgumentException("expected 256 bytes, got " + input);
    }
    return bytes;
  }

  Object hash(Object input) {
    MessageDigest digest = sha256.get();
    digest.reset();
    return digest.digest((byte[]) input);
  }

  Object store(Object input) {
    byte[] digest = (byte[]) input;
    stored.put(digest[0] & 0xff, digest);
    return digest;
  }

  /** Registers validate, hash and store in the given directory. */
  void registerIn(DelegateDirectory delegates) {
    delegates.register("validate", this::validate);
    delegates.register("hash", this::hash);
    delegates.register("store", this::store);
  }

  /**
   * Builds a runtime from {@code builder}, registers this work's delegates and the 3-step
   * sequential pattern {@code ingest} in it, and checks that one execution of {@link
   * #ingestContext()} succeeds.
   */
  Ndp ingestRuntime(Ndp.Builder builder) {
    Ndp ndp = builder.build();
    registerIn(ndp.delegates());
    ndp.register(
        new PatternDefinition(
            "sequential",
            "ingest",
            "validate, hash, store",
            Map.of("steps", List.of("validate", "hash", "store"))));
    PatternResult first = ndp.executor().executeBestPattern(ingestContext());
    if (!first.success()) {
      ndp.close();
      throw new IllegalStateException("the benchmark's pattern must succeed: " + first);
    }
    return ndp;
  }

  /** The context the {@code ingest} pattern serves: the record, domain orders. */
  static PatternContext ingestContext() {
    return PatternContext.builder("orders", "sequential")
        .requiredSteps("validate", "hash", "store")
        .payload(RECORD)
        .build();
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
