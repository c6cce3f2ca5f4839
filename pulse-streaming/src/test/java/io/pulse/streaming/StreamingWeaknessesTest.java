package io.pulse.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.Consumer;
import io.lettuce.core.KillArgs;
import io.pulse.core.ClosedException;
import io.pulse.core.PulseException;
import io.pulse.core.PulseRedis;
import io.pulse.testing.GoKeys;
import io.pulse.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Go original's streaming weaknesses (S1 to S19 in the list of Go Pulse weaknesses) that must not exist here. */
class StreamingWeaknessesTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Duration LONG = Duration.ofSeconds(30);
    private static final Duration BLOCK = Duration.ofMillis(200);

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Stream newStream(PulseRedis redis, String base) {
        return Stream.open(RedisServerExtension.uniqueName(base), redis);
    }

    private static Sink.Builder fastSink(Stream stream, String name, Duration grace) {
        return stream.sink(name).blockDuration(BLOCK).ackGracePeriod(grace).claimPeriod(Duration.ofMillis(50));
    }

    @Test
    void closeTwiceFromAnyThreadAndFromACallbackNeverDeadlocks() throws Exception {
        PulseRedis redis = REDIS.newPulseRedis();
        Stream stream = newStream(redis, "close");
        Reader reader = stream.reader().blockDuration(BLOCK).open();
        CountDownLatch closedFromCallback = new CountDownLatch(1);
        reader.subscribe(e -> {
            reader.close();
            closedFromCallback.countDown();
        });
        stream.add("e", b("1"));
        assertThat(closedFromCallback.await(20, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> other = CompletableFuture.runAsync(reader::close);
        other.get(10, TimeUnit.SECONDS);
        reader.close();
        assertThat(reader.isClosed()).isTrue();
        assertThatThrownBy(() -> reader.addStream(newStream(redis, "late"))).isInstanceOf(ClosedException.class);
        assertThatThrownBy(reader::read).isInstanceOf(ClosedException.class);

        Sink sink = stream.sink("closer").blockDuration(BLOCK).open();
        CompletableFuture<Void> a = CompletableFuture.runAsync(sink::close);
        CompletableFuture<Void> c = CompletableFuture.runAsync(sink::close);
        CompletableFuture.allOf(a, c).get(20, TimeUnit.SECONDS);
        assertThat(sink.isClosed()).isTrue();
    }

    @Test
    void readLoopsSurviveTheirConnectionsBeingKilledAndKeepDelivering() {
        PulseRedis redis = REDIS.newPulseRedis();
        Stream stream = newStream(redis, "killed");
        Reader reader = stream.reader().blockDuration(BLOCK).open();
        Sink sink = stream.sink("killed").blockDuration(BLOCK).open();
        List<String> read = new CopyOnWriteArrayList<>();
        List<String> sunk = new CopyOnWriteArrayList<>();
        reader.subscribe(e -> read.add(e.eventName()));
        sink.subscribe(e -> {
            sunk.add(e.eventName());
            sink.ack(e);
        });
        stream.add("before", b("x"));
        await().atMost(LONG).until(() -> read.contains("before") && sunk.contains("before"));
        REDIS.cli().clientKill(KillArgs.Builder.typeNormal().skipme());
        await().atMost(LONG).until(redis::isConnected);
        await().atMost(LONG).ignoreExceptions().until(() -> stream.add("after", b("y")) != null);
        await().atMost(LONG).until(() -> read.contains("after") && sunk.contains("after"));
        reader.close();
        sink.close();
    }

    @Test
    void aSlowReaderSubscriberDoesNotStallAnotherSubscriber() {
        PulseRedis redis = REDIS.newPulseRedis();
        Stream stream = newStream(redis, "slowreader");
        Reader reader = stream.reader().blockDuration(BLOCK).open();
        CountDownLatch never = new CountDownLatch(1);
        List<Event> fast = new CopyOnWriteArrayList<>();
        reader.subscribe(e -> {
            try {
                never.await();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        reader.subscribe(fast::add);
        for (int i = 0; i < 200; i++) {
            stream.add("e" + i, b(Integer.toString(i)));
        }
        await().atMost(LONG).until(() -> fast.size() == 200);
        never.countDown();
        reader.close();
    }

    @Test
    void aSlowSinkSubscriberDoesNotStallTheKeepAliveNorGetItsConsumerRemoved() {
        PulseRedis redis = REDIS.newPulseRedis();
        Stream stream = newStream(redis, "slowsink");
        Duration grace = Duration.ofMillis(300);
        Sink sink = fastSink(stream, "slow", grace).open();
        Sink peer = fastSink(stream, "slow", grace).open();
        CountDownLatch release = new CountDownLatch(1);
        sink.subscribe(e -> {
            try {
                release.await();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        stream.add("held", b("x"));
        String keepAliveKey = "map:" + GoKeys.keepAliveMap("slow") + ":content";
        // for several grace periods the stuck subscriber's instance keeps refreshing its keep-alive
        long first = Long.parseLong(REDIS.cli().hget(keepAliveKey, sink.consumer()));
        await().atMost(LONG).until(() -> Long.parseLong(REDIS.cli().hget(keepAliveKey, sink.consumer())) > first + 900_000_000L);
        assertThat(REDIS.cli().xinfoConsumers(GoKeys.stream(stream.name()), "slow").toString()).contains(sink.consumer());
        release.countDown();
        sink.close();
        peer.close();
    }

    @Test
    void aDeletedStreamMakesTheSinkRecreateItsGroupWithoutSpinning() {
        PulseRedis redis = REDIS.newPulseRedis();
        Stream stream = newStream(redis, "deleted");
        Sink sink = stream.sink("phoenix").blockDuration(BLOCK).open();
        List<String> got = new CopyOnWriteArrayList<>();
        sink.subscribe(e -> {
            got.add(e.eventName());
            sink.ack(e);
        });
        stream.add("first", b("1"));
        await().atMost(LONG).until(() -> got.contains("first"));
        long createsBefore = xgroupCalls();
        REDIS.cli().del(GoKeys.stream(stream.name()));
        stream.add("second", b("2"));
        await().atMost(LONG).until(() -> got.contains("second"));
        // a few recreations, not a tight loop
        assertThat(xgroupCalls() - createsBefore).isLessThan(20);
        REDIS.cli().xgroupDestroy(GoKeys.stream(stream.name()), "phoenix");
        stream.add("third", b("3"));
        await().atMost(LONG).until(() -> got.contains("third"));
        assertThat(got).containsSubsequence("first", "second", "third");
        sink.close();
    }

    private static long xgroupCalls() {
        String stats = REDIS.cli().info("commandstats");
        for (String line : stats.split("\r?\n")) {
            if (line.startsWith("cmdstat_xgroup:") || line.startsWith("cmdstat_xgroup|create:")) {
                String calls = line.substring(line.indexOf("calls=") + 6);
                return Long.parseLong(calls.substring(0, calls.indexOf(',')));
            }
        }
        return 0;
    }

    @Test
    void idleEventsAreStillReclaimedAfterTheScriptCacheIsFlushed() {
        PulseRedis redis = REDIS.newPulseRedis();
        Stream stream = newStream(redis, "flush");
        Duration grace = Duration.ofMillis(300);
        Sink sink = fastSink(stream, "flushed", grace).open();
        String id = stream.add("unacked", b("x"));
        List<Event> firstRead = sink.read(Duration.ofSeconds(5));
        assertThat(firstRead).extracting(Event::id).containsExactly(id);
        REDIS.cli().scriptFlush();
        List<Event> again = new ArrayList<>();
        await().atMost(LONG).until(() -> {
            again.addAll(sink.read(BLOCK));
            return !again.isEmpty();
        });
        assertThat(again).extracting(Event::id).containsExactly(id);
        sink.ack(again.get(0));
        sink.close();
    }

    @Test
    void aNewConsumerIsNotRemovedByAnotherInstancesCleanup() {
        PulseRedis redis = REDIS.newPulseRedis();
        Stream stream = newStream(redis, "newcomer");
        Duration grace = Duration.ofMillis(200);
        Sink cleaner = fastSink(stream, "shared", grace).open();
        Sink newcomer = fastSink(stream, "shared", grace).open();
        String key = GoKeys.stream(stream.name());
        // over ten cleanup windows of the other instance, the newcomer's consumer stays
        await().during(Duration.ofSeconds(2)).atMost(LONG).until(() ->
                REDIS.cli().xinfoConsumers(key, "shared").toString().contains(newcomer.consumer()));
        cleaner.close();
        newcomer.close();
    }

    @Test
    void aStaleConsumerHoldingEventsIsRemovedOnlyAfterItsEventsWereReclaimed() {
        PulseRedis redis = REDIS.newPulseRedis();
        Stream stream = newStream(redis, "stale");
        Duration grace = Duration.ofMillis(200);
        Sink survivor = fastSink(stream, "work", grace).open();
        Sink dying = fastSink(stream, "work", grace).open();
        String key = GoKeys.stream(stream.name());
        // make sure the dying instance is the one that reads the events
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(stream.add("job", b(Integer.toString(i))));
        }
        List<Event> held = new ArrayList<>();
        await().atMost(LONG).until(() -> {
            held.addAll(dying.read(BLOCK));
            return held.size() == 5;
        });
        dying.close();
        Set<String> recovered = ConcurrentHashMap.newKeySet();
        survivor.subscribe(e -> {
            recovered.add(e.id());
            survivor.ack(e);
        });
        await().atMost(LONG).until(() -> recovered.containsAll(ids));
        await().atMost(LONG).until(() -> !REDIS.cli().xinfoConsumers(key, "work").toString().contains(dying.consumer()));
        assertThat(REDIS.cli().xpending(key, "work").getCount()).isZero();
        survivor.close();
    }

    @Test
    void eventsAddedAfterOpenButBeforeTheFirstReadAreNotMissed() {
        PulseRedis redis = REDIS.newPulseRedis();
        Stream stream = newStream(redis, "newest");
        stream.add("old", b("0"));
        Reader reader = stream.reader().startAtNewest().blockDuration(BLOCK).open();
        Sink sink = stream.sink("newest").startAtNewest().blockDuration(BLOCK).open();
        stream.add("a", b("1"));
        stream.add("b", b("2"));
        List<Event> fromReader = new ArrayList<>();
        List<Event> fromSink = new ArrayList<>();
        await().atMost(LONG).until(() -> {
            fromReader.addAll(reader.read(BLOCK));
            fromSink.addAll(sink.read(BLOCK));
            return fromReader.size() >= 2 && fromSink.size() >= 2;
        });
        assertThat(fromReader).extracting(Event::eventName).containsExactly("a", "b");
        assertThat(fromSink).extracting(Event::eventName).containsExactly("a", "b");
        reader.close();
        sink.close();
    }

    @Test
    void closeReturnsPromptlyWhileAReadIsBlockedForLong() throws Exception {
        PulseRedis redis = REDIS.newPulseRedis();
        Stream stream = newStream(redis, "blocked");
        Reader reader = stream.reader().blockDuration(Duration.ofSeconds(60)).open();
        Sink sink = stream.sink("blocked").blockDuration(Duration.ofSeconds(60)).open();
        AtomicReference<Object> readerResult = new AtomicReference<>();
        AtomicReference<Object> sinkResult = new AtomicReference<>();
        Thread r = new Thread(() -> readerResult.set(capture(reader::read)));
        Thread s = new Thread(() -> sinkResult.set(capture(sink::read)));
        r.start();
        s.start();
        await().during(Duration.ofMillis(300)).atMost(LONG).until(() -> r.isAlive() && s.isAlive());
        long start = System.nanoTime();
        reader.close();
        sink.close();
        r.join(10_000);
        s.join(10_000);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(r.isAlive()).isFalse();
        assertThat(s.isAlive()).isFalse();
    }

    private static Object capture(java.util.function.Supplier<List<Event>> read) {
        try {
            return read.get();
        } catch (RuntimeException e) {
            return e;
        }
    }

    @Test
    void closeIsBoundedEvenWhileRedisIsFrozen() throws Exception {
        PulseRedis redis = REDIS.newPulseRedis();
        Stream stream = newStream(redis, "frozen");
        Sink sink = stream.sink("frozen").blockDuration(BLOCK).open();
        Reader reader = stream.reader().blockDuration(BLOCK).open();
        sink.subscribe(e -> { });
        reader.subscribe(e -> { });
        REDIS.pause();
        try {
            long start = System.nanoTime();
            CompletableFuture.runAsync(() -> {
                sink.close();
                reader.close();
            }).get(30, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        } finally {
            REDIS.resume();
        }
    }

    @Test
    void addStreamIsIdempotentByNameAndTakesEffectWhileAReadIsBlocked() {
        PulseRedis redis = REDIS.newPulseRedis();
        Stream a = newStream(redis, "fanin-a");
        Stream b = newStream(redis, "fanin-b");
        Reader reader = stream(a).blockDuration(Duration.ofSeconds(30)).open();
        List<Event> got = new CopyOnWriteArrayList<>();
        reader.subscribe(got::add);
        await().during(Duration.ofMillis(300)).atMost(LONG).until(got::isEmpty);
        reader.addStream(b);
        reader.addStream(Stream.open(b.name(), redis));
        assertThat(reader.streamNames()).containsExactly(a.name(), b.name());
        long start = System.nanoTime();
        b.add("from-b", b("1"));
        await().atMost(Duration.ofSeconds(20)).until(() -> got.size() == 1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        await().during(Duration.ofMillis(500)).atMost(LONG).until(() -> got.size() == 1);
        reader.close();
    }

    private static Reader.Builder stream(Stream s) {
        return s.reader();
    }

    @Test
    void aNullLoggerIsRejectedAtTheCall() {
        PulseRedis redis = REDIS.newPulseRedis();
        assertThatThrownBy(() -> Stream.builder("x", redis).logger(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("logger");
    }

    @Test
    void everyEventWhoseAddReturnedAnIdIsReceivedAfterRedisIsKilledAndRestarted() throws Exception {
        PulseRedis producerRedis = REDIS.newPulseRedis();
        PulseRedis consumerRedis = REDIS.newPulseRedis();
        String name = RedisServerExtension.uniqueName("restart");
        Stream producerStream = Stream.builder(name, producerRedis).maxLen(0).open();
        Stream consumerStream = Stream.open(name, consumerRedis);
        Sink sink = consumerStream.sink("survivor").startAtOldest().blockDuration(BLOCK)
                .ackGracePeriod(Duration.ofSeconds(1)).claimPeriod(Duration.ofMillis(100)).open();
        Set<String> received = ConcurrentHashMap.newKeySet();
        sink.subscribe(e -> {
            received.add(e.id());
            try {
                sink.ack(e);
            } catch (PulseException ex) {
                // Redis is down: the event stays pending and comes back
            }
        });
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        Thread producer = new Thread(() -> {
            int i = 0;
            while (!stop.get()) {
                try {
                    accepted.add(producerStream.add("e", b(Integer.toString(i++))));
                } catch (PulseException e) {
                    // not accepted: Redis was down
                }
            }
        });
        producer.start();
        try {
            await().atMost(LONG).until(() -> accepted.size() > 200);
            REDIS.kill();
            REDIS.restart();
            int before = accepted.size();
            await().atMost(LONG).until(() -> accepted.size() > before + 200);
        } finally {
            stop.set(true);
            producer.join(30_000);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> received.containsAll(accepted));
        assertThat(sink.isClosed()).isFalse();
        sink.close();
    }

    @Test
    void aConsumerDeletedWhileItsProcessPausedComesBackOnItsNextRead() {
        PulseRedis redis = REDIS.newPulseRedis();
        Stream stream = newStream(redis, "comeback");
        Sink sink = stream.sink("comeback").blockDuration(BLOCK).open();
        String key = GoKeys.stream(stream.name());
        REDIS.cli().xgroupDelconsumer(key, Consumer.from("comeback", sink.consumer()));
        String id = stream.add("e", b("1"));
        List<Event> got = new ArrayList<>();
        await().atMost(LONG).until(() -> {
            got.addAll(sink.read(BLOCK));
            return !got.isEmpty();
        });
        assertThat(got).extracting(Event::id).containsExactly(id);
        sink.close();
    }

    @Test
    void closingTheFacadeClosesBlockedReadersAndSinksPromptly() {
        PulseRedis redis = REDIS.newPulseRedis();
        Stream stream = newStream(redis, "facadeclose");
        Reader reader = stream.reader().blockDuration(Duration.ofSeconds(30)).open();
        Sink sink = stream.sink("facadeclose").blockDuration(Duration.ofSeconds(30)).open();
        reader.subscribe(e -> { });
        reader.subscribe(e -> { });
        sink.subscribe(e -> { });
        long start = System.nanoTime();
        redis.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(reader.isClosed()).isTrue();
        assertThat(sink.isClosed()).isTrue();
    }
}
