package io.ndp.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ndp.api.Pattern;
import io.ndp.core.Ndp;
import io.ndp.core.PluginReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.URIUtil;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes the console's requests: the page, the JSON views, the event stream and the guarded
 * actions. The endpoints are documented on {@link NdpConsole}.
 *
 * <p>Thread-safe: it holds only the runtime, the feed and settings fixed at start.
 */
final class ConsoleHandler extends Handler.Abstract {

  private static final Logger LOG = LoggerFactory.getLogger(ConsoleHandler.class);

  /** The longest pattern, domain or plugin name accepted. */
  static final int MAX_NAME = 200;

  /** The largest action body accepted, in bytes. */
  static final int MAX_BODY = 4096;

  static final String JSON = "application/json; charset=utf-8";
  static final String PAGE_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
          + " img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private static final String ACTIONS = "/api/actions/";

  /** Whether a plugin in this state runs in PF4J: "start" refuses it (reload restarts one). */
  private static boolean running(PluginReport.Status status) {
    return status == PluginReport.Status.STARTED
        || status == PluginReport.Status.CONFLICT
        || status == PluginReport.Status.NO_EXTENSIONS;
  }

  private static final Set<String> LOOPBACK_HOSTS = Set.of("127.0.0.1", "localhost", "[::1]");

  private final Ndp ndp;
  private final ConsoleFeed feed;
  private final byte @Nullable [] tokenDigest;
  private final boolean loopback;
  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, byte[]> assets = new LinkedHashMap<>();
  private volatile int port;

  ConsoleHandler(Ndp ndp, ConsoleFeed feed, @Nullable String token, boolean loopback) {
    this.ndp = ndp;
    this.feed = feed;
    this.tokenDigest = token == null ? null : sha256(token);
    this.loopback = loopback;
    assets.put("/", asset("index.html"));
    assets.put("/index.html", assets.get("/"));
    assets.put("/console.js", asset("console.js"));
    assets.put("/console.css", asset("console.css"));
    assets.put("/vendor/uPlot.iife.min.js", asset("vendor/uplot/uPlot.iife.min.js"));
    assets.put("/vendor/uPlot.min.css", asset("vendor/uplot/uPlot.min.css"));
    assets.put("/vendor/uPlot-LICENSE.txt", asset("vendor/uplot/LICENSE"));
  }

  void bound(int boundPort) {
    this.port = boundPort;
  }

  boolean actionsEnabled() {
    return tokenDigest != null;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    response.getHeaders().put("Referrer-Policy", "no-referrer");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    String path = Request.getPathInContext(request);
    String method = request.getMethod();
    try {
      if (loopback && !loopbackHost(request)) {
        // A page of another site resolving its name to 127.0.0.1 (DNS rebinding) reads nothing.
        error(response, callback, HttpStatus.MISDIRECTED_REQUEST_421, "unknown host", null);
      } else if (path.startsWith(ACTIONS)) {
        action(request, response, callback, path.substring(ACTIONS.length()));
      } else if (!"GET".equals(method) && !"HEAD".equals(method)) {
        response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
        error(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "only GET here", null);
      } else if (path.equals("/api/events") && "HEAD".equals(method)) {
        // Headers only: no stream is opened for a request that reads no body.
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        callback.succeeded();
      } else if (assets.containsKey(path)) {
        page(response, callback, path);
      } else if (path.equals("/api/events")) {
        events(request, response, callback);
      } else if (path.startsWith("/api/")) {
        view(request, response, callback, path.substring("/api/".length()));
      } else {
        error(response, callback, HttpStatus.NOT_FOUND_404, "no such page: " + clip(path), null);
      }
    } catch (BadInput e) {
      error(response, callback, e.status, e.getMessage(), e.field);
    } catch (RuntimeException e) {
      LOG.warn("console: {} {} failed", method, clip(path), e);
      error(response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500, "internal error", null);
    }
    return true;
  }

  // ---------------------------------------------------------------- views

