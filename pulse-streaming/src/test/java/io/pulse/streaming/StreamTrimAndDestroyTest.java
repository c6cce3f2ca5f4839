package io.pulse.streaming;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.pulse.core.ClosedException;
import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Trimming (what it keeps, pending events included) and destroying a stream while readers block on it
 * or come back.
 */
@Timeout(60)
class StreamTrimAndDestroyTest extends StreamTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
    }

    /** A longer grace than the other streaming classes use: these tests hold events across it. */
    static final Duration GRACE = Duration.ofMillis(500);

    @Override
    Duration ackGrace() {
        return GRACE;
    }

    // ================================================================== trimming

    @Test
    void maxLenTrimsTheStreamToAboutMaxLenKeepingTheNewestEvents() {
        Stream stream = Stream.builder(RedisServerExtension.uniqueName("trim"), redis).maxLen(100).open();
        assertThat(stream.maxLen()).isEqualTo(100);
        addMany(stream, 1_000);
        eventually().until(() -> cli().xlen(key(stream)) <= 200);
        assertThat(cli().xlen(key(stream))).isGreaterThanOrEqualTo(100);
        List<StreamMessage<String, String>> newest = cli().xrevrange(key(stream), Range.create("-", "+"), Limit.from(1));
        assertThat(newest.get(0).getBody()).containsEntry("p", "999");
        List<StreamMessage<String, String>> oldest = cli().xrange(key(stream), Range.create("-", "+"), Limit.from(1));
        assertThat(Integer.parseInt(oldest.get(0).getBody().get("p"))).isGreaterThanOrEqualTo(800);
    }

    @Test
    void trimmingKeepsEventsPendingInASinkGroupUntilTheyAreAcked() {
        Stream stream = Stream.builder(RedisServerExtension.uniqueName("trim-pending"), redis).maxLen(100).open();
        Stream control = Stream.builder(RedisServerExtension.uniqueName("trim-control"), redis).maxLen(100).open();
        String name = RedisServerExtension.uniqueName("sink");
        Sink sink = closeLater(sink(stream, name).ackGracePeriod(Duration.ofSeconds(60)).open());
        List<String> early = addMany(stream, 50);
        List<Event> unacked = pullAtLeast(sink::read, 50);
        assertThat(ids(unacked)).containsExactlyElementsOf(early);

        addMany(stream, 1_000);
        addMany(control, 1_050);
        // the same adds trim a stream without pending events...
        eventually().until(() -> cli().xlen(key(control)) <= 200);
        // ...but never remove an event a sink read and did not ack yet
        throughout(Duration.ofMillis(500)).until(() -> cli().xrange(key(stream),
                Range.create(early.get(0), early.get(49))).size() == 50);
        assertThat(pendingIds(stream, name)).containsExactlyElementsOf(early);

        sink.ack(unacked);
        addMany(stream, 20);
        eventually().until(() -> cli().xlen(key(stream)) <= 200);
        assertThat(cli().xrange(key(stream), Range.create(early.get(0), early.get(49)))).isEmpty();
    }

    // ================================================================== destroy under a blocked read

    /** Waits until a connection is blocked in XREAD on the server. */
    private void awaitBlockedXread() {
        eventually().until(() -> cli().clientList().lines().anyMatch(l -> l.contains("cmd=xread ")
                || l.endsWith("cmd=xread") || l.contains("cmd=xread\t")));
    }

    @Test
    void destroyWhileAReaderBlocksInReadEndsTheReadEmptyAtItsTimeout() {
        Stream stream = newStream("destroy-blocked");
        stream.add("e", utf8("before"));
        Reader reader = closeLater(stream.reader().blockDuration(BLOCK).open());
        CompletableFuture<List<Event>> read = CompletableFuture.supplyAsync(() -> reader.read(Duration.ofSeconds(2)),
                background);
        awaitBlockedXread();

        stream.destroy();

        // Stream.destroy() promises that a read blocked on the stream returns at its timeout, empty
        assertThat(read).as("read(2 s) blocked on the destroyed stream")
                .succeedsWithin(Duration.ofSeconds(15)).satisfies(events -> assertThat(events).isEmpty());
        // and the reader goes on when the stream is created again
        String id = stream.add("e", utf8("after"));
        List<Event> again = new java.util.ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            again.addAll(reader.read(BLOCK));
            return !again.isEmpty();
        });
        assertThat(again).extracting(Event::id).containsExactly(id);
        reader.close();
        assertThat(reader.isClosed()).isTrue();
    }

    @Test
    void aReaderBlockedOnADestroyedStreamClosesCleanly() throws Exception {
        Stream stream = newStream("destroy-close");
        stream.add("e", utf8("before"));
        Reader reader = stream.reader().blockDuration(BLOCK).open();
        CompletableFuture<List<Event>> read = CompletableFuture.supplyAsync(() -> reader.read(Duration.ofSeconds(15)),
                background);
        awaitBlockedXread();
        stream.destroy();

        CompletableFuture<Void> closing = CompletableFuture.runAsync(reader::close, background);
        closing.get(5, TimeUnit.SECONDS);
        assertThat(read.get(5, TimeUnit.SECONDS)).isEmpty();
        assertThat(reader.isClosed()).isTrue();
        assertThatThrownBy(reader::read).isInstanceOf(ClosedException.class);
    }

    @Test
    void aReaderGoesOnReadingAStreamRecreatedAfterDestroy() {
        Stream stream = newStream("destroy-recreate");
        stream.add("e", utf8("before"));
        Reader reader = closeLater(stream.reader().blockDuration(BLOCK).open());
        assertThat(reader.read(BLOCK)).isEmpty();
        stream.destroy();
        String after = stream.add("e", utf8("after"));
        assertThat(ids(pullAtLeast(reader::read, 1))).containsExactly(after);
    }
}
