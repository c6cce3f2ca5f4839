package io.pulse.pool;

import io.pulse.core.PulseRedis;
import io.pulse.streaming.AddOptions;
import io.pulse.streaming.Event;
import io.pulse.streaming.Stream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * The node streams of a pool ({@code <pool>:node:<id>}): what workers send routing nodes (acks of
 * routed events) and what routing nodes send dispatching nodes (start results), and the handling of
 * those arriving on this node's own stream. A malformed message is logged and skipped. Thread-safe.
 */
final class NodeMessages {

    private final String pool;
    private final PoolNames names;
    private final PulseRedis redis;
    private final Logger log;
    private final Map<String, Stream> streams = new ConcurrentHashMap<>();
    private volatile Router router;
    private volatile Dispatcher dispatcher;

    NodeMessages(PoolConfig config, PoolNames names, PulseRedis redis) {
        this.pool = config.pool();
        this.names = names;
        this.redis = redis;
        this.log = config.log();
    }

    void attach(Router router, Dispatcher dispatcher) {
        this.router = router;
        this.dispatcher = dispatcher;
    }

    /** Handles one message of this node's stream. */
    void onEvent(Event event) {
        try {
            EventKind kind = EventKind.of(event.eventName());
            if (kind == EventKind.ACK) {
                PoolCodec.Envelope envelope = PoolCodec.decodeEnvelope(event.payload());
                Router r = router;
                if (r != null) {
                    r.onWorkerAck(envelope.sender(), PoolCodec.decodeAck(envelope.inner()));
                }
            } else if (kind == EventKind.DISPATCH_RESULT) {
                dispatcher.onResult(PoolCodec.decodeAck(event.payload()));
            }
        } catch (PoolCodec.MalformedException e) {
            log.atError().addKeyValue("pool", pool).addKeyValue("event", event.id()).addKeyValue("reason", e.getMessage())
                    .log("skipped a malformed node event");
        }
    }

    /** A worker acknowledges an event routed by {@code routerNode}. */
    void ackToRouter(String routerNode, String workerId, String workerEventId, String error) {
        send(routerNode, EventKind.ACK, PoolCodec.envelope(workerId, PoolCodec.ack(workerEventId, error)));
    }

    /** Tells {@code dispatcherNode} how the start of pool event {@code poolEventId} went. */
    void sendDispatchResult(String dispatcherNode, String poolEventId, String error) {
        send(dispatcherNode, EventKind.DISPATCH_RESULT, PoolCodec.ack(poolEventId, error));
    }

    private void send(String node, EventKind kind, byte[] payload) {
        Stream stream = streams.computeIfAbsent(node, n -> Stream.open(names.nodeStream(n), redis));
        stream.addAsync(kind.code(), payload, AddOptions.onlyIfStreamExists()).whenComplete((eventId, e) -> {
            if (e != null) {
                log.atWarn().addKeyValue("node", node).addKeyValue("kind", kind).setCause(e).log("writing to a node stream failed");
            } else if (eventId == null) {
                log.atDebug().addKeyValue("node", node).addKeyValue("kind", kind).log("node stream gone; message dropped");
            }
        });
    }
}
