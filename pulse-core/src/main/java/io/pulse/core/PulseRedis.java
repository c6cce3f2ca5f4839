package io.pulse.core;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.resource.EpollProvider;
import io.lettuce.core.resource.IOUringProvider;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one object a process holds to talk to Redis through Pulse: thread-safe, long-lived, shared by
 * every replicated map, stream and pool of the process, and the only type above Lettuce.
 *
 * <p>It owns three kinds of connection: one multiplexed, auto-pipelined command connection shared by
 * all components; one subscriber connection whose channels fan out to listeners
 * ({@link #subscribe}); and one dedicated connection per blocking read loop
 * ({@link #openBlockingConnection}), since a blocking command holds its connection for the whole block.
 * It also owns the scheduler for background loops. {@link #close()} closes everything created from it.
 *
 * <h2>Client options, chosen on purpose</h2>
 * <ul>
 *   <li><b>No replay after a reconnect.</b> Lettuce by default re-sends, after a reconnect, the
 *       commands that were written but not answered when the connection broke, and buffers new ones
 *       while it is down. A re-sent {@code inc} or append would run twice. Pulse filters every command
 *       out of the replay (it fails with an {@link OutcomeUnknownException} instead) and has Lettuce
 *       reject commands while disconnected. A command so rejected was never written, so Pulse waits for
 *       the connection to come back (at most {@link Builder#reconnectWait} from the call) and sends it
 *       then; if the connection stays down it fails with a {@link NotSentException}. Nothing piles up
 *       unbounded in memory.</li>
 *   <li><b>Command timeout</b> ({@link Builder#commandTimeout}, default 10 s) for every command except
 *       blocking reads ({@code XREAD}, {@code XREADGROUP}, {@code BLPOP}, ...), whose loops bound their
 *       own wait at their BLOCK time plus a margin.</li>
 *   <li><b>TCP keep-alive</b> (idle 5 s, interval 2 s, 3 probes) and a <b>TCP user timeout</b> of 15 s
 *       (on Linux, where the native epoll transport this module brings is loaded), so a host that vanished without closing its sockets is
 *       noticed in seconds rather than after the kernel's two-hour default.</li>
 *   <li><b>RESP2</b>, so pub/sub and scripts behave the same on every Redis version from 6.2 on.</li>
 * </ul>
 * With {@link #of(RedisClient)} these options are applied to the borrowed client, keeping its TLS
 * options.
 */
public final class PulseRedis implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PulseRedis.class);
    /** How often a command waiting for its connection looks again. */
    private static final long RETRY_MILLIS = 20;

    /** Commands that block server-side by design: their loops bound the wait themselves. */
    private static final Set<ProtocolKeyword> BLOCKING = Set.of(CommandType.XREAD, CommandType.XREADGROUP,
            CommandType.BLPOP, CommandType.BRPOP, CommandType.BLMOVE, CommandType.BZPOPMIN,
            CommandType.BZPOPMAX, CommandType.WAIT);

    private final RedisClient client;
    private final boolean ownsClient;
    private final Duration commandTimeout;
    private final Duration reconnectWait;
    private final StatefulRedisConnection<byte[], byte[]> commandConnection;
    private final RedisAsyncCommands<byte[], byte[]> commands;
    private final PubSubHub pubSub;
    private final ScheduledThreadPoolExecutor scheduler;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private volatile boolean closing;
    private volatile boolean closed;
    private volatile long connectedSince = System.nanoTime();

    private PulseRedis(RedisClient client, boolean ownsClient, Duration commandTimeout, Duration reconnectWait) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.commandTimeout = commandTimeout;
        this.reconnectWait = reconnectWait;
        client.setOptions(clientOptions(client.getOptions(), commandTimeout));
        this.scheduler = new ScheduledThreadPoolExecutor(2, DaemonThreads.named("scheduler", null));
        scheduler.setRemoveOnCancelPolicy(true);
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                if (connection == commandConnection) {
                    connectedSince = System.nanoTime();
                }
            }
        });
        try {
            this.commandConnection = client.connect(ByteArrayCodec.INSTANCE);
            this.commands = commandConnection.async();
            this.pubSub = new PubSubHub(this, client.connectPubSub(ByteArrayCodec.INSTANCE));
        } catch (RedisException e) {
            scheduler.shutdownNow();
            if (ownsClient) {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
            throw new NotSentException("cannot connect to Redis: " + e.getMessage(), e);
        }
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
        return new PulseRedis(client, false, Builder.DEFAULT_COMMAND_TIMEOUT, Builder.DEFAULT_RECONNECT_WAIT);
    }

    /** Starts building a connection to the Redis at {@code uri}. */
    public static Builder builder(String uri) {
        Objects.requireNonNull(uri, "uri");
        return new Builder(uri);
    }

    /** Options of a {@link PulseRedis}; not thread-safe, ends in {@link #connect()}. */
    public static final class Builder {
        static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(10);
        static final Duration DEFAULT_RECONNECT_WAIT = Duration.ofSeconds(5);

        private final String uri;
        private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
        private Duration reconnectWait = DEFAULT_RECONNECT_WAIT;
        private SslOptions ssl;

        private Builder(String uri) {
            this.uri = uri;
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
         * Connects; see {@link PulseRedis#connect(String)}.
         *
         * @throws IllegalArgumentException if the URI is not one Lettuce accepts (the message shows it
         *         with its password masked)
         */
        public PulseRedis connect() {
            RedisURI parsed;
            try {
                parsed = RedisURI.create(uri);
            } catch (IllegalArgumentException e) {
                // the cause is left out: its message repeats the URI with its password
                String why = String.valueOf(e.getMessage()).replace(uri, RedisUris.redact(uri));
                throw new IllegalArgumentException("not a valid Redis URI: \"" + RedisUris.redact(uri) + "\": " + why);
            }
            RedisClient client = RedisClient.create(parsed);
            if (ssl != null) {
                client.setOptions(ClientOptions.builder().sslOptions(ssl).build());
            }
            return new PulseRedis(client, true, commandTimeout, reconnectWait);
        }
    }

    private static ClientOptions clientOptions(ClientOptions base, Duration commandTimeout) {
        long timeoutMillis = commandTimeout.toMillis();
        TimeoutOptions timeouts = TimeoutOptions.builder()
                .timeoutCommands(true)
                .timeoutSource(new TimeoutOptions.TimeoutSource() {
                    @Override
                    public long getTimeout(RedisCommand<?, ?, ?> command) {
                        return BLOCKING.contains(command.getType()) ? TimeUnit.DAYS.toMillis(1) : timeoutMillis;
                    }
                })
                .build();
        SocketOptions.Builder socket = SocketOptions.builder()
                .connectTimeout(Duration.ofSeconds(5))
                .keepAlive(SocketOptions.KeepAliveOptions.builder()
                        .enable()
                        .idle(Duration.ofSeconds(5))
                        .interval(Duration.ofSeconds(2))
                        .count(3)
                        .build());
        if (EpollProvider.isAvailable() || IOUringProvider.isAvailable()) {
            // only native transports can set it; Lettuce refuses to connect if asked without one
            socket.tcpUserTimeout(SocketOptions.TcpUserTimeoutOptions.builder()
                    .enable()
                    .tcpUserTimeout(Duration.ofSeconds(15))
                    .build());
        }
        return base.mutate()
                .autoReconnect(true)
                .replayFilter(command -> true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(1 << 17)
                .protocolVersion(ProtocolVersion.RESP2)
                .timeoutOptions(timeouts)
                .socketOptions(socket.build())
                .build();
    }

    /**
     * Runs one command on the shared command connection and returns its result; never blocks.
     *
     * <p>If the connection is down, the command waits (without blocking a thread) at most
     * {@code reconnectWait} for it to come back, then is sent. Failures complete the future with a
     * {@link PulseException} whose message starts with {@code what}: {@link NotSentException} if it was
     * never sent, {@link OutcomeUnknownException} if it was sent but no answer came,
     * {@link ClosedException} after {@link #close()}, a plain {@link PulseException} if Redis answered
     * with an error. The future may complete on a Redis I/O thread.
     */
    public <T> CompletableFuture<T> execute(String what,
            Function<RedisAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
        if (closed) {
            return Futures.failed(new ClosedException(what + ": the Redis facade is closed"));
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        sendWhenConnected(commandConnection, () -> command.apply(commands).toCompletableFuture(), reconnectDeadline())
                .whenComplete((value, error) -> {
                    if (error == null) {
                        result.complete(value);
                    } else {
                        result.completeExceptionally(translate(what, error));
                    }
                });
        return result;
    }

    /** The {@link System#nanoTime()} until which a command issued now may wait for its connection. */
    long reconnectDeadline() {
        return System.nanoTime() + reconnectWait.toNanos();
    }

    /**
     * Sends a command with {@code send} once {@code connection} is open, and again whenever Lettuce
     * refuses it unsent because the connection went down meanwhile (its state can lag behind
     * {@link StatefulConnection#isOpen()} during a reconnect), until {@code deadline}. The future fails
     * with Lettuce's own error, untranslated, or a {@link NotSentException} if the connection stayed down.
     */
    <T> CompletableFuture<T> sendWhenConnected(StatefulConnection<?, ?> connection,
            Supplier<CompletableFuture<T>> send, long deadline) {
        CompletableFuture<T> result = new CompletableFuture<>();
        attempt(connection, send, deadline, result);
        return result;
    }

    private <T> void attempt(StatefulConnection<?, ?> connection, Supplier<CompletableFuture<T>> send, long deadline,
            CompletableFuture<T> result) {
        CompletableFuture<T> sent = connection.isOpen() ? trySend(send)
                : whenOpen(connection, deadline).thenCompose(v -> trySend(send));
        sent.whenComplete((value, error) -> {
            if (error == null) {
                result.complete(value);
            } else if (Outcomes.neverSent(error) && !closed && System.nanoTime() - deadline < 0) {
                try {
                    scheduler.schedule(() -> attempt(connection, send, deadline, result), RETRY_MILLIS,
                            TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    result.completeExceptionally(new ClosedException("the Redis facade is closed"));
                }
            } else {
                result.completeExceptionally(error);
            }
        });
    }

    private static <T> CompletableFuture<T> trySend(Supplier<CompletableFuture<T>> send) {
        try {
            return send.get();
        } catch (RuntimeException e) {
            return Futures.failed(e);
        }
    }

    /** Runs {@link #execute} and waits for its result at most {@link #syncTimeout()}. */
    public <T> T executeSync(String what, Function<RedisAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
        return Futures.await(execute(what, command), syncTimeout(), what);
    }

    /** Converts a Lettuce or I/O failure into the exception Pulse reports for {@code what}. */
    PulseException translate(String what, Throwable error) {
        Throwable cause = Futures.unwrap(error);
        if (cause instanceof ClosedException) {
            return (ClosedException) cause;
        }
        PulseException classified = Outcomes.classify(what, cause);
        if (closed && !(classified instanceof OutcomeUnknownException)) {
            return new ClosedException(what + ": the Redis facade is closed");
        }
        return classified;
    }

    /** Completes once {@code connection} is open, or fails after {@code reconnectWait}. */
    CompletableFuture<Void> whenOpen(StatefulConnection<?, ?> connection) {
        return whenOpen(connection, reconnectDeadline());
    }

    /**
     * Completes once {@code connection} is open; fails with {@link NotSentException} if it is still down
     * at {@code deadline}, or with {@link ClosedException} if it or this facade is closed meanwhile.
     */
    CompletableFuture<Void> whenOpen(StatefulConnection<?, ?> connection, long deadline) {
        if (connection.isOpen()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> ready = new CompletableFuture<>();
        List<ScheduledFuture<?>> poll = new ArrayList<>(1);
        Runnable check = () -> {
            if (connection.isOpen()) {
                ready.complete(null);
            } else if (closed || isClosedByUs(connection)) {
                ready.completeExceptionally(new ClosedException("the connection is closed"));
            } else if (System.nanoTime() - deadline >= 0) {
                ready.completeExceptionally(new NotSentException(
                        "Redis is unreachable: the connection did not come back within " + reconnectWait));
            }
        };
        try {
            poll.add(scheduler.scheduleWithFixedDelay(check, 10, RETRY_MILLIS, TimeUnit.MILLISECONDS));
        } catch (RejectedExecutionException e) {
            return Futures.failed(new ClosedException("the Redis facade is closed"));
        }
        ready.whenComplete((v, e) -> poll.forEach(f -> f.cancel(false)));
        return ready;
    }

    private static boolean isClosedByUs(StatefulConnection<?, ?> connection) {
        return connection instanceof RedisChannelHandler<?, ?> handler && handler.isClosed();
    }

    /**
     * Subscribes {@code listener} to {@code channel} on the shared subscriber connection. The future
     * completes once Redis confirmed the subscription (so every message published afterwards reaches
     * the listener), with the handle that unsubscribes it.
     */
    public CompletableFuture<Subscription> subscribe(String channel, ChannelListener listener) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(listener, "listener");
        if (closed) {
            return Futures.failed(new ClosedException("subscribe to " + channel + ": the Redis facade is closed"));
        }
        return pubSub.subscribe(channel, listener);
    }

    /**
     * Opens a connection of its own for one blocking read loop; blocks until it is open. The caller
     * closes it; closing this facade closes it too.
     *
     * @throws PulseException if Redis cannot be reached
     */
    public BlockingConnection openBlockingConnection(String name) {
        ensureOpen("open a blocking connection");
        BlockingConnection connection = new BlockingConnection(this, name, () -> client.connect(ByteArrayCodec.INSTANCE));
        register(connection);
        return connection;
    }

    /** The shared scheduler for Pulse's background loops (daemon threads). Do not shut it down. */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** How long a blocking facade call waits at most: command timeout plus reconnect wait plus 1 s. */
    public Duration syncTimeout() {
        return commandTimeout.plus(reconnectWait).plusSeconds(1);
    }

    /** The command timeout in force. */
    public Duration commandTimeout() {
        return commandTimeout;
    }

    /**
     * Registers a component to close when this facade closes (in reverse order of registration).
     *
     * @throws ClosedException if this facade is already closed
     */
    public void register(AutoCloseable resource) {
        synchronized (resources) {
            if (closing) {
                throw new ClosedException("the Redis facade is closed");
            }
            resources.push(resource);
        }
    }

    /** Forgets a component registered with {@link #register}, typically when it closed on its own. */
    public void unregister(AutoCloseable resource) {
        synchronized (resources) {
            resources.remove(resource);
        }
    }

    /**
     * How long the shared command connection has been up without interruption (zero while it is down).
     * Components that judge other processes' liveness by their keep-alives wait after an outage, since
     * nobody could write a keep-alive during it.
     */
    public Duration connectedFor() {
        return commandConnection.isOpen() ? Duration.ofNanos(System.nanoTime() - connectedSince) : Duration.ZERO;
    }

    /** Returns whether the shared command connection is currently open. */
    public boolean isConnected() {
        return commandConnection.isOpen();
    }

    /** Returns whether {@link #close()} was called. */
    public boolean isClosed() {
        return closing;
    }

    /** Throws {@link ClosedException} if this facade was closed. */
    public void ensureOpen(String what) {
        if (closing) {
            throw new ClosedException(what + ": the Redis facade is closed");
        }
    }

    /**
     * Closes every component created from this facade, then its connections and scheduler, and shuts
     * the client down if it owns it. Blocks for a bounded time; idempotent; thread-safe.
     */
    @Override
    public void close() {
        List<AutoCloseable> toClose;
        synchronized (resources) {
            if (closing) {
                return;
            }
            closing = true;
            toClose = new ArrayList<>(resources);
            resources.clear();
        }
        // components close first, while Redis is still reachable: a pool node requeues its jobs
        for (AutoCloseable resource : toClose) {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.atWarn().setCause(e).log("closing a component failed");
            }
        }
        closed = true;
        quietly(pubSub::close);
        quietly(commandConnection::close);
        scheduler.shutdownNow();
        if (ownsClient) {
            quietly(() -> client.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
        }
    }

    private static void quietly(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.atDebug().setCause(e).log("ignored failure while closing");
        }
    }
}
