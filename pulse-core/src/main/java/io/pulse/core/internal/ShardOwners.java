package io.pulse.core.internal;

import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a cluster's sharded subscriptions on the masters that own their channels' slots. Thread-safe.
 *
 * <p>A sharded subscription lives on one node. Lettuce does not move it when that node dies and its
 * replica is promoted (its connection to the dead node just keeps trying to reconnect), and Redis
 * drops it (with a {@code SUNSUBSCRIBE}) when the channel's slot moves to another master. So the hub
 * records the node each channel was confirmed on, and {@link #run()} (called periodically) subscribes
 * a channel again wherever the topology Lettuce knows says its slot lives now; the new confirmation
 * is a re-subscription, after which the channel's replicas resync.
 */
final class ShardOwners implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ShardOwners.class);
    /** Recorded for a channel whose subscription Redis dropped: it is subscribed again on the next run. */
    private static final String NONE = "";

    private final LogThrottle failures = new LogThrottle(Duration.ofSeconds(10));

    private final StatefulRedisClusterPubSubConnection<byte[], byte[]> connection;
    private final Consumer<String> resubscribe;
    private final Map<String, String> owners = new ConcurrentHashMap<>();

    ShardOwners(StatefulRedisClusterPubSubConnection<byte[], byte[]> connection, Consumer<String> resubscribe) {
        this.connection = connection;
        this.resubscribe = resubscribe;
    }

    /** Redis confirmed {@code channel}: it lives on the master owning its slot now. */
    void confirmed(String channel) {
        String owner = ownerNow(channel);
        owners.put(channel, owner == null ? NONE : owner);
    }

    /** Redis dropped {@code channel} (its slot moved) while listeners still want it. */
    void dropped(String channel) {
        owners.replace(channel, NONE);
    }

    /** Nobody listens to {@code channel} any more. */
    void forget(String channel) {
        owners.remove(channel);
    }

    /** Runs on a fixed delay: a failure is logged (with back-off) and never ends the later runs. */
    @Override
    public void run() {
        try {
            for (Map.Entry<String, String> entry : owners.entrySet()) {
                String now = ownerNow(entry.getKey());
                if (now != null && !now.equals(entry.getValue())
                        && owners.replace(entry.getKey(), entry.getValue(), now)) {
                    resubscribe.accept(entry.getKey());
                }
            }
        } catch (RuntimeException e) {
            if (failures.tryLog() >= 0) {
                LOG.atWarn().setCause(e).log("checking the owners of sharded channels failed; checking again");
            }
        }
    }

    private String ownerNow(String channel) {
        RedisClusterNode master = connection.getPartitions().getMasterBySlot(SlotHash.getSlot(channel));
        return master == null ? null : master.getNodeId();
    }
}
