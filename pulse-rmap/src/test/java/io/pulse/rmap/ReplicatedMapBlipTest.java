package io.pulse.rmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulse.core.NotSentException;
import io.pulse.core.OutcomeUnknownException;
import io.pulse.core.PulseRedis;
import io.pulse.core.internal.Futures;
import io.pulse.testing.ConnectionBlips;
import io.pulse.testing.GoKeys;
import io.pulse.testing.RedisServerExtension;
import io.pulse.rmap.internal.MapProtocol;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Map writes across real connection blips (every connection of the map's Redis user killed for about
 * 200 ms, again and again): a write reported done was applied, a failed one is typed by whether it can
 * have run, and the replica ends equal to Redis.
 */
class ReplicatedMapBlipTest {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedMapBlipTest.class);

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void mapWritesDuringBlipsAreAppliedWhenReportedDoneAndTypedWhenFailed() throws Exception {
        ConnectionBlips blips = ConnectionBlips.create(REDIS.cli(), "map-blipped");
        PulseRedis redis = REDIS.track(PulseRedis.connect(blips.uri(REDIS.uri())));
        String name = RedisServerExtension.uniqueName("blipmap");
        ReplicatedMap map = ReplicatedMap.join(name, redis);
        Map<String, String> reported = new ConcurrentHashMap<>();
        Semaphore inFlight = new Semaphore(32);
        Thread writer = new Thread(() -> {
            for (int i = 0; i < 6_000; i++) {
                String key = "k" + i;
                inFlight.acquireUninterruptibly();
                map.setAsync(key, "v").whenComplete((v, e) -> {
                    Throwable cause = e == null ? null : Futures.unwrap(e);
                    reported.put(key, cause == null ? "OK" : cause instanceof NotSentException ? "NOT_SENT"
                            : cause instanceof OutcomeUnknownException ? "OUTCOME_UNKNOWN" : "OTHER " + cause);
                    inFlight.release();
                });
            }
            inFlight.acquireUninterruptibly(32);
        }, "map-blip-writer");
        writer.start();
        while (writer.isAlive()) {
            blips.blip(Duration.ofMillis(200));
            writer.join(300);
        }
        writer.join(60_000);

        Map<String, String> inRedis = new HashMap<>(REDIS.cli().hgetall(GoKeys.content(name)));
        Map<String, Integer> counts = new TreeMap<>();
        reported.forEach((key, outcome) ->
                counts.merge(outcome + (inRedis.containsKey(key) ? " applied" : " not applied"), 1, Integer::sum));
        LOG.info("map writes across blips: {}", counts);
        assertThat(reported).hasSize(6_000);
        assertThat(counts.keySet()).as("reported done but missing, or failed without an outcome type")
                .noneMatch(k -> k.equals("OK not applied") || k.startsWith("OTHER"));
        assertThat(counts.keySet()).as("a 200 ms blip is far shorter than reconnectWait: nothing fails unsent")
                .noneMatch(k -> k.startsWith("NOT_SENT"));
        inRedis.remove(MapProtocol.REVISION_FIELD);
        inRedis.remove(MapProtocol.KIND_FIELD);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(map.snapshot()).isEqualTo(inRedis));
    }
}
