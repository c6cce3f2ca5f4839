package io.pulse.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulse.core.internal.Futures;
import io.pulse.core.internal.RedisFacade;
import io.pulse.testing.ConnectionBlips;
import io.pulse.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection blips of about 200 ms (every connection of the facade's Redis user killed again and again
 * with {@code CLIENT KILL}) while calls flow: calls issued during a blip wait for the connection and
 * run, and a call that fails says by its type whether it ran.
 */
class ConnectionBlipTest {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionBlipTest.class);
    private static final Duration BLIP = Duration.ofMillis(200);

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static ConnectionBlips blips;

    @BeforeAll
    static void createUser() {
        blips = ConnectionBlips.create(REDIS.cli(), "blipped");
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** What became of one write, as the caller was told. */
    private enum Reported { OK, NOT_SENT, OUTCOME_UNKNOWN, OTHER }

    private static Reported reported(Throwable error) {
        if (error == null) {
            return Reported.OK;
        }
        Throwable cause = Futures.unwrap(error);
        if (cause instanceof NotSentException) {
            return Reported.NOT_SENT;
        }
        if (cause instanceof OutcomeUnknownException) {
            return Reported.OUTCOME_UNKNOWN;
        }
        LOG.error("untyped failure", cause);
        return Reported.OTHER;
    }

    @Test
    void callsIssuedWhileTheConnectionIsDownWaitForItAndRun() throws Exception {
        PulseRedis redis = REDIS.track(PulseRedis.connect(blips.uri(REDIS.uri())));
        String prefix = RedisServerExtension.uniqueName("wait");
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger waitedAndRan = new AtomicInteger();
        Map<Reported, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        List<Thread> callers = new ArrayList<>();
        AtomicInteger next = new AtomicInteger();
        for (int t = 0; t < 4; t++) {
            Thread caller = new Thread(() -> {
                while (running.get()) {
                    String key = prefix + ":" + next.incrementAndGet();
                    boolean down = !redis.isConnected();
                    Reported outcome;
                    try {
                        RedisFacade.of(redis).executeSync("set " + key, c -> c.set(b(key), b("1")));
                        outcome = Reported.OK;
                    } catch (RuntimeException e) {
                        outcome = reported(e);
                    }
                    outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
                    if (down && outcome == Reported.OK) {
                        waitedAndRan.incrementAndGet();
                    }
                }
            }, "blip-caller-" + t);
            caller.start();
            callers.add(caller);
        }
        long killed = 0;
        for (int i = 0; i < 5; i++) {
            await().atMost(Duration.ofSeconds(20)).until(redis::isConnected);
            Thread.sleep(100);
            killed += blips.blip(BLIP);
        }
        await().atMost(Duration.ofSeconds(20)).until(redis::isConnected);
        running.set(false);
        for (Thread caller : callers) {
            caller.join(30_000);
        }
        LOG.info("blips killed {} connections; outcomes {}; {} calls issued while disconnected waited and ran",
                killed, outcomes, waitedAndRan);
        assertThat(killed).isGreaterThanOrEqualTo(5);
        assertThat(waitedAndRan).as("calls issued while disconnected that waited and ran").hasPositiveValue();
        assertThat(outcomes).as("a 200 ms blip is far shorter than reconnectWait: nothing fails unsent")
                .doesNotContainKeys(Reported.NOT_SENT, Reported.OTHER);
    }

    @Test
    void failedWritesSayByTheirTypeWhetherTheyCanHaveRun() throws Exception {
        // one facade waits out the blips; one may not wait at all, so its writes fail unsent
        PulseRedis patient = REDIS.track(PulseRedis.connect(blips.uri(REDIS.uri())));
        PulseRedis impatient = REDIS.track(PulseRedis.builder(blips.uri(REDIS.uri())).reconnectWait(Duration.ZERO).connect());
        String prefix = RedisServerExtension.uniqueName("typed");
        Map<String, Reported> patientWrites = new ConcurrentHashMap<>();
        Map<String, Reported> impatientWrites = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread writers = new Thread(() -> {
            Semaphore inFlight = new Semaphore(64);
            int i = 0;
            while (running.get()) {
                PulseRedis redis = i % 2 == 0 ? patient : impatient;
                Map<String, Reported> writes = i % 2 == 0 ? patientWrites : impatientWrites;
                String key = prefix + ":" + i++;
                inFlight.acquireUninterruptibly();
                CompletableFuture<String> set = RedisFacade.of(redis).execute("set " + key, c -> c.set(b(key), b("1")));
                set.whenComplete((v, e) -> {
                    writes.put(key, reported(e));
                    inFlight.release();
                });
            }
            inFlight.acquireUninterruptibly(64);
        }, "blip-writers");
        writers.start();
        for (int i = 0; i < 6; i++) {
            await().atMost(Duration.ofSeconds(20)).until(() -> patient.isConnected() && impatient.isConnected());
            Thread.sleep(150);
            blips.blip(BLIP);
        }
        running.set(false);
        writers.join(60_000);

        Map<String, Integer> patientCounts = countApplied(patientWrites);
        Map<String, Integer> impatientCounts = countApplied(impatientWrites);
        LOG.info("patient facade (reconnectWait 5 s): {}", patientCounts);
        LOG.info("impatient facade (reconnectWait 0): {}", impatientCounts);
        for (Map<String, Integer> counts : List.of(patientCounts, impatientCounts)) {
            assertThat(counts.getOrDefault("OK not applied", 0)).as("reported done but missing").isZero();
            assertThat(counts.getOrDefault("NOT_SENT applied", 0)).as("reported not sent but applied").isZero();
            assertThat(counts.keySet()).as("failures other than the two outcome types")
                    .noneMatch(k -> k.startsWith("OTHER"));
        }
        assertThat(patientCounts.keySet()).noneMatch(k -> k.startsWith("NOT_SENT"));
        assertThat(impatientCounts.getOrDefault("NOT_SENT not applied", 0))
                .as("writes refused while the connection was down").isPositive();
        assertThat(patientCounts.getOrDefault("OK applied", 0) + impatientCounts.getOrDefault("OK applied", 0))
                .isPositive();
    }

    /** Looks up each write in Redis: "OUTCOME applied" / "OUTCOME not applied" -> count. */
    private static Map<String, Integer> countApplied(Map<String, Reported> writes) {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        for (Map.Entry<String, Reported> w : writes.entrySet()) {
            boolean applied = REDIS.cli().exists(w.getKey()) == 1L;
            counts.merge(w.getValue() + (applied ? " applied" : " not applied"), 1, Integer::sum);
        }
        return counts;
    }
}
