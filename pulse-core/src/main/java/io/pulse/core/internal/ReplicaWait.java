package io.pulse.core.internal;

import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.pulse.core.OutcomeUnknownException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The {@code WAIT} a facade sends after each command when asked to close Redis's replication window:
 * on the command connection, or on a cluster on every master's connection (a command's node is not
 * known here, so each master needs that many replicas). Immutable; thread-safe.
 *
 * @param replicas how many replicas must acknowledge
 * @param timeout how long to wait for them
 */
record ReplicaWait(int replicas, Duration timeout) {

    /**
     * Completes when enough replicas acknowledged everything sent before on {@code connection}; fails
     * with {@link OutcomeUnknownException} naming {@code what} when fewer did within the time-out.
     */
    CompletableFuture<Void> await(String what, StatefulConnection<byte[], byte[]> connection,
            RedisClusterAsyncCommands<byte[], byte[]> commands) {
        long millis = Math.max(1, timeout.toMillis());
        List<CompletableFuture<Long>> waits = new ArrayList<>();
        if (connection instanceof StatefulRedisClusterConnection<byte[], byte[]> clustered) {
            for (RedisClusterNode node : clustered.getPartitions()) {
                if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.getSlots().isEmpty()
                        && !node.is(RedisClusterNode.NodeFlag.FAIL)) {
                    // the connection slot routing writes through: Lettuce keys it by host and port
                    waits.add(clustered.getConnectionAsync(node.getUri().getHost(), node.getUri().getPort())
                            .thenCompose(c -> c.async().waitForReplication(replicas, millis)));
                }
            }
        } else {
            waits.add(commands.waitForReplication(replicas, millis).toCompletableFuture());
        }
        return CompletableFuture.allOf(waits.toArray(CompletableFuture<?>[]::new)).thenAccept(v -> {
            for (CompletableFuture<Long> done : waits) {
                long acknowledged = done.join();
                if (acknowledged < replicas) {
                    throw new OutcomeUnknownException(what + ": done on the master but acknowledged by "
                            + acknowledged + " of the " + replicas + " replicas asked for within " + timeout
                            + "; a failover now could lose it");
                }
            }
        });
    }
}
