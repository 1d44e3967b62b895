package io.ndp.console;

import io.ndp.api.event.NdpListener;
import io.ndp.core.Ndp;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live console for an NDP runtime: a small embedded HTTP server (Jetty core) with a JSON API
 * behind every view, a stream of server-sent events and a page that shows them.
 *
 * <pre>{@code
 * ConsoleFeed feed = NdpConsole.feed();
 * Ndp ndp = Ndp.builder().listener(feed).build();
 * try (NdpConsole console = NdpConsole.builder(ndp).feed(feed).port(8080).start()) {
 *   // http://127.0.0.1:8080/
 * }
 * }</pre>
 *
 * <h2>Endpoints</h2>
 *
 * Every answer of the API is {@code application/json; charset=utf-8}; errors are {@code {"error":
 * "...", "field": "..."}} with the field named when one input was wrong.
 *
 * <ul>
 *   <li>{@code GET /} the page ({@code /console.js}, {@code /console.css} beside it).
 *   <li>{@code GET /api/patterns}: {@code patterns}: every pattern with {@code name}, {@code type},
 *       {@code description}, {@code agentTypes}, {@code definition} (type, name, description,
 *       parameters), {@code overall} and {@code domains} (domain to {@code successes}, {@code
 *       failures}, {@code effectiveSampleSize}, {@code confidence}, {@code level}); {@code pins}:
 *       {@code forced} (domain to pattern) and {@code forbidden} (domain to patterns).
 *   <li>{@code GET /api/patterns/{name}/domains/{domain}}: one cell: the statistics above, the
 *       {@code breaker} state, whether the pattern is {@code forced} or {@code forbidden} there,
 *       its {@code prior} (alpha, beta, mean), {@code lastOutcomes} (at, kind, status,
 *       durationMillis; up to {@value ConsoleFeed#CELL_OUTCOMES}) and {@code history} (at,
 *       epochMillis, confidence, successes, failures: points sampled every {@value #SAMPLE_MILLIS}
 *       ms while the cell changes, then one for now); 404 for an unknown pattern.
 *   <li>{@code GET /api/cell?pattern=&domain=}: the same cell by query. (Names in a path are
 *       percent-decoded segment by segment: {@code eu%2Fwest} is the domain {@code eu/west}.)
 *   <li>{@code GET /api/decisions?domain=&pattern=&outcome=&limit=}: {@code decisions}, newest
 *       first: {@code sequence}, {@code finishedAt}, {@code domain}, {@code agentType}, {@code
 *       depth}, {@code chosenPattern}, {@code success}, {@code message}, {@code durationMillis},
 *       {@code fallbacks}, {@code retries}, {@code attempts} (pattern, kind, status, fallback,
 *       message, durationMillis) and {@code decision} (policy, minConfidence, maxAttempts, {@code
 *       entries} with pattern, verdict, match, posteriorMean, effectiveSampleSize, sample, why;
 *       notes). {@code pattern} matches the chosen pattern or any attempted one; {@code outcome} is
 *       {@code success} or {@code failure}.
 *   <li>{@code GET /api/resources}: {@code resources} (name, capacity, inUse, conflicts), {@code
 *       defaultCapacity}, {@code waitingRequests}.
 *   <li>{@code GET /api/plugins}: {@code plugins}: id, version (when an event told it), state,
 *       healthy, reason, path, types.
 *   <li>{@code GET /api/console}: {@code actions} (whether they are on), {@code sampleMillis},
 *       {@code recentDecisions}, {@code droppedEvents}, {@code untrackedOutcomes}.
 *   <li>{@code GET /api/events}: {@code text/event-stream}; events {@code execution-finished} (data
 *       as one decision above), {@code breaker-changed}, {@code resource-acquired}, {@code
 *       resource-released}, {@code resource-conflict}, {@code plugin-loaded}, {@code
 *       plugin-failed}, {@code plugin-stopped}, {@code statistics-reset}, {@code
 *       confidence-crossed}, {@code action}; one JSON {@code data:} line each.
 *   <li>Actions, {@code POST} with a JSON body, only when an {@linkplain Builder#actionsToken
 *       actions token} was given: {@code /api/actions/reset-pattern} {@code {"pattern"}}, {@code
 *       /reset-domain} {@code {"domain"}}, {@code /force}, {@code /forbid}, {@code /allow} {@code
 *       {"domain","pattern"}}, {@code /plugins/{id}/stop}, {@code /plugins/{id}/start}, {@code
 *       /plugins/{id}/reload} ({@code Ndp.reloadPlugin}). They answer 404 when actions are off, 403
 *       when an {@code Origin} header names another origin than the console's, 401 without {@code
 *       Authorization: Bearer <token>} or with a wrong one, 400 naming the bad field, and otherwise
 *       200 with {@code {"action", "done", ...}}. Each action done is logged and sent as an {@code
 *       action} event.
 * </ul>
 *
 * <p>Secure defaults: binds to {@code 127.0.0.1}; actions off; on a loopback address requests must
 * name a loopback host (against DNS rebinding); no payloads, outputs or secrets in answers; names
 * non-blank and at most {@value ConsoleHandler#MAX_NAME} characters; bodies at most {@value
 * ConsoleHandler#MAX_BODY} bytes; {@code X-Content-Type-Options: nosniff} everywhere and a
 * restrictive {@code Content-Security-Policy} on the page.
 *
 * <p>Thread-safe.
 *
 * @since 0.1.0
 */
public final class NdpConsole implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NdpConsole.class);

  /** The address bound unless told otherwise: loopback only. */
  public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";

  /** How many recent executions a feed keeps unless told otherwise. */
  public static final int DEFAULT_RECENT_DECISIONS = 200;

  /** The shortest actions token accepted. */
  public static final int MIN_TOKEN_LENGTH = 16;

  /** Seconds between keep-alive comments on open event streams (they also find gone clients). */
  static final long HEARTBEAT_SECONDS = 15;

  /** Milliseconds between looks for cells whose confidence changed (the chart's resolution). */
  static final long SAMPLE_MILLIS = 1000;

  private final Server server;
  private final ServerConnector connector;
  private final ConsoleFeed feed;
  private final ConsoleHandler handler;
  private final ScheduledExecutorService heartbeat;
  private final Ndp ndp;
  private final ConsoleFeed.EventFormat format;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile @Nullable ConsoleFeed ownedListener;

  private NdpConsole(Builder b, ConsoleFeed feed) throws Exception {
    this.feed = feed;
    this.ndp = b.ndp;
    this.server = new Server();
    // Names are routed segment by segment and decoded there, so an encoded '/' or '%' inside a
    // pattern, domain or plugin name is data, not a separator: Jetty need not refuse it.
    HttpConfiguration http = new HttpConfiguration();
    http.setUriCompliance(
        UriCompliance.DEFAULT.with(
            "ndp-console",
            UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
            UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING));
    http.setSendServerVersion(false);
    this.connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
    connector.setHost(b.bindAddress);
    connector.setPort(b.port);
    server.addConnector(connector);
    this.handler = new ConsoleHandler(b.ndp, feed, b.actionsToken, loopback(b.bindAddress));
    server.setHandler(handler);
    this.format = handler::formatEvent;
    // What Jetty refuses before the handler runs (e.g. an encoded '/' in a path) is answered as
    // JSON too, with the same headers.
    server.setErrorHandler(new JsonErrorHandler());
    server.setStopTimeout(0);
    try {
      server.start();
    } catch (Exception e) {
      server.stop();
      throw e;
    }
    handler.bound(connector.getLocalPort());
    try {
      feed.attach(format);
    } catch (IllegalStateException e) {
      server.stop();
      throw e;
    }
    this.heartbeat =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ndp-console-heartbeat");
              t.setDaemon(true);
              return t;
            });
    heartbeat.scheduleAtFixedRate(
        () -> {
          // A throw here would cancel every later keep-alive: none may escape.
          for (EventClient c : feed.clients()) {
            try {
              c.offer(": keep-alive\n\n");
            } catch (RuntimeException e) {
              LOG.debug("console: a stream refused a keep-alive", e);
            }
          }
        },
        HEARTBEAT_SECONDS,
        HEARTBEAT_SECONDS,
        TimeUnit.SECONDS);
    heartbeat.scheduleWithFixedDelay(
        () -> sample(b.ndp, feed), 0, SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
  }

  /**
   * Adds a confidence point to every cell that changed since the last look: reading the store is
   * the console's work, not the executing thread's.
   */
  static void sample(Ndp ndp, ConsoleFeed feed) {
    feed.cells()
        .forEach(
            (pattern, byDomain) ->
                byDomain.forEach(
                    (domain, track) -> {
                      if (!track.takeDirty()) {
                        return;
                      }
                      try {
                        Views.point(ndp, pattern, domain).ifPresent(track::addPoint);
                      } catch (RuntimeException e) {
                        // The store may be down or the runtime closing: look again next time.
                        track.touch();
                        LOG.debug("console: no confidence point for {} in {}", pattern, domain, e);
                      }
                    }));
  }

  /**
   * Starts a console on {@code 127.0.0.1:port} for a running runtime, actions off: the one line a
   * host needs. It adds its feed to the runtime ({@code Ndp.addListener}), so the decision feed
   * shows the executions from now on.
   *
   * @param ndp the runtime
   * @param port the port; 0 for any free one ({@link #port()} says which)
   * @return the running console
   * @throws IllegalArgumentException when the runtime is null or the port is outside [0, 65535]
   * @throws IllegalStateException when the server cannot start (e.g. the port is taken)
   */
  public static NdpConsole start(Ndp ndp, int port) {
    return builder(ndp).port(port).start();
  }

  /**
   * Creates a feed to register with a runtime before it is built, keeping {@value
   * #DEFAULT_RECENT_DECISIONS} recent executions.
   *
   * @return a new feed
   */
  public static ConsoleFeed feed() {
    return new ConsoleFeed(DEFAULT_RECENT_DECISIONS);
  }

  /**
   * Creates a feed keeping {@code recentDecisions} recent executions.
   *
   * @param recentDecisions the ring size, at least 1
   * @return a new feed
   * @throws IllegalArgumentException when the size is below 1
   */
  public static ConsoleFeed feed(int recentDecisions) {
    return new ConsoleFeed(recentDecisions);
  }

  /**
   * Starts describing a console over {@code ndp}.
   *
   * @param ndp the runtime to show
   * @return a builder
   * @throws IllegalArgumentException when {@code ndp} is null
   */
  public static Builder builder(Ndp ndp) {
    if (ndp == null) {
      throw new IllegalArgumentException("the runtime to show must not be null");
    }
    return new Builder(ndp);
  }

  /** {@return the port the console listens on (the one chosen when 0 was asked)} */
  public int port() {
    return connector.getLocalPort();
  }

  /** {@return the listener that feeds the decision list and the event stream} */
  public NdpListener listener() {
    return feed;
  }

  /** {@return the feed behind this console} */
  public ConsoleFeed consoleFeed() {
    return feed;
  }

  /** {@return whether actions are on (a token was given)} */
  public boolean actionsEnabled() {
    return handler.actionsEnabled();
  }

  /**
   * Stops the server: open streams end, the port is free when this returns, and a feed the console
   * created itself leaves the runtime. Idempotent: closing again touches nothing (not a console
   * started on the same feed since).
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    heartbeat.shutdownNow();
    feed.detach(format);
    for (EventClient c : feed.clients()) {
      c.close();
    }
    ConsoleFeed own = ownedListener;
    if (own != null) {
      ndp.removeListener(own);
    }
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("console: the server on port {} did not stop cleanly", port(), e);
    }
    LOG.info("console: stopped");
  }

  private static boolean loopback(String address) {
    try {
      return InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** Jetty's own error answers, as JSON with the console's headers. */
  private static final class JsonErrorHandler
      extends org.eclipse.jetty.server.handler.ErrorHandler {
    @Override
    protected void generateResponse(
        org.eclipse.jetty.server.Request request,
        org.eclipse.jetty.server.Response response,
        int code,
        String message,
        Throwable cause,
        org.eclipse.jetty.util.Callback callback) {
      String text = message == null ? "error " + code : message;
      StringBuilder json = new StringBuilder("{\"error\":\"");
      for (char c : text.toCharArray()) {
        if (c == '"' || c == '\\') {
          json.append('\\').append(c);
        } else if (c < 0x20 || c > 0x7e) {
          json.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
        } else {
          json.append(c);
        }
      }
      json.append("\"}");
      response.getHeaders().put("Content-Type", "application/json; charset=utf-8");
      response.getHeaders().put("X-Content-Type-Options", "nosniff");
      response.getHeaders().put("Cache-Control", "no-store");
      response.write(
          true,
          java.nio.ByteBuffer.wrap(
              json.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)),
          callback);
    }
  }

  /**
   * Settings of a console; {@link #start()} validates their combination and starts the server.
   *
   * <p>Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {

    private final Ndp ndp;
    private int port;
    private String bindAddress = DEFAULT_BIND_ADDRESS;
    private @Nullable String actionsToken;
    private int recentDecisions = DEFAULT_RECENT_DECISIONS;
    private boolean recentDecisionsSet;
    private @Nullable ConsoleFeed feed;

    private Builder(Ndp ndp) {
      this.ndp = ndp;
    }

    /**
     * Sets the port.
     *
     * @param port 0 for any free port, else 1 to 65535
     * @return this builder
     * @throws IllegalArgumentException when out of range
     */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException(
            String.format(Locale.ROOT, "port must be within [0, 65535] but was %d", port));
      }
      this.port = port;
      return this;
    }

    /**
     * Sets the address to bind; {@value NdpConsole#DEFAULT_BIND_ADDRESS} unless told otherwise.
     *
     * @param address an IP address or host name, non-blank
     * @return this builder
     * @throws IllegalArgumentException when blank
     */
    public Builder bindAddress(String address) {
      if (address == null || address.isBlank()) {
        throw new IllegalArgumentException(
            "bindAddress must be a non-blank address but was " + describe(address));
      }
      this.bindAddress = address;
      return this;
    }

    /**
     * Turns actions on, guarded by {@code token} ({@code Authorization: Bearer <token>}).
     *
     * @param token at least {@value NdpConsole#MIN_TOKEN_LENGTH} characters, no white space
     * @return this builder
     * @throws IllegalArgumentException when shorter or holding white space (the message does not
     *     repeat it)
     */
    public Builder actionsToken(String token) {
      if (token == null || token.length() < MIN_TOKEN_LENGTH) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "actionsToken must be at least %d characters but was %s",
                MIN_TOKEN_LENGTH,
                token == null ? "null" : token.length() + " characters"));
      }
      if (token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
        // HTTP carries header values as ISO-8859-1: only visible ASCII survives every client.
        throw new IllegalArgumentException(
            "actionsToken must be visible ASCII characters only (no white space, no accents)");
      }
      this.actionsToken = token;
      return this;
    }

    /**
     * Sets how many recent executions the console's own feed keeps (when no {@link #feed} is
     * given).
     *
     * @param size at least 1
     * @return this builder
     * @throws IllegalArgumentException when below 1
     */
    public Builder recentDecisions(int size) {
      if (size < 1) {
        throw new IllegalArgumentException(
            String.format(Locale.ROOT, "recentDecisions must be at least 1 but was %d", size));
      }
      this.recentDecisions = size;
      this.recentDecisionsSet = true;
      return this;
    }

    /**
     * Uses a feed registered with the runtime as its listener (at build, with {@code
     * Ndp.builder().listener(feed)}: it then also hears executions from the start); without one the
     * console creates its own and adds it to the running runtime ({@code Ndp.addListener}).
     *
     * @param given the feed
     * @return this builder
     * @throws IllegalArgumentException when null
     */
    public Builder feed(ConsoleFeed given) {
      if (given == null) {
        throw new IllegalArgumentException("the feed must not be null");
      }
      this.feed = given;
      return this;
    }

    /**
     * Starts the console.
     *
     * @return the running console
     * @throws IllegalStateException when both a feed and a different {@link #recentDecisions} were
     *     given, or when the server cannot start (e.g. the port is taken)
     */
    public NdpConsole start() {
      ConsoleFeed f = feed;
      if (f != null && recentDecisionsSet && recentDecisions != f.capacity()) {
        throw new IllegalStateException(
            String.format(
                Locale.ROOT,
                "recentDecisions %d differs from the given feed's capacity %d; size the feed with"
                    + " NdpConsole.feed(int)",
                recentDecisions,
                f.capacity()));
      }
      boolean own = f == null;
      if (own) {
        f = new ConsoleFeed(recentDecisions);
      }
      NdpConsole console = null;
      try {
        console = new NdpConsole(this, f);
        if (own) {
          ndp.addListener(f); // from now on: decisions, breaker, resource and plugin events
          console.ownedListener = f; // removed from the runtime again by close()
        }
        LOG.info(
            "console: listening on http://{}:{}/ (actions {})",
            bindAddress,
            console.port(),
            actionsToken == null ? "off" : "on");
        return console;
      } catch (Exception e) {
        if (console != null) {
          console.close(); // nothing left running: server, threads, the feed's dispatcher
        }
        throw new IllegalStateException(
            String.format(
                Locale.ROOT,
                "console could not start on %s:%d: %s",
                bindAddress,
                port,
                Objects.toString(e.getMessage(), e.getClass().getSimpleName())),
            e);
      }
    }

    private static String describe(@Nullable String s) {
      return s == null ? "null" : "'" + s + "'";
    }
  }
}
