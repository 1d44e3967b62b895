package io.ndp.storage.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.ndp.api.DefinitionSource;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternDefinitionStore;
import io.ndp.api.StorageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Pattern definitions in a database table ({@code ndp_definition}), parameters as JSON.
 *
 * <p>Parameters come back as JSON types: whole numbers as {@code Integer}, {@code Long} or {@code
 * BigInteger} (the smallest that holds them), other numbers as {@code Double} (NaN and the
 * infinities too), lists and maps with string keys; a definition stored with, say, a {@code Long 3}
 * comes back with {@code Integer 3}, a {@code BigDecimal} as the nearest {@code Double}.
 *
 * <p>A row that cannot be read (bad JSON, an empty type, a parameter the definition refuses) is
 * skipped by every query, logged and listed by {@link JdbcStorage#unreadableRows()} with its name —
 * never deleted; storing a definition of that name replaces it. "Sorted by name" is {@link
 * String#compareTo} order whatever the database's collation.
 *
 * <p>Thread-safe; every call is one statement or one transaction. Obtain it from {@link
 * JdbcStorage}.
 *
 * @since 0.2.0
 */
public final class JdbcDefinitionStore implements PatternDefinitionStore {
  private static final String TABLE = "ndp_definition";
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
  private static final String COLUMNS =
      "name, type, description, parameters, plugin_id, plugin_version, created_at, updated_at";
  private static final String UPDATE =
      "UPDATE ndp_definition SET type = ?, description = ?, parameters = ?,"
          + " plugin_id = COALESCE(?, plugin_id), plugin_version = COALESCE(?, plugin_version),"
          + " updated_at = ? WHERE name = ?";
  private static final String INSERT =
      "INSERT INTO ndp_definition (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

  private final Database db;
  private final Clock clock;
  private final Unreadable unreadable;
  // NaN and the infinities, which a definition accepts, are written as the bare tokens NaN,
  // Infinity and -Infinity (not strings), and read back as doubles.
  private final ObjectMapper json =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .build();

  JdbcDefinitionStore(Database db, Clock clock, Unreadable unreadable) {
    this.db = db;
    this.clock = clock;
    this.unreadable = unreadable;
  }

  @Override
  public void store(PatternDefinition definition) {
    store(definition, null, null);
  }

  /** Stores the definition with its source's origin and version as plugin id and version. */
  @Override
  public void store(PatternDefinition definition, DefinitionSource source) {
    Objects.requireNonNull(source, "source");
    store(definition, source.origin(), source.version());
  }

  /**
   * Stores a definition with the plugin that provides its kind, replacing one of the same name
   * (keeping its creation time).
   *
   * @param definition the definition
   * @param pluginId the plugin's id, or null when unknown (a stored one is then kept)
   * @param pluginVersion the plugin's version, or null when unknown
   * @throws StorageException when the database fails ({@link
   *     io.ndp.api.StorageUnavailableException} when it cannot be reached)
   */
  public void store(
      PatternDefinition definition, @Nullable String pluginId, @Nullable String pluginVersion) {
    if (definition == null) {
      throw new IllegalArgumentException("definition must not be null");
    }
    String name = Names.require(definition.name(), "pattern name");
    Names.require(definition.type(), "pattern type");
    String parameters;
    try {
      parameters = json.writeValueAsString(definition.parameters());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "the parameters of " + name + " cannot be written as JSON: " + e.getMessage(), e);
    }
    Timestamp now = Timestamp.from(clock.instant());
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      try {
        while (!update(c, definition, parameters, pluginId, pluginVersion, now)) {
          boolean inserted =
              JdbcConfidenceStore.insertOnce(
                  c,
                  INSERT,
                  ps -> {
                    ps.setString(1, name);
                    ps.setString(2, definition.type());
                    ps.setString(3, definition.description());
                    ps.setString(4, parameters);
                    ps.setString(5, pluginId);
                    ps.setString(6, pluginVersion);
                    ps.setTimestamp(7, now);
                    ps.setTimestamp(8, now);
                  });
          if (inserted) {
            break;
          }
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
      db.reached();
      unreadable.readable(TABLE, name);
    } catch (SQLException e) {
      throw db.failed("store the definition " + name, e);
    }
  }

  private static boolean update(
      Connection c,
      PatternDefinition d,
      String parameters,
      @Nullable String pluginId,
      @Nullable String pluginVersion,
      Timestamp now)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(UPDATE)) {
      ps.setString(1, d.type());
      ps.setString(2, d.description());
      ps.setString(3, parameters);
      ps.setString(4, pluginId);
      ps.setString(5, pluginVersion);
      ps.setTimestamp(6, now);
      ps.setString(7, d.name());
      return ps.executeUpdate() == 1;
    }
  }

  @Override
  public Optional<PatternDefinition> find(String name) {
    return findStored(name).map(StoredDefinition::definition);
  }

  /**
   * Looks a definition up with its provenance and times.
   *
   * @param name the pattern name
   * @return the stored definition; empty when none, or when its row is unreadable (then reported)
   */
  public Optional<StoredDefinition> findStored(String name) {
    if (name == null) {
      return Optional.empty();
    }
    List<StoredDefinition> found = query(" WHERE name = ?", name, "look up " + name);
    return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
  }

  @Override
  public List<PatternDefinition> findByType(String type) {
    Objects.requireNonNull(type, "type");
    return definitions(query(" WHERE type = ?", type, "find definitions of type " + type));
  }

  @Override
  public List<PatternDefinition> findAll() {
    return definitions(query("", null, "read the definitions"));
  }

  @Override
  public boolean remove(String name) {
    if (name == null) {
      return false;
    }
    try (Connection c = db.connect();
        PreparedStatement ps = c.prepareStatement("DELETE FROM ndp_definition WHERE name = ?")) {
      ps.setString(1, name);
      boolean removed = ps.executeUpdate() > 0;
      db.reached();
      unreadable.readable(TABLE, name);
      return removed;
    } catch (SQLException e) {
      throw db.failed("remove the definition " + name, e);
    }
  }

  private static List<PatternDefinition> definitions(List<StoredDefinition> stored) {
    return stored.stream().map(StoredDefinition::definition).toList();
  }

  /** Reads the rows, skipping and reporting those that cannot be read; sorted by name. */
  private List<StoredDefinition> query(String where, @Nullable String value, String what) {
    List<StoredDefinition> out = new ArrayList<>();
    try (Connection c = db.connect();
        PreparedStatement ps =
            c.prepareStatement("SELECT " + COLUMNS + " FROM ndp_definition" + where)) {
      if (value != null) {
        ps.setString(1, value);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          try {
            out.add(parse(rs, name));
            unreadable.readable(TABLE, name);
          } catch (IllegalArgumentException | JsonProcessingException | NullPointerException e) {
            unreadable.report(TABLE, name, e.getMessage());
          }
        }
      }
      db.reached();
    } catch (SQLException e) {
      throw db.failed(what, e);
    }
    out.sort(Comparator.comparing(s -> s.definition().name()));
    return out;
  }

  private StoredDefinition parse(ResultSet rs, String name)
      throws SQLException, JsonProcessingException {
    String type = rs.getString(2);
    String parameters = rs.getString(4);
    if (parameters == null) {
      throw new IllegalArgumentException("no parameters");
    }
    Map<String, Object> params = json.readValue(parameters, MAP);
    if (params == null) {
      throw new IllegalArgumentException("parameters are JSON null, not an object");
    }
    PatternDefinition d = new PatternDefinition(type, name, rs.getString(3), params);
    return new StoredDefinition(
        d,
        Optional.ofNullable(rs.getString(5)),
        Optional.ofNullable(rs.getString(6)),
        rs.getTimestamp(7).toInstant(),
        rs.getTimestamp(8).toInstant());
  }
}
