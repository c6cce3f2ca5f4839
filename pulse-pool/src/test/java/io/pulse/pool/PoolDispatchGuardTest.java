package io.pulse.pool;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulse.core.PulseException;
import io.pulse.testing.RedisServerExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The guard that admits one dispatch per key: concurrent and sequential dispatches from several nodes,
 * and active, stale or malformed guards and payloads written straight into Redis.
 */
class PoolDispatchGuardTest extends PoolTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
    }

    @Test
    void concurrentDispatchOfOneKeyFromTwoNodesAdmitsExactlyOne() throws Exception {
        String pool = pool("race-two-nodes");
        TwoNodes p = twoNodes(pool, b -> b);

        CompletableFuture<Void> one = p.first().dispatchJobAsync("job", utf8("from first"));
        CompletableFuture<Void> two = p.second().dispatchJobAsync("job", utf8("from second"));
        List<Throwable> outcomes = new ArrayList<>();
        outcomes.add(outcome(one));
        outcomes.add(outcome(two));

        assertThat(outcomes).filteredOn(t -> t == null).hasSize(1);
        assertThat(outcomes).filteredOn(t -> t != null).singleElement().isInstanceOf(JobExistsException.class);
        assertThat(p.h1().startsOf("job") + p.h2().startsOf("job")).isEqualTo(1);
    }

    @Test
    void sequentialDispatchOfARunningKeyFromAnotherNodeIsRejected() {
        String pool = pool("race-sequential");
        TwoNodes p = twoNodes(pool, b -> b);

        p.first().dispatchJob("job", utf8("first"));

        assertThatThrownBy(() -> p.second().dispatchJob("job", utf8("second"))).isInstanceOf(JobExistsException.class);
        eventually().until(() -> REDIS.cli().hget(pendingHash(pool), "job") == null);
        assertThat(p.h1().startsOf("job") + p.h2().startsOf("job")).isEqualTo(1);
        assertThat(p.first().jobPayload("job")).hasValueSatisfying(v -> assertThat(v).containsExactly(utf8("first")));
    }

    @Test
    void activeGuardWrittenDirectlyInRedisRejectsTheDispatchAndIsLeftAlone() {
        String pool = pool("race-active-guard");
        TwoNodes p = twoNodes(pool, b -> b);
        String guard = Long.toString(PoolClock.nowNanos() + TimeUnit.HOURS.toNanos(1));
        REDIS.cli().hset(pendingHash(pool), "job", guard);

        assertThatThrownBy(() -> p.first().dispatchJob("job", utf8("x"))).isInstanceOf(JobExistsException.class);

        assertThat(REDIS.cli().hget(pendingHash(pool), "job")).isEqualTo(guard);
        assertThat(REDIS.cli().xlen(poolStreamKey(pool))).as("events added to the pool stream").isZero();
        assertThat(p.h1().starts).isEmpty();
        assertThat(p.h2().starts).isEmpty();
    }

    @Test
    void staleGuardWrittenDirectlyInRedisIsOverwrittenAndTheDispatchSucceeds() {
        String pool = pool("race-stale-guard");
        TwoNodes p = twoNodes(pool, b -> b);
        String stale = Long.toString(PoolClock.nowNanos() - TimeUnit.HOURS.toNanos(1));
        REDIS.cli().hset(pendingHash(pool), "job", stale);

        p.first().dispatchJob("job", utf8("x"));

        assertThat(p.h1().startsOf("job") + p.h2().startsOf("job")).isEqualTo(1);
        eventually().until(() -> REDIS.cli().hget(pendingHash(pool), "job") == null);
    }

    @Test
    void malformedGuardFailsTheDispatchWithAnErrorThatIsNotJobExists() {
        String pool = pool("race-malformed-guard");
        TwoNodes p = twoNodes(pool, b -> b);
        REDIS.cli().hset(pendingHash(pool), "job", "not-a-timestamp");

        assertThatThrownBy(() -> p.first().dispatchJob("job", utf8("x")))
                .isInstanceOf(PulseException.class)
                .isNotInstanceOf(JobExistsException.class)
                .hasMessageContaining("malformed pending guard");

        assertThat(REDIS.cli().hget(pendingHash(pool), "job")).isEqualTo("not-a-timestamp");
        assertThat(p.h1().starts).isEmpty();
        assertThat(p.h2().starts).isEmpty();
    }

    @Test
    void twentyConcurrentDispatchesOfOneKeyAdmitOneAndRejectNineteen() throws Exception {
        String pool = pool("race-twenty");
        TwoNodes p = twoNodes(pool, b -> b);
        CountDownLatch gate = new CountDownLatch(1);
        List<Future<Throwable>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            byte[] payload = utf8("attempt " + i);
            calls.add(THREADS.submit(() -> {
                gate.await();
                try {
                    p.first().dispatchJob("job", payload);
                    return null;
                } catch (RuntimeException e) {
                    return e;
                }
            }));
        }

        gate.countDown();
        List<Throwable> outcomes = new ArrayList<>();
        for (Future<Throwable> call : calls) {
            outcomes.add(call.get(60, TimeUnit.SECONDS));
        }

        assertThat(outcomes).filteredOn(t -> t == null).hasSize(1);
        assertThat(outcomes).filteredOn(t -> t != null).hasSize(19).allSatisfy(t -> assertThat(t)
                .isInstanceOf(JobExistsException.class));
        assertThat(p.h1().startsOf("job") + p.h2().startsOf("job")).isEqualTo(1);
    }

    @Test
    void payloadWrittenDirectlyInRedisRejectsTheDispatchAndLeavesNoGuard() {
        String pool = pool("race-payload");
        TwoNodes p = twoNodes(pool, b -> b);
        REDIS.cli().hset(payloadsHash(pool), "job", "running elsewhere");

        assertThatThrownBy(() -> p.second().dispatchJob("job", utf8("x"))).isInstanceOf(JobExistsException.class);

        assertThat(REDIS.cli().hget(pendingHash(pool), "job")).isNull();
        assertThat(REDIS.cli().xlen(poolStreamKey(pool))).isZero();
        assertThat(p.h1().starts).isEmpty();
        assertThat(p.h2().starts).isEmpty();
    }
}
