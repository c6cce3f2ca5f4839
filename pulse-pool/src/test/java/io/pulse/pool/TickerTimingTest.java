package io.pulse.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.core.testing.RedisServerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two nodes sharing a ticker deliver each tick once, on time: never early, none lost, and a timer
 * callback that raced a map event never builds a tick from the time it just adopted.
 */
class TickerTimingTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Duration INTERVAL = Duration.ofMillis(200);
    private static final Duration RUN = Duration.ofSeconds(60);

    private final PoolFixture fixture = new PoolFixture(REDIS, b -> b.workerTtl(Duration.ofSeconds(10)));

    /** A delivered tick: its scheduled time, when it was delivered, and where. */
    private record Delivery(Instant tick, long atNanos, Instant atWall, String node) {
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void twoNodesSharingA200msTickerForSixtySecondsDeliverEveryTickOnceOnTime() throws Exception {
        String pool = RedisServerExtension.uniqueName("ticker-timing");
        Node a = fixture.join(pool);
        Node b = fixture.join(pool);
        List<Delivery> deliveries = new CopyOnWriteArrayList<>();
        // both nodes share this JVM: start from a collected heap, so that a collection of what earlier
        // test classes left behind does not pause both nodes at once in the middle of the measurement
        System.gc();
        Ticker ta = a.ticker("beat", INTERVAL);
        Ticker tb = b.ticker("beat", INTERVAL);
        ta.subscribe(t -> deliveries.add(new Delivery(t, System.nanoTime(), Instant.now(), "a")));
        tb.subscribe(t -> deliveries.add(new Delivery(t, System.nanoTime(), Instant.now(), "b")));

        Thread.sleep(RUN.toMillis());
        ta.close();
        tb.close();

        List<Delivery> sorted = new ArrayList<>(deliveries);
        sorted.sort(Comparator.comparing(Delivery::tick));
        long minGap = Long.MAX_VALUE;
        long maxGap = 0;
        long early = 0;
        long onA = sorted.stream().filter(d -> d.node().equals("a")).count();
        for (int i = 1; i < sorted.size(); i++) {
            Delivery prev = sorted.get(i - 1);
            Delivery cur = sorted.get(i);
            assertThat(Duration.between(prev.tick(), cur.tick())).as("tick %d follows tick %d by one interval", i, i - 1)
                    .isEqualTo(INTERVAL);
            long gap = TimeUnit.NANOSECONDS.toMillis(cur.atNanos() - prev.atNanos());
            minGap = Math.min(minGap, gap);
            maxGap = Math.max(maxGap, gap);
        }
        for (Delivery d : sorted) {
            if (d.atWall().isBefore(d.tick())) {
                early++;
            }
        }
        for (int i = 1; i < sorted.size(); i++) {
            long gap = TimeUnit.NANOSECONDS.toMillis(sorted.get(i).atNanos() - sorted.get(i - 1).atNanos());
            if (gap < INTERVAL.toMillis() / 2 || gap > INTERVAL.toMillis() * 3 / 2) {
                Delivery d = sorted.get(i);
                System.out.printf("[ticker-timing] gap of %d ms before tick %s, delivered on %s %d ms after its time%n",
                        gap, d.tick(), d.node(), Duration.between(d.tick(), d.atWall()).toMillis());
            }
        }
        System.out.printf("[ticker-timing] %d ticks in %d s (%d on a, %d on b); gaps between deliveries %d..%d ms "
                        + "(interval %d ms); %d delivered early%n", sorted.size(), RUN.toSeconds(), onA,
                sorted.size() - onA, minGap, maxGap, INTERVAL.toMillis(), early);
        assertThat(sorted.size()).as("ticks in %s", RUN).isGreaterThanOrEqualTo((int) (RUN.toMillis() / INTERVAL.toMillis()) - 2);
        assertThat(early).as("ticks delivered before their time").isZero();
        assertThat(minGap).as("shortest gap").isGreaterThanOrEqualTo(INTERVAL.toMillis() / 2);
        assertThat(maxGap).as("longest gap").isLessThanOrEqualTo(INTERVAL.toMillis() * 3 / 2);
    }
}
