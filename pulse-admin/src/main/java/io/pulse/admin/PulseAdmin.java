package io.pulse.admin;

import io.pulse.core.PulseRedis;
import io.pulse.core.Subscription;
import io.pulse.core.internal.Args;
import io.pulse.core.internal.ChannelListener;
import io.pulse.core.internal.Futures;
import io.pulse.core.internal.Names;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An operator's view of the pools, streams and replicated maps of one Redis, read from Redis alone:
 * it joins nothing as a member, so it shows Java and Go Pulse deployments alike and changes nothing
 * unless one of the {@link #actions() guarded actions} is called. Thread-safe; every call blocks for a
 * bounded time and does bounded work: {@code SCAN}/{@code HSCAN} pages with {@code COUNT}, ranges with
 * {@code COUNT}, never {@code KEYS}, never a blocking command.
 *
 * <pre>{@code
 * PulseAdmin admin = PulseAdmin.builder(redis).workerTtl(Duration.ofSeconds(30)).build();
 * for (Summaries.Pool p : admin.pools()) { ... }
 * admin.pool("email-pool").ifPresent(report -> ...);
 * }</pre>
 *
 * Reports are snapshots assembled from several reads, not one atomic view: a job moving between
 * workers during the reads may show on both or neither.
 */
public final class PulseAdmin {

    private final RedisQueries redis;
    private final Inspection settings;
    private final Discovery discovery;
    private final PoolInspector pools;
    private final StreamInspector streams;
    private final MapInspector maps;
    private final JobInspector jobs;
    private final AdminActions actions;

    private PulseAdmin(PulseRedis redis, Inspection settings) {
        this.redis = new RedisQueries(redis);
        this.settings = settings;
        this.discovery = new Discovery(this.redis, settings.scanCount(), settings.maxScanPages());
        this.pools = new PoolInspector(this.redis, settings);
        this.streams = new StreamInspector(this.redis, settings);
        this.maps = new MapInspector(this.redis, settings);
        this.jobs = new JobInspector(this.redis, settings, pools);
        this.actions = new AdminActions(this.redis, settings);
    }

    /** Starts building an inspector over {@code redis} (which the caller keeps owning). */
    public static Builder builder(PulseRedis redis) {
        return new Builder(Objects.requireNonNull(redis, "redis"));
    }

    /** Options of a {@link PulseAdmin}; not thread-safe, ends in {@link #build()}. */
    public static final class Builder {
        private final PulseRedis redis;
        private Clock clock = Clock.systemUTC();
        private Duration workerTtl = Duration.ofSeconds(30);
        private int listLimit = 1000;
        private int scanCount = 500;
        private int maxScanPages = 10_000;

        private Builder(PulseRedis redis) {
            this.redis = redis;
        }

        /** The clock ages are measured with (default: the system's). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Nodes and workers whose keep-alive is older are shown dead (default 30 s, Pulse's default). */
        public Builder workerTtl(Duration ttl) {
            this.workerTtl = Args.positive("workerTtl", ttl);
            return this;
        }

        /** The most jobs, map entries or pool events one report lists (default 1,000). */
        public Builder listLimit(int limit) {
            this.listLimit = Args.atLeastOne("listLimit", limit);
            return this;
        }

        /** The COUNT of each SCAN and HSCAN page (default 500). */
        public Builder scanCount(int count) {
            this.scanCount = Args.atLeastOne("scanCount", count);
            return this;
        }

        /** The most SCAN pages one discovery pass walks before it reports itself incomplete (default 10,000). */
        public Builder maxScanPages(int pages) {
            this.maxScanPages = Args.atLeastOne("maxScanPages", pages);
            return this;
        }

        public PulseAdmin build() {
            return new PulseAdmin(redis, new Inspection(clock, workerTtl, listLimit, scanCount, maxScanPages,
                    10_000, 20));
        }
    }

    /** The time reports are measured at, from the configured clock. */
    public Instant now() {
        return settings.now();
    }

    /** The liveness threshold in force. */
    public Duration workerTtl() {
        return settings.workerTtl();
    }

    /** One discovery pass over the keyspace. */
    public Catalog catalog() {
        return discovery.scan();
    }

    /** Every pool, in one line each, sorted by name. */
    public List<Summaries.Pool> pools() {
        List<Summaries.Pool> out = new ArrayList<>();
        for (String name : catalog().pools()) {
            pools.inspect(name).map(Summaries.Pool::of).ifPresent(out::add);
        }
        return out;
    }

    /** One pool in detail; empty if Redis holds no pool of that name. */
    public Optional<PoolReport> pool(String name) {
        return pools.inspect(Names.requireValid("pool", name));
    }

    /** Every user stream (not the pools' own), in one line each, sorted by name. */
    public List<Summaries.Stream> streams() {
        List<Summaries.Stream> out = new ArrayList<>();
        for (String name : catalog().streams()) {
            streams.inspect(name).map(Summaries.Stream::of).ifPresent(out::add);
        }
        return out;
    }

    /** One stream with its sinks; empty if there is no such stream. Pools' own streams work too. */
    public Optional<StreamReport> stream(String name) {
        return streams.inspect(Names.requireValid("stream", name));
    }

    /** Every user map (not the pools' or sinks' own), in one line each, sorted by name. */
    public List<Summaries.Map> maps() {
        List<Summaries.Map> out = new ArrayList<>();
        for (String name : catalog().maps()) {
            maps.summary(name).map(Summaries.Map::of).ifPresent(out::add);
        }
        return out;
    }

    /** One map with up to {@code limit} of its entries; empty if its hash does not exist. */
    public Optional<MapReport> map(String name, int limit) {
        Names.requireValid("map", name);
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        return maps.inspect(name, Math.min(limit, settings.listLimit()));
    }

    /** What Redis holds about one job of a pool; empty if there is no such pool. */
    public Optional<JobReport> job(String pool, String key) {
        Names.requireValid("pool", pool);
        Objects.requireNonNull(key, "key");
        return jobs.inspect(pool, key);
    }

    /**
     * Calls {@code listener} with every change published for map {@code name} from now on, on a Redis
     * I/O thread (so it must be quick), until the returned subscription is closed. Blocks until Redis
     * confirmed the subscription. Messages that do not decode are passed on with kind {@code "?"}.
     */
    public Subscription watchMap(String name, Consumer<MapChange> listener) {
        Names.requireValid("map", name);
        Objects.requireNonNull(listener, "listener");
        ChannelListener channel = new ChannelListener() {
            @Override
            public void onMessage(byte[] message) {
                listener.accept(WireFormat.decodeMapMessage(message)
                        .map(m -> new MapChange(m.kind(), m.key(), m.value(), m.revision()))
                        .orElseGet(() -> new MapChange("?", null, WireFormat.utf8(message), 0)));
            }

            @Override
            public void onResubscribed() {
                listener.accept(new MapChange("resubscribed", null, null, 0));
            }
        };
        return Futures.await(redis.facade().subscribe(redis.names().layout().mapUpdatesChannel(name), channel),
                redis.facade().syncTimeout(), "watch map " + name);
    }

    /** The guarded writes: stop a job, requeue an event, delete a dead node's leftovers, set or delete a map key. */
    public AdminActions actions() {
        return actions;
    }
}
