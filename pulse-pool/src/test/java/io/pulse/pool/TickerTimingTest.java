package io.pulse.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.api.sync.RedisCommands;
import io.pulse.testing.RedisServerExtension;
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
    /**
     * How long the run may be extended when stalls of a loaded machine excused too many pairs to judge
     * the ticker on the first minute alone.
     */
    private static final Duration LONGEST_RUN = Duration.ofSeconds(150);
    /** Pairs of consecutive ticks that must be seen on time (95% of a minute's 300) for a verdict. */
    private static final int ON_TIME_PAIRS = (int) (RUN.toMillis() / INTERVAL.toMillis() * 95 / 100);
    /** A JVM that could not run a thread for this long excuses a late tick around it. */
    private static final Duration STALL = Duration.ofMillis(40);

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
        List<StallMonitor.Stall> stalls;
        RedisCommands<String, String> probe = REDIS.cli();
        try (StallMonitor monitor = new StallMonitor(STALL.toMillis(), probe::ping)) {
            Ticker ta = a.ticker("beat", INTERVAL);
            Ticker tb = b.ticker("beat", INTERVAL);
            ta.subscribe(t -> deliveries.add(new Delivery(t, System.nanoTime(), Instant.now(), "a")));
            tb.subscribe(t -> deliveries.add(new Delivery(t, System.nanoTime(), Instant.now(), "b")));
            long started = System.nanoTime();
            Thread.sleep(RUN.toMillis());
            // a machine that stalled often leaves too few pairs to judge by: watch longer, not less strictly
            while (onTimePairs(new ArrayList<>(deliveries)) < ON_TIME_PAIRS
                    && System.nanoTime() - started < LONGEST_RUN.toNanos()) {
                Thread.sleep(1000);
            }
            ta.close();
            tb.close();
            Duration ran = Duration.ofNanos(System.nanoTime() - started);
            stalls = monitor.stalls();
            check(new ArrayList<>(deliveries), monitor, ran);
        }
        System.out.printf("[ticker-timing] the JVM or Redis stalled %d times for %d ms or more: %s%n", stalls.size(),
                STALL.toMillis(), stalls.stream().map(StallMonitor.Stall::millis).toList());
    }

    /**
     * Checks the ticks against the task's bounds: consecutive (none lost), never early, and each gap
     * between deliveries within 0.5x to 1.5x the interval. A tick can only be as punctual as the JVM
     * and Redis are able to run: a pair whose span saw either stall (a collection, or a machine too
     * loaded to schedule the JVM or redis-server) is excused, but every other pair must be on time, and
     * at least {@link #ON_TIME_PAIRS} must be, so a ticker that is off by itself still fails.
     */
    private static void check(List<Delivery> sorted, StallMonitor monitor, Duration ran) {
        sorted.sort(Comparator.comparing(Delivery::tick));
        long interval = INTERVAL.toMillis();
        long minGap = Long.MAX_VALUE;
        long maxGap = 0;
        int excused = 0;
        long skipped = 0;
        long early = sorted.stream().filter(d -> d.atWall().isBefore(d.tick())).count();
        long onA = sorted.stream().filter(d -> d.node().equals("a")).count();
        for (int i = 1; i < sorted.size(); i++) {
            Delivery prev = sorted.get(i - 1);
            Delivery cur = sorted.get(i);
            long gap = TimeUnit.NANOSECONDS.toMillis(cur.atNanos() - prev.atNanos());
            long step = Duration.between(prev.tick(), cur.tick()).toMillis();
            if (isOnTime(prev, cur, interval)) {
                minGap = Math.min(minGap, gap);
                maxGap = Math.max(maxGap, gap);
                continue;
            }
            // from when the earlier tick's advance was proposed (up to half an interval before it was
            // due) to when the later one was delivered
            long from = prev.atNanos() - Duration.between(prev.tick(), prev.atWall()).toNanos()
                    - INTERVAL.toNanos() / 2;
            long stall = monitor.longestStallMillis(from, cur.atNanos());
            System.out.printf("[ticker-timing] tick %s came %d ms after tick %s (%d ms between deliveries, on %s "
                    + "%d ms after its time); the JVM or Redis stalled up to %d ms meanwhile%n", cur.tick(), step, prev.tick(),
                    gap, cur.node(), Duration.between(cur.tick(), cur.atWall()).toMillis(), stall);
            assertThat(stall).as("the longest stall of the JVM around tick %s, which came %d ms after the one before, "
                    + "%d ms between deliveries", cur.tick(), step, gap).isGreaterThanOrEqualTo(STALL.toMillis());
            if (step != interval) {
                assertThat(stall).as("a stall long enough to skip a tick (before %s)", cur.tick())
                        .isGreaterThanOrEqualTo(interval / 2);
                skipped += step / interval - 1;
            }
            excused++;
        }
        System.out.printf("[ticker-timing] %d ticks in %d s (%d on a, %d on b); gaps between deliveries %d..%d ms "
                        + "(interval %d ms) where the JVM ran freely; %d pairs excused by a stall; %d delivered early%n",
                sorted.size(), ran.toSeconds(), onA, sorted.size() - onA, minGap, maxGap, interval, excused, early);
        assertThat((long) sorted.size()).as("ticks in %s, %d skipped during stalls", ran, skipped)
                .isGreaterThanOrEqualTo(ran.toMillis() / interval - 2 - skipped);
        assertThat(early).as("ticks delivered before their time").isZero();
        assertThat(sorted.size() - 1 - excused).as("pairs of ticks on time, of %d pairs", sorted.size() - 1)
                .isGreaterThanOrEqualTo(ON_TIME_PAIRS);
    }

    /** How many consecutive pairs of the deliveries so far are on time (the same test as {@link #check}). */
    private static int onTimePairs(List<Delivery> sorted) {
        sorted.sort(Comparator.comparing(Delivery::tick));
        long interval = INTERVAL.toMillis();
        int onTime = 0;
        for (int i = 1; i < sorted.size(); i++) {
            if (isOnTime(sorted.get(i - 1), sorted.get(i), interval)) {
                onTime++;
            }
        }
        return onTime;
    }

    private static boolean isOnTime(Delivery prev, Delivery cur, long interval) {
        long gap = TimeUnit.NANOSECONDS.toMillis(cur.atNanos() - prev.atNanos());
        long step = Duration.between(prev.tick(), cur.tick()).toMillis();
        return step == interval && gap >= interval / 2 && gap <= interval * 3 / 2;
    }
}
