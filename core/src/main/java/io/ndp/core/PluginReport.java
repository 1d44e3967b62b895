package io.ndp.core;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What happened to one plugin JAR (or one contributed pattern type): its id, path, status, the
 * reason in words, and the pattern types it provides to the host.
 *
 * <p>Immutable and thread-safe.
 *
 * @param pluginId the {@code Plugin-Id}; {@code id@file.jar} for a superseded or duplicate JAR;
 *     {@code ?@file.jar} when the JAR has no readable descriptor
 * @param path the JAR
 * @param status what state the plugin is in
 * @param reason why, in words (empty when started without trouble)
 * @param types the pattern type ids it provides to the host
 * @since 0.1.0
 */
public record PluginReport(
    String pluginId, Path path, Status status, String reason, List<String> types) {

  /** Copies the types. */
  public PluginReport {
    Objects.requireNonNull(pluginId, "pluginId");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(reason, "reason");
    types = List.copyOf(types);
  }

  /** Returns whether the plugin contributes its pattern types. */
  public boolean isHealthy() {
    return status == Status.STARTED;
  }

  /** The state of a plugin as the host sees it. */
  public enum Status {
    /** Started; its pattern types are available. */
    STARTED,
    /** Started, but one of its types was already provided by another source and is not used. */
    CONFLICT,
    /** Started, but it provides no pattern factory. */
    NO_EXTENSIONS,
    /** Its {@code Plugin.start()} threw, or its classes could not be loaded. */
    FAILED,
    /** Its {@code Plugin-Requires} range excludes the host's NDP API version. */
    DISABLED,
    /**
     * Left out before anything started: a required dependency is missing, in a version outside its
     * range, disabled or unusable, or part of a dependency cycle (the reason names which).
     */
    UNRESOLVED,
    /** Not a plugin PF4J can load: corrupt, without descriptor, or a duplicate id. */
    INVALID,
    /** Not loaded: a higher version of the same plugin id is in the folder. */
    SUPERSEDED,
    /** Bundles its own copy of the NDP API or PF4J, which breaks class identity. */
    API_CLASH,
    /** Stopped at runtime (or with a plugin it depends on); its patterns left the registry. */
    STOPPED,
    /** Unloaded at runtime; the reason says whether its class loader was collected yet. */
    UNLOADED,
    /** Unloaded, but threads it started still run and keep its class loader alive (named). */
    LEAKED,
    /**
     * Not loaded: the host's {@link PluginTrust} refused the JAR (its SHA-256 is not listed, its
     * listed id or version differs, an entry is unsigned, signed by an untrusted signer or altered,
     * or it is not a JAR); the reason says which. No class of it was defined.
     *
     * @since 0.2.0
     */
    REFUSED
  }
}
