package io.pulse.pool;

import io.lettuce.core.ScriptOutputType;
import io.pulse.core.internal.Futures;
import io.pulse.core.internal.RedisFacade;
import io.pulse.core.internal.Ulid;
import io.pulse.streaming.Stream;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;

/**
 * Tells "Redis lost the pool's state" (restarted without persistence, flushed, failed over to an
 * empty or lagging replica) apart from "another node removed one of my workers because it looked
 * dead", and recovers from the former: the node and each of its live workers register again (TTL,
 * keep-alive, stream, workers map entry) together with the jobs they still run and those jobs'
 * payloads. What Redis forgot otherwise (queued starts, stops and notifications, dispatch guards,
 * schedules' job lists) is gone.
 *
 * <p>Two signals, both of which no node produces on purpose: the pool's incarnation id (a string
 * written once if absent) changed or vanished; or the workers map's revision went back (revisions
 * only grow, even across deletes and resets). Runs on the node's maintenance thread only.
 */
final class StateLossRecovery {

    private final PoolConfig config;
    private final RedisFacade facade;
    private final PoolNames names;
    private final Liveness liveness;
    private final LocalWorkers workers;
    private final Logger log;
    private final byte[][] keys;
    private PoolMaps maps;
    private Stream nodeStream;
    private Dispatcher dispatcher;
    private String incarnation;
    private long lastWorkersRevision;
    private boolean revisionWentBack;
    private long revisionWentBackAt;

    StateLossRecovery(PoolConfig config, RedisFacade facade, PoolNames names, Liveness liveness, LocalWorkers workers) {
        this.config = config;
        this.facade = facade;
        this.names = names;
        this.liveness = liveness;
        this.workers = workers;
        this.log = config.log();
        this.keys = new byte[][] {names.incarnationKey()};
    }

    /** Learns the pool's incarnation (creating it for a new pool). Blocking; called first while joining. */
    void join() {
        incarnation = currentIncarnation();
    }

    /** What recovery writes again and whom it tells; given once the node has joined them. */
    void attach(PoolMaps maps, Stream nodeStream, Dispatcher dispatcher) {
        this.maps = maps;
        this.nodeStream = nodeStream;
        this.dispatcher = dispatcher;
    }

    /** Notes the workers map's revision; a revision lower than the last one means Redis lost data. */
    void observeWorkersRevision() {
        long revision = maps.workers().revision();
        if (revision < lastWorkersRevision) {
            revisionWentBack = true;
            revisionWentBackAt = System.nanoTime();
            log.atWarn().addKeyValue("pool", config.pool()).addKeyValue("from", lastWorkersRevision)
                    .addKeyValue("to", revision).log("the workers map's revision went back: Redis lost data");
        }
        lastWorkersRevision = revision;
    }

    /**
     * Whether a local worker missing from the workers map was lost by Redis rather than removed by
     * another node; if so, recovers (so the caller must not evict it). Blocking.
     */
    boolean explainsMissingWorker() {
        boolean recently = revisionWentBack && System.nanoTime() - revisionWentBackAt < config.workerTtl().toNanos();
        if (checkAndRecover()) {
            return true;
        }
        if (recently) {
            revisionWentBack = false;
            recover("the workers map's revision went back");
            return true;
        }
        return false;
    }

    /** Checks the incarnation and recovers if it changed; returns whether it did. Blocking. */
    boolean checkAndRecover() {
        String current = currentIncarnation();
        if (current.equals(incarnation)) {
            return false;
        }
        incarnation = current;
        recover("the pool's incarnation changed");
        return true;
    }

    private void recover(String reason) {
        log.atWarn().addKeyValue("pool", config.pool()).addKeyValue("node", config.nodeId()).addKeyValue("reason", reason)
                .log("Redis lost the pool's state (restarted empty, flushed or failed over): registering this node, "
                        + "its workers and their running jobs again; queued events and dispatch guards are gone");
        liveness.republish(config.nodeId());
        maps.nodeKeepAlives().set(config.nodeId(), Long.toString(PoolClock.nowNanos()));
        nodeStream.add(EventKind.INIT.code(), config.nodeId().getBytes(StandardCharsets.UTF_8));
        int registered = 0;
        int jobs = 0;
        for (Worker worker : workers.list()) {
            if (!worker.isStopped()) {
                jobs += worker.registerAgain();
                registered++;
            }
        }
        lastWorkersRevision = config.clientOnly() ? 0 : maps.workers().revision();
        revisionWentBack = false;
        dispatcher.confirmFromRedis();
        log.atInfo().addKeyValue("pool", config.pool()).addKeyValue("node", config.nodeId()).addKeyValue("workers", registered)
                .addKeyValue("jobs", jobs).log("registered again after Redis lost the pool's state");
    }

    private String currentIncarnation() {
        byte[] value = Futures.await(PoolScripts.INCARNATION.<byte[]>run(facade, ScriptOutputType.VALUE, keys,
                Ulid.next().getBytes(StandardCharsets.UTF_8)), facade.syncTimeout(),
                "pool " + config.pool() + ": read incarnation");
        return new String(value, StandardCharsets.UTF_8);
    }

    /** Deletes the incarnation (the pool shut down). Blocking. */
    void forget() {
        facade.executeSync("pool " + names.pool() + ": delete incarnation", c -> c.del(keys[0]));
    }
}
