package io.pulse.streaming;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.pulse.testing.RecordingLogger;
import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.event.Level;

/** Stream, reader and sink options: their defaults, their validation, and what they limit. */
@Timeout(60)
class StreamOptionsTest extends StreamTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
    }

    // ================================================================== 2.1 options

    @Test
    void streamMaxLenDefaultsTo1000AndTheOptionIsKept() {
        String name = RedisServerExtension.uniqueName("options");
        assertThat(Stream.open(name, redis).maxLen()).isEqualTo(1000);
        assertThat(Stream.builder(name, redis).maxLen(10).open().maxLen()).isEqualTo(10);
        assertThat(Stream.open(name, redis).name()).isEqualTo(name);
    }

    @Test
    void defaultMaxLenTrimsTheStreamToAbout1000Events() {
        Stream stream = newStream("default-maxlen");
        List<CompletableFuture<String>> adds = new ArrayList<>();
        for (int i = 0; i < 1_300; i++) {
            adds.add(stream.addAsync("e", utf8(Integer.toString(i))));
        }
        CompletableFuture.allOf(adds.toArray(new CompletableFuture[0])).join();
        eventually().until(() -> cli().xlen(key(stream)) <= 1_100);
        assertThat(cli().xlen(key(stream))).isGreaterThanOrEqualTo(1_000);
        // the newest events are the ones kept
        List<StreamMessage<String, String>> newest = cli().xrevrange(key(stream), Range.create("-", "+"), Limit.from(1));
        assertThat(newest.get(0).getBody()).containsEntry("p", "1299");
    }

    @Test
    void streamBuilderRejectsANegativeTtlAndANullLogger() {
        String name = RedisServerExtension.uniqueName("options");
        assertThatThrownBy(() -> Stream.builder(name, redis).ttl(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl must be >= 0");
        assertThatThrownBy(() -> Stream.builder(name, redis).slidingTtl(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl must be >= 0");
        assertThatThrownBy(() -> Stream.builder(name, redis).logger(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Stream.builder(name, null)).isInstanceOf(NullPointerException.class);
        // a zero TTL means "never expires"
        Stream stream = Stream.builder(name, redis).ttl(Duration.ZERO).open();
        stream.add("e", utf8("p"));
        assertThat(cli().pttl(key(stream))).isEqualTo(-1L);
    }

    @Test
    void aCustomLoggerGetsTheLogLinesOfTheStreamAndOfItsReaders() {
        RecordingLogger logger = new RecordingLogger();
        Stream stream = Stream.builder(RedisServerExtension.uniqueName("logger"), redis).logger(logger).open();
        closeLater(stream.reader().blockDuration(BLOCK).open());
        stream.add("e", utf8("p"));
        stream.destroy();
        assertThat(logger.lines()).anyMatch(l -> l.message().contains("reader opened"));
        assertThat(logger.lines(Level.INFO, "stream deleted")).isNotEmpty();
    }

    @Test
    void readerAndSinkOptionsAreValidatedWhenSet() {
        Stream stream = newStream("options");
        assertThatThrownBy(() -> stream.reader().maxPolled(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> stream.reader().bufferSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> stream.sink("s").maxPolled(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> stream.sink("s").bufferSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> stream.sink("s").claimPeriod(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> stream.reader().startAt(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> stream.reader().topic(null)).isInstanceOf(NullPointerException.class);
        // options validate without any Redis I/O
        assertThat(cli().exists(key(stream))).isZero();
    }

    @Test
    void maxPolledDefaultsTo1000AndLimitsAPullRead() {
        Stream stream = Stream.builder(RedisServerExtension.uniqueName("maxpolled"), redis).maxLen(0).open();
        List<CompletableFuture<String>> adds = new ArrayList<>();
        for (int i = 0; i < 1_500; i++) {
            adds.add(stream.addAsync("e", utf8(Integer.toString(i))));
        }
        CompletableFuture.allOf(adds.toArray(new CompletableFuture[0])).join();

        Reader byDefault = closeLater(stream.reader().startAtOldest().blockDuration(BLOCK).open());
        assertThat(byDefault.read()).hasSize(1_000);
        assertThat(byDefault.read()).hasSize(500);
        Reader ten = closeLater(stream.reader().startAtOldest().maxPolled(10).blockDuration(BLOCK).open());
        assertThat(payloads(ten.read())).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

        Sink sinkByDefault = closeLater(sink(stream, RedisServerExtension.uniqueName("s")).startAtOldest().open());
        assertThat(sinkByDefault.read()).hasSize(1_000);
        Sink sinkTen = closeLater(sink(stream, RedisServerExtension.uniqueName("s")).startAtOldest().maxPolled(10).open());
        assertThat(sinkTen.read()).hasSize(10);
    }

    @Test
    void readerBufferSizeDoesNotLimitAPullRead() {
        // bufferSize is documented as the batch of a push subscription; maxPolled bounds a pull read
        Stream stream = Stream.builder(RedisServerExtension.uniqueName("buffer"), redis).maxLen(0).open();
        for (int i = 0; i < 50; i++) {
            stream.add("e", utf8(Integer.toString(i)));
        }
        Reader reader = closeLater(stream.reader().startAtOldest().bufferSize(10).blockDuration(BLOCK).open());
        assertThat(reader.read()).hasSize(50);
    }

    @Test
    void sinkBufferSizeDoesNotLimitAPullRead() {
        Stream stream = Stream.builder(RedisServerExtension.uniqueName("buffer"), redis).maxLen(0).open();
        for (int i = 0; i < 50; i++) {
            stream.add("e", utf8(Integer.toString(i)));
        }
        Sink sink = closeLater(sink(stream, RedisServerExtension.uniqueName("s")).startAtOldest().bufferSize(10).open());
        assertThat(sink.read()).hasSize(50);
    }

    @Test
    void blockDurationDefaultsToFiveSecondsForReadersAndSinks() throws Exception {
        Stream stream = newStream("default-block");
        Reader reader = closeLater(stream.reader().open());
        Sink sink = closeLater(stream.sink(RedisServerExtension.uniqueName("s")).open());
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            CompletableFuture<Long> readerMs = CompletableFuture.supplyAsync(() -> timed(reader::read), threads);
            CompletableFuture<Long> sinkMs = CompletableFuture.supplyAsync(() -> timed(sink::read), threads);
            assertThat(readerMs.get(30, TimeUnit.SECONDS)).isBetween(4_500L, 15_000L);
            assertThat(sinkMs.get(30, TimeUnit.SECONDS)).isBetween(4_500L, 15_000L);
        } finally {
            threads.shutdownNow();
        }
    }

    private static long timed(Supplier<List<Event>> read) {
        long start = System.nanoTime();
        List<Event> events = read.get();
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(events).isEmpty();
        return ms;
    }
}
