package io.pulse.core.internal;

import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.pulse.core.Subscription;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one subscriber connection of a {@link RedisFacade}: subscribes each channel once, however many
 * listeners it has, and fans its messages out. Lettuce re-subscribes the channels by itself after a
 * reconnect; every confirmation after the first one of a channel is reported to its listeners as
 * {@link ChannelListener#onResubscribed()} so they can resync what they missed.
 *
 * <p>With sharded pub/sub ({@code SSUBSCRIBE}, for a Redis Cluster) Lettuce sends each subscription to
 * the node owning the channel's slot; {@link ShardOwners} subscribes it again on the new owner after a
 * failover or a slot move, and that confirmation is reported as a re-subscription too.
 */
final class PubSubHub extends RedisPubSubAdapter<byte[], byte[]> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PubSubHub.class);
    /** How often sharded subscriptions are checked against the topology Lettuce knows. */
    private static final long OWNER_CHECK_MILLIS = 500;

    private final RedisFacade redis;
    private final StatefulRedisPubSubConnection<byte[], byte[]> connection;
    private final boolean sharded;
    private final ShardOwners owners; // null unless sharded on a cluster
    private final java.util.concurrent.ScheduledFuture<?> ownerChecks;
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
        if (sharded && connection instanceof StatefulRedisClusterPubSubConnection<byte[], byte[]> clustered) {
            this.owners = new ShardOwners(clustered, this::resubscribe);
            this.ownerChecks = redis.scheduler().scheduleWithFixedDelay(owners, OWNER_CHECK_MILLIS, OWNER_CHECK_MILLIS,
                    TimeUnit.MILLISECONDS);
        } else {
            this.owners = null;
            this.ownerChecks = null;
        }
    }

    private void resubscribe(String channel) {
        if (!channels.containsKey(channel)) {
            return;
        }
        LOG.atInfo().addKeyValue("channel", channel).log("the channel's shard changed; subscribing on its new owner");
        send(channel, true).exceptionally(e -> {
            LOG.atWarn().addKeyValue("channel", channel).setCause(e).log("subscribing on the new owner failed; retrying");
            if (owners != null) {
                owners.dropped(channel);
            }
            return null;
        });
    }

    @Override
    public void sunsubscribed(byte[] channel, long count) {
        String name = string(channel);
        if (owners != null && channels.containsKey(name)) {
            owners.dropped(name);
        }
    }

    CompletableFuture<Subscription> subscribe(String channel, ChannelListener listener) {
        Channel subscribed;
        synchronized (lock) {
            Channel entry = channels.get(channel);
            if (entry == null) {
                entry = new Channel();
                channels.put(channel, entry);
                // sent under the lock (it never blocks), so that it reaches Redis after an UNSUBSCRIBE
                // of the same channel that an earlier last listener sent
                confirmWhenSubscribed(channel, entry);
            }
            entry.listeners.add(listener);
            subscribed = entry;
        }
        return subscribed.confirmed.thenApply(v -> () -> unsubscribe(channel, subscribed, listener));
    }

    private void confirmWhenSubscribed(String channel, Channel entry) {
        redis.sendWhenConnected(connection, () -> send(channel, true), redis.reconnectDeadline())
                .whenComplete((v, error) -> {
                    if (error != null) {
                        synchronized (lock) {
                            channels.remove(channel, entry);
                        }
                        entry.confirmed.completeExceptionally(redis.translate("subscribe to " + channel, error));
                    } else {
                        entry.confirmed.complete(null);
                    }
                });
    }

    private void unsubscribe(String channel, Channel entry, ChannelListener listener) {
        boolean last;
        synchronized (lock) {
            if (!entry.listeners.remove(listener)) {
                return;
            }
            last = entry.listeners.isEmpty() && channels.remove(channel, entry);
            if (last && owners != null) {
                owners.forget(channel);
            }
            if (last && connection.isOpen()) {
                // under the lock, so that a SUBSCRIBE of a listener arriving now goes out after it
                send(channel, false).exceptionally(e -> {
                    LOG.atDebug().addKeyValue("channel", channel).setCause(e).log("unsubscribe failed");
                    return null;
                });
            }
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
        if (owners != null) {
            owners.confirmed(name);
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
        if (ownerChecks != null) {
            ownerChecks.cancel(false);
        }
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
