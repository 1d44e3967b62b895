package io.ndp.spring.boot;

import io.ndp.api.NdpStorage;
import io.ndp.spring.boot.NdpProperties.StorageType;
import io.ndp.storage.jdbc.Durability;
import io.ndp.storage.jdbc.JdbcStorage;
import io.ndp.storage.jdbc.StorageHealth;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Everything that touches {@code ndp-storage-jdbc}, an optional dependency: callers check with
 * {@link org.springframework.util.ClassUtils#isPresent} before they call in, so that an application
 * without it never loads these classes.
 */
final class JdbcStorages {
  static final String JDBC_STORAGE_CLASS = "io.ndp.storage.jdbc.JdbcStorage";
  private static final Pattern CAMEL = Pattern.compile("\\b[a-z]+(?:[A-Z][a-z]+)+\\b");

  private JdbcStorages() {}

  /** Opens the storage {@code ndp.storage.*} describes: H2 files, or the given data source. */
  static NdpStorage open(NdpProperties.Storage p, @Nullable DataSource dataSource) {
    try {
      return configure(p, dataSource).open();
    } catch (IllegalArgumentException e) {
      // The builder names its settings (poolSize); the user wrote properties (pool-size).
      throw new IllegalArgumentException(
          "the ndp.storage settings do not combine: " + propertyNames(e.getMessage()), e);
    }
  }

  private static JdbcStorage.Builder configure(
      NdpProperties.Storage p, @Nullable DataSource dataSource) {
    JdbcStorage.Builder b = JdbcStorage.builder();
    if (p.getType() == StorageType.H2) {
      b.h2File(p.getH2Directory())
          .poolSize(p.getPoolSize())
          .connectionTimeout(p.getConnectionTimeout());
    } else {
      if (dataSource == null) {
        throw new IllegalStateException(
            "ndp.storage.type=jdbc needs a DataSource bean, but there is none");
      }
      b.dataSource(dataSource);
    }
    b.durability(Durability.valueOf(p.getDurability().name()))
        .staleness(p.getStaleness())
        .maxUnflushedTime(p.getMaxUnflushedTime())
        .maxUnflushedOutcomes(p.getMaxUnflushedOutcomes())
        .bufferLimit(p.getBufferLimit())
        .syncTimeout(p.getSyncTimeout())
        .closeTimeout(p.getCloseTimeout())
        .halfLife(p.getHalfLife());
    String host = p.getHost();
    if (host != null) {
      b.host(host);
    }
    return b;
  }

  /** Names the builder's settings in a message as the properties that set them. */
  static String propertyNames(@Nullable String message) {
    if (message == null) {
      return "";
    }
    Matcher m = CAMEL.matcher(message);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String kebab = m.group().replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
      m.appendReplacement(sb, Matcher.quoteReplacement("ndp.storage." + kebab));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** The health of a JDBC storage, or empty when {@code storage} is another kind. */
  static Optional<StoreState> health(NdpStorage storage) {
    if (!(storage instanceof JdbcStorage js)) {
      return Optional.empty();
    }
    StorageHealth h = js.health();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("type", "jdbc");
    details.put("description", js.description());
    details.put("available", h.available());
    details.put("durability", js.durability().name());
    details.put("bufferedOutcomes", h.bufferedOutcomes());
    details.put("bufferLimit", h.bufferLimit());
    h.unavailableSince().ifPresent(t -> details.put("unavailableSince", t.toString()));
    h.lastFailure().ifPresent(f -> details.put("lastFailure", f.getMessage()));
    return Optional.of(new StoreState(h.available(), details));
  }

  /** Whether a store answers, and what the health shows of it. */
  record StoreState(boolean available, Map<String, Object> details) {}
}
