package io.pulse.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.cluster.SlotHash;
import io.pulse.core.KeyLayout.PoolMap;
import io.pulse.core.KeyLayout.PoolMapName;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cluster layout keeps every key of a map, a stream or a pool in one slot, and reads its names back. */
class ClusterLayoutTest {

    private final KeyLayout layout = new ClusterLayout();

    @Test
    void namesAreTaggedAsDocumented() {
        assertThat(layout.shardedPubSub()).isTrue();
        assertThat(new GoPulseLayout().shardedPubSub()).isFalse();
        assertThat(layout.mapContentKey("config")).isEqualTo("map:{config}:content");
        assertThat(layout.mapUpdatesChannel("config")).isEqualTo("map:{config}:updates");
        assertThat(layout.streamKey("users")).isEqualTo("pulse:stream:{users}");
        assertThat(layout.sinkRegistryMap("users")).isEqualTo("stream:{users}:sinks");
        assertThat(layout.sinkKeepAliveMap("users", "audit")).isEqualTo("stream:{users}:sink:audit:keepalive")
                .isNotEqualTo(layout.sinkKeepAliveMap("orders", "audit"));
        assertThat(layout.sinkLeaseKey("users", "audit")).isEqualTo("stream:{users}:sink:audit:stalelease");
        assertThat(layout.poolMap("P", PoolMap.WORKERS)).isEqualTo("{P}:workers");
        assertThat(layout.poolStream("P")).isEqualTo("{P}:pool");
        assertThat(layout.nodeStream("P", "n1")).isEqualTo("{P}:node:n1");
        assertThat(layout.workerStream("P", "w1")).isEqualTo("{P}:worker:w1");
        assertThat(layout.scheduleMap("P", "tenants")).isEqualTo("{P}:tenants");
        assertThat(layout.poolIncarnationKey("P")).isEqualTo("pulse:pool:{P}:incarnation");
        // a name holding a hash tag keeps it, so users can put components in one slot on purpose
        assertThat(layout.streamKey("orders{eu}")).isEqualTo("pulse:stream:orders{eu}");
        assertThat(slot(layout.streamKey("orders{eu}"))).isEqualTo(slot(layout.streamKey("payments{eu}")));
    }

    @Test
    void everyKeyOfAStreamAndItsSinksSharesOneSlot() {
        for (String stream : List.of("users", "a:b", "orders{eu}", "x}y", "{", "}{")) {
            int slot = slot(layout.streamKey(stream));
            assertThat(slot(layout.mapContentKey(layout.sinkRegistryMap(stream)))).as(stream).isEqualTo(slot);
            assertThat(slot(layout.mapUpdatesChannel(layout.sinkRegistryMap(stream)))).as(stream).isEqualTo(slot);
            assertThat(slot(layout.mapContentKey(layout.sinkKeepAliveMap(stream, "s{x}")))).as(stream).isEqualTo(slot);
            assertThat(slot(layout.sinkLeaseKey(stream, "s{x}"))).as(stream).isEqualTo(slot);
        }
    }

    @Test
    void everyKeyOfAPoolSharesOneSlot() {
        for (String pool : List.of("email", "a:b", "p{t}", "x}y", "}p")) {
            List<String> keys = new ArrayList<>();
            for (PoolMap map : PoolMap.values()) {
                keys.add(layout.mapContentKey(layout.poolMap(pool, map)));
                keys.add(layout.mapUpdatesChannel(layout.poolMap(pool, map)));
            }
            keys.add(layout.streamKey(layout.poolStream(pool)));
            keys.add(layout.streamKey(layout.nodeStream(pool, "n{1}")));
            keys.add(layout.streamKey(layout.workerStream(pool, "w{1}")));
            keys.add(layout.mapContentKey(layout.scheduleMap(pool, "tenants")));
            keys.add(layout.poolIncarnationKey(pool));
            for (PoolMap map : PoolMap.values()) {
                String name = layout.poolMap(pool, map);
                keys.add(layout.mapContentKey(layout.sinkRegistryMap(name)));
            }
            keys.add(layout.mapContentKey(layout.sinkRegistryMap(layout.poolStream(pool))));
            keys.add(layout.sinkLeaseKey(layout.poolStream(pool), layout.poolSinkName()));
            assertThat(keys.stream().map(ClusterLayoutTest::slot).distinct()).as(pool + ": " + keys).hasSize(1);
        }
        assertThat(slot(layout.streamKey(layout.poolStream("a")))).isNotEqualTo(slot(layout.streamKey(layout.poolStream("b"))));
    }

    @Test
    void namesFoundInAKeyspaceAreRecognised() {
        assertThat(layout.mapOfContentKey("map:{config}:content")).contains("config");
        assertThat(layout.mapOfContentKey("map:{P}:workers:content")).contains("{P}:workers");
        assertThat(layout.mapOfContentKey("map::content")).isEmpty();
        assertThat(layout.streamOfKey("pulse:stream:{users}")).contains("users");
        assertThat(layout.streamOfKey("pulse:stream:orders{eu}")).contains("orders{eu}");
        assertThat(layout.streamOfKey("pulse:stream:")).isEmpty();
        assertThat(layout.streamName(layout.streamKey("a:b"))).isEqualTo("a:b");
        assertThat(layout.streamName(layout.streamKey("}{"))).isEqualTo("}{");
        assertThat(layout.streamName(layout.streamKey("{"))).isEqualTo("{");
        assertThat(layout.poolMapOf("{P}:workers")).contains(new PoolMapName("P", PoolMap.WORKERS));
        assertThat(layout.poolMapOf("p{t}:jobs")).contains(new PoolMapName("p{t}", PoolMap.JOBS));
        // a user's map that merely ends like a pool map is not one in this layout
        assertThat(layout.poolMapOf("P:workers")).isEmpty();
        assertThat(layout.isReservedMapName("{P}:workers")).isTrue();
        assertThat(layout.isReservedMapName("P:workers")).isFalse();
        assertThat(layout.isStreamStateMap(layout.sinkRegistryMap("users"))).isTrue();
        assertThat(layout.isStreamStateMap(layout.sinkKeepAliveMap("users", "audit"))).isTrue();
        assertThat(layout.isStreamStateMap("config")).isFalse();
        assertThat(layout.poolOfPoolStream("{P}:pool")).contains("P");
        assertThat(layout.poolOfPoolStream("P:pool")).isEmpty();
        assertThat(layout.poolOfNodeStream("{P}:node:n1")).contains("P");
        assertThat(layout.isWorkerStream("{P}:worker:w1")).isTrue();
        assertThat(layout.isWorkerStream("worker:w1")).isFalse();
        assertThat(layout.tickerOfField("P", layout.tickerField("P", "hourly"))).contains("hourly");
        assertThat(layout.isReservedScheduleName("worker:x")).isTrue();
        assertThat(layout.isReservedScheduleName("tenants")).isFalse();
    }

    private static int slot(String key) {
        return SlotHash.getSlot(key);
    }
}
