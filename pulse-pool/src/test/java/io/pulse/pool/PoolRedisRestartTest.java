package io.pulse.pool;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.core.PulseException;
import io.pulse.core.internal.Futures;
import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A pool across a Redis killed and restarted: every accepted job runs, on the worker the hash names. */
class PoolRedisRestartTest extends PoolTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
    }

    @Test
    void afterRedisIsKilledAndRestartedEveryAcceptedJobRunsOnTheWorkerTheHashNames() throws Exception {
        String pool = pool("redis-restart");
        Node a = join(pool);
        Node b = join(pool);
        Node client = join(pool, Node.Builder::clientOnly);
        Ledger ledger = new Ledger();
        Map<String, Handler> byWorker = new ConcurrentHashMap<>();
        for (Node node : List.of(a, b)) {
            for (int i = 0; i < 2; i++) {
                Handler h = new Handler(ledger);
                byWorker.put(node.addWorker(h).id(), h);
            }
        }
        awaitActiveWorkers(4, a, b);
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        Map<String, Throwable> refused = new ConcurrentHashMap<>();
        for (int i = 0; i < 100; i++) {
            client.dispatchJob("before-" + i, utf8("before-" + i));
            accepted.add("before-" + i);
        }
        AtomicBoolean flowing = new AtomicBoolean(true);
        AtomicLong restartedAt = new AtomicLong(Long.MAX_VALUE);
        AtomicLong firstAcceptedAfterRestart = new AtomicLong(Long.MAX_VALUE);
        AtomicInteger acceptedAfterRestart = new AtomicInteger();
        Future<?> flow = THREADS.submit(() -> {
            Semaphore slots = new Semaphore(8);
            int seq = 0;
            while (flowing.get()) {
                slots.acquireUninterruptibly();
                String key = "flow-" + (++seq);
                CompletableFuture<Void> d;
                try {
                    d = client.dispatchJobAsync(key, utf8(key));
                } catch (RuntimeException e) {
                    refused.put(key, e);
                    slots.release();
                    continue;
                }
                d.whenComplete((v, e) -> {
                    if (e == null) {
                        accepted.add(key);
                        long now = System.nanoTime();
                        if (now > restartedAt.get()) {
                            acceptedAfterRestart.incrementAndGet();
                            firstAcceptedAfterRestart.accumulateAndGet(now, Math::min);
                        }
                    } else {
                        refused.put(key, Futures.unwrap(e));
                    }
                    slots.release();
                });
            }
            slots.acquireUninterruptibly(8);
            return null;
        });
        undo.add(() -> flowing.set(false));
        eventually().until(() -> accepted.stream().filter(k -> k.startsWith("flow-")).count() >= 20);

        long killedAt = System.nanoTime();
        REDIS.kill();
        Thread.sleep(1000); // the outage
        REDIS.restart();
        restartedAt.set(System.nanoTime());
        eventually(Duration.ofSeconds(60)).until(() -> acceptedAfterRestart.get() >= 50);
        flowing.set(false);
        flow.get(120, TimeUnit.SECONDS);

        AtomicInteger bucketsAtEnd = new AtomicInteger();
        eventually(Duration.ofSeconds(90)).untilAsserted(() -> {
            List<String> buckets = a.view().activeWorkers();
            assertThat(buckets).as("bucket list").isNotEmpty().isEqualTo(b.view().activeWorkers());
            bucketsAtEnd.set(buckets.size());
            Map<String, List<String>> where = new HashMap<>();
            byWorker.forEach((worker, h) -> h.running.keySet().forEach(
                    key -> where.computeIfAbsent(key, k -> new ArrayList<>()).add(worker)));
            for (String key : accepted) {
                assertThat(where.get(key)).as("workers running accepted job %s", key)
                        .containsExactly(buckets.get(JumpHash.bucket(key, buckets.size())));
            }
            assertThat(where).allSatisfy((key, workers) -> assertThat(workers).as("workers running %s", key).hasSize(1));
        });
        long convergedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt.get());
        System.out.printf("[redis-restart] outage (kill to restarted) %d ms; first dispatch accepted %d ms after the "
                        + "restart; converged %d ms after the restart; %d jobs accepted, %d dispatches failed (%s); "
                        + "%d of 4 workers still active; %d jobs ran on two workers at some point%n",
                TimeUnit.NANOSECONDS.toMillis(restartedAt.get() - killedAt),
                TimeUnit.NANOSECONDS.toMillis(firstAcceptedAfterRestart.get() - restartedAt.get()), convergedMs,
                accepted.size(), refused.size(),
                refused.values().stream().map(t -> t.getClass().getSimpleName()).distinct().collect(Collectors.toList()),
                bucketsAtEnd.get(), ledger.overlapped.size());
        assertThat(refused.values()).allSatisfy(t -> assertThat(t).isInstanceOf(PulseException.class));
    }
}
