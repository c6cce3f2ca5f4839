package io.pulse.streaming;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.XAddArgs;
import io.pulse.core.KeyLayout;
import io.pulse.core.PulseEventListener;
import io.pulse.core.PulseException;
import io.pulse.core.PulseRedis;
import io.pulse.core.TracePropagation;
import io.pulse.core.internal.Args;
import io.pulse.core.internal.Futures;
import io.pulse.core.internal.Names;
import io.pulse.core.internal.RedisFacade;
import io.pulse.rmap.internal.MapWrites;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A thread-safe handle, cheap and free of I/O to open, on a named event stream kept in the Redis
 * stream {@code pulse:stream:<name>}: producers
 * {@link #add} events; {@link #reader() readers} each see every event; {@link #sink sinks} share
 * events between their instances with acknowledgements. A cheap, thread-safe handle: opening one
 * does no I/O, and many may exist for one name.
 *
 * <p>The stream is bounded: it is trimmed to about {@code maxLen} events (default 1,000), in batches
 * after every few adds, never removing an event a sink has read but not acknowledged yet. Blocking
 * calls wait a bounded time and throw {@link PulseException} on Redis failures; each has an
 * {@code ...Async} twin.
 */
public final class Stream {

    private static final Logger DEFAULT_LOG = LoggerFactory.getLogger(Stream.class);

    private final String name;
    private final PulseRedis redis;
    private final RedisFacade facade;
    private final long maxLen;
    private final Duration ttl;
    private final boolean slidingTtl;
    private final Logger log;
    private final JsonCodec codec;
    private final byte[] key;
    private final int trimEvery;
    private final AtomicLong addsSinceTrim = new AtomicLong();

    private Stream(Builder b) {
        this.name = b.name;
        this.redis = b.redis;
        this.facade = RedisFacade.of(b.redis);
        this.maxLen = b.maxLen;
        this.ttl = b.ttl;
        this.slidingTtl = b.sliding;
        this.log = b.log;
        this.codec = b.codec;
        this.key = bytes(facade.layout().streamKey(name));
        this.trimEvery = (int) Math.max(1, Math.min(100, maxLen / 10));
    }

    /** A handle on the stream {@code name} with default options (max length 1,000, no TTL). No I/O. */
    public static Stream open(String name, PulseRedis redis) {
        return builder(name, redis).open();
    }

    /** Starts configuring a handle on the stream {@code name}; validates both arguments now. */
    public static Builder builder(String name, PulseRedis redis) {
        return new Builder(name, redis);
    }

    /** Options of a stream handle; not thread-safe, ends in {@link #open()}. */
    public static final class Builder {
        private final String name;
        private final PulseRedis redis;
        private long maxLen = 1000;
        private Duration ttl = Duration.ZERO;
        private boolean sliding;
        private Logger log = DEFAULT_LOG;
        private JsonCodec codec = JsonCodec.DEFAULT;

        private Builder(String name, PulseRedis redis) {
            this.name = Names.requireValid("stream", name);
            this.redis = Objects.requireNonNull(redis, "redis");
        }

        /** About how many events the stream keeps (default 1,000); zero or less keeps all. */
        public Builder maxLen(long maxLen) {
            this.maxLen = maxLen;
            return this;
        }

        /** The stream expires {@code ttl} after it was created; adds do not extend it. Zero: never. */
        public Builder ttl(Duration ttl) {
            this.ttl = Args.ttl("ttl", ttl);
            this.sliding = false;
            return this;
        }

        /** The stream expires {@code ttl} after its last add. Zero: never. */
        public Builder slidingTtl(Duration ttl) {
            this.ttl = Args.ttl("ttl", ttl);
            this.sliding = true;
            return this;
        }

        /** The logger of the stream and of its readers and sinks. */
        public Builder logger(Logger logger) {
            this.log = Objects.requireNonNull(logger, "logger");
            return this;
        }

        /**
         * The codec {@link Stream#add(String, Object, AddOptions...)} encodes with (default: Jackson
         * defaults). {@link Event#payloadAs} decodes with the default codec; with a custom one, decode
         * with {@code codec.decode(event.payload(), type)}.
         */
        public Builder codec(JsonCodec codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /** Returns the handle. No I/O. */
        public Stream open() {
            return new Stream(this);
        }
    }

    /** The stream's name. */
    public String name() {
        return name;
    }

    /** The maximum length the stream is trimmed to (zero or less: unbounded). */
    public long maxLen() {
        return maxLen;
    }

    /**
     * Appends an event and returns its id, or {@code null} if
     * {@link AddOptions#onlyIfStreamExists()} was given and the stream does not exist.
     *
     * @throws PulseException if Redis fails
     */
    public String add(String eventName, byte[] payload, AddOptions... options) {
        return Futures.await(addAsync(eventName, payload, options), facade.syncTimeout(), "stream " + name + ": add");
    }

    /** Appends an event whose payload is {@code value} encoded as JSON by the stream's codec. */
    public String add(String eventName, Object value, AddOptions... options) {
        return add(eventName, codec.encode(value), options);
    }

    /** Async twin of {@link #add(String, byte[], AddOptions...)}. */
    public CompletableFuture<String> addAsync(String eventName, byte[] payload, AddOptions... options) {
        Names.requireWellFormed("eventName", eventName);
        Objects.requireNonNull(payload, "payload");
        AddOptions opts = merge(options);
        PulseEventListener events = facade.events();
        long start = events == PulseEventListener.NONE ? 0 : System.nanoTime();
        Map<String, String> trace = opts.traceContextValue();
        if (trace == null) {
            TracePropagation tracing = facade.tracing();
            trace = tracing == TracePropagation.NONE ? Map.of() : tracing.capture();
        }
        CompletableFuture<String> id;
        if (ttl.isZero()) {
            Map<byte[], byte[]> body = EntryCodec.encode(eventName, payload, opts.topicValue(), trace);
            XAddArgs args = new XAddArgs();
            if (opts.onlyIfExists()) {
                args.nomkstream();
            }
            id = facade.execute("stream " + name + ": add", c -> c.xadd(key, args, body));
        } else {
            id = StreamScripts.ADD_WITH_TTL.<byte[]>run(facade, ScriptOutputType.VALUE, new byte[][] {key},
                    ttlScriptArgs(opts, eventName, payload, trace))
                    .thenApply(v -> v == null ? null : new String(v, StandardCharsets.UTF_8));
        }
        return id.whenComplete((v, e) -> {
            if (e == null && v != null && events != PulseEventListener.NONE) {
                events.streamAdded(name, System.nanoTime() - start);
            }
            if (e == null && v != null && maxLen > 0 && addsSinceTrim.incrementAndGet() >= trimEvery) {
                addsSinceTrim.set(0);
                trim();
            }
        });
    }

    /**
     * Runs one trimming step towards {@code maxLen} events in the background; errors are logged. Each
     * step removes at most {@link #TRIM_STEP} events, so its cost is bounded however long a backlog grew.
     */
    void trim() {
        StreamScripts.TRIM.<Long>run(facade, ScriptOutputType.INTEGER, new byte[][] {key}, bytes(Long.toString(maxLen)),
                        TRIM_STEP_ARG)
                .whenComplete((removed, e) -> {
                    if (e != null) {
                        log.atWarn().addKeyValue("stream", name).setCause(e).log("trimming failed; will retry");
                    } else if (removed != null && removed > 0) {
                        log.atDebug().addKeyValue("stream", name).addKeyValue("removed", removed).log("trimmed");
                        facade.events().streamTrimmed(name, removed);
                    }
                });
    }

    /**
     * Deletes events by id (for exceptional use: consumers acknowledge instead). Returns how many
     * existed; no I/O when no id is given.
     *
     * @throws NullPointerException if {@code ids} or one of them is null
     * @throws IllegalArgumentException if an id is not a stream entry id
     */
    public long remove(String... ids) {
        Objects.requireNonNull(ids, "ids");
        for (int i = 0; i < ids.length; i++) {
            String id = Objects.requireNonNull(ids[i], "ids[" + i + "]");
            if (!StreamIds.isValid(id)) {
                throw new IllegalArgumentException("not a stream entry id: \"" + id + "\"");
            }
        }
        if (ids.length == 0) {
            return 0;
        }
        Long n = facade.executeSync("stream " + name + ": remove", c -> c.xdel(key, ids));
        return n == null ? 0 : n;
    }

    /**
     * Deletes the stream with all its events and consumer groups, and destroys its sink registry map
     * (leaving the replicated-map tombstone, as Go Pulse does). Readers see no more events (a read
     * blocked on it returns at its block timeout, empty) and go on if the stream is created again.
     * Open sinks are woken at once and recreate the stream, empty, with their group: close a stream's
     * sinks before destroying it for good.
     */
    public void destroy() {
        facade.executeSync("stream " + name + ": destroy", c -> c.del(key));
        // the registry is destroyed without joining it: only the destroy tombstone is written
        MapWrites registry = MapWrites.of(facade, facade.layout().sinkRegistryMap(name));
        String what = "stream " + name + ": destroy";
        if (Futures.await(registry.exists(), facade.syncTimeout(), what)) {
            Futures.await(registry.destroy(), facade.syncTimeout(), what);
        }
        log.atInfo().addKeyValue("stream", name).log("stream deleted");
    }

    /** Starts configuring a reader: an independent cursor that sees every event. */
    public Reader.Builder reader() {
        return new Reader.Builder(this);
    }

    /**
     * Starts configuring an instance of the sink {@code sinkName}: instances of one sink share the
     * stream's events, each event going to one of them, until acknowledged.
     */
    public Sink.Builder sink(String sinkName) {
        return new Sink.Builder(this, Names.requireValid("sink", sinkName));
    }

    @Override
    public String toString() {
        return "Stream[" + name + "]";
    }

    // ---- package-private helpers for readers and sinks ----

    PulseRedis redis() {
        return redis;
    }

    RedisFacade facade() {
        return facade;
    }

    KeyLayout layout() {
        return facade.layout();
    }

    Logger log() {
        return log;
    }

    byte[] key() {
        return key;
    }

    /** Applies the TTL (a sink may just have created the stream). */
    CompletableFuture<Void> applyTtl() {
        if (ttl.isZero()) {
            return CompletableFuture.completedFuture(null);
        }
        return StreamScripts.APPLY_TTL.<Long>run(facade, ScriptOutputType.INTEGER, new byte[][] {key}, ttlMillis(), ttlMode())
                .thenApply(v -> null);
    }

    /** The arguments of {@code add_with_ttl.lua}: options, name, payload, topic, then trace field pairs. */
    private byte[][] ttlScriptArgs(AddOptions opts, String eventName, byte[] payload, Map<String, String> trace) {
        Map<String, String> fields = EntryCodec.traceFields(trace);
        byte[][] args = new byte[6 + 2 * fields.size()][];
        args[0] = ttlMillis();
        args[1] = ttlMode();
        args[2] = bytes(opts.onlyIfExists() ? "1" : "0");
        args[3] = bytes(eventName);
        args[4] = payload;
        args[5] = bytes(opts.topicValue());
        int i = 6;
        for (Map.Entry<String, String> field : fields.entrySet()) {
            args[i++] = bytes(field.getKey());
            args[i++] = bytes(field.getValue());
        }
        return args;
    }

    private byte[] ttlMillis() {
        return bytes(Long.toString(ttl.toMillis()));
    }

    private byte[] ttlMode() {
        return bytes(slidingTtl ? "sliding" : "absolute");
    }

    private static AddOptions merge(AddOptions[] options) {
        AddOptions merged = AddOptions.NONE;
        if (options != null) {
            for (AddOptions o : options) {
                merged = merged.and(Objects.requireNonNull(o, "options"));
            }
        }
        return merged;
    }

    /** The most events one trimming step removes (Redis's own default bound for approximate trims). */
    static final int TRIM_STEP = 10_000;
    private static final byte[] TRIM_STEP_ARG = bytes(Integer.toString(TRIM_STEP));

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
