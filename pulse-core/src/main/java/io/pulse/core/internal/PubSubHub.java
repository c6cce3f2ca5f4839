package io.pulse.core.internal;

import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.pulse.core.Subscription;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one subscriber connection of a {@link RedisFacade}: subscribes each channel once, however many
 * listeners it has, and fans its messages out. Lettuce re-subscribes the channels by itself after a
 * reconnect; every confirmation after the first one of a channel is reported to its listeners as
 * {@link ChannelListener#onResubscribed()} so they can resync what they missed.
 *
 * <p>With sharded pub/sub ({@code SSUBSCRIBE}, for a Redis Cluster) the same holds per shard channel:
 * Lettuce sends each subscription to the node owning the channel's slot and subscribes it again there
 * after a reconnect or when the slot moved; each new confirmation is a re-subscription.
 */
final class PubSubHub extends RedisPubSubAdapter<byte[], byte[]> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PubSubHub.class);

    private final RedisFacade redis;
    private final StatefulRedisPubSubConnection<byte[], byte[]> connection;
    private final boolean sharded;
    private final ConcurrentHashMap<String, Channel> channels = new ConcurrentHashMap<>();
    private final Object lock = new Object();

    private static final class Channel {
        final List<ChannelListener> listeners = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> confirmed = new CompletableFuture<>();
        int confirmations; // guarded by the hub's lock
    }

    PubSubHub(RedisFacade redis, StatefulRedisPubSubConnection<byte[], byte[]> connection, boolean sharded) {
        this.redis = redis;
        this.connection = connection;
        this.sharded = sharded;
        connection.addListener(this);
    }

    CompletableFuture<Subscription> subscribe(String channel, ChannelListener listener) {
        Channel entry;
        boolean first;
        synchronized (lock) {
            entry = channels.get(channel);
            first = entry == null;
            if (first) {
                entry = new Channel();
                channels.put(channel, entry);
            }
            entry.listeners.add(listener);
        }
        Channel subscribed = entry;
        if (first) {
            redis.sendWhenConnected(connection, () -> send(channel, true), redis.reconnectDeadline())
                    .whenComplete((v, error) -> {
                        if (error != null) {
                            synchronized (lock) {
                                channels.remove(channel, subscribed);
                            }
                            subscribed.confirmed.completeExceptionally(
                                    redis.translate("subscribe to " + channel, error));
                        } else {
                            subscribed.confirmed.complete(null);
                        }
                    });
        }
        return subscribed.confirmed.thenApply(v -> () -> unsubscribe(channel, subscribed, listener));
    }

    private void unsubscribe(String channel, Channel entry, ChannelListener listener) {
        boolean last;
        synchronized (lock) {
            if (!entry.listeners.remove(listener)) {
                return;
            }
            last = entry.listeners.isEmpty() && channels.remove(channel, entry);
        }
        if (last && connection.isOpen()) {
            send(channel, false).exceptionally(e -> {
                LOG.atDebug().addKeyValue("channel", channel).setCause(e).log("unsubscribe failed");
                return null;
            });
        }
    }

    private CompletableFuture<Void> send(String channel, boolean subscribe) {
        byte[] name = bytes(channel);
        if (sharded) {
            return (subscribe ? connection.async().ssubscribe(name) : connection.async().sunsubscribe(name))
                    .toCompletableFuture();
        }
        return (subscribe ? connection.async().subscribe(name) : connection.async().unsubscribe(name))
                .toCompletableFuture();
    }

    @Override
    public void smessage(byte[] channel, byte[] message) {
        message(channel, message);
    }

    @Override
    public void ssubscribed(byte[] channel, long count) {
        subscribed(channel, count);
    }

    @Override
    public void message(byte[] channel, byte[] message) {
        Channel entry = channels.get(string(channel));
        if (entry == null) {
            return;
        }
        for (ChannelListener listener : entry.listeners) {
            try {
                listener.onMessage(message);
            } catch (RuntimeException e) {
                LOG.atError().addKeyValue("channel", string(channel)).setCause(e).log("channel listener threw");
            }
        }
    }

    @Override
    public void subscribed(byte[] channel, long count) {
        String name = string(channel);
        Channel entry = channels.get(name);
        if (entry == null) {
            return;
        }
        boolean again;
        synchronized (lock) {
            entry.confirmations++;
            again = entry.confirmations > 1;
        }
        entry.confirmed.complete(null);
        if (!again) {
            return;
        }
        LOG.atInfo().addKeyValue("channel", name).log("re-subscribed after a lost connection");
        for (ChannelListener listener : entry.listeners) {
            try {
                listener.onResubscribed();
            } catch (RuntimeException e) {
                LOG.atError().addKeyValue("channel", name).setCause(e).log("channel listener threw");
            }
        }
    }

    @Override
    public void close() {
        connection.removeListener(this);
        channels.clear();
        connection.close();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String string(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
