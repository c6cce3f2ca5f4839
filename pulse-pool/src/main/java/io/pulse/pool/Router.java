package io.pulse.pool;

import io.pulse.streaming.AddOptions;
import io.pulse.streaming.Event;
import io.pulse.streaming.Sink;
import io.pulse.streaming.Stream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * Routes the pool stream's events (read by a full node through the {@code events} sink) to worker
 * streams: a start to the worker the jump hash names among the active workers, a stop or a
 * notification to the job's current owner. A routed event stays unacknowledged in the pool stream
 * until the worker acknowledges it, so a router or worker that dies loses nothing: the sink hands the
 * event to another node after the ack grace period. Routes on the sink's subscription thread without
 * waiting for Redis: a routing is recorded when its {@code XADD} is answered, on the I/O thread.
 */
final class Router {

    /** Stop and notify events nobody could route for this long are dropped (their job is gone). */
    private static final Duration CONTROL_EVENT_TTL = Duration.ofMinutes(2);

    private final PoolConfig config;
    private final PoolView view;
    private final PoolStreams streams;
    private final NodeMessages messages;
    private final Logger log;
    private final Map<String, Routed> pending = new ConcurrentHashMap<>();
    private final Map<String, Stream> workerStreams = new ConcurrentHashMap<>();
    private volatile Sink sink;

    private record Routed(Event event, long routedAtMillis) {
    }

    /** A worker's ack that arrived before its routing was recorded (the round trip beat the XADD reply). */
    private record EarlyAck(PoolCodec.Ack ack, long receivedAtMillis) {
    }

    private final Map<String, EarlyAck> earlyAcks = new ConcurrentHashMap<>();

    Router(PoolConfig config, PoolView view, PoolStreams streams, NodeMessages messages) {
        this.config = config;
        this.view = view;
        this.streams = streams;
        this.messages = messages;
        this.log = config.log();
    }

    void attach(Sink sink) {
        this.sink = sink;
    }

    /** Routes one pool event; leaves it unacknowledged when it cannot be routed now. */
    void route(Event event) {
        String key;
        try {
            key = PoolCodec.decodeKey(event.payload());
        } catch (PoolCodec.MalformedException e) {
            log.atError().addKeyValue("pool", config.pool()).addKeyValue("event", event.id())
                    .addKeyValue("reason", e.getMessage()).log("dropped a malformed pool event");
            sink.ack(event);
            return;
        }
        EventKind kind = EventKind.of(event.eventName());
        String target;
        if (kind == EventKind.START) {
            List<String> active = view.activeWorkers();
            if (active.isEmpty()) {
                log.atDebug().addKeyValue("pool", config.pool()).addKeyValue("job", key)
                        .log("no active worker yet; the start waits for one");
                return;
            }
            target = active.get(config.hasher().bucket(key, active.size()));
        } else if (kind == EventKind.STOP || kind == EventKind.NOTIFY) {
            target = view.activeOwner(key);
            if (target == null) {
                if (view.payloadExists(key)
                        && Duration.between(event.createdAt(), Instant.now()).compareTo(CONTROL_EVENT_TTL) < 0) {
                    log.atDebug().addKeyValue("job", key).log("job awaiting active owner");
                } else {
                    log.atDebug().addKeyValue("job", key).log("job not found; event dropped");
                    sink.ack(event);
                }
                return;
            }
        } else {
            log.atWarn().addKeyValue("pool", config.pool()).addKeyValue("event", event.id())
                    .addKeyValue("kind", event.eventName()).log("dropped a pool event of unknown kind");
            sink.ack(event);
            return;
        }
        Stream stream = workerStreams.computeIfAbsent(target, streams::worker);
        // not awaited: the next pool event (often another worker's) need not wait for this reply
        stream.addAsync(event.eventName(), PoolCodec.envelope(config.nodeId(), event.payload()),
                AddOptions.onlyIfStreamExists()).whenComplete((routedId, error) -> {
                    if (error != null) {
                        log.atWarn().addKeyValue("worker", target).addKeyValue("job", key).setCause(error)
                                .log("routing failed; the pool redelivers the event");
                    } else if (routedId == null) {
                        // the worker's stream is gone (it is being removed): let the event come back later
                        log.atDebug().addKeyValue("worker", target).addKeyValue("job", key)
                                .log("worker stream missing; not routed");
                        workerStreams.remove(target, stream);
                    } else {
                        recordRouted(target, routedId, event);
                    }
                });
    }

    /** Remembers a routed event until its worker acknowledges it; handles an ack that came first. */
    private void recordRouted(String target, String routedId, Event event) {
        String routedKey = target + ":" + routedId;
        pending.put(routedKey, new Routed(event, System.currentTimeMillis()));
        EarlyAck early = earlyAcks.remove(routedKey);
        if (early != null) {
            onWorkerAck(target, early.ack());
        }
        log.atDebug().addKeyValue("pool", config.pool()).addKeyValue("event", event.id())
                .addKeyValue("kind", event.eventName()).addKeyValue("worker", target).log("routed");
    }

    /** A worker acknowledged a routed event: forward a start's result, then acknowledge the pool event. */
    void onWorkerAck(String workerId, PoolCodec.Ack ack) {
        String routedKey = workerId + ":" + ack.eventId();
        Routed routed = pending.remove(routedKey);
        if (routed == null) {
            // the routing may be being recorded right now: leave the ack where route() looks for it;
            // whoever removes the pending entry handles the ack, so it is handled exactly once
            earlyAcks.put(routedKey, new EarlyAck(ack, System.currentTimeMillis()));
            routed = pending.remove(routedKey);
            if (routed == null) {
                log.atDebug().addKeyValue("worker", workerId).addKeyValue("event", ack.eventId())
                        .log("ack kept until its routing is recorded (or it expires, for an unknown event)");
                return;
            }
            earlyAcks.remove(routedKey);
        }
        Event poolEvent = routed.event();
        if (EventKind.of(poolEvent.eventName()) == EventKind.START) {
            try {
                Job job = PoolCodec.decodeJob(poolEvent.payload());
                messages.sendDispatchResult(job.nodeId(), poolEvent.id(), ack.error());
            } catch (PoolCodec.MalformedException e) {
                log.atError().addKeyValue("event", poolEvent.id()).addKeyValue("reason", e.getMessage())
                        .log("cannot read the job of an acknowledged start");
            }
        }
        Sink current = sink;
        if (current != null && !current.isClosed()) {
            current.ackAsync(List.of(poolEvent)).exceptionally(e -> {
                log.atWarn().addKeyValue("event", poolEvent.id()).setCause(e).log("acknowledging a pool event failed");
                return null;
            });
        }
        prune();
    }

    /** Forgets routed events whose ack never came (the pool stream redelivers them anyway). */
    private void prune() {
        long cutoff = System.currentTimeMillis() - CONTROL_EVENT_TTL.toMillis();
        pending.values().removeIf(r -> r.routedAtMillis() < cutoff);
        earlyAcks.values().removeIf(a -> a.receivedAtMillis() < cutoff);
    }

    int pendingCount() {
        return pending.size();
    }
}
