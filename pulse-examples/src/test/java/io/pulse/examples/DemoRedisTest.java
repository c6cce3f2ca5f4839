package io.pulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DemoRedisTest {

    @Test
    void theDemoPrintsPulseRedisUrlWithItsPasswordMasked() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        String url = "redis://demo-user:s3cret-pw@127.0.0.1:6390/0";
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
                DemoRedis redis = DemoRedis.obtain(out, url)) {
            assertThat(redis.uri()).isEqualTo(url);
        }
        String printed = buffer.toString(StandardCharsets.UTF_8);
        assertThat(printed).doesNotContain("s3cret-pw").contains("redis://demo-user:***@127.0.0.1:6390/0");
    }
}
