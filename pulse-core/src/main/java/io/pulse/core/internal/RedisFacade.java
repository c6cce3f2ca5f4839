package io.pulse.core.internal;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.pulse.core.ClosedException;
import io.pulse.core.KeyLayout;
import io.pulse.core.NotSentException;
import io.pulse.core.OutcomeUnknownException;
import io.pulse.core.PulseEventListener;
import io.pulse.core.PulseException;
import io.pulse.core.PulseRedis;
import io.pulse.core.Subscription;
import io.pulse.core.TracePropagation;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 * What a {@link PulseRedis} offers Pulse's own modules and nothing else: commands on the shared
 * connection, pub/sub, blocking connections, the scheduler for background loops and the registry of
 * components closed with the facade. Thread-safe. Not API: it may change in any release.
 *
 * <p>Modules get it with {@link #of(PulseRedis)}. A {@code PulseRedis} wraps exactly one facade and
 * shows none of these methods, so users see only the public surface README documents.
 *
 * <p>Connections: one multiplexed, auto-pipelined command connection; one subscriber connection whose
 * channels fan out to listeners ({@link #subscribe}); one connection per blocking read loop
 * ({@link #openBlockingConnection}). See {@link ClientSettings} for the client options and why. On a
 * Redis Cluster ({@link #openCluster}) each of them is a Lettuce cluster connection, which routes every
 * command to the node owning its key's slot and follows the topology as it changes.
 */
public final class RedisFacade implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisFacade.class);
    /** How often a command waiting for its connection looks again. */
    private static final long RETRY_MILLIS = 20;

    private static volatile Function<PulseRedis, RedisFacade> accessor;

    private final AbstractRedisClient client;
    private final Supplier<StatefulConnection<byte[], byte[]>> connector;
    private final boolean cluster;
    private final boolean ownsClient;
    private final Duration commandTimeout;
    private final Duration reconnectWait;
    private final KeyLayout layout;
    private final StatefulConnection<byte[], byte[]> commandConnection;
    private final RedisClusterAsyncCommands<byte[], byte[]> commands;
    private final PubSubHub pubSub;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ComponentRegistry components = new ComponentRegistry();
    private final EventListeners listeners = new EventListeners();
    private volatile TracePropagation tracing = TracePropagation.NONE;
    private volatile boolean closed;
    private volatile long connectedSince = System.nanoTime();
    /** What each command waits for after Redis answered it; {@code null}: nothing. */
    private volatile ReplicaWait replicaWait;

    private RedisFacade(AbstractRedisClient client, Supplier<StatefulConnection<byte[], byte[]>> connector,
            Supplier<StatefulRedisPubSubConnection<byte[], byte[]>> pubSubConnector, boolean ownsClient,
            Duration commandTimeout, Duration reconnectWait, KeyLayout layout) {
        this.client = client;
        this.connector = connector;
        this.cluster = client instanceof RedisClusterClient;
        this.ownsClient = ownsClient;
        this.commandTimeout = commandTimeout;
        this.reconnectWait = reconnectWait;
        this.layout = layout;
        this.scheduler = new ScheduledThreadPoolExecutor(2, DaemonThreads.named("scheduler", null));
        scheduler.setRemoveOnCancelPolicy(true);
        client.addListener(new ConnectionEvents(listeners, this::commandConnection, this::isClosed));
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                if (connection == commandConnection) {
                    connectedSince = System.nanoTime();
                }
            }
        });
        try {
            this.commandConnection = connector.get();
            this.commands = commandsOf(commandConnection);
            this.pubSub = new PubSubHub(this, pubSubConnector.get(), layout.shardedPubSub());
        } catch (RedisException e) {
            scheduler.shutdownNow();
            if (ownsClient) {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
            throw new NotSentException("cannot connect to Redis: " + e.getMessage(), e);
        }
    }

    /**
     * Opens the shared connections on {@code client}, applying Pulse's client options to it; blocks
     * until they are open. Called by {@link PulseRedis} only.
     *
     * @param ownsClient whether closing the facade shuts the client down
     * @param layout the names of every key and channel components use
     * @throws NotSentException if Redis cannot be reached
     */
    public static RedisFacade open(RedisClient client, boolean ownsClient, Duration commandTimeout,
            Duration reconnectWait, KeyLayout layout) {
        Objects.requireNonNull(client, "client");
        client.setOptions(ClientSettings.apply(client.getOptions(), commandTimeout));
        return new RedisFacade(client, () -> client.connect(ByteArrayCodec.INSTANCE),
                () -> client.connectPubSub(ByteArrayCodec.INSTANCE), ownsClient, commandTimeout, reconnectWait,
                Objects.requireNonNull(layout, "layout"));
    }

    /**
     * As {@link #open}, on a Redis Cluster: Pulse's client options plus a topology refreshed every
     * {@code topologyRefresh} and at once on a redirection ({@code MOVED}, {@code ASK}), on repeated
     * reconnects and on a slot or node it does not know, so that commands follow a failover or a slot
     * moving within about a second.
     * The caller checked that {@code layout} keeps each map, stream and pool in one slot.
     */
    public static RedisFacade openCluster(RedisClusterClient client, boolean ownsClient, Duration commandTimeout,
            Duration reconnectWait, Duration topologyRefresh, KeyLayout layout) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(layout, "layout");
        ClusterTopologyRefreshOptions refresh = ClusterTopologyRefreshOptions.builder()
                .enablePeriodicRefresh(topologyRefresh)
                .enableAllAdaptiveRefreshTriggers()
                .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                .refreshTriggersReconnectAttempts(2)
                .build();
        ClusterClientOptions base = (client.getOptions() instanceof ClusterClientOptions options
                ? options.mutate() : ClusterClientOptions.builder(client.getOptions()))
                .topologyRefreshOptions(refresh).build();
        client.setOptions((ClusterClientOptions) ClientSettings.apply(base, commandTimeout));
        return new RedisFacade(client, () -> client.connect(ByteArrayCodec.INSTANCE),
                () -> client.connectPubSub(ByteArrayCodec.INSTANCE), ownsClient, commandTimeout, reconnectWait,
                layout);
    }

    /** The async commands of a connection this facade opened (a standalone or a cluster one). */
    static RedisClusterAsyncCommands<byte[], byte[]> commandsOf(StatefulConnection<byte[], byte[]> connection) {
        if (connection instanceof StatefulRedisClusterConnection<byte[], byte[]> clustered) {
            return clustered.async();
        }
        return ((StatefulRedisConnection<byte[], byte[]>) connection).async();
    }

    /** Whether this facade talks to a Redis Cluster. */
    public boolean isCluster() {
        return cluster;
    }

    /**
     * Installs the function that finds the facade of a {@link PulseRedis}; {@code PulseRedis} calls it
     * once, from its static initializer, so that no public method of its own has to return the facade.
     *
     * @throws IllegalStateException if an accessor is installed already
     */
    public static synchronized void installAccessor(Function<PulseRedis, RedisFacade> facadeOf) {
        if (accessor != null) {
            throw new IllegalStateException("the facade accessor is installed already");
        }
        accessor = Objects.requireNonNull(facadeOf, "facadeOf");
    }

    /** The facade of {@code redis}. */
    public static RedisFacade of(PulseRedis redis) {
        Objects.requireNonNull(redis, "redis");
        // an instance exists, so PulseRedis's static initializer has run and installed the accessor
        return accessor.apply(redis);
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
            Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
        if (closed) {
            return Futures.failed(new ClosedException(what + ": the Redis facade is closed"));
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        CompletableFuture<T> sent = sendWhenConnected(commandConnection,
                () -> command.apply(commands).toCompletableFuture(), reconnectDeadline());
        ReplicaWait wait = replicaWait;
        if (wait != null) {
            sent = sent.thenCompose(value -> wait.await(what, commandConnection, commands).handle((v, error) -> {
                if (error == null) {
                    return value;
                }
                Throwable cause = Futures.unwrap(error);
                // the command ran: whatever went wrong while waiting, its outcome is unknown, never "not sent"
                throw cause instanceof OutcomeUnknownException unknown ? unknown : new OutcomeUnknownException(
                        what + ": done on the master, but waiting for its replicas failed: " + cause.getMessage(), cause);
            }));
        }
        sent.whenComplete((value, error) -> {
                    if (error == null) {
                        result.complete(value);
                    } else {
                        result.completeExceptionally(translate(what, error));
                    }
                });
        return result;
    }

    /**
     * Makes every command of {@link #execute} wait, after Redis answered it, until {@code replicas}
     * replicas acknowledged it ({@code WAIT}, on the connection the command went through), at most
     * {@code timeout}; fewer acknowledgements fail the command with {@link OutcomeUnknownException}
     * (it ran on the master, but a failover now could lose it). On a cluster, {@code WAIT} goes to every
     * master's connection, since a command's node is not known here: each master needs that many
     * replicas. {@code replicas} 0 turns it off. Called by {@link PulseRedis} right after opening.
     */
    public void waitForReplicas(int replicas, Duration timeout) {
        this.replicaWait = replicas == 0 ? null : new ReplicaWait(replicas, Objects.requireNonNull(timeout, "timeout"));
    }

    /** Runs {@link #execute} and waits for its result at most {@link #syncTimeout()}. */
    public <T> T executeSync(String what,
            Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
        return Futures.await(execute(what, command), syncTimeout(), what);
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

    /** Converts a Lettuce or I/O failure into the exception Pulse reports for {@code what}. */
    public PulseException translate(String what, Throwable error) {
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
    public CompletableFuture<Void> whenOpen(StatefulConnection<?, ?> connection) {
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
        BlockingConnection connection = new BlockingConnection(this, name, connector);
        register(connection);
        return connection;
    }

    /**
     * The listener components report events to: {@link PulseEventListener#NONE} while
     * none is registered, which emitting code checks before it computes anything for an event.
     */
    public PulseEventListener events() {
        return listeners.current();
    }

    private Object commandConnection() {
        return commandConnection;
    }

    /**
     * How events carry trace context; {@link TracePropagation#NONE} unless configured,
     * which emitting and consuming code checks before doing anything for traces.
     */
    public TracePropagation tracing() {
        return tracing;
    }

    /** Sets the trace propagation; called once by the builder, before any component exists. */
    public void tracing(TracePropagation propagation) {
        this.tracing = Objects.requireNonNull(propagation, "propagation");
    }

    /** The registry behind {@link #events()}. */
    public EventListeners listeners() {
        return listeners;
    }

    /** The layout every component of this facade asks for its keys, channels and map and stream names. */
    public KeyLayout layout() {
        return layout;
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
        components.register(resource);
    }

    /**
     * Tells {@code listener}, just added, that the components open now joined: each registered
     * component that is {@link Announcing} reports its joined events to it, on the calling thread.
     */
    public void announceTo(PulseEventListener listener) {
        components.announceTo(listener);
    }

    /**
     * Registers a component as {@link #register(AutoCloseable)} does, with what it tells listeners added
     * later ({@link #announceTo}) for as long as it is registered.
     */
    public void register(AutoCloseable resource, Announcing announcing) {
        components.register(resource, announcing);
    }

    /** Forgets a component registered with {@link #register}, typically when it closed on its own. */
    public void unregister(AutoCloseable resource) {
        components.unregister(resource);
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
        return components.isClosing();
    }

    /** Throws {@link ClosedException} if this facade was closed. */
    public void ensureOpen(String what) {
        if (components.isClosing()) {
            throw new ClosedException(what + ": the Redis facade is closed");
        }
    }

    /**
     * Closes every component registered with this facade, then its connections and scheduler, and
     * shuts the client down if it owns it. Blocks for a bounded time; idempotent; thread-safe.
     */
    @Override
    public void close() {
        // components close first, while Redis is still reachable: a pool node requeues its jobs
        if (!components.closeAll(LOG)) {
            return;
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
