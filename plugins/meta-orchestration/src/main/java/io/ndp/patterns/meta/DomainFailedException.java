package io.ndp.patterns.meta;

import io.ndp.api.NdpException;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The cause of a failed {@link MetaOrchestrationPattern} outcome: which domain failed and why. Its
 * own cause is the delegate's exception, or the nested pattern's, when there is one.
 *
 * <p>When a domain's nested context selected the same pattern again (and again, until the
 * executor's depth limit), the chain is reported once: {@link #domainPath()} lists the domain at
 * each level, outermost first, and {@link #reason()} is the innermost reason, typically the
 * depth-limit message.
 *
 * <p>Immutable once thrown and safe to share between threads.
 *
 * @since 0.1.0
 */
public final class DomainFailedException extends NdpException {
  private static final long serialVersionUID = 1L;

  private final String patternName;
  private final List<String> domainPath;
  private final String reason;

  /**
   * @param patternName the meta-orchestration pattern whose domain failed
   * @param domainPath the failed domain, followed by the domains of the same pattern nested in it
   * @param reason why the innermost domain failed
   * @param cause the underlying failure, if any
   * @throws IllegalArgumentException when the path is empty
   */
  public DomainFailedException(
      String patternName, List<String> domainPath, String reason, @Nullable Throwable cause) {
    super(message(patternName, domainPath, reason), cause);
    this.patternName = patternName;
    this.domainPath = List.copyOf(domainPath);
    this.reason = reason;
  }

  private static String message(String patternName, List<String> domainPath, String reason) {
    if (domainPath == null || domainPath.isEmpty()) {
      throw new IllegalArgumentException("domainPath must name at least the failed domain");
    }
    if (domainPath.size() == 1) {
      return String.format(
          Locale.ROOT,
          "domain '%s' of pattern '%s' failed: %s",
          domainPath.get(0),
          patternName,
          reason);
    }
    return String.format(
        Locale.ROOT,
        "domain '%s' of pattern '%s' failed after %d nested selections of the same pattern (%s):"
            + " %s",
        domainPath.get(0),
        patternName,
        domainPath.size() - 1,
        String.join(" > ", domainPath),
        reason);
  }

  /** Returns the meta-orchestration pattern whose domain failed. */
  public String patternName() {
    return patternName;
  }

  /** Returns the failed domain (of the outermost run). */
  public String domain() {
    return domainPath.get(0);
  }

  /** Returns the failed domain followed by the same pattern's domains nested in it. */
  public List<String> domainPath() {
    return domainPath;
  }

  /** Returns why the innermost domain failed. */
  public String reason() {
    return reason;
  }
}
