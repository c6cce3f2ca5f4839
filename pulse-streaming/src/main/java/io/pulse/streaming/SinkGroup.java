package io.pulse.streaming;

import io.lettuce.core.Consumer;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.pulse.core.PulseException;
import io.pulse.core.internal.RedisFacade;
import io.pulse.rmap.ReplicatedMap;
import java.util.List;
import org.slf4j.Logger;

/**
 * One sink instance's place in Redis on each of its streams: the consumer group named after the sink
 * (Go Pulse's naming) and this instance's consumer in it. Blocking calls, bounded by the facade's sync
 * timeout; thread-safe.
 */
final class SinkGroup {

    private final RedisFacade redis;
    private final String sink;
    private final byte[] group;
    private final Consumer<byte[]> consumer;
    private final String consumerName;

    SinkGroup(RedisFacade redis, String sink, String consumer) {
        this.redis = redis;
        this.sink = sink;
        this.group = Stream.bytes(sink);
        this.consumer = Consumer.from(group, Stream.bytes(consumer));
        this.consumerName = consumer;
    }

    byte[] group() {
        return group;
    }

    /** This instance's consumer in the group. */
    Consumer<byte[]> consumer() {
        return consumer;
    }

    /** Creates the group at {@code afterId} (and the stream if missing) unless it exists; then the position has no effect. */
    void create(Stream stream, String afterId) {
        try {
            redis.executeSync("sink " + sink + ": create group on " + stream.name(),
                    c -> c.xgroupCreate(XReadArgs.StreamOffset.from(stream.key(), afterId), group,
                            XGroupCreateArgs.Builder.mkstream()));
        } catch (PulseException e) {
            if (e.getMessage() == null || !e.getMessage().contains("BUSYGROUP")) {
                throw e;
            }
        }
    }

    void createConsumer(Stream stream) {
        redis.executeSync("sink " + sink + ": create consumer", c -> c.xgroupCreateconsumer(stream.key(), consumer));
    }

    void deleteConsumer(Stream stream) {
        redis.executeSync("sink " + sink + ": delete consumer", c -> c.xgroupDelconsumer(stream.key(), consumer));
    }

    /** Destroys the group on {@code stream}, with what it still held pending. */
    void destroy(Stream stream) {
        redis.executeSync("sink " + sink + ": destroy group on " + stream.name(),
                c -> c.xgroupDestroy(stream.key(), group));
    }

    /** How many events this instance's consumer holds unacknowledged on {@code stream}. */
    long pending(Stream stream) {
        List<Object> consumers = redis.executeSync("sink " + sink + ": list consumers",
                c -> c.xinfoConsumers(stream.key(), group));
        return SinkMaintenance.pendingOf(consumers, consumerName);
    }

    /** Whether a read failed because the stream or the group is gone (deleted, or expired). */
    static boolean isGone(PulseException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("NOGROUP") || message.contains("no longer exists");
    }

    /**
     * Removes this instance's consumer, keep-alive and registry entries when it holds no pending event
     * (nor {@code reclaimed} events taken but not delivered): nothing is left for another instance to
     * re-claim, and leaving them would grow the shared keep-alive map forever. With pending events they stay, so another instance re-claims the events
     * and then removes the consumer as stale. Failures are logged: a close must not fail.
     */
    void detachIfIdle(Iterable<Stream> streams, int reclaimed, SinkStateMaps state, Logger log) {
        try {
            long pending = 0;
            for (Stream stream : streams) {
                pending += pending(stream);
            }
            pending += reclaimed;
            if (pending > 0) {
                log.atInfo().addKeyValue("sink", sink).addKeyValue("consumer", consumerName)
                        .addKeyValue("pending", pending).log("closing with unacknowledged events; another instance will re-claim them");
                return;
            }
            for (Stream stream : streams) {
                deleteConsumer(stream);
                ReplicatedMap registry = state.registry(stream.name());
                if (registry != null) {
                    registry.removeValues(sink, consumerName);
                }
            }
            for (ReplicatedMap keepAlives : state.keepAliveMaps()) {
                keepAlives.delete(consumerName);
            }
        } catch (RuntimeException e) {
            log.atWarn().addKeyValue("sink", sink).addKeyValue("consumer", consumerName).setCause(e)
                    .log("could not remove this instance's consumer; other instances will remove it as stale");
        }
    }
}
