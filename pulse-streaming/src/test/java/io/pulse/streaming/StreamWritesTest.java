package io.pulse.streaming;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.lettuce.core.StreamMessage;
import io.pulse.testing.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Writing to a stream: the entry format, topics, TTLs, conditional adds, removal and destroy. */
@Timeout(60)
class StreamWritesTest extends StreamTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
    }

    // ================================================================== 2.2 stream

    @Test
    void destroyOfANeverWrittenStreamSucceedsAndDestroyAfterAnAddDeletesTheKey() {
        Stream stream = newStream("destroy");
        stream.destroy();
        assertThat(cli().exists(key(stream))).isZero();
        stream.add("e", utf8("p"));
        assertThat(cli().exists(key(stream))).isEqualTo(1L);
        stream.destroy();
        assertThat(cli().exists(key(stream))).isZero();
    }

    @Test
    void addAppendsOneEntryWithFieldsNAndPOnly() {
        Stream stream = newStream("add");
        String id = stream.add("foo", utf8("bar"));
        assertThat(id).matches("\\d+-\\d+");
        assertThat(cli().xlen(key(stream))).isEqualTo(1L);
        List<StreamMessage<String, String>> entries = entries(stream);
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).getId()).isEqualTo(id);
        assertThat(entries.get(0).getBody()).containsExactly(entry("n", "foo"), entry("p", "bar"));
    }

    @Test
    void addWithATopicAlsoWritesFieldT() {
        Stream stream = newStream("topic");
        stream.add("bar", utf8("baz"), AddOptions.topic("foo"));
        assertThat(entries(stream)).singleElement()
                .satisfies(m -> assertThat(m.getBody()).containsExactly(entry("n", "bar"), entry("p", "baz"), entry("t", "foo")));
        // combined options keep the topic; the later non-empty topic wins
        stream.add("bar", utf8("baz"), AddOptions.topic("a").and(AddOptions.topic("b")).and(AddOptions.onlyIfStreamExists()));
        assertThat(entries(stream).get(1).getBody()).containsEntry("t", "b");
    }

    @Test
    void addOnlyIfStreamExistsNeitherCreatesTheStreamNorAddsToAMissingOne() {
        Stream plain = newStream("nomk");
        assertThat(plain.add("e", utf8("p"), AddOptions.onlyIfStreamExists())).isNull();
        assertThat(cli().exists(key(plain))).isZero();
        plain.add("e", utf8("first"));
        assertThat(plain.add("e", utf8("second"), AddOptions.onlyIfStreamExists())).isNotNull();
        assertThat(cli().xlen(key(plain))).isEqualTo(2L);

        Stream withTtl = Stream.builder(RedisServerExtension.uniqueName("nomk-ttl"), redis).ttl(Duration.ofSeconds(30)).open();
        assertThat(withTtl.add("e", utf8("p"), AddOptions.onlyIfStreamExists())).isNull();
        assertThat(cli().exists(key(withTtl))).isZero();
        withTtl.add("e", utf8("first"));
        assertThat(withTtl.add("e", utf8("second"), AddOptions.onlyIfStreamExists())).isNotNull();
        assertThat(cli().xlen(key(withTtl))).isEqualTo(2L);
    }

    @Test
    void absoluteTtlIsSetByTheFirstAddAndNotExtendedByLaterAdds() {
        Stream stream = Stream.builder(RedisServerExtension.uniqueName("ttl-abs"), redis).ttl(Duration.ofSeconds(5)).open();
        stream.add("e", utf8("1"));
        assertThat(cli().pttl(key(stream))).isBetween(1L, 5_000L);
        eventually().until(() -> cli().pttl(key(stream)) < 4_500);
        long before = cli().pttl(key(stream));
        stream.add("e", utf8("2"));
        long after = cli().pttl(key(stream));
        assertThat(after).isPositive().isLessThanOrEqualTo(before).isLessThan(4_500L);
        // the TTL also applies to entries added with a topic (same script)
        stream.add("e", utf8("3"), AddOptions.topic("t"));
        assertThat(cli().pttl(key(stream))).isPositive().isLessThan(4_500L);
    }

    @Test
    void slidingTtlIsRefreshedByEachAdd() {
        Stream stream = Stream.builder(RedisServerExtension.uniqueName("ttl-sliding"), redis)
                .slidingTtl(Duration.ofSeconds(5)).open();
        stream.add("e", utf8("1"));
        assertThat(cli().pttl(key(stream))).isBetween(1L, 5_000L);
        eventually().until(() -> cli().pttl(key(stream)) < 4_000);
        stream.add("e", utf8("2"));
        assertThat(cli().pttl(key(stream))).isGreaterThan(4_500L);
    }

    @Test
    void openingASinkAppliesTheStreamTtlToTheStreamItCreates() {
        Stream stream = Stream.builder(RedisServerExtension.uniqueName("ttl-sink"), redis).ttl(Duration.ofSeconds(30)).open();
        closeLater(sink(stream, RedisServerExtension.uniqueName("s")).open());
        assertThat(cli().exists(key(stream))).isEqualTo(1L);
        assertThat(cli().pttl(key(stream))).isBetween(1L, 30_000L);
    }

    @Test
    void destroyLeavesTheSinkRegistryMapWithOnlyTheRmapDestroyTombstone() {
        Stream stream = newStream("tombstone");
        String gateway = RedisServerExtension.uniqueName("gateway");
        sink(stream, gateway).open().close();
        String registry = "map:stream:" + stream.name() + ":sinks:content";
        assertThat(cli().exists(registry)).isEqualTo(1L);

        stream.destroy();

        Map<String, String> content = cli().hgetall(registry);
        assertThat(content).containsOnlyKeys("=rev", "=kind").containsEntry("=kind", "destroy");
        assertThat(content.get("=rev")).matches("\\d+");
        assertThat(cli().exists(key(stream))).isZero();
    }

    @Test
    void removeDeletesOnlyTheGivenEvents() {
        Stream stream = newStream("remove");
        String first = stream.add("e", utf8("1"));
        String second = stream.add("e", utf8("2"));
        assertThat(cli().xlen(key(stream))).isEqualTo(2L);
        assertThat(stream.remove(first)).isEqualTo(1L);
        assertThat(cli().xlen(key(stream))).isEqualTo(1L);
        assertThat(entries(stream)).extracting(StreamMessage::getId).containsExactly(second);
        assertThat(stream.remove(first)).isZero();
        assertThatThrownBy(() -> stream.remove("not-an-id")).isInstanceOf(IllegalArgumentException.class);
    }
}
