package io.pulse.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pulse.core.PulseRedis;
import io.pulse.testing.RedisServerExtension;
import io.pulse.pool.Job;
import io.pulse.pool.JobHandler;
import io.pulse.pool.Node;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.streaming.Event;
import io.pulse.streaming.Sink;
import io.pulse.streaming.Stream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The meters of {@link PulseMetrics} after real scenarios, read from a {@link SimpleMeterRegistry}. */
class PulseMetricsTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final byte[] PAYLOAD = "{}".getBytes(StandardCharsets.UTF_8);

    private static PulseMetrics bound(PulseRedis redis, SimpleMeterRegistry registry) {
        PulseMetrics metrics = PulseMetrics.builder(redis).refresh(Duration.ofMillis(50)).build();
        metrics.bindTo(registry);
        return metrics;
    }

    /** Polls a gauge (each read may start a refresh) until it shows {@code expected}. */
    private static void awaitGauge(SimpleMeterRegistry registry, String name, double expected, String... tags) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> gauge(registry, name, tags) == expected);
    }

    private static double gauge(SimpleMeterRegistry registry, String name, String... tags) {
        Gauge gauge = registry.find(name).tags(tags).gauge();
        return gauge == null ? Double.NaN : gauge.value();
    }

    private static List<String> pulseMeters(SimpleMeterRegistry registry, String tag, String value) {
        return registry.getMeters().stream().map(Meter::getId)
                .filter(id -> id.getName().startsWith("pulse.") && value.equals(id.getTag(tag)))
                .map(Meter.Id::getName).toList();
    }

    @Test
    void sinkLagIs500After500UnreadAddsAndZeroAfterDraining() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PulseRedis redis = REDIS.newPulseRedis();
        PulseMetrics metrics = bound(redis, registry);
        String name = RedisServerExtension.uniqueName("lagging");
        Stream stream = Stream.builder(name, redis).maxLen(10_000).open();
        Sink sink = stream.sink("audit").startAtOldest().blockDuration(Duration.ofMillis(100)).maxPolled(100).open();
        for (int i = 0; i < 500; i++) {
            stream.addAsync("created", PAYLOAD);
        }
        stream.add("created", PAYLOAD);
        awaitGauge(registry, "pulse.sink.lag", 501, "stream", name, "sink", "audit");
        assertThat(gauge(registry, "pulse.sink.pending", "stream", name, "sink", "audit")).isZero();
        assertThat(registry.get("pulse.stream.add").tag("stream", name).timer().count()).isEqualTo(501);

        List<Event> read = new ArrayList<>();
        while (read.size() < 501) {
            read.addAll(sink.read());
        }
        awaitGauge(registry, "pulse.sink.pending", 501, "stream", name, "sink", "audit");
        assertThat(gauge(registry, "pulse.sink.lag", "stream", name, "sink", "audit")).isZero();
        sink.ack(read);
        awaitGauge(registry, "pulse.sink.pending", 0, "stream", name, "sink", "audit");
        assertThat(registry.get("pulse.sink.acks").tags("stream", name, "sink", "audit").counter().count()).isEqualTo(501);
        assertThat(registry.get("pulse.sink.reads").tags("stream", name, "sink", "audit").counter().count()).isEqualTo(501);

        sink.close();
        assertThat(pulseMeters(registry, "sink", "audit")).isEmpty();
        metrics.close();
        assertThat(registry.getMeters()).noneMatch(m -> m.getId().getName().startsWith("pulse."));
    }

    @Test
    void poolGaugesCountWorkersNodesAndJobsAndGoWithTheLastNode() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PulseRedis redis = REDIS.newPulseRedis();
        bound(redis, registry);
        String pool = RedisServerExtension.uniqueName("metered");
        Node node = Node.builder(pool, redis).workerTtl(Duration.ofSeconds(2)).ackGracePeriod(Duration.ofSeconds(1))
                .jobSinkBlockDuration(Duration.ofMillis(200)).join();
        node.addWorker(new JobHandler() {
            @Override
            public void start(Job job) {
                if (job.key().startsWith("fail")) {
                    throw new IllegalStateException("refused");
                }
            }

            @Override
            public void stop(String key) {
            }
        });
        for (int i = 0; i < 3; i++) {
            node.dispatchJob("job" + i, PAYLOAD);
        }
        assertThatThrownBy(() -> node.dispatchJob("fail", PAYLOAD)).isInstanceOf(RuntimeException.class);
        awaitGauge(registry, "pulse.pool.jobs", 3, "pool", pool);
        awaitGauge(registry, "pulse.pool.workers", 1, "pool", pool);
        awaitGauge(registry, "pulse.pool.nodes", 1, "pool", pool);
        awaitGauge(registry, "pulse.pool.pending", 0, "pool", pool);
        assertThat(registry.get("pulse.pool.dispatch").tags("pool", pool, "outcome", "ok").timer().count()).isEqualTo(3);
        assertThat(registry.get("pulse.pool.dispatch").tags("pool", pool, "outcome", "JobStartException").timer().count())
                .isEqualTo(1);
        assertThat(registry.get("pulse.pool.job.start").tags("pool", pool).timer().count()).isEqualTo(3);
        assertThat(registry.get("pulse.pool.failures").tags("pool", pool).counter().count()).isEqualTo(1);
        // the streams of each worker and node are named after ids that change with every process
        assertThat(registry.getMeters()).extracting(m -> m.getId().getTag("stream")).filteredOn(s -> s != null)
                .noneMatch(s -> redis.layout().isWorkerStream(s) || redis.layout().poolOfNodeStream(s).isPresent())
                .contains(redis.layout().poolStream(pool));

        node.close();
        assertThat(pulseMeters(registry, "pool", pool)).isEmpty();
    }

    @Test
    void mapSizeExcludesPulsesOwnFieldsAndTheMapsMetersGoWhenItCloses() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PulseRedis redis = REDIS.newPulseRedis();
        bound(redis, registry);
        String name = RedisServerExtension.uniqueName("sized");
        ReplicatedMap map = ReplicatedMap.join(name, redis);
        map.set("a", "1");
        map.set("b", "2");
        map.set("c", "3");
        awaitGauge(registry, "pulse.map.size", 3, "map", name);
        assertThat(registry.get("pulse.map.write").tags("map", name, "op", "set", "outcome", "ok").timer().count())
                .isEqualTo(3);
        map.close();
        assertThat(pulseMeters(registry, "map", name)).isEmpty();
    }

    @Test
    void componentsOpenedBeforeBindingGetTheirGaugesAndLoseThemWhenTheyClose() {
        PulseRedis redis = REDIS.newPulseRedis();
        String map = RedisServerExtension.uniqueName("early");
        String stream = RedisServerExtension.uniqueName("early");
        String pool = RedisServerExtension.uniqueName("early");
        ReplicatedMap joined = ReplicatedMap.join(map, redis);
        joined.set("k", "v");
        Sink sink = Stream.open(stream, redis).sink("early").open();
        Node node = Node.builder(pool, redis).workerTtl(Duration.ofSeconds(2)).ackGracePeriod(Duration.ofSeconds(1))
                .jobSinkBlockDuration(Duration.ofMillis(200)).join();
        node.addWorker(new JobHandler() {
            @Override
            public void start(Job job) {
            }

            @Override
            public void stop(String key) {
            }
        });

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PulseMetrics metrics = PulseMetrics.builder(redis).refresh(Duration.ofMillis(50)).workerTags(true).build();
        metrics.bindTo(registry);
        awaitGauge(registry, "pulse.map.size", 1, "map", map);
        awaitGauge(registry, "pulse.sink.lag", 0, "stream", stream, "sink", "early");
        awaitGauge(registry, "pulse.pool.workers", 1, "pool", pool);
        assertThat(registry.find("pulse.pool.worker.jobs").tag("pool", pool).gauges()).hasSize(1);

        joined.close();
        sink.close();
        node.close();
        assertThat(pulseMeters(registry, "map", map)).isEmpty();
        assertThat(pulseMeters(registry, "sink", "early")).isEmpty();
        assertThat(pulseMeters(registry, "pool", pool)).isEmpty();
        metrics.close();
    }

    @Test
    void aGaugeWhoseReadFailsShowsNaNWithoutBlockingTheScrape() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PulseRedis redis = REDIS.newPulseRedis();
        bound(redis, registry);
        String name = RedisServerExtension.uniqueName("vanishing");
        Stream stream = Stream.open(name, redis);
        Sink sink = stream.sink("gone").open();
        stream.add("x", PAYLOAD);
        awaitGauge(registry, "pulse.sink.lag", 1, "stream", name, "sink", "gone");
        REDIS.cli().del(redis.layout().streamKey(name));
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> Double.isNaN(gauge(registry, "pulse.sink.lag", "stream", name, "sink", "gone")));
        sink.close();
    }

    @Test
    void aBinderBindsToOneRegistryOnly() {
        PulseMetrics metrics = new PulseMetrics(REDIS.newPulseRedis());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        metrics.bindTo(registry);
        metrics.bindTo(registry);
        assertThatThrownBy(() -> metrics.bindTo(new SimpleMeterRegistry())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("CompositeMeterRegistry");
        metrics.close();
        assertThatThrownBy(() -> metrics.bindTo(registry)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> PulseMetrics.builder(REDIS.newPulseRedis()).refresh(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("refresh");
    }
}
