package io.pulse.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.core.KeyLayout.PoolMap;
import io.pulse.core.KeyLayout.PoolMapName;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The default layout gives exactly Go Pulse v1.6.5's names (and the two Java-only keys README lists). */
class GoPulseLayoutTest {

    private final KeyLayout layout = new GoPulseLayout();

    @Test
    void mapsAndStreamsHaveGoPulsesNames() {
        assertThat(layout.mapContentKey("flags")).isEqualTo("map:flags:content");
        assertThat(layout.mapUpdatesChannel("flags")).isEqualTo("map:flags:updates");
        assertThat(layout.streamKey("users")).isEqualTo("pulse:stream:users");
        assertThat(layout.streamName("pulse:stream:users")).isEqualTo("users");
        assertThat(layout.streamName("not-a-stream-key")).isEqualTo("not-a-stream-key");
        assertThat(layout.sinkRegistryMap("users")).isEqualTo("stream:users:sinks");
        // keyed by sink name only, as in Go Pulse: every stream of a sink shares them
        assertThat(layout.sinkKeepAliveMap("users", "audit")).isEqualTo("sink:audit:keepalive")
                .isEqualTo(layout.sinkKeepAliveMap("orders", "audit"));
        assertThat(layout.sinkLeaseKey("users", "audit")).isEqualTo("sink:audit:stalelease")
                .isEqualTo(layout.sinkLeaseKey("orders", "audit"));
    }

    @Test
    void poolsHaveGoPulsesNamesAndTheTwoJavaOnlyKeys() {
        Map<PoolMap, String> expected = Map.of(PoolMap.SHUTDOWN, "email:shutdown",
                PoolMap.NODE_KEEPALIVE, "email:node-keepalive", PoolMap.WORKERS, "email:workers",
                PoolMap.WORKER_KEEPALIVE, "email:worker-keepalive", PoolMap.CLEANUP, "email:cleanup",
                PoolMap.JOBS, "email:jobs", PoolMap.JOB_PAYLOADS, "email:job-payloads",
                PoolMap.PENDING_JOBS, "email:pending-jobs", PoolMap.TICKERS, "email:tickers",
                PoolMap.KEEPALIVE_TTL, "email:keepalive-ttl");
        assertThat(expected).hasSize(PoolMap.values().length);
        expected.forEach((map, name) -> assertThat(layout.poolMap("email", map)).as(map.name()).isEqualTo(name));
        assertThat(layout.poolStream("email")).isEqualTo("email:pool");
        assertThat(layout.poolSinkName()).isEqualTo("events");
        assertThat(layout.nodeStream("email", "N1")).isEqualTo("email:node:N1");
        assertThat(layout.workerStream("email", "W1")).isEqualTo("worker:W1");
        assertThat(layout.scheduleMap("email", "tenants")).isEqualTo("email:tenants");
        assertThat(layout.tickerField("email", "hourly")).isEqualTo("email:hourly");
        assertThat(layout.poolIncarnationKey("email")).isEqualTo("pulse:pool:email:incarnation");
    }

    @Test
    void namesFoundInAKeyspaceAreRecognised() {
        assertThat(layout.mapContentKeyPattern()).isEqualTo("map:*:content");
        assertThat(layout.streamKeyPattern()).isEqualTo("pulse:stream:*");
        assertThat(layout.mapOfContentKey("map:a:b:content")).contains("a:b");
        assertThat(layout.mapOfContentKey("map::content")).isEmpty();
        assertThat(layout.streamOfKey("pulse:stream:users")).contains("users");
        assertThat(layout.streamOfKey("pulse:stream:")).isEmpty();
        assertThat(layout.poolMapOf("a:b:workers")).contains(new PoolMapName("a:b", PoolMap.WORKERS));
        assertThat(layout.poolMapOf("email:hourly")).isEmpty();
        assertThat(layout.poolMapOf(":workers")).isEmpty();
        assertThat(layout.poolOfPoolStream("email:pool")).contains("email");
        assertThat(layout.poolOfNodeStream("email:node:N1")).contains("email");
        assertThat(layout.isWorkerStream("worker:W1")).isTrue();
        assertThat(layout.tickerOfField("email", "email:hourly")).contains("hourly");
        assertThat(layout.tickerOfField("email", "other:hourly")).isEmpty();
    }

    @Test
    void namesShapedLikePulsesOwnStateAreReservedAndOthersAreNot() {
        for (String reserved : new String[] {"stream:orders:sinks", "sink:audit:keepalive", "email:workers",
            "email:keepalive-ttl", "p:tickers"}) {
            assertThat(layout.isReservedMapName(reserved)).as(reserved).isTrue();
        }
        for (String free : new String[] {"workers", "jobs-of-today", "stream:orders", ":workers", "email:hourly"}) {
            assertThat(layout.isReservedMapName(free)).as(free).isFalse();
        }
        assertThat(layout.isReservedScheduleName("workers")).isTrue();
        assertThat(layout.isReservedScheduleName("pool")).isTrue();
        assertThat(layout.isReservedScheduleName("node:x")).isTrue();
        assertThat(layout.isReservedScheduleName("tenants")).isFalse();
    }
}
