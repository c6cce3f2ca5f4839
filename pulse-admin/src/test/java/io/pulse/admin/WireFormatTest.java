package io.pulse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The layout's decoders take whatever Redis holds: Go's exact formats, and damaged values without failing. */
class PulseLayoutTest {

    @Test
    void mapMessagesDecodeAsTheSpecificationWritesThem() {
        byte[] set = concat("set:", GoPlayedState.frames(b("foo"), b("bar"), b("7")));
        assertThat(PulseLayout.decodeMapMessage(set)).contains(new PulseLayout.MapMessage("set", "foo", "bar", 7));
        byte[] del = concat("del:", GoPlayedState.frames(b("foo"), b("8")));
        assertThat(PulseLayout.decodeMapMessage(del)).contains(new PulseLayout.MapMessage("del", "foo", null, 8));
        assertThat(PulseLayout.decodeMapMessage(b("reset:9"))).contains(new PulseLayout.MapMessage("reset", null, null, 9));
        assertThat(PulseLayout.decodeMapMessage(b("destroy:10"))).contains(new PulseLayout.MapMessage("destroy", null, null, 10));
    }

    @Test
    void damagedMapMessagesDecodeToNothing() {
        assertThat(PulseLayout.decodeMapMessage(b("no colon"))).isEmpty();
        assertThat(PulseLayout.decodeMapMessage(b("set:\u0009\u0000\u0000\u0000short"))).isEmpty();
        assertThat(PulseLayout.decodeMapMessage(concat("set:", GoPlayedState.frames(b("k"), b("v"), b("x"))))).isEmpty();
        assertThat(PulseLayout.decodeMapMessage(b("reset:abc"))).isEmpty();
        assertThat(PulseLayout.decodeMapMessage(b("rename:1"))).isEmpty();
    }

    @Test
    void jobKeysAndEnvelopeSendersComeFromTheFirstFrame() {
        assertThat(PulseLayout.decodeKey(GoPlayedState.job("k1", "N", "pl", Instant.EPOCH, true))).contains("k1");
        assertThat(PulseLayout.decodeEnvelopeSender(GoPlayedState.frames(b("N1"), b("W1")))).contains("N1");
        assertThat(PulseLayout.decodeKey(new byte[] {5, 0, 0, 0, 'a'})).isEmpty();
        assertThat(PulseLayout.decodeKey(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF})).isEmpty();
        assertThat(PulseLayout.decodeKey(null)).isEmpty();
        assertThat(PulseLayout.jobKeyRecord("b")).isEqualTo(GoPlayedState.frames(b("b")));
    }

    @Test
    void timestampsTickersAndListsTolerateDamage() {
        assertThat(PulseLayout.parseNanos("1640995200000000000")).isEqualTo(Instant.parse("2022-01-01T00:00:00Z"));
        assertThat(PulseLayout.parseNanos("9999999999999999999")).isNull();
        assertThat(PulseLayout.parseNanos("-")).isNull();
        assertThat(PulseLayout.parseNanos("")).isNull();
        assertThat(PulseLayout.idTime("1640995200123-4")).isEqualTo(Instant.parse("2022-01-01T00:00:00.123Z"));
        assertThat(PulseLayout.idTime("junk")).isNull();
        assertThat(PulseLayout.TickerValue.parse("1640995200000000|1m30s"))
                .contains(new PulseLayout.TickerValue(Instant.parse("2022-01-01T00:00:00Z"), "1m30s"));
        assertThat(PulseLayout.TickerValue.parse("garbage")).isEqualTo(Optional.empty());
        assertThat(PulseLayout.parseList("[\"a\\/b\",\"c\"]")).isEqualTo(List.of("a/b", "c"));
        assertThat(PulseLayout.parseList("a,,b")).isEqualTo(List.of("a", "", "b"));
        assertThat(PulseLayout.parseList("[broken")).isEqualTo(List.of("[broken"));
    }

    @Test
    void poolAndStreamNamesAreRecognisedFromTheirKeys() {
        assertThat(PulseLayout.mapNameOf("map:shop:workers:content")).contains("shop:workers");
        assertThat(PulseLayout.mapNameOf("map::content")).isEmpty();
        assertThat(PulseLayout.poolOfMap("shop:workers", PulseLayout.POOL_MAPS)).contains("shop");
        assertThat(PulseLayout.poolOfMap("shop:hourly", PulseLayout.POOL_MAPS)).isEmpty();
        assertThat(PulseLayout.poolOfStream("shop:pool")).contains("shop");
        assertThat(PulseLayout.isPoolInternalStream("shop:node:N1", java.util.Set.of("shop"))).isTrue();
        assertThat(PulseLayout.isPoolInternalStream("orders:node:N1", java.util.Set.of("shop"))).isFalse();
        assertThat(PulseLayout.isStreamBookkeeping("sink:audit:keepalive")).isTrue();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(String prefix, byte[] rest) {
        byte[] p = b(prefix);
        byte[] out = new byte[p.length + rest.length];
        System.arraycopy(p, 0, out, 0, p.length);
        System.arraycopy(rest, 0, out, p.length, rest.length);
        return out;
    }
}
