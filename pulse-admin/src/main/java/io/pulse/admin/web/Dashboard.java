package io.pulse.admin.web;

import com.sun.net.httpserver.HttpServer;
import io.pulse.admin.PulseAdmin;
import io.pulse.core.internal.Args;
import io.pulse.core.internal.DaemonThreads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The live web dashboard: an embedded HTTP server (the JDK's) serving one page, with its script and
 * style bundled (no CDN), that shows every pool, stream and map and updates itself over server-sent
 * events. Binds to the loopback address unless told otherwise; with a token, every request needs
 * HTTP basic authentication with that token as password. Thread-safe; {@link #close()} stops it.
 *
 * <pre>{@code
 * try (Dashboard d = Dashboard.builder(admin).port(7070).start()) { ... d.uri() ... }
 * }</pre>
 */
public final class Dashboard implements AutoCloseable {

    /** The most browsers (event streams) served at once; more get 503. */
    static final int MAX_EVENT_STREAMS = 32;

    private final HttpServer server;
    private final Sampler sampler;
    private final ExecutorService threads;

    private Dashboard(Builder b) throws IOException {
        this.sampler = new Sampler(b.admin, b.refresh, b.history);
        this.server = HttpServer.create(new InetSocketAddress(b.bind, b.port), 0);
        // event streams are capped by the routes; other requests are short
        this.threads = Executors.newCachedThreadPool(DaemonThreads.named("dashboard", "http"));
        server.setExecutor(threads);
        new DashboardRoutes(b.admin, sampler, b.token, b.bind.isLoopbackAddress()).register(server);
    }

    /** Starts building a dashboard over {@code admin}. */
    public static Builder builder(PulseAdmin admin) {
        return new Builder(Objects.requireNonNull(admin, "admin"));
    }

    /** Options of a {@link Dashboard}; not thread-safe, ends in {@link #start()}. */
    public static final class Builder {
        private final PulseAdmin admin;
        private InetAddress bind = InetAddress.getLoopbackAddress();
        private int port = 7070;
        private String token;
        private Duration refresh = Duration.ofSeconds(2);
        private Duration history = Duration.ofMinutes(10);

        private Builder(PulseAdmin admin) {
            this.admin = admin;
        }

        /** The address to listen on (default: loopback, so only this host can connect). */
        public Builder bind(InetAddress address) {
            this.bind = Objects.requireNonNull(address, "address");
            return this;
        }

        /** The port (default 7070; 0 picks a free one, see {@link Dashboard#port()}). */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
            }
            this.port = port;
            return this;
        }

        /** Require HTTP basic authentication with this password (any user name); null: none. */
        public Builder token(String token) {
            if (token != null && token.isBlank()) {
                throw new IllegalArgumentException("token must not be blank");
            }
            this.token = token;
            return this;
        }

        /** How often the overview is read from Redis and pushed to browsers (default 2 s). */
        public Builder refresh(Duration period) {
            this.refresh = Args.positive("refresh", period);
            return this;
        }

        /** How far back the lag and backlog chart goes (default 10 minutes). */
        public Builder history(Duration length) {
            this.history = Args.positive("history", length);
            return this;
        }

        /**
         * Opens the port and starts sampling; returns at once.
         *
         * @throws UncheckedIOException if the port cannot be opened
         */
        public Dashboard start() {
            Dashboard dashboard;
            try {
                dashboard = new Dashboard(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot listen on " + bind.getHostAddress() + ":" + port, e);
            }
            dashboard.sampler.start();
            dashboard.server.start();
            return dashboard;
        }
    }

    /** The address and port it listens on. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The page's address, e.g. {@code http://127.0.0.1:7070/}. */
    public URI uri() {
        InetSocketAddress address = server.getAddress();
        String host = address.getAddress().isAnyLocalAddress() ? "127.0.0.1" : address.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort() + "/");
    }

    /** Stops serving (open event streams end within a second) and sampling; idempotent. */
    @Override
    public void close() {
        sampler.close();
        server.stop(1);
        threads.shutdownNow();
    }
}
