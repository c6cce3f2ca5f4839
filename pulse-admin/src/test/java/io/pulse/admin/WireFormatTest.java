package io.pulse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The wire-format decoders take whatever Redis holds: Go's exact formats, and damaged values without failing. */
class WireFormatTest {

    @Test
    void mapMessagesDecodeAsTheSpecificationWritesThem() {
        byte[] set = concat("set:", GoPlayedState.frames(b("foo"), b("bar"), b("7")));
        assertThat(WireFormat.decodeMapMessage(set)).contains(new WireFormat.MapMessage("set", "foo", "bar", 7));
        byte[] del = concat("del:", GoPlayedState.frames(b("foo"), b("8")));
        assertThat(WireFormat.decodeMapMessage(del)).contains(new WireFormat.MapMessage("del", "foo", null, 8));
        assertThat(WireFormat.decodeMapMessage(b("reset:9"))).contains(new WireFormat.MapMessage("reset", null, null, 9));
        assertThat(WireFormat.decodeMapMessage(b("destroy:10"))).contains(new WireFormat.MapMessage("destroy", null, null, 10));
    }

    @Test
    void damagedMapMessagesDecodeToNothing() {
        assertThat(WireFormat.decodeMapMessage(b("no colon"))).isEmpty();
        assertThat(WireFormat.decodeMapMessage(b("set:\u0009\u0000\u0000\u0000short"))).isEmpty();
        assertThat(WireFormat.decodeMapMessage(concat("set:", GoPlayedState.frames(b("k"), b("v"), b("x"))))).isEmpty();
        assertThat(WireFormat.decodeMapMessage(b("reset:abc"))).isEmpty();
        assertThat(WireFormat.decodeMapMessage(b("rename:1"))).isEmpty();
    }

    @Test
    void jobKeysAndEnvelopeSendersComeFromTheFirstFrame() {
        assertThat(WireFormat.decodeKey(GoPlayedState.job("k1", "N", "pl", Instant.EPOCH, true))).contains("k1");
        assertThat(WireFormat.decodeEnvelopeSender(GoPlayedState.frames(b("N1"), b("W1")))).contains("N1");
        assertThat(WireFormat.decodeKey(new byte[] {5, 0, 0, 0, 'a'})).isEmpty();
        assertThat(WireFormat.decodeKey(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF})).isEmpty();
        assertThat(WireFormat.decodeKey(null)).isEmpty();
        assertThat(WireFormat.jobKeyRecord("b")).isEqualTo(GoPlayedState.frames(b("b")));
    }

    @Test
    void timestampsTickersAndListsTolerateDamage() {
        assertThat(WireFormat.parseNanos("1640995200000000000")).isEqualTo(Instant.parse("2022-01-01T00:00:00Z"));
        assertThat(WireFormat.parseNanos("9999999999999999999")).isNull();
        assertThat(WireFormat.parseNanos("-")).isNull();
        assertThat(WireFormat.parseNanos("")).isNull();
        assertThat(WireFormat.idTime("1640995200123-4")).isEqualTo(Instant.parse("2022-01-01T00:00:00.123Z"));
        assertThat(WireFormat.idTime("junk")).isNull();
        assertThat(WireFormat.TickerValue.parse("1640995200000000|1m30s"))
                .contains(new WireFormat.TickerValue(Instant.parse("2022-01-01T00:00:00Z"), "1m30s"));
        assertThat(WireFormat.TickerValue.parse("garbage")).isEqualTo(Optional.empty());
        assertThat(WireFormat.parseList("[\"a\\/b\",\"c\"]")).isEqualTo(List.of("a/b", "c"));
        assertThat(WireFormat.parseList("a,,b")).isEqualTo(List.of("a", "", "b"));
        assertThat(WireFormat.parseList("[broken")).isEqualTo(List.of("[broken"));
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
