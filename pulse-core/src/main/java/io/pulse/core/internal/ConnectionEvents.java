package io.pulse.core.internal;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.pulse.core.PulseEventListener;
import io.pulse.core.PulseEventListener.ConnectionRole;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns Lettuce's connection state changes into {@link PulseEventListener#redisDisconnected} and
 * {@link PulseEventListener#redisReconnected} events, and logs them: a drop at WARN, the return at
 * INFO with how long the connection was down. A connection Pulse closed on purpose, or any connection
 * once the facade is closing, is not reported. Called on Redis I/O threads; thread-safe.
 */
final class ConnectionEvents implements RedisConnectionStateListener {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionEvents.class);

    private final EventListeners listeners;
    private final Supplier<Object> commandConnection;
    private final BooleanSupplier closing;
    /** The connections down now, with the {@link System#nanoTime()} they dropped at. */
    private final Map<RedisChannelHandler<?, ?>, Long> down = new ConcurrentHashMap<>();

    ConnectionEvents(EventListeners listeners, Supplier<Object> commandConnection, BooleanSupplier closing) {
        this.listeners = listeners;
        this.commandConnection = commandConnection;
        this.closing = closing;
    }

    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
        if (closing.getAsBoolean() || connection.isClosed()) {
            return;
        }
        if (down.putIfAbsent(connection, System.nanoTime()) == null) {
            ConnectionRole role = roleOf(connection);
            LOG.atWarn().addKeyValue("connection", role).log("connection to Redis lost; reconnecting");
            listeners.current().redisDisconnected(role);
        }
    }

    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
        Long since = down.remove(connection);
        if (since != null) {
            long downNanos = System.nanoTime() - since;
            ConnectionRole role = roleOf(connection);
            LOG.atInfo().addKeyValue("connection", role).addKeyValue("downMillis", downNanos / 1_000_000)
                    .log("connection to Redis back");
            listeners.current().redisReconnected(role, downNanos);
        }
    }

    private ConnectionRole roleOf(RedisChannelHandler<?, ?> connection) {
        if (connection == commandConnection.get()) {
            return ConnectionRole.COMMANDS;
        }
        return connection instanceof StatefulRedisPubSubConnection ? ConnectionRole.PUBSUB : ConnectionRole.BLOCKING;
    }
}
