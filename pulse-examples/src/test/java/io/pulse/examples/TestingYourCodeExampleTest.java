package io.pulse.examples;

import static io.pulse.testing.Eventually.eventually;

import io.pulse.rmap.ReplicatedMap;
import io.pulse.testing.RedisServerExtension;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The example of README's "Testing your code" section, kept here so that it compiles and passes. */
class TestingYourCodeExampleTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void aFlagSetInOneProcessReachesAnotherAndSurvivesARestart() {
        try (ReplicatedMap writer = ReplicatedMap.join("flags", REDIS.newPulseRedis());
                ReplicatedMap reader = ReplicatedMap.join("flags", REDIS.newPulseRedis())) {
            writer.set("dark-mode", "on");
            eventually().until(() -> reader.get("dark-mode").equals(Optional.of("on")));
            REDIS.restart();                     // SIGKILL, then the same data from the AOF
            writer.set("dark-mode", "off");
            eventually().until(() -> reader.get("dark-mode").equals(Optional.of("off")));
        }
    }
}
