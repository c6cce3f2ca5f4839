package io.pulse.rmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulse.rmap.internal.ListValues;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MapMessageTest {

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    /** The example of the specification: set foo=bar at revision 7. */
    private static final byte[] SPEC_SET_FOO_BAR_7 = bytes(
            0x73, 0x65, 0x74, 0x3a,
            0x03, 0x00, 0x00, 0x00, 0x66, 0x6f, 0x6f,
            0x03, 0x00, 0x00, 0x00, 0x62, 0x61, 0x72,
            0x01, 0x00, 0x00, 0x00, 0x37);

    @Test
    void decodesTheSpecificationExample() throws Exception {
        assertThat(MapMessage.decode(SPEC_SET_FOO_BAR_7))
                .isEqualTo(new MapMessage(MapMessage.Op.SET, "foo", "bar", 7));
    }

    @Test
    void encodesExactlyTheSpecificationBytes() {
        assertThat(new MapMessage(MapMessage.Op.SET, "foo", "bar", 7).encode()).isEqualTo(SPEC_SET_FOO_BAR_7);
        assertThat(new MapMessage(MapMessage.Op.RESET, null, null, 12).encode())
                .isEqualTo("reset:12".getBytes(StandardCharsets.US_ASCII));
        assertThat(new MapMessage(MapMessage.Op.DESTROY, null, null, 3).encode())
                .isEqualTo("destroy:3".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void roundTripsEveryOperationIncludingUnicodeAndEmptyValues() throws Exception {
        for (MapMessage m : List.of(
                new MapMessage(MapMessage.Op.SET, "clé", "", 1),
                new MapMessage(MapMessage.Op.SET, "k", "välue with : colon", 99),
                new MapMessage(MapMessage.Op.DEL, "k", null, 100),
                new MapMessage(MapMessage.Op.RESET, null, null, 101),
                new MapMessage(MapMessage.Op.DESTROY, null, null, 102))) {
            assertThat(MapMessage.decode(m.encode())).isEqualTo(m);
        }
    }

    @Test
    void ignoresTrailingBytesAfterTheLastField() throws Exception {
        byte[] withTail = new byte[SPEC_SET_FOO_BAR_7.length + 3];
        System.arraycopy(SPEC_SET_FOO_BAR_7, 0, withTail, 0, SPEC_SET_FOO_BAR_7.length);
        assertThat(MapMessage.decode(withTail).revision()).isEqualTo(7);
    }

    @Test
    void rejectsMalformedPayloadsWithAReason() {
        List<byte[]> garbage = List.of(
                new byte[0],
                "no colon here".getBytes(StandardCharsets.US_ASCII),
                "frobnicate:x".getBytes(StandardCharsets.US_ASCII),
                bytes(0x73, 0x65, 0x74, 0x3a, 0x03, 0x00),
                bytes(0x73, 0x65, 0x74, 0x3a, 0xff, 0x00, 0x00, 0x00, 0x66),
                bytes(0x64, 0x65, 0x6c, 0x3a, 0x01, 0x00, 0x00, 0x00, 0x6b),
                "reset:".getBytes(StandardCharsets.US_ASCII),
                "destroy:-4".getBytes(StandardCharsets.US_ASCII),
                "reset:99999999999999999999999".getBytes(StandardCharsets.US_ASCII));
        for (byte[] payload : garbage) {
            assertThatThrownBy(() -> MapMessage.decode(payload)).isInstanceOf(MapMessage.MalformedException.class)
                    .hasMessageMatching(".+");
        }
    }

    @Test
    void listValuesReadJsonArraysAndTheLegacyCommaForm() {
        assertThat(ListValues.parse("[\"a\\/b\",\"c\"]")).containsExactly("a/b", "c");
        assertThat(ListValues.parse(" [\"x\"] ")).containsExactly("x");
        assertThat(ListValues.parse("a,,b")).containsExactly("a", "", "b");
        assertThat(ListValues.parse("")).containsExactly("");
        assertThat(ListValues.parse(null)).isEmpty();
        assertThat(ListValues.parse("[1,2]")).containsExactly("[1", "2]");
    }
}