  private void view(Request request, Response response, Callback callback, String rest) {
    Fields query = Request.extractQueryParameters(request);
    if (rest.equals("patterns")) {
      send(response, callback, 200, Views.patterns(ndp));
    } else if (rest.startsWith("patterns/")) {
      String[] parts = rest.split("/", -1);
      if (parts.length != 4 || !parts[2].equals("domains")) {
        throw new BadInput(404, "no such view: /api/" + clip(rest), null);
      }
      cell(response, callback, segment("name", parts[1]), segment("domain", parts[3]));
    } else if (rest.equals("cell")) {
      // The same cell by query: names holding '/' cannot travel in a path (an encoded '/' is
      // refused), and domains like "eu/west" must still open.
      cell(
          response,
          callback,
          name("pattern", query.getValue("pattern")),
          name("domain", query.getValue("domain")));
    } else if (rest.equals("decisions")) {
      send(response, callback, 200, decisions(query));
    } else if (rest.equals("resources")) {
      send(
          response,
          callback,
          200,
          Views.resources(ndp.registry().resourcePool(), feed.conflicts()));
    } else if (rest.equals("plugins")) {
      send(response, callback, 200, Views.plugins(ndp, feed));
    } else if (rest.equals("console")) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("actions", tokenDigest != null);
      m.put("sampleMillis", NdpConsole.SAMPLE_MILLIS);
      m.put("recentDecisions", feed.capacity());
      m.put("droppedEvents", feed.droppedEvents());
      m.put("untrackedOutcomes", feed.untrackedOutcomes());
      send(response, callback, 200, m);
    } else {
      throw new BadInput(404, "no such view: /api/" + clip(rest), null);
    }
  }

  private void cell(Response response, Callback callback, String name, String domain) {
    Pattern p =
        ndp.registry()
            .find(name)
            .orElseThrow(() -> new BadInput(404, "no pattern named '" + name + "'", "name"));
    send(response, callback, 200, Views.cell(ndp, feed, p, domain));
  }

  private Map<String, Object> decisions(Fields query) {
    String domain = optionalName(query, "domain");
    String pattern = optionalName(query, "pattern");
    String outcome = query.getValue("outcome");
    Boolean success = null;
    if (outcome != null && !outcome.isEmpty()) {
      if (outcome.equals("success")) {
        success = true;
      } else if (outcome.equals("failure")) {
        success = false;
      } else {
        throw new BadInput(
            400,
            "outcome must be 'success' or 'failure' but was '" + clip(outcome) + "'",
            "outcome");
      }
    }
    int limit = feed.capacity();
    String limitText = query.getValue("limit");
    if (limitText != null && !limitText.isEmpty()) {
      try {
        limit = Integer.parseInt(limitText);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1) {
        throw new BadInput(
            400, "limit must be a positive integer but was '" + clip(limitText) + "'", "limit");
      }
    }
    List<Object> out = new ArrayList<>();
    for (ConsoleFeed.Recorded r : feed.recent()) {
      if (out.size() >= limit) {
        break;
      }
      var ctx = r.event().context();
      var res = r.event().result();
      if (domain != null && !domain.equals(ctx.domain())) {
        continue;
      }
      if (success != null && success != res.success()) {
        continue;
      }
      if (pattern != null
          && !pattern.equals(res.chosenPattern())
          && res.attempts().stream().noneMatch(a -> a.patternName().equals(pattern))) {
        continue;
      }
      out.add(Views.decision(r));
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("decisions", out);
    root.put("capacity", feed.capacity());
    root.put("seen", feed.executionsSeen());
    return root;
  }

  // ---------------------------------------------------------------- events

  private void events(Request request, Response response, Callback callback) {
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
    EventClient client =
        new EventClient(
            EventClient.DEFAULT_QUEUE_SIZE,
            feed.droppedCounter(),
            response,
            callback,
            feed::removeClient);
    feed.addClient(client);
    // The first bytes commit the headers, so a client knows the stream is open.
    client.offer(": connected\n\n");
  }

  String formatEvent(String type, Object event) {
    try {
      return "event: " + type + "\ndata: " + json.writeValueAsString(Views.event(event)) + "\n\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------- actions

  private void action(Request request, Response response, Callback callback, String what) {
    if (tokenDigest == null) {
      throw new BadInput(404, "actions are off: the host gave no actions token", null);
    }
    String origin = request.getHeaders().get(HttpHeader.ORIGIN);
    if (origin != null && !ownOrigin(origin, request)) {
      throw new BadInput(403, "cross-site request refused: foreign Origin", null);
    }
    String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    // The scheme's name is case-insensitive (RFC 9110, 11.1).
    String given =
        auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)
            ? auth.substring(7).trim()
            : "";
    if (!MessageDigest.isEqual(sha256(given), tokenDigest)) {
      response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
      throw new BadInput(401, "a valid Authorization: Bearer token is required", null);
    }
    if (!"POST".equals(request.getMethod())) {
      response.getHeaders().put(HttpHeader.ALLOW, "POST");
      throw new BadInput(405, "actions take POST", null);
    }
    JsonNode body = body(request);
    Map<String, Object> done = new LinkedHashMap<>();
    done.put("action", what);
    switch (what) {
      case "reset-pattern" -> {
        String pattern = knownPattern(body);
        ndp.registry().resetStatistics(pattern);
        done.put("pattern", pattern);
        done.put("done", "statistics of pattern '" + pattern + "' reset in every domain");
      }
      case "reset-domain" -> {
        String domain = name("domain", text(body, "domain"));
        ndp.registry().resetDomainStatistics(domain);
        done.put("domain", domain);
        done.put("done", "statistics of every pattern reset in domain '" + domain + "'");
      }
      case "force" -> {
        String domain = name("domain", text(body, "domain"));
        String pattern = knownPattern(body);
        Optional<String> before = pinned(() -> ndp.registry().pins().force(domain, pattern));
        done.put("domain", domain);
        done.put("pattern", pattern);
        done.put("replaced", before.orElse(null));
        done.put("done", "pattern '" + pattern + "' forced first in domain '" + domain + "'");
      }
      case "forbid" -> {
        String domain = name("domain", text(body, "domain"));
        String pattern = knownPattern(body);
        boolean changed = pinned(() -> ndp.registry().pins().forbid(domain, pattern));
        done.put("domain", domain);
        done.put("pattern", pattern);
        done.put("changed", changed);
        done.put("done", "pattern '" + pattern + "' forbidden in domain '" + domain + "'");
      }
      case "allow" -> {
        String domain = name("domain", text(body, "domain"));
        String pattern = name("pattern", text(body, "pattern"));
        boolean changed = ndp.registry().pins().allow(domain, pattern);
        done.put("domain", domain);
        done.put("pattern", pattern);
        done.put("changed", changed);
        done.put("done", "pattern '" + pattern + "' allowed in domain '" + domain + "'");
      }
      default -> plugin(what, done);
    }
    LOG.info(
        "console action {} by {}: {}",
        what,
        request.getConnectionMetaData().getRemoteSocketAddress(),
        done.get("done"));
    feed.publish("action", done);
    send(response, callback, 200, done);
  }

  private void plugin(String what, Map<String, Object> done) {
    String[] parts = what.split("/", -1);
    if (parts.length != 3 || !parts[0].equals("plugins")) {
      throw new BadInput(404, "no such action: " + clip(what), null);
    }
    String id = segment("id", parts[1]);
    PluginReport report =
        ndp.pluginReport(id)
            .orElseThrow(() -> new BadInput(404, "no plugin with id '" + id + "'", "id"));
    done.put("action", "plugin-" + parts[2]);
    done.put("id", id);
    try {
      switch (parts[2]) {
        case "stop" -> {
          boolean stopped = ndp.stopPlugin(id);
          done.put("stopped", stopped);
          done.put(
              "done",
              stopped
                  ? "plugin '" + id + "' stopped"
                  : "plugin '" + id + "' not stopped yet: executions still running");
        }
        case "start" -> {
          if (running(report.status())) {
            // Running, whether or not it serves a type (CONFLICT, NO_EXTENSIONS): reload it.
            throw new BadInput(
                409, "plugin '" + id + "' is already started (" + report.status() + ")", "id");
          }
          // Out of PF4J first when it is still there (stopped, failed), then its JAR anew, with
          // the plugins that depend on it.
          PluginReport after = ndp.reloadPlugin(id);
          done.put("plugin", Views.plugin(after, feed));
          done.put("done", "plugin '" + id + "' loaded: " + after.status());
        }
        case "reload" -> {
          // A changed JAR brings its new version, a failed one gets another try; the runtime's
          // drain timeout bounds the wait for executions of its patterns (409 after it).
          PluginReport after = ndp.reloadPlugin(id);
          done.put("plugin", Views.plugin(after, feed));
          done.put("done", "plugin '" + id + "' reloaded: " + after.status());
        }
        default -> throw new BadInput(404, "no such action: " + clip(what), null);
      }
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw new BadInput(409, String.valueOf(e.getMessage()), "id");
    }
  }

  private String knownPattern(JsonNode body) {
    String pattern = name("pattern", text(body, "pattern"));
    if (ndp.registry().find(pattern).isEmpty()) {
      throw new BadInput(
          400, "pattern must name a registered pattern but was '" + pattern + "'", "pattern");
    }
    return pattern;
  }

  private static <T> T pinned(java.util.function.Supplier<T> change) {
    try {
      return change.get();
    } catch (IllegalArgumentException e) {
      throw new BadInput(409, String.valueOf(e.getMessage()), "pattern");
    }
  }

  private JsonNode body(Request request) {
    long length = request.getLength();
    if (length > MAX_BODY) {
      throw new BadInput(413, "the body must be at most " + MAX_BODY + " bytes", null);
    }
    byte[] bytes;
    try (InputStream in = Content.Source.asInputStream(request)) {
      bytes = in.readNBytes(MAX_BODY + 1);
    } catch (IOException e) {
      throw new BadInput(400, "the body could not be read", null);
    }
    if (bytes.length > MAX_BODY) {
      throw new BadInput(413, "the body must be at most " + MAX_BODY + " bytes", null);
    }
    if (bytes.length == 0) {
      return json.createObjectNode();
    }
    try {
      JsonNode node = json.readTree(bytes);
      if (node == null || !node.isObject()) {
        throw new BadInput(400, "the body must be a JSON object", "body");
      }
      return node;
    } catch (IOException e) {
      throw new BadInput(400, "the body must be a JSON object", "body");
    }
  }

  private static @Nullable String text(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new BadInput(400, field + " must be a string but was " + v.getNodeType(), field);
    }
    return v.asText();
  }

  // ---------------------------------------------------------------- checks

  /** A name: non-blank, at most {@link #MAX_NAME} characters, no control characters. */
  static String name(String field, @Nullable String value) {
    if (value == null || value.isBlank()) {
      throw new BadInput(
          400,
          field + " must be a non-blank name but was " + (value == null ? "missing" : "blank"),
          field);
    }
    if (value.length() > MAX_NAME) {
      throw new BadInput(
          400,
          String.format(
              Locale.ROOT,
              "%s must be at most %d characters but had %d",
              field,
              MAX_NAME,
              value.length()),
          field);
    }
    if (value.chars().anyMatch(Character::isISOControl)) {
      throw new BadInput(400, field + " must not contain control characters", field);
    }
    return value;
  }

  /**
   * A name carried as one path segment, still percent-encoded as the path came (so an encoded
   * {@code /} stays inside its segment): decoded, then checked as {@link #name}.
   */
  static String segment(String field, String raw) {
    String decoded;
    try {
      decoded = URIUtil.decodePath(raw);
    } catch (IllegalArgumentException e) {
      throw new BadInput(400, field + " is not validly percent-encoded: " + clip(raw), field);
    }
    return name(field, decoded);
  }

  private static @Nullable String optionalName(Fields query, String field) {
    String v = query.getValue(field);
    return v == null || v.isEmpty() ? null : name(field, v);
  }

  private boolean ownOrigin(String origin, Request request) {
    if (loopback) {
      for (String host : LOOPBACK_HOSTS) {
        if (origin.equals("http://" + host + ":" + port)) {
          return true;
        }
      }
      return false;
    }
    // Bound to another address: the page was served under the name the browser used. A rebound
    // name passes this check, but not the token check after it.
    String authority = request.getHeaders().get(HttpHeader.HOST);
    return authority != null && origin.equals("http://" + authority);
  }

  private boolean loopbackHost(Request request) {
    String host = Request.getServerName(request);
    if (host.startsWith("[") || host.contains(":")) {
      host = host.startsWith("[") ? host : "[" + host + "]";
    }
    return LOOPBACK_HOSTS.contains(host.toLowerCase(Locale.ROOT));
  }

  private static String clip(String s) {
    if (s.length() <= 80) {
      return s;
    }
    // Never half of a character: a cut before a low surrogate moves back one.
    int end = Character.isLowSurrogate(s.charAt(80)) ? 79 : 80;
    return s.substring(0, end) + "…";
  }

  // ---------------------------------------------------------------- answers

  private void page(Response response, Callback callback, String path) {
    byte[] body = assets.get(path);
    String type =
        path.endsWith(".js")
            ? "text/javascript; charset=utf-8"
            : path.endsWith(".css")
                ? "text/css; charset=utf-8"
                : path.endsWith(".txt") ? "text/plain; charset=utf-8" : "text/html; charset=utf-8";
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    response.getHeaders().put("Content-Security-Policy", PAGE_POLICY);
    response.getHeaders().put("X-Frame-Options", "DENY");
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  private void send(Response response, Callback callback, int status, Object value) {
    byte[] body;
    try {
      body = json.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  private void error(
      Response response, Callback callback, int status, String message, @Nullable String field) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("error", message);
    if (field != null) {
      m.put("field", field);
    }
    send(response, callback, status, m);
  }

  private static byte[] asset(String name) {
    try (InputStream in = ConsoleHandler.class.getResourceAsStream("static/" + name)) {
      if (in == null) {
        throw new IllegalStateException("console asset missing from the JAR: static/" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /** A request the console refuses, with its status and the field at fault. */
  static final class BadInput extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final transient @Nullable String field;

    BadInput(int status, String message, @Nullable String field) {
      super(message, null, false, false);
      this.status = status;
      this.field = field;
    }
  }
}
