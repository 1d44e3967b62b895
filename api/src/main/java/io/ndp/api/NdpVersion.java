package io.ndp.api;

/**
 * The version of the NDP API that this jar implements. Hosts hand it to PF4J as the system version,
 * and plugins name the range they accept in their {@code Plugin-Requires} manifest entry (e.g.
 * {@code >=0.2.0 & <0.3.0}).
 *
 * @since 0.1.0
 */
public final class NdpVersion {

  /** The API version, without qualifier, in semantic-versioning form. */
  public static final String API_VERSION = "0.2.0";

  private NdpVersion() {}
}
