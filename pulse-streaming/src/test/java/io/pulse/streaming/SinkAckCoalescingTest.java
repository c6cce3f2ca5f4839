package io.pulse.streaming;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.KillArgs;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.pulse.core.NotSentException;
import io.pulse.core.OutcomeUnknownException;
import io.pulse.core.Subscription;
import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Acknowledgements of single events share one {@code XACK} per flush, and still reach Redis before
 * anything reports them done: before their futures complete, before a subscription or the instance
 * closes, and across a connection cut while a flush is on its way.
 */
@Timeout(60)
class SinkAckCoalescingTest extends StreamTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Pattern XACK_CALLS = Pattern.compile("cmdstat_xack:calls=(\\d+)");

    @Override
    RedisServerExtension redis() {
        return REDIS;
    }

    private long xackCalls() {
        Matcher m = XACK_CALLS.matcher(cli().info("commandstats"));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** Holds every write command, XACK included, while reads such as XPENDING go on. */
    private void pauseWrites(long millis) {
        cli().dispatch(CommandType.CLIENT, new StatusOutput<>(StringCodec.UTF8),
                new CommandArgs<>(StringCodec.UTF8).add("PAUSE").add(millis).add("WRITE"));
    }

    private void resumeWrites() {
        cli().dispatch(CommandType.CLIENT, new StatusOutput<>(StringCodec.UTF8),
                new CommandArgs<>(StringCodec.UTF8).add("UNPAUSE"));
    }

    @Test
    void aPushHandlerAckingEachEventSendsFarFewerXacksThanEventsAndEveryEventIsAcked() {
        Stream stream = unboundedStream("coalesced");
        String name = RedisServerExtension.uniqueName("sink");
        int count = 2_000;
        Sink sink = closeLater(sink(stream, name).startAtOldest().open());
        addMany(stream, count);
        long before = xackCalls();
        List<CompletableFuture<Void>> acks = new CopyOnWriteArrayList<>();
        closeLater(sink.subscribe(e -> acks.add(sink.ackAsync(e))));

        eventually().until(() -> acks.size() == count);
        CompletableFuture.allOf(acks.toArray(new CompletableFuture[0])).join();
        assertThat(pendingCount(stream, name)).isZero();
        long xacks = xackCalls() - before;
        assertThat(xacks).as("XACK commands for %d events", count).isPositive().isLessThanOrEqualTo(count / 10);
    }

    @Test
    void maxPolledQueuedAcksFlushWithoutWaitingForTheDelay() {
        Stream stream = unboundedStream("by-size");
        String name = RedisServerExtension.uniqueName("sink");
        Sink sink = closeLater(sink(stream, name).startAtOldest().maxPolled(100)
                .ackFlushDelay(Duration.ofSeconds(1)).open());
        addMany(stream, 100);
        List<Event> events = pullAtLeast(sink::read, 100);
        long before = xackCalls();
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        long firstAck = System.nanoTime();
        events.subList(0, 99).forEach(e -> acks.add(sink.ackAsync(e)));
        assertThat(acks).noneMatch(CompletableFuture::isDone);

        CompletableFuture<Void> last = sink.ackAsync(events.get(99));
        // the delayed flush cannot leave before 1 s after the first acknowledgement: done sooner, the
        // hundredth acknowledgement started it
        long left = TimeUnit.MILLISECONDS.toNanos(950) - (System.nanoTime() - firstAck);
        last.orTimeout(Math.max(1, left), TimeUnit.NANOSECONDS).join();
        assertThat(acks).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        assertThat(pendingCount(stream, name)).isZero();
        assertThat(xackCalls() - before).isEqualTo(1);
    }

    @Test
    void acksOfEventsFromTwoStreamsLeaveAsOneXackPerStream() {
        Stream first = newStream("fan-in-a");
        Stream second = newStream("fan-in-b");
        String name = RedisServerExtension.uniqueName("sink");
        Sink sink = closeLater(sink(first, name).startAtOldest().ackFlushDelay(Duration.ofSeconds(1)).open());
        sink.addStream(second, "0-0");
        addMany(first, 3);
        addMany(second, 4);
        List<Event> events = pullAtLeast(sink::read, 7);
        List<CompletableFuture<Void>> acks = events.stream().map(sink::ackAsync).toList();
        long before = xackCalls();

        sink.ack(events.get(0)); // flushes now, carrying the queued ones of both streams
        // the blocking ack waits for its own stream's XACK; the other stream's may still be on its way
        CompletableFuture.allOf(acks.toArray(new CompletableFuture[0])).orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(xackCalls() - before).isEqualTo(2);
        assertThat(pendingCount(first, name)).isZero();
        assertThat(pendingCount(second, name)).isZero();
    }

    @Test
    void anAckFutureCompletesOnlyOnceRedisHasTheAck() {
        Stream stream = newStream("confirmed");
        String name = RedisServerExtension.uniqueName("sink");
        Sink sink = closeLater(sink(stream, name).startAtOldest().open());
        String id = stream.add("event", utf8("payload"));
        Event event = pullAtLeast(sink::read, 1).get(0);

        // writes wait while Redis is paused: the flush leaves, but XACK cannot be applied yet
        pauseWrites(3_000);
        CompletableFuture<Void> ack;
        try {
            ack = sink.ackAsync(event);
            throughout(Duration.ofMillis(400)).until(() -> !ack.isDone() && pendingIds(stream, name).contains(id));
        } finally {
            resumeWrites();
        }
        ack.join();
        assertThat(pendingIds(stream, name)).isEmpty();
    }

    @Test
    void aBlockingAckSendsAtOnceAndCarriesTheQueuedOnes() {
        Stream stream = newStream("blocking");
        String name = RedisServerExtension.uniqueName("sink");
        Sink sink = closeLater(sink(stream, name).startAtOldest().ackFlushDelay(Duration.ofSeconds(1)).open());
        addMany(stream, 3);
        List<Event> events = pullAtLeast(sink::read, 3);
        CompletableFuture<Void> first = sink.ackAsync(events.get(0));
        CompletableFuture<Void> second = sink.ackAsync(events.get(1));
        long before = xackCalls();

        sink.ack(events.get(2));
        assertThat(pendingCount(stream, name)).isZero();
        assertThat(xackCalls() - before).isEqualTo(1);
        assertThat(first).isDone();
        assertThat(second).isDone();
    }

    @Test
    void closingASubscriptionOrTheSinkLeavesNoAckOnlyInMemory() {
        Stream stream = unboundedStream("close-flush");
        String name = RedisServerExtension.uniqueName("sink");
        // the delay is longer than the test waits: only the closes can have sent these acks
        Sink sink = sink(stream, name).startAtOldest().ackFlushDelay(Duration.ofSeconds(1)).open();
        closeLater(sink);
        List<CompletableFuture<Void>> pushed = new CopyOnWriteArrayList<>();
        Subscription subscription = sink.subscribe(e -> pushed.add(sink.ackAsync(e)));
        addMany(stream, 10);
        eventually().until(() -> pushed.size() == 10);

        subscription.close();
        assertThat(pushed).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        assertThat(pendingCount(stream, name)).isZero();

        addMany(stream, 5);
        List<Event> pulled = pullAtLeast(sink::read, 5);
        List<CompletableFuture<Void>> acks = pulled.stream().map(sink::ackAsync).toList();
        assertThat(acks).noneMatch(CompletableFuture::isDone);
        sink.close();
        assertThat(acks).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        assertThat(pendingCount(stream, name)).isZero();
        assertThat(consumers(stream, name)).as("an idle instance removes its consumer on close").isEmpty();
    }

    @Test
    void aConnectionCutDuringAFlushEndsInTheAckOrInARedeliveryNeverInALoss() {
        Stream stream = newStream("blip");
        String name = RedisServerExtension.uniqueName("sink");
        Sink sink = closeLater(sink(stream, name).startAtOldest().open());
        String id = stream.add("event", utf8("payload"));
        Event event = pullAtLeast(sink::read, 1).get(0);

        pauseWrites(2_000);
        CompletableFuture<Void> ack;
        try {
            ack = sink.ackAsync(event);
            // the flush is on its way and held by the pause; now its connection is cut under it
            throughout(Duration.ofMillis(200)).until(() -> !ack.isDone());
            assertThat(cli().clientKill(KillArgs.Builder.typeNormal())).isPositive();
        } finally {
            resumeWrites();
        }
        try {
            ack.join();
            assertThat(pendingIds(stream, name)).as("a future completed, so Redis has the ack").isEmpty();
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOfAny(NotSentException.class, OutcomeUnknownException.class);
            // not acknowledged: the event must come again after the grace period
            List<Event> again = pullAtLeast(sink::read, 1);
            assertThat(ids(again)).contains(id);
        }
    }

    @Test
    void aZeroDelaySendsEachAckAtOnce() {
        Stream stream = newStream("no-delay");
        String name = RedisServerExtension.uniqueName("sink");
        Sink sink = closeLater(sink(stream, name).startAtOldest().ackFlushDelay(Duration.ZERO).open());
        addMany(stream, 3);
        List<Event> events = pullAtLeast(sink::read, 3);
        long before = xackCalls();
        events.forEach(e -> sink.ackAsync(e).join());
        assertThat(xackCalls() - before).isEqualTo(3);
        assertThat(pendingCount(stream, name)).isZero();
    }

    @Test
    void theFlushDelayMustBeBetweenZeroAndOneSecond() {
        Stream stream = newStream("delay-option");
        Sink.Builder builder = stream.sink(RedisServerExtension.uniqueName("sink"));
        assertThatThrownBy(() -> builder.ackFlushDelay(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("ackFlushDelay must be >= 0");
        assertThatThrownBy(() -> builder.ackFlushDelay(Duration.ofMillis(1_001)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("ackFlushDelay must be at most 1s");
        assertThatThrownBy(() -> builder.ackFlushDelay(null))
                .isInstanceOf(NullPointerException.class).hasMessage("ackFlushDelay");
        assertThat(builder.ackFlushDelay(Duration.ofSeconds(1))).isSameAs(builder);
    }

    @Test
    void anEventOfAnotherSinkIsRejectedBeforeAnyRedisCall() {
        Stream stream = newStream("foreign");
        Sink mine = closeLater(sink(stream, RedisServerExtension.uniqueName("sink")).startAtOldest().open());
        Sink other = closeLater(sink(stream, RedisServerExtension.uniqueName("sink")).startAtOldest().open());
        stream.add("event", utf8("payload"));
        Event event = pullAtLeast(other::read, 1).get(0);
        long before = xackCalls();
        assertThatThrownBy(() -> mine.ackAsync(event)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not by sink " + mine.name());
        assertThatThrownBy(() -> mine.ackAsync((Event) null)).isInstanceOf(NullPointerException.class);
        assertThat(xackCalls()).isEqualTo(before);
    }
}
