package io.pulse.micrometer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.pulse.core.PulseRedis;
import io.pulse.core.Subscription;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Publishes the activity of one {@link PulseRedis} to Micrometer: counters and timers fed by its event
 * listener, and gauges read from Redis when the registry is scraped (sink pending and lag, pool backlog,
 * jobs, workers and nodes, map sizes) for the maps, sinks and pools this process opens. README's
 * Observability section lists every meter with its unit and tags. Thread-safe.
 *
 * <p>Use: {@code new PulseMetrics(redis).bindTo(registry)}, before or after opening maps, streams and
 * pools (binding learns which are open already). A scrape never waits for Redis: each gauge shows
 * the value read at most {@link Builder#refresh} ago (NaN until the first read completes or after a
 * read failed). Meters of a map, sink or pool are removed when the process's last handle on it closes;
 * {@link #close()} removes them all and stops listening.
 */
public final class PulseMetrics implements MeterBinder, AutoCloseable {

    private final PulseRedis redis;
    private final Duration refresh;
    private final Duration timeout;
    private final boolean workerTags;
    private MeterRegistry registry; // guarded by this
    private Subscription subscription; // guarded by this
    private boolean closed; // guarded by this

    /** A binder with default options: gauges refreshed every 5 s, no per-worker meters. */
    public PulseMetrics(PulseRedis redis) {
        this(builder(redis));
    }

    private PulseMetrics(Builder b) {
        this.redis = b.redis;
        this.refresh = b.refresh;
        this.timeout = b.timeout;
        this.workerTags = b.workerTags;
    }

    /** Starts configuring a binder for {@code redis}. */
    public static Builder builder(PulseRedis redis) {
        return new Builder(redis);
    }

    /** Options of a {@link PulseMetrics}; not thread-safe, ends in {@link #build()}. */
    public static final class Builder {
        private final PulseRedis redis;
        private Duration refresh = Duration.ofSeconds(5);
        private Duration timeout = Duration.ofSeconds(2);
        private boolean workerTags;

        private Builder(PulseRedis redis) {
            this.redis = Objects.requireNonNull(redis, "redis");
        }

        /** How old a gauge's value read from Redis may get before a scrape reads it again (default 5 s). */
        public Builder refresh(Duration refresh) {
            this.refresh = positive("refresh", refresh);
            return this;
        }

        /** How long one gauge read may take before the gauge shows NaN (default 2 s). */
        public Builder readTimeout(Duration timeout) {
            this.timeout = positive("readTimeout", timeout);
            return this;
        }

        /**
         * Adds the {@code worker} tag to the job start timer and a jobs gauge per local worker (default
         * off). Worker ids are new ULIDs each time a process starts, so every restart adds series:
         * enable it only where the monitoring system copes with that.
         */
        public Builder workerTags(boolean enabled) {
            this.workerTags = enabled;
            return this;
        }

        /** Returns the binder, not bound yet. */
        public PulseMetrics build() {
            return new PulseMetrics(this);
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive, got " + d);
            }
            return d;
        }
    }

    /**
     * Starts recording into {@code registry}. A binder records into one registry (with several
     * monitoring systems, bind it to their composite).
     *
     * @throws IllegalStateException if it is bound to another registry already, or closed
     */
    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        if (closed) {
            throw new IllegalStateException("PulseMetrics is closed");
        }
        if (this.registry != null) {
            if (this.registry == registry) {
                return;
            }
            throw new IllegalStateException("PulseMetrics is bound to another registry already; "
                    + "bind one binder to a CompositeMeterRegistry to publish to several");
        }
        this.registry = registry;
        ComponentGauges gauges = new ComponentGauges(redis, registry, refresh, timeout, workerTags);
        MeterRecorder recorder = new MeterRecorder(registry, redis.layout(), workerTags);
        Subscription events = redis.addEventListener(recorder);
        Subscription components = redis.addEventListener(gauges);
        subscription = () -> {
            events.close();
            components.close();
            gauges.clear();
        };
    }

    /** Stops recording and removes every meter this binder registered. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (subscription != null) {
            subscription.close();
            ComponentGauges.removeMeters(registry, List.of());
        }
    }
}
