package io.pulse.pool;

import static io.pulse.pool.PoolTestSupport.fast;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pulse.core.PulseRedis;
import io.pulse.testing.GoKeys;
import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ScheduleTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Duration LONG = Duration.ofSeconds(30);

    static final class Running implements JobHandler {
        final Set<String> running;

        Running(Set<String> running) {
            this.running = running;
        }

        @Override
        public void start(Job job) {
            running.add(job.key());
        }

        @Override
        public void stop(String key) {
            running.remove(key);
        }
    }

    private static List<JobSpec> jobs(String... keys) {
        List<JobSpec> out = new ArrayList<>();
        for (String k : keys) {
            out.add(new JobSpec(k, k.getBytes()));
        }
        return out;
    }

    @Test
    void threeNodesSchedulingOneNameRunThePlanOncePerTickAndJobsFollowThePlan() throws Exception {
        String pool = RedisServerExtension.uniqueName("sched");
        Set<String> running = ConcurrentHashMap.newKeySet();
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Node n = fast(pool, REDIS.newPulseRedis()).join();
            n.addWorker(new Running(running));
            nodes.add(n);
        }
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<List<JobSpec>> wanted = new AtomicReference<>(jobs("t1", "t2"));
        JobProducer producer = () -> {
            calls.incrementAndGet();
            return JobPlan.exactly(wanted.get());
        };
        List<Schedule> schedules = new ArrayList<>();
        long start = System.nanoTime();
        for (Node n : nodes) {
            schedules.add(n.schedule("tenants", Duration.ofMillis(200), producer));
        }
        await().atMost(LONG).until(() -> running.equals(Set.of("t1", "t2")));
        wanted.set(jobs("t2", "t3"));
        await().atMost(LONG).until(() -> running.equals(Set.of("t2", "t3")));
        wanted.set(jobs("t4"));
        await().atMost(LONG).until(() -> running.equals(Set.of("t4")));
        long elapsedMs = Math.max(5_000, (System.nanoTime() - start) / 1_000_000);
        Thread.sleep(Math.max(0, 5_000 - (System.nanoTime() - start) / 1_000_000));
        int total = calls.get();
        schedules.forEach(Schedule::cancel);
        long expected = elapsedMs / 200;
        // once per tick for the whole pool (about elapsed / interval), not once per node per tick
        assertThat(total).isBetween((int) (expected / 2), (int) (expected + 5));
        nodes.forEach(Node::close);
    }

    @Test
    void ticksContinueOnAnotherNodeWithinAnIntervalPlusSlackWhenTheNodeThatTickedLastCloses() {
        String pool = RedisServerExtension.uniqueName("ticker");
        Node a = fast(pool, REDIS.newPulseRedis()).join();
        Node b = fast(pool, REDIS.newPulseRedis()).join();
        List<String> ticks = new CopyOnWriteArrayList<>();
        Ticker ta = a.ticker("beat", Duration.ofMillis(200));
        Ticker tb = b.ticker("beat", Duration.ofMillis(200));
        ta.subscribe(t -> ticks.add("a@" + t));
        tb.subscribe(t -> ticks.add("b@" + t));
        await().atMost(LONG).until(() -> ticks.size() >= 5);
        // close the node that won the latest tick
        await().atMost(LONG).pollInterval(Duration.ofMillis(5))
                .until(() -> ticks.get(ticks.size() - 1).startsWith("a@"));
        a.close();
        int before = ticks.size();
        long closedAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(5)).until(() -> ticks.size() > before && ticks.get(ticks.size() - 1).startsWith("b@"));
        assertThat(Duration.ofNanos(System.nanoTime() - closedAt)).isLessThan(Duration.ofSeconds(2));
        // never two ticks for the same instant
        List<String> instants = new ArrayList<>();
        ticks.forEach(t -> instants.add(t.substring(2)));
        assertThat(instants).doesNotHaveDuplicates();
        b.close();
    }

    @Test
    void aFailingOrEmptyPlanIsSkippedAndTheNextTickRuns() {
        String pool = RedisServerExtension.uniqueName("failing");
        Node n = fast(pool, REDIS.newPulseRedis()).join();
        Set<String> running = ConcurrentHashMap.newKeySet();
        n.addWorker(new Running(running));
        AtomicInteger calls = new AtomicInteger();
        n.schedule("flaky", Duration.ofMillis(200), () -> {
            int c = calls.incrementAndGet();
            if (c % 2 == 1) {
                throw new IllegalStateException("boom " + c);
            }
            return c == 2 ? null : JobPlan.exactly(jobs("ok"));
        });
        await().atMost(LONG).until(() -> running.contains("ok"));
        n.close();
    }

    @Test
    void stopScheduleEndsTheScheduleOnEveryNode() {
        String pool = RedisServerExtension.uniqueName("ending");
        Node a = fast(pool, REDIS.newPulseRedis()).join();
        Node b = fast(pool, REDIS.newPulseRedis()).join();
        AtomicInteger calls = new AtomicInteger();
        JobProducer producer = () -> calls.incrementAndGet() >= 3 ? JobPlan.stopSchedule() : JobPlan.of(List.of(), List.of());
        Schedule sa = a.schedule("once", Duration.ofMillis(100), producer);
        Schedule sb = b.schedule("once", Duration.ofMillis(100), producer);
        await().atMost(LONG).until(() -> sa.isCancelled() && sb.isCancelled());
        int after = calls.get();
        await().during(Duration.ofMillis(500)).atMost(LONG).until(() -> calls.get() == after);
        a.close();
        b.close();
    }

    @Test
    void scheduleNamesCollidingWithThePoolsMapsAreRejected() {
        Node n = fast(RedisServerExtension.uniqueName("names"), REDIS.newPulseRedis()).join();
        for (String bad : List.of("workers", "jobs", "tickers", "pending-jobs", "a b", "")) {
            assertThatThrownBy(() -> n.schedule(bad, Duration.ofSeconds(1), () -> JobPlan.stopSchedule()))
                    .as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        n.close();
    }

    @Test
    void goDurationsFormatAndParseLikeGo() {
        assertThat(GoDuration.format(Duration.ZERO)).isEqualTo("0s");
        assertThat(GoDuration.format(Duration.ofNanos(1))).isEqualTo("1ns");
        assertThat(GoDuration.format(Duration.ofNanos(1500))).isEqualTo("1.5µs");
        assertThat(GoDuration.format(Duration.ofMillis(1))).isEqualTo("1ms");
        assertThat(GoDuration.format(Duration.ofNanos(100_005_000))).isEqualTo("100.005ms");
        assertThat(GoDuration.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(GoDuration.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(GoDuration.format(Duration.ofMinutes(2))).isEqualTo("2m0s");
        assertThat(GoDuration.format(Duration.ofHours(1))).isEqualTo("1h0m0s");
        assertThat(GoDuration.format(Duration.ofHours(36).plusNanos(1))).isEqualTo("36h0m0.000000001s");
        assertThat(GoDuration.format(Duration.ofMillis(-200))).isEqualTo("-200ms");
        for (Duration d : List.of(Duration.ZERO, Duration.ofNanos(1500), Duration.ofNanos(100_005_000),
                Duration.ofSeconds(90), Duration.ofHours(36).plusNanos(1), Duration.ofMillis(200))) {
            assertThat(GoDuration.parse(GoDuration.format(d))).isEqualTo(d);
        }
        assertThat(GoDuration.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("2us")).isEqualTo(Duration.ofNanos(2000));
        assertThatThrownBy(() -> GoDuration.parse("12")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aScheduleFollowsSuccessivePlansAndItsEndResetsTheJobMap() {
        String pool = RedisServerExtension.uniqueName("plans");
        Node n = fast(pool, REDIS.newPulseRedis()).join();
        Set<String> running = ConcurrentHashMap.newKeySet();
        n.addWorker(new Running(running));
        io.pulse.rmap.ReplicatedMap jobMap = io.pulse.rmap.ReplicatedMap.join(pool + ":" + pool, REDIS.newPulseRedis());
        List<io.pulse.rmap.MapEvent> observed = new CopyOnWriteArrayList<>();
        jobMap.subscribe(observed::add);
        AtomicInteger step = new AtomicInteger();
        JobProducer producer = () -> {
            Set<String> tracked = jobMap.keys();
            switch (step.get()) {
                case 0 -> { step.incrementAndGet(); return JobPlan.of(jobs("K"), List.of()); }
                case 1 -> { if (tracked.size() == 1) { step.incrementAndGet(); return JobPlan.of(List.of(), List.of("K")); } }
                case 2 -> { if (tracked.isEmpty()) { step.incrementAndGet(); return JobPlan.of(jobs("K1", "K2"), List.of()); } }
                case 3 -> { if (tracked.size() == 2) { step.incrementAndGet(); return JobPlan.exactly(List.of()); } }
                case 4 -> { if (tracked.isEmpty()) { step.incrementAndGet(); return JobPlan.of(jobs("K"), List.of()); } }
                case 5 -> { if (tracked.equals(Set.of("K"))) { step.incrementAndGet(); return JobPlan.exactly(jobs("K1")); } }
                case 6 -> { if (tracked.equals(Set.of("K1"))) { step.incrementAndGet(); return JobPlan.stopSchedule(); } }
                default -> { }
            }
            return JobPlan.of(List.of(), List.of());
        };
        Schedule schedule = n.schedule(pool, Duration.ofMillis(100), producer);
        await().atMost(LONG).until(() -> step.get() == 7 && schedule.isCancelled());
        await().atMost(LONG).until(() -> observed.stream().anyMatch(e -> e.kind() == io.pulse.rmap.MapEvent.Kind.RESET));
        await().atMost(LONG).until(() -> running.equals(Set.of("K1")));
        jobMap.close();
        n.close();
    }

    @Test
    void aNewTickerTicksAboutOneIntervalAfterCreationAndStopEndsIt() {
        String pool = RedisServerExtension.uniqueName("newticker");
        Node n = fast(pool, REDIS.newPulseRedis()).join();
        long created = System.currentTimeMillis();
        Ticker ticker = n.ticker("ticker1", Duration.ofMillis(300));
        String entry = REDIS.cli().hget(GoKeys.mapContent(GoKeys.tickersMap(pool)), pool + ":ticker1");
        Ticker.Entry parsed = Ticker.Entry.parse(entry);
        assertThat(parsed.interval()).isEqualTo(Duration.ofMillis(300));
        assertThat(parsed.nextMicros() / 1000).isBetween(created + 300 - 50, created + 300 + 1000);
        assertThat(entry).endsWith("|300ms");
        List<Instant> ticks = new CopyOnWriteArrayList<>();
        ticker.subscribe(ticks::add);
        await().atMost(LONG).until(() -> !ticks.isEmpty());
        ticker.stop();
        int after = ticks.size();
        await().during(Duration.ofMillis(900)).atMost(LONG).until(() -> ticks.size() == after);
        assertThat(REDIS.cli().hget(GoKeys.mapContent(GoKeys.tickersMap(pool)), pool + ":ticker1")).isNull();
        n.close();
    }

    @Test
    void aSecondTickerWithAnotherIntervalReplacesTheSharedEntry() {
        String pool = RedisServerExtension.uniqueName("replace");
        Node n = fast(pool, REDIS.newPulseRedis()).join();
        Ticker first = n.ticker("t", Duration.ofMillis(200));
        Ticker second = n.ticker("t", Duration.ofMillis(400));
        String entry = REDIS.cli().hget(GoKeys.mapContent(GoKeys.tickersMap(pool)), pool + ":t");
        assertThat(Ticker.Entry.parse(entry).interval()).isEqualTo(Duration.ofMillis(400));
        List<Instant> secondTicks = new CopyOnWriteArrayList<>();
        second.subscribe(secondTicks::add);
        await().atMost(LONG).until(() -> secondTicks.size() >= 2);
        first.stop();
        second.stop();
        int after = secondTicks.size();
        await().during(Duration.ofMillis(900)).atMost(LONG).until(() -> secondTicks.size() == after);
        n.close();
    }

    @Test
    void aTickerWhoseMapWriteFailsRetriesWithoutTicking() {
        String pool = RedisServerExtension.uniqueName("retry");
        Node n = fast(pool, REDIS.newPulseRedis()).join();
        Ticker ticker = n.ticker("r", Duration.ofMillis(200));
        List<Instant> ticks = new CopyOnWriteArrayList<>();
        ticker.subscribe(ticks::add);
        await().atMost(LONG).until(() -> !ticks.isEmpty());
        // freeze Redis: advancing fails (time-out), no tick may be delivered meanwhile
        REDIS.pause();
        int before;
        try {
            before = ticks.size();
            await().during(Duration.ofMillis(800)).atMost(LONG).until(() -> ticks.size() <= before + 1);
        } finally {
            REDIS.resume();
        }
        // and it ticks again once Redis answers
        int resumed = ticks.size();
        await().atMost(LONG).until(() -> ticks.size() > resumed);
        n.close();
    }
}
