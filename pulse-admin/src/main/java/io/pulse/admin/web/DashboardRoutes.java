package io.pulse.admin.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pulse.admin.ActionResult;
import io.pulse.admin.AdminActions;
import io.pulse.admin.AdminJson;
import io.pulse.admin.PulseAdmin;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's HTTP routes: the page and its two bundled assets, the overview (once or as a stream
 * of server-sent events), a map's keys, a job, and the guarded actions. Every request passes the
 * token check; actions also need {@code POST}, a JSON body, the header {@code X-Pulse-Confirm: yes}
 * (which a page from another site cannot send without the browser asking first) and, when the browser
 * names one, an {@code Origin} equal to the dashboard's own.
 */
final class DashboardRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardRoutes.class);
    private static final String ASSETS = "/io/pulse/admin/web/";
    private static final Map<String, String> STATIC = Map.of(
            "/", "index.html", "/index.html", "index.html", "/app.js", "app.js", "/app.css", "app.css",
            "/favicon.svg", "favicon.svg");
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final PulseAdmin admin;
    private final Sampler sampler;
    private final byte[] token;
    private final AtomicInteger eventStreams = new AtomicInteger();
    private final boolean loopbackOnly;
    private volatile int port;

    DashboardRoutes(PulseAdmin admin, Sampler sampler, String token, boolean loopbackOnly) {
        this.admin = admin;
        this.sampler = sampler;
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.loopbackOnly = loopbackOnly;
    }

    void register(HttpServer server) {
        this.port = server.getAddress().getPort();
        server.createContext("/", exchange -> guarded(exchange, this::route));
    }

    /**
     * On loopback, only requests addressed to this host: a page elsewhere whose name was made to
     * resolve to 127.0.0.1 (DNS rebinding) would otherwise count as the dashboard's own origin.
     */
    private boolean hostAllowed(String host) {
        if (!loopbackOnly) {
            return true;
        }
        return host != null && (host.equals("127.0.0.1:" + port) || host.equals("localhost:" + port)
                || host.equals("[::1]:" + port));
    }

    private interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private void guarded(HttpExchange exchange, Handler handler) throws IOException {
        try (exchange) {
            Headers h = exchange.getResponseHeaders();
            h.set("X-Content-Type-Options", "nosniff");
            h.set("Referrer-Policy", "no-referrer");
            h.set("Content-Security-Policy", CSP);
            if (!hostAllowed(exchange.getRequestHeaders().getFirst("Host"))) {
                send(exchange, 403, "text/plain", "this dashboard answers only to 127.0.0.1, localhost or [::1]");
                return;
            }
            if (!authorized(exchange.getRequestHeaders().getFirst("Authorization"))) {
                h.set("WWW-Authenticate", "Basic realm=\"Pulse dashboard\", charset=\"UTF-8\"");
                send(exchange, 401, "text/plain", "authentication required");
                return;
            }
            try {
                handler.handle(exchange);
            } catch (IllegalArgumentException | NullPointerException e) {
                send(exchange, 400, "application/json", AdminJson.write(new ActionResult(false, String.valueOf(e.getMessage()))));
            } catch (RuntimeException e) {
                LOG.atWarn().setCause(e).addKeyValue("path", exchange.getRequestURI().getPath()).log("dashboard request failed");
                send(exchange, 502, "application/json", AdminJson.write(new ActionResult(false, "Redis: " + e.getMessage())));
            }
        }
    }

    private boolean authorized(String header) {
        if (token == null) {
            return true;
        }
        if (header == null) {
            return false;
        }
        byte[] given;
        if (header.startsWith("Basic ")) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return false;
            }
            int colon = decoded.indexOf(':');
            given = decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
        } else if (header.startsWith("Bearer ")) {
            given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        } else {
            return false;
        }
        return MessageDigest.isEqual(given, token);
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        if (path.startsWith("/api/actions/")) {
            action(exchange, path.substring("/api/actions/".length()));
            return;
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            send(exchange, 405, "text/plain", "method not allowed");
            return;
        }
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        switch (path) {
            case "/api/overview" -> {
                Sampler.Snapshot snapshot = awaitSnapshot(0);
                if (snapshot == null) {
                    send(exchange, 503, "text/plain", "no overview read yet");
                } else {
                    send(exchange, 200, "application/json", snapshot.json());
                }
            }
            case "/api/events" -> events(exchange);
            case "/api/map" -> found(exchange, admin.map(query.get("name"),
                    Integer.parseInt(query.getOrDefault("limit", "100"))));
            case "/api/job" -> found(exchange, admin.job(query.get("pool"), query.get("key")));
            default -> asset(exchange, path);
        }
    }

    private Sampler.Snapshot awaitSnapshot(long seen) throws IOException {
        try {
            return sampler.next(seen, Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private void asset(HttpExchange exchange, String path) throws IOException {
        String file = STATIC.get(path);
        if (file == null) {
            send(exchange, 404, "text/plain", "not found");
            return;
        }
        try (InputStream in = DashboardRoutes.class.getResourceAsStream(ASSETS + file)) {
            if (in == null) {
                throw new IllegalStateException("dashboard asset missing from the jar: " + file);
            }
            String type = file.endsWith(".js") ? "text/javascript" : file.endsWith(".css") ? "text/css"
                    : file.endsWith(".svg") ? "image/svg+xml" : "text/html";
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            send(exchange, 200, type, in.readAllBytes());
        }
    }

    /** Server-sent events: one {@code overview} event per new sample, a comment every 15 s otherwise. */
    private void events(HttpExchange exchange) throws IOException {
        if (eventStreams.incrementAndGet() > Dashboard.MAX_EVENT_STREAMS) {
            eventStreams.decrementAndGet();
            send(exchange, 503, "text/plain", "too many open dashboards");
            return;
        }
        try {
            Headers h = exchange.getResponseHeaders();
            h.set("Content-Type", "text/event-stream; charset=utf-8");
            h.set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            long seen = 0;
            while (!Thread.currentThread().isInterrupted()) {
                Sampler.Snapshot snapshot;
                try {
                    snapshot = sampler.next(seen, Duration.ofSeconds(15));
                } catch (InterruptedException e) {
                    return;
                }
                String message = snapshot == null ? ": keep-alive\n\n"
                        : "event: overview\nid: " + snapshot.version() + "\ndata: " + snapshot.json() + "\n\n";
                if (snapshot != null) {
                    seen = snapshot.version();
                }
                out.write(message.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            // the browser went away
        } finally {
            eventStreams.decrementAndGet();
        }
    }

    private void action(HttpExchange exchange, String name) throws IOException {
        Headers in = exchange.getRequestHeaders();
        String origin = in.getFirst("Origin");
        if (!exchange.getRequestMethod().equals("POST")) {
            send(exchange, 405, "text/plain", "actions need POST");
            return;
        }
        if (origin != null && !origin.equals("http://" + in.getFirst("Host"))) {
            send(exchange, 403, "application/json", AdminJson.write(new ActionResult(false, "cross-site request refused")));
            return;
        }
        if (!"yes".equals(in.getFirst("X-Pulse-Confirm"))) {
            send(exchange, 428, "application/json",
                    AdminJson.write(new ActionResult(false, "not confirmed: send the header X-Pulse-Confirm: yes")));
            return;
        }
        JsonNode body;
        try (InputStream stream = exchange.getRequestBody()) {
            body = AdminJson.mapper().readTree(stream.readNBytes(64 * 1024));
        }
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object");
        }
        AdminActions actions = admin.actions();
        ActionResult result = switch (name) {
            case "stop-job" -> actions.stopJob(text(body, "pool"), text(body, "key"));
            case "requeue" -> actions.requeueEvent(text(body, "pool"), text(body, "eventId"),
                    Duration.ofMillis(body.path("minIdleMs").asLong(60_000)));
            case "delete-node" -> actions.deleteDeadNode(text(body, "pool"), text(body, "node"));
            case "map-set" -> actions.setMapKey(text(body, "map"), text(body, "key"), text(body, "value"),
                    body.path("create").asBoolean(false));
            case "map-delete" -> actions.deleteMapKey(text(body, "map"), text(body, "key"));
            default -> null;
        };
        if (result == null) {
            send(exchange, 404, "application/json", AdminJson.write(new ActionResult(false, "no action " + name)));
            return;
        }
        LOG.atInfo().addKeyValue("action", name).addKeyValue("applied", result.applied()).log(result.message());
        sampler.refreshNow();
        send(exchange, result.applied() ? 200 : 409, "application/json", AdminJson.write(result));
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException(field + ": a string is required");
        }
        return value.asText();
    }

    private static <T> void found(HttpExchange exchange, Optional<T> report) throws IOException {
        if (report.isPresent()) {
            send(exchange, 200, "application/json", AdminJson.write(report.get()));
        } else {
            send(exchange, 404, "application/json", AdminJson.write(new ActionResult(false, "not found")));
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        send(exchange, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type + (type.startsWith("text/") || type.endsWith("json")
                || type.endsWith("xml")
                ? "; charset=utf-8" : ""));
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }
}
