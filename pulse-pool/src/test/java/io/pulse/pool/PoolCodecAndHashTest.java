package io.pulse.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Wire formats of pools (Go Pulse's job record layout) and the routing hash (Go Pulse's routing): both must match Go Pulse
 * byte for byte and bucket for bucket, or Java and Go nodes could not share a pool.
 */
class PoolCodecAndHashTest {

    private static final Instant NEW_YEAR_2022 = Instant.parse("2022-01-01T00:00:00Z");

    /** The documented example of the job record: Job{k1, N, pl, 2022-01-01Z, requeued}. */
    private static final byte[] EXAMPLE_JOB = bytes(
            0x02, 0x00, 0x00, 0x00, 0x6b, 0x31,
            0x01, 0x00, 0x00, 0x00, 0x4e,
            0x02, 0x00, 0x00, 0x00, 0x70, 0x6c,
            0x00, 0x00, 0x1f, 0xa6, 0x70, 0xfc, 0xc5, 0x16,
            0x01);

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] everyByteValue() {
        byte[] out = new byte[256];
        for (int i = 0; i < 256; i++) {
            out[i] = (byte) i;
        }
        return out;
    }

    // ------------------------------------------------------------------ Job

    @Test
    void jobEncodingMatchesTheSpecExampleByteForByte() {
        Job job = new Job("k1", utf8("pl"), NEW_YEAR_2022, "N", true);

        assertThat(PoolCodec.job(job)).containsExactly(EXAMPLE_JOB);
    }

    @Test
    void specExampleBytesDecodeToTheExampleJob() throws Exception {
        Job job = PoolCodec.decodeJob(EXAMPLE_JOB);

        assertThat(job.key()).isEqualTo("k1");
        assertThat(job.nodeId()).isEqualTo("N");
        assertThat(job.payload()).containsExactly(utf8("pl"));
        assertThat(job.createdAt()).isEqualTo(NEW_YEAR_2022);
        assertThat(job.requeued()).isTrue();
    }

    @Test
    void jobWithPayloadRoundTripsAndReencodesToIdenticalBytes() throws Exception {
        Instant created = Instant.parse("2022-01-01T00:00:00.123456789Z");
        Job job = new Job("key", utf8("payload"), created, "node-1", false);

        byte[] encoded = PoolCodec.job(job);
        Job decoded = PoolCodec.decodeJob(encoded);

        assertThat(decoded.key()).isEqualTo("key");
        assertThat(decoded.payload()).containsExactly(utf8("payload"));
        assertThat(decoded.createdAt()).isEqualTo(created);
        assertThat(decoded.nodeId()).isEqualTo("node-1");
        assertThat(decoded.requeued()).isFalse();
        assertThat(PoolCodec.job(decoded)).containsExactly(encoded);
    }

    @Test
    void jobWithoutPayloadDecodesToAnEmptyPayload() throws Exception {
        Job job = new Job("key", null, NEW_YEAR_2022, "node", false);

        byte[] encoded = PoolCodec.job(job);
        Job decoded = PoolCodec.decodeJob(encoded);

        assertThat(Arrays.copyOfRange(encoded, 4 + 3 + 4 + 4, 4 + 3 + 4 + 4 + 4)).containsExactly(0, 0, 0, 0);
        assertThat(decoded.payload()).isEmpty();
        assertThat(PoolCodec.job(decoded)).containsExactly(encoded);
    }

    @Test
    void requeuedFlagRoundTripsAndAnyNonZeroByteMeansRequeued() throws Exception {
        byte[] requeued = PoolCodec.job(new Job("k", utf8("p"), NEW_YEAR_2022, "n", true));
        byte[] fresh = PoolCodec.job(new Job("k", utf8("p"), NEW_YEAR_2022, "n", false));

        assertThat(requeued[requeued.length - 1]).isEqualTo((byte) 1);
        assertThat(fresh[fresh.length - 1]).isEqualTo((byte) 0);
        assertThat(PoolCodec.decodeJob(requeued).requeued()).isTrue();
        assertThat(PoolCodec.decodeJob(fresh).requeued()).isFalse();

        byte[] otherTrue = requeued.clone();
        otherTrue[otherTrue.length - 1] = 0x7f;
        assertThat(PoolCodec.decodeJob(otherTrue).requeued()).isTrue();
    }

    @Test
    void jobKeepsNanosecondPrecisionAndInstantsBeforeTheEpoch() throws Exception {
        Instant beforeEpoch = Instant.parse("1969-12-31T23:59:59.500000001Z");

        Job decoded = PoolCodec.decodeJob(PoolCodec.job(new Job("k", null, beforeEpoch, "n", false)));

        assertThat(decoded.createdAt()).isEqualTo(beforeEpoch);
    }

    @Test
    void jobFramesMultiByteKeysByUtf8ByteLengthAndKeepsBinaryPayloads() throws Exception {
        String key = "clé-✓-日本";
        byte[] payload = everyByteValue();

        byte[] encoded = PoolCodec.job(new Job(key, payload, NEW_YEAR_2022, "nœud", false));
        Job decoded = PoolCodec.decodeJob(encoded);

        int keyBytes = utf8(key).length;
        assertThat(keyBytes).isGreaterThan(key.length());
        assertThat(Arrays.copyOfRange(encoded, 0, 4)).containsExactly(keyBytes, 0, 0, 0);
        assertThat(decoded.key()).isEqualTo(key);
        assertThat(decoded.nodeId()).isEqualTo("nœud");
        assertThat(decoded.payload()).containsExactly(payload);
    }

    @Test
    void keyDecoderReadsTheKeyAtTheStartOfEveryPoolStreamPayload() throws Exception {
        assertThat(PoolCodec.decodeKey(EXAMPLE_JOB)).isEqualTo("k1");
        assertThat(PoolCodec.decodeKey(PoolCodec.jobKey("stop-me"))).isEqualTo("stop-me");
        assertThat(PoolCodec.decodeKey(PoolCodec.notification("notify-me", utf8("x")))).isEqualTo("notify-me");
    }

    // ------------------------------------------------------------------ JobKey, Notification, Envelope, Ack

    @Test
    void jobKeyIsAFramedKey() throws Exception {
        byte[] encoded = PoolCodec.jobKey("k1");

        assertThat(encoded).containsExactly(0x02, 0x00, 0x00, 0x00, 0x6b, 0x31);
        assertThat(PoolCodec.decodeKey(encoded)).isEqualTo("k1");
    }

    @Test
    void notificationRoundTripsWithBinaryAndEmptyPayloads() throws Exception {
        byte[] binary = everyByteValue();

        PoolCodec.Notification decoded = PoolCodec.decodeNotification(PoolCodec.notification("job", binary));
        PoolCodec.Notification empty = PoolCodec.decodeNotification(PoolCodec.notification("job", new byte[0]));

        assertThat(PoolCodec.notification("k", utf8("p"))).containsExactly(1, 0, 0, 0, 'k', 1, 0, 0, 0, 'p');
        assertThat(decoded.key()).isEqualTo("job");
        assertThat(decoded.payload()).containsExactly(binary);
        assertThat(empty.key()).isEqualTo("job");
        assertThat(empty.payload()).isEmpty();
    }

    @Test
    void envelopeRoundTripsAroundAnEncodedJob() throws Exception {
        byte[] inner = EXAMPLE_JOB;

        byte[] encoded = PoolCodec.envelope("01HNODE", inner);
        PoolCodec.Envelope decoded = PoolCodec.decodeEnvelope(encoded);

        assertThat(Arrays.copyOfRange(encoded, 0, 4)).containsExactly(7, 0, 0, 0);
        assertThat(Arrays.copyOfRange(encoded, 11, 15)).containsExactly(inner.length, 0, 0, 0);
        assertThat(decoded.sender()).isEqualTo("01HNODE");
        assertThat(decoded.inner()).containsExactly(inner);
        assertThat(PoolCodec.decodeJob(decoded.inner()).key()).isEqualTo("k1");
    }

    @Test
    void envelopeWithEmptyInnerPayloadRoundTrips() throws Exception {
        PoolCodec.Envelope decoded = PoolCodec.decodeEnvelope(PoolCodec.envelope("sender", new byte[0]));

        assertThat(decoded.sender()).isEqualTo("sender");
        assertThat(decoded.inner()).isEmpty();
    }

    @Test
    void ackRoundTripsSuccessAndErrorMessages() throws Exception {
        byte[] success = PoolCodec.ack("1700000000000-0", "");
        byte[] failure = PoolCodec.ack("1700000000000-1", "start failed: ünïcode");

        PoolCodec.Ack ok = PoolCodec.decodeAck(success);
        PoolCodec.Ack failed = PoolCodec.decodeAck(failure);

        assertThat(Arrays.copyOfRange(success, success.length - 4, success.length)).containsExactly(0, 0, 0, 0);
        assertThat(ok.eventId()).isEqualTo("1700000000000-0");
        assertThat(ok.error()).isEmpty();
        assertThat(ok.ok()).isTrue();
        assertThat(failed.eventId()).isEqualTo("1700000000000-1");
        assertThat(failed.error()).isEqualTo("start failed: ünïcode");
        assertThat(failed.ok()).isFalse();
    }

    // ------------------------------------------------------------------ malformed input

    @Test
    void everyTruncationOfAJobIsRejected() {
        for (int length = 0; length < EXAMPLE_JOB.length; length++) {
            byte[] truncated = Arrays.copyOf(EXAMPLE_JOB, length);
            assertThatThrownBy(() -> PoolCodec.decodeJob(truncated))
                    .as("job truncated to %d bytes", length)
                    .isInstanceOf(PoolCodec.MalformedException.class);
        }
    }

    @Test
    void everyTruncationOfANotificationEnvelopeOrAckIsRejected() {
        byte[] notification = PoolCodec.notification("key", utf8("payload"));
        byte[] envelope = PoolCodec.envelope("sender", utf8("inner"));
        byte[] ack = PoolCodec.ack("1-0", "error");
        for (int length = 0; length < notification.length; length++) {
            byte[] truncated = Arrays.copyOf(notification, length);
            assertThatThrownBy(() -> PoolCodec.decodeNotification(truncated)).as("notification of %d bytes", length)
                    .isInstanceOf(PoolCodec.MalformedException.class);
        }
        for (int length = 0; length < envelope.length; length++) {
            byte[] truncated = Arrays.copyOf(envelope, length);
            assertThatThrownBy(() -> PoolCodec.decodeEnvelope(truncated)).as("envelope of %d bytes", length)
                    .isInstanceOf(PoolCodec.MalformedException.class);
        }
        for (int length = 0; length < ack.length; length++) {
            byte[] truncated = Arrays.copyOf(ack, length);
            assertThatThrownBy(() -> PoolCodec.decodeAck(truncated)).as("ack of %d bytes", length)
                    .isInstanceOf(PoolCodec.MalformedException.class);
        }
    }

    @Test
    void everyTruncationOfAJobKeyIsRejected() {
        byte[] key = PoolCodec.jobKey("abc");
        for (int length = 0; length < key.length; length++) {
            byte[] truncated = Arrays.copyOf(key, length);
            assertThatThrownBy(() -> PoolCodec.decodeKey(truncated)).as("job key of %d bytes", length)
                    .isInstanceOf(PoolCodec.MalformedException.class);
        }
    }

    @Test
    void lengthPrefixLargerThanTheInputIsRejected() {
        byte[] claimsHundredBytes = bytes(100, 0, 0, 0, 'a', 'b', 'c');

        assertThatThrownBy(() -> PoolCodec.decodeKey(claimsHundredBytes)).isInstanceOf(PoolCodec.MalformedException.class);
        assertThatThrownBy(() -> PoolCodec.decodeJob(claimsHundredBytes)).isInstanceOf(PoolCodec.MalformedException.class);
        assertThatThrownBy(() -> PoolCodec.decodeEnvelope(claimsHundredBytes))
                .isInstanceOf(PoolCodec.MalformedException.class);
    }

    @Test
    void negativeAndHugeLengthPrefixesAreRejected() {
        byte[] negative = bytes(0xff, 0xff, 0xff, 0xff, 'a');
        byte[] huge = bytes(0xff, 0xff, 0xff, 0x7f, 'a');

        assertThatThrownBy(() -> PoolCodec.decodeKey(negative)).isInstanceOf(PoolCodec.MalformedException.class);
        assertThatThrownBy(() -> PoolCodec.decodeAck(negative)).isInstanceOf(PoolCodec.MalformedException.class);
        assertThatThrownBy(() -> PoolCodec.decodeKey(huge)).isInstanceOf(PoolCodec.MalformedException.class);
        assertThatThrownBy(() -> PoolCodec.decodeNotification(huge)).isInstanceOf(PoolCodec.MalformedException.class);
    }

    @Test
    void garbageAndNullInputsAreRejected() {
        byte[] garbage = utf8("garbage");

        assertThatThrownBy(() -> PoolCodec.decodeJob(garbage)).isInstanceOf(PoolCodec.MalformedException.class);
        assertThatThrownBy(() -> PoolCodec.decodeKey(garbage)).isInstanceOf(PoolCodec.MalformedException.class);
        assertThatThrownBy(() -> PoolCodec.decodeJob(null)).isInstanceOf(PoolCodec.MalformedException.class);
        assertThatThrownBy(() -> PoolCodec.decodeAck(null)).isInstanceOf(PoolCodec.MalformedException.class);
    }

    @Test
    void aJobKeyPayloadIsNotAJob() {
        byte[] stopPayload = PoolCodec.jobKey("k1");

        assertThatThrownBy(() -> PoolCodec.decodeJob(stopPayload)).isInstanceOf(PoolCodec.MalformedException.class);
    }

    // ------------------------------------------------------------------ CRC-64 and jump hash

    @Test
    void crc64OfTheStandardCheckInputIsTheXzCheckValue() {
        assertThat(JumpHash.crc64(utf8("123456789"))).isEqualTo(0x995DC9BBDF1939FAL);
    }

    static Stream<Arguments> specVectors() {
        return Stream.of(
                Arguments.of("", 0x0000000000000000L, new int[] {0, 0, 0, 0, 0, 0, 0, 0}),
                Arguments.of("a", 0x330284772e652b05L, new int[] {0, 0, 0, 0, 0, 9, 36, 820}),
                Arguments.of("foo", 0x982ce62c7ba91558L, new int[] {0, 0, 2, 2, 2, 6, 19, 729}),
                Arguments.of("job1", 0xd943590ff3df37bdL, new int[] {0, 0, 2, 2, 2, 2, 2, 692}),
                Arguments.of("job2", 0x9ee923e65838c889L, new int[] {0, 0, 0, 3, 3, 9, 69, 157}),
                Arguments.of("user:123", 0xc90e27e38eae290aL, new int[] {0, 1, 2, 3, 4, 5, 81, 603}),
                Arguments.of("hello world", 0x53037ecdef2352daL, new int[] {0, 0, 0, 0, 0, 6, 14, 877}));
    }

    private static final int[] BUCKET_COUNTS = {1, 2, 3, 4, 5, 10, 100, 1000};

    @ParameterizedTest(name = "crc64(\"{0}\")")
    @MethodSource("specVectors")
    void crc64MatchesTheSpecVectors(String key, long crc, int[] ignored) {
        assertThat(Long.toHexString(JumpHash.crc64(utf8(key)))).isEqualTo(Long.toHexString(crc));
    }

    @ParameterizedTest(name = "buckets of \"{0}\"")
    @MethodSource("specVectors")
    void jumpHashBucketsMatchTheSpecVectors(String key, long ignored, int[] expected) {
        int[] actual = new int[BUCKET_COUNTS.length];
        for (int i = 0; i < BUCKET_COUNTS.length; i++) {
            actual[i] = JumpHash.bucket(key, BUCKET_COUNTS[i]);
        }

        assertThat(actual).as("buckets for n = %s", Arrays.toString(BUCKET_COUNTS)).containsExactly(expected);
    }

    @Test
    void bucketsStayInRangeAndOnlyMoveToTheNewBucketWhenOneIsAdded() {
        for (int i = 0; i < 2000; i++) {
            String key = "key-" + i;
            int before = JumpHash.bucket(key, 7);
            int after = JumpHash.bucket(key, 8);
            assertThat(before).isBetween(0, 6);
            assertThat(after).as("key %s moved from %d", key, before).isIn(before, 7);
        }
    }

    @Test
    void nonPositiveBucketCountsAreRejected() {
        assertThatThrownBy(() -> JumpHash.bucket("k", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JumpHash.bucket("k", -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
