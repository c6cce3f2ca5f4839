package io.pulse.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.RedisServerExtension;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.spring.boot.tests.BootLine;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * An application that already talks to Redis with Spring Data Redis adds Pulse with no new setting: both
 * use the same {@code spring.data.redis.*} settings, and Spring Data Redis works on the Lettuce (and, on
 * Boot 3.5, the Netty) that Pulse needs instead of the one Boot pins.
 */
class SpringDataRedisAlongsideTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void springDataRedisAndPulseShareSpringsSettingsOnPulsesLettuce() throws ClassNotFoundException {
        URI server = URI.create(REDIS.uri());
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(Class.forName(BootLine.DATA_REDIS_AUTO_CONFIGURATION),
                        PulseAutoConfiguration.class))
                .withPropertyValues("spring.data.redis.host=" + server.getHost(),
                        "spring.data.redis.port=" + server.getPort(), "pulse.maps.flags.enabled=true")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
                    template.opsForValue().set("spring-data-key", "written by Spring Data");
                    ReplicatedMap flags = context.getBean(ReplicatedMap.class);
                    flags.setAndWait("k", template.opsForValue().get("spring-data-key"));
                    assertThat(REDIS.cli().hget("map:flags:content", "k")).isEqualTo("written by Spring Data");
                });
    }
}
