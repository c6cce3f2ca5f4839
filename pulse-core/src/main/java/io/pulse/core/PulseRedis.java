package io.pulse.core;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.pulse.core.internal.Args;
import io.pulse.core.internal.EventListeners;
import io.pulse.core.internal.RedisFacade;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The one object a process holds to talk to Redis through Pulse: thread-safe, long-lived, shared by
 * every replicated map, stream and pool of the process.
 *
 * <p>It owns one multiplexed, auto-pipelined command connection shared by all components, one
 * subscriber connection for every map of the process, and one dedicated connection per blocking read
 * loop, since a blocking command holds its connection for the whole block. {@link #close()} closes
 * everything created from it.
 *
 * <h2>Client options, chosen on purpose</h2>
 * <ul>
 *   <li><b>No replay after a reconnect.</b> Lettuce by default re-sends, after a reconnect, the
 *       commands that were written but not answered when the connection broke. A re-sent {@code inc}
 *       or append would run twice. Pulse fails such a command with an {@link OutcomeUnknownException}
 *       instead. A command issued while the connection is down waits for it (at most
 *       {@link Builder#reconnectWait} from the call) and is sent then; if the connection stays down it
 *       fails with a {@link NotSentException}. Nothing piles up unbounded in memory.</li>
 *   <li><b>Command timeout</b> ({@link Builder#commandTimeout}, default 10 s) for every command except
 *       blocking reads, whose loops bound their own wait.</li>
 *   <li><b>TCP keep-alive</b> (idle 5 s, interval 2 s, 3 probes) and a <b>TCP user timeout</b> of 15 s
 *       (on Linux, where the native epoll transport this module brings is loaded), so a host that
 *       vanished without closing its sockets is noticed in seconds.</li>
 *   <li><b>RESP2</b>, so pub/sub and scripts behave the same on every Redis version from 6.2 on.</li>
 * </ul>
 * With {@link #of(RedisClient)} these options are applied to the borrowed client, keeping its TLS
 * options.
 *
 * <h2>Redis Cluster and Sentinel</h2>
 * {@link #cluster(String...)} connects to a Redis Cluster from one or more seed nodes, with the same
 * options, a topology refreshed periodically and at once when Redis redirects a command or a node
 * fails, and the {@link ClusterLayout} (Java only) that keeps each map, stream and pool in one hash
 * slot. A {@code redis-sentinel://} URI given to {@link #connect(String)} follows the master its
 * Sentinels name, across failovers.
 */
public final class PulseRedis implements AutoCloseable {

    static {
        RedisFacade.installAccessor(redis -> redis.facade);
    }

    private final RedisFacade facade;

    private PulseRedis(RedisFacade facade) {
        this.facade = facade;
    }

    /**
     * Connects to the Redis at {@code uri} (for example {@code redis://localhost:6379}) with default
     * options; blocks until both shared connections are open.
     *
     * @throws PulseException if Redis cannot be reached
     */
    public static PulseRedis connect(String uri) {
        return builder(uri).connect();
    }

    /**
     * Uses a Lettuce client the caller created (and keeps owning: closing this object does not shut it
     * down). Pulse's client options are applied to it. Blocks until the shared connections are open.
     *
     * @throws PulseException if Redis cannot be reached
     */
    public static PulseRedis of(RedisClient client) {
        Objects.requireNonNull(client, "client");
        return new PulseRedis(RedisFacade.open(client, false, Builder.DEFAULT_COMMAND_TIMEOUT,
                Builder.DEFAULT_RECONNECT_WAIT, new GoPulseLayout()));
    }

    /** Starts building a connection to the Redis at {@code uri}; validates nothing yet. */
    public static Builder builder(String uri) {
        Objects.requireNonNull(uri, "uri");
        return new Builder(List.of(uri), false);
    }

    /**
     * Connects to the Redis Cluster that {@code seeds} (one or more {@code redis://} or
     * {@code rediss://} URIs of its nodes) belong to, with default options and the
     * {@link ClusterLayout}; blocks until the shared connections are open.
     *
     * @throws IllegalArgumentException if no seed is given or one is not a valid URI
     * @throws PulseException if no seed can be reached
     */
    public static PulseRedis cluster(String... seeds) {
        Objects.requireNonNull(seeds, "seeds");
        return clusterBuilder(List.of(seeds)).connect();
    }

    /**
     * Starts building a connection to the Redis Cluster {@code seeds} belong to; see
     * {@link #cluster(String...)}. Validates the seeds when connecting.
     */
    public static Builder clusterBuilder(List<String> seeds) {
        Objects.requireNonNull(seeds, "seeds");
        return new Builder(List.copyOf(seeds), true);
    }

    /** Options of a {@link PulseRedis}; not thread-safe, ends in {@link #connect()}. */
    public static final class Builder {
        static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(10);
        static final Duration DEFAULT_RECONNECT_WAIT = Duration.ofSeconds(5);

        static final Duration TOPOLOGY_REFRESH = Duration.ofSeconds(10);

        private final List<String> uris;
        private final boolean cluster;
        private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
        private Duration reconnectWait = DEFAULT_RECONNECT_WAIT;
        private SslOptions ssl;
        private KeyLayout layout;
        private final List<PulseEventListener> listeners = new ArrayList<>();
        private TracePropagation tracing = TracePropagation.NONE;
        private int waitReplicas;
        private Duration waitTimeout = Duration.ZERO;

        private Builder(List<String> uris, boolean cluster) {
            this.uris = uris;
            this.cluster = cluster;
        }

        /** How long a non-blocking command may wait for its answer (default 10 s). */
        public Builder commandTimeout(Duration timeout) {
            this.commandTimeout = Args.positive("commandTimeout", timeout);
            return this;
        }

        /**
         * How long a command issued while the connection is down waits for it to come back before
         * failing (default 5 s).
         */
        public Builder reconnectWait(Duration wait) {
            this.reconnectWait = Args.nonNegative("reconnectWait", wait);
            return this;
        }

        /**
         * TLS settings for {@code rediss://} URIs, for example a truststore holding a private CA:
         * {@code SslOptions.builder().truststore(file, password).build()}. Without them the JVM's
         * default trust store verifies the server's certificate.
         */
        public Builder ssl(SslOptions options) {
            this.ssl = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * The names of every key, channel, map and stream the components of this connection use
         * (default {@link GoPulseLayout}, Go Pulse v1.6.5's, the only one Go nodes understand; on a
         * cluster {@link ClusterLayout}, and a layout without {@link KeyLayout#shardedPubSub()} is
         * refused there). Every process sharing a map, stream or pool must use the same layout.
         */
        public Builder layout(KeyLayout layout) {
            this.layout = Objects.requireNonNull(layout, "layout");
            return this;
        }

        /**
         * Adds a listener that receives the events of every component of the connection from the start
         * (see {@link PulseEventListener} for its thread and failure contract); may be called several
         * times, the listeners compose.
         */
        public Builder eventListener(PulseEventListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * How stream events and pool jobs carry the trace context of their producer to their consumer
         * (default {@link TracePropagation#NONE}: entries carry nothing); see the {@code pulse-tracing}
         * module for OpenTelemetry.
         */
        public Builder tracePropagation(TracePropagation propagation) {
            this.tracing = Objects.requireNonNull(propagation, "propagation");
            return this;
        }

        /**
         * Closes Redis's replication window: after each command (a map write, a stream add, a
         * dispatch, ...) Pulse waits with {@code WAIT} until {@code replicas} replicas acknowledged it,
         * at most {@code timeout}, and only then completes the call. With fewer acknowledgements the
         * call fails with {@link OutcomeUnknownException}: the change is on the master but a failover
         * now could lose it. Redis replication is asynchronous, so without this option a write the
         * master acknowledged can be lost when a replica that had not received it is promoted. Costs
         * one round trip to the replica per command; reads pay it too. On a cluster, every master must
         * have that many replicas. Default: off.
         *
         * @throws IllegalArgumentException if {@code replicas} is not positive or {@code timeout} is not
         */
        public Builder waitForReplicas(int replicas, Duration timeout) {
            if (replicas < 1) {
                throw new IllegalArgumentException("replicas must be at least 1, got " + replicas);
            }
            this.waitTimeout = Args.positive("timeout", timeout);
            this.waitReplicas = replicas;
            return this;
        }

        /**
         * Connects; see {@link PulseRedis#connect(String)}.
         *
         * @throws IllegalArgumentException if a URI is not one Lettuce accepts (the message shows it
         *         with its password masked), if a cluster has no seed, or if the layout cannot work on a
         *         cluster
         * @throws PulseException if Redis cannot be reached
         */
        public PulseRedis connect() {
            List<RedisURI> parsed = new ArrayList<>(uris.size());
            for (String uri : uris) {
                parsed.add(parse(uri));
            }
            if (!cluster) {
                RedisClient client = RedisClient.create(parsed.get(0));
                if (ssl != null) {
                    client.setOptions(ClientOptions.builder().sslOptions(ssl).build());
                }
                KeyLayout chosen = layout == null ? new GoPulseLayout() : layout;
                return configured(RedisFacade.open(client, true, commandTimeout, reconnectWait, chosen));
            }
            if (parsed.isEmpty()) {
                throw new IllegalArgumentException("seeds: a Redis Cluster needs at least one seed URI");
            }
            KeyLayout chosen = layout == null ? new ClusterLayout() : layout;
            if (!chosen.shardedPubSub()) {
                throw new IllegalArgumentException("layout " + chosen + " cannot be used on a Redis Cluster: it does not"
                        + " keep each map, stream and pool in one hash slot (use ClusterLayout)");
            }
            RedisClusterClient client = RedisClusterClient.create(parsed);
            if (ssl != null) {
                client.setOptions(io.lettuce.core.cluster.ClusterClientOptions.builder().sslOptions(ssl).build());
            }
            return configured(RedisFacade.openCluster(client, true, commandTimeout, reconnectWait,
                    TOPOLOGY_REFRESH, chosen));
        }

        private PulseRedis configured(RedisFacade facade) {
            listeners.forEach(facade.listeners()::add);
            facade.tracing(tracing);
            if (waitReplicas > 0) {
                facade.waitForReplicas(waitReplicas, waitTimeout);
            }
            return new PulseRedis(facade);
        }

        private static RedisURI parse(String uri) {
            Objects.requireNonNull(uri, "uri");
            try {
                return RedisURI.create(uri);
            } catch (IllegalArgumentException e) {
                // the cause is left out: its message repeats the URI with its password
                String why = String.valueOf(e.getMessage()).replace(uri, RedisUris.redact(uri));
                throw new IllegalArgumentException("not a valid Redis URI: \"" + RedisUris.redact(uri) + "\": " + why);
            }
        }
    }

    /**
     * Runs one raw Redis command on the shared command connection, for what Pulse does not offer;
     * never blocks. Example: {@code redis.rawCommand(c -> c.dbsize())}.
     *
     * <p>The command gets Pulse's connection semantics: while the connection is down it waits at most
     * {@code reconnectWait}, and the future fails with a {@link NotSentException} (never sent),
     * an {@link OutcomeUnknownException} (sent, no answer within the command timeout or the connection
     * broke), a {@link ClosedException} (this object is closed) or a plain {@link PulseException}
     * (Redis answered with an error). Keys and values are bytes. The future may complete on a Redis
     * I/O thread: attach heavy work with the {@code ...Async} methods of {@code CompletableFuture}.
     *
     * <p>The connection is shared by every component of the process: never run a blocking command
     * ({@code BLPOP}, {@code XREAD BLOCK}, ...) or one that changes the connection's state
     * ({@code SELECT}, {@code MULTI}, {@code CLIENT REPLY}, {@code SUBSCRIBE}, ...) on it.
     *
     * @param command calls exactly one command on the interface it is given and returns its future
     */
    public <T> CompletableFuture<T> rawCommand(
            Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
        Objects.requireNonNull(command, "command");
        return facade.execute("raw command", command);
    }

    /**
     * The layout naming every Redis key and channel the components of this object use; see
     * {@link Builder#layout(KeyLayout)}. For tools that look at Pulse's data in Redis.
     */
    public KeyLayout layout() {
        return facade.layout();
    }

    /**
     * Adds a listener for the events of every component of this connection, for integrations attached
     * after it was built (a metrics binder, for example); see {@link PulseEventListener} for its thread
     * and failure contract. Before this returns, the listener receives, on the calling thread, the
     * joined events of the components open now ({@code mapJoined}, {@code sinkJoined},
     * {@code nodeJoined}, {@code workerAdded}), so it knows what is open as one registered on the
     * builder would; a component opening at the same moment may be announced twice. Thread-safe.
     *
     * @return the handle that removes the listener
     */
    public Subscription addEventListener(PulseEventListener listener) {
        Subscription subscription = facade.listeners().add(Objects.requireNonNull(listener, "listener"));
        facade.announceTo(EventListeners.guarded(listener));
        return subscription;
    }

    /** Returns whether the shared command connection is currently open. */
    public boolean isConnected() {
        return facade.isConnected();
    }

    /** Returns whether {@link #close()} was called. */
    public boolean isClosed() {
        return facade.isClosed();
    }

    /**
     * Closes every component created from this object (maps, streams' readers and sinks, pool nodes:
     * a node closed so still hands its jobs over), then its connections and scheduler, and shuts the
     * Lettuce client down if it created it. Blocks for a bounded time; idempotent; thread-safe.
     */
    @Override
    public void close() {
        facade.close();
    }
}
