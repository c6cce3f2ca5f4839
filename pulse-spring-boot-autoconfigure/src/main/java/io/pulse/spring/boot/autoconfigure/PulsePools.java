package io.pulse.spring.boot.autoconfigure;

import io.pulse.pool.JobHandler;
import io.pulse.pool.Node;
import io.pulse.pool.Worker;
import io.pulse.spring.boot.PulseWorker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the workers of the declared pools: when the context starts, each declared full node adds the
 * workers of its {@link PulseWorker @PulseWorker} {@link JobHandler} beans; when the context stops, each
 * declared node leaves its pool, so that its workers' jobs are handed to other nodes, before Spring
 * destroys any bean (the {@code PulseRedis} connection among them).
 *
 * <p>Its {@link #PHASE phase} puts both moments inside Spring's lifecycle: workers start before the
 * embedded web server accepts requests (phase {@code DEFAULT_PHASE - 2048}) and leave after it stopped and
 * after the web server's graceful shutdown ({@code DEFAULT_PHASE - 1024}) let in-flight requests finish,
 * so a request can still dispatch or finish a job while it is served. {@link #stop()} blocks until every
 * node left (each handler's {@code stop} bounded by the pool's {@code worker-shutdown-ttl}). Thread-safe;
 * the nodes cannot rejoin once stopped.
 */
public class PulsePools implements SmartLifecycle {

    /** Below the embedded web server's start/stop phase, so that workers outlive request handling. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 3072;

    private static final Logger LOG = LoggerFactory.getLogger(PulsePools.class);

    /**
     * The workers one node runs for the application, as the health indicator reads them.
     *
     * @param pool the pool's name
     * @param node the node, a bean of the context
     * @param workers the workers added to it, in order
     */
    public record PoolWorkers(String pool, Node node, List<Worker> workers) {
    }

    private final ListableBeanFactory beans;
    private final PulseProperties properties;
    private volatile List<PoolWorkers> pools = List.of();
    private volatile boolean running;
    private volatile boolean stopped;

    public PulsePools(ListableBeanFactory beans, PulseProperties properties) {
        this.beans = beans;
        this.properties = properties;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        if (stopped) {
            throw new IllegalStateException("Pulse's nodes left their pools when the context stopped; "
                    + "they cannot rejoin: start a new context");
        }
        Map<String, List<Handler>> handlers = handlersByPool();
        List<PoolWorkers> started = new ArrayList<>();
        properties.getPools().forEach((pool, options) -> {
            if (!options.isEnabled()) {
                return;
            }
            Node node = beans.getBean(PulseComponentRegistrar.NODE_BEAN_PREFIX + pool, Node.class);
            List<Worker> workers = new ArrayList<>();
            for (Handler handler : handlers.getOrDefault(pool, List.of())) {
                for (int i = 0; i < handler.workers(); i++) {
                    workers.add(node.addWorker(handler.handler()));
                }
                LOG.atInfo().addKeyValue("pool", pool).addKeyValue("node", node.id()).addKeyValue("bean", handler.bean())
                        .addKeyValue("workers", handler.workers()).log("workers started");
            }
            if (workers.isEmpty() && !options.isClientOnly()) {
                LOG.atInfo().addKeyValue("pool", pool)
                        .log("no @PulseWorker handler for this pool: the node routes jobs but runs none");
            }
            started.add(new PoolWorkers(pool, node, List.copyOf(workers)));
        });
        pools = List.copyOf(started);
        running = true;
    }

    private record Handler(String bean, JobHandler handler, int workers) {
    }

    /** The {@code @PulseWorker} handler beans by pool, each checked against the declared pools. */
    private Map<String, List<Handler>> handlersByPool() {
        Map<String, List<Handler>> byPool = new LinkedHashMap<>();
        for (String bean : beans.getBeanNamesForType(JobHandler.class)) {
            PulseWorker worker = beans.findAnnotationOnBean(bean, PulseWorker.class);
            if (worker == null) {
                continue;
            }
            PoolOptions pool = properties.getPools().get(worker.pool());
            if (pool == null || !pool.isEnabled()) {
                throw new IllegalStateException("@PulseWorker on bean '" + bean + "' names pool '" + worker.pool()
                        + "', which is not declared: add pulse.pools." + worker.pool()
                        + ".enabled=true (or any other pulse.pools." + worker.pool() + ".* option)");
            }
            if (pool.isClientOnly()) {
                throw new IllegalStateException("@PulseWorker on bean '" + bean + "' names pool '" + worker.pool()
                        + "', declared client-only: a client-only node hosts no workers");
            }
            if (worker.workers() < 1) {
                throw new IllegalStateException("@PulseWorker on bean '" + bean + "': workers must be at least 1, not "
                        + worker.workers());
            }
            byPool.computeIfAbsent(worker.pool(), p -> new ArrayList<>())
                    .add(new Handler(bean, beans.getBean(bean, JobHandler.class), worker.workers()));
        }
        return byPool;
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        stopped = true;
        for (PoolWorkers pool : pools) {
            try {
                // close, not shutdown: this node leaves and its jobs move to the nodes that stay
                pool.node().close();
            } catch (RuntimeException e) {
                LOG.atWarn().addKeyValue("pool", pool.pool()).setCause(e).log("leaving the pool failed");
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** The declared nodes and the workers they run; empty before the context started. */
    public List<PoolWorkers> pools() {
        return pools;
    }

    /** Whether the nodes left their pools because the context stopped. */
    public boolean isStopped() {
        return stopped;
    }
}
