package io.pulse.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.Consumer;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.pulse.core.PulseRedis;
import io.pulse.core.Subscription;
import io.pulse.testing.GoKeys;
import io.pulse.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One unacknowledged event holds trimming back while a 20,000-event backlog builds up behind it and
 * adds go on: trimming must keep the event, read no entry (its cost would grow with the backlog), and
 * catch up once the event is acknowledged.
 */
class TrimBehindStuckEventTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Duration LONG = Duration.ofSeconds(60);

    private static long calls(RedisCommands<String, String> cli, String command) {
        for (String line : cli.info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_" + command + ":calls=")) {
                return Long.parseLong(line.substring(line.indexOf('=') + 1, line.indexOf(',')));
            }
        }
        return 0;
    }

    private static void addMany(Stream stream, int count, String prefix) {
        Semaphore inFlight = new Semaphore(256);
        List<CompletableFuture<String>> adds = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            inFlight.acquireUninterruptibly();
            CompletableFuture<String> add = stream.addAsync("e", (prefix + i).getBytes(StandardCharsets.UTF_8));
            add.whenComplete((v, e) -> inFlight.release());
            adds.add(add);
        }
        adds.forEach(CompletableFuture::join);
    }

    @Test
    void trimmingBehindAStuckEventReadsNoEntryKeepsTheEventAndLosesOrRepeatsNoDelivery() {
        PulseRedis redis = REDIS.newPulseRedis();
        RedisCommands<String, String> cli = REDIS.cli();
        Stream stream = Stream.builder(RedisServerExtension.uniqueName("stuck"), redis).maxLen(100).open();
        String key = GoKeys.stream(stream.name());

        // a consumer of another group read one event and never acknowledges it
        String stuckId = stream.add("stuck", "stuck".getBytes(StandardCharsets.UTF_8));
        cli.xgroupCreate(XReadArgs.StreamOffset.from(key, "0-0"), "stuck-group");
        assertThat(cli.xreadgroup(Consumer.from("stuck-group", "hung"), XReadArgs.Builder.count(1),
                XReadArgs.StreamOffset.lastConsumed(key))).hasSize(1);
        addMany(stream, 20_000, "backlog-");
        assertThat(cli.xlen(key)).isGreaterThan(20_000L);

        // a live sink consumes and acknowledges every new event while adds (and trims) go on
        Sink live = stream.sink("live").ackGracePeriod(Duration.ofSeconds(5)).open();
        Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
        Subscription sub = live.subscribe(e -> {
            deliveries.computeIfAbsent(e.id(), id -> new AtomicInteger()).incrementAndGet();
            live.ack(e);
        });
        long xrangeBefore = calls(cli, "xrange") + calls(cli, "xrevrange") + calls(cli, "xread");
        long xtrimBefore = calls(cli, "xtrim");
        addMany(stream, 2_000, "live-");
        long xtrims = calls(cli, "xtrim") - xtrimBefore;
        long entryReads = calls(cli, "xrange") + calls(cli, "xrevrange") + calls(cli, "xread") - xrangeBefore;

        assertThat(xtrims).as("trimming steps run during the adds").isGreaterThanOrEqualTo(100);
        assertThat(entryReads).as("entries read while trimming behind the stuck event").isZero();
        assertThat(cli.xrange(key, io.lettuce.core.Range.create(stuckId, stuckId))).hasSize(1);
        assertThat(cli.xpending(key, "stuck-group").getMessageIds().getLower().getValue()).isEqualTo(stuckId);
        await().atMost(LONG).until(() -> deliveries.size() == 2_000);
        assertThat(deliveries.values()).as("events delivered more than once").allMatch(n -> n.get() == 1);

        // once the event is acknowledged, trimming catches up in bounded steps
        cli.xack(key, "stuck-group", stuckId);
        await().atMost(LONG).until(() -> {
            addMany(stream, 100, "after-");
            return cli.xlen(key) <= 200;
        });
        assertThat(cli.xrange(key, io.lettuce.core.Range.create(stuckId, stuckId))).isEmpty();
        sub.close();
        live.close();
    }
}
